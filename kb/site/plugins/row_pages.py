"""Claim, article and reference pages: the row templates get their data from kb.site.pages."""

from datasette import hookimpl
from datasette.utils import urlsafe_components

from kb.site.pages import article_page, claim_page, ref_page
from kb.vocab import VERDICT_RATING

PAGES = {"claims": claim_page, "articles": article_page, "refs": ref_page}


def _base_url(datasette, request) -> str:
    """The site's public address (plugins.kb.base_url in metadata.yaml), else the request's."""
    configured = (datasette.plugin_config("kb") or {}).get("base_url")
    return configured.rstrip("/") if configured else f"{request.scheme}://{request.host}"


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or table not in PAGES or request is None:
        return {}

    async def page_vars():
        (pk,) = urlsafe_components(request.url_vars["pks"])
        db = datasette.get_database(database)
        base = _base_url(datasette, request)
        if table == "claims":
            data = await db.execute_fn(lambda conn: claim_page(conn, pk, base))
        else:
            data = await db.execute_fn(lambda conn: PAGES[table](conn, pk))
        return {"kb": data, "verdict_rating": VERDICT_RATING}

    return page_vars
