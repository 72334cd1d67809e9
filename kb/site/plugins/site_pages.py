"""Claim, article and reference pages (row templates fed by kb.pages) and ranked search."""

from datasette import hookimpl
from datasette.utils import urlsafe_components
from datasette.utils.asgi import Response

from kb.pages import VERDICT_RATING, article_page, claim_page, ref_page, search

PAGES = {"claims": claim_page, "articles": article_page, "refs": ref_page}


def _base_url(request) -> str:
    return f"{request.scheme}://{request.host}"


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or table not in PAGES or request is None:
        return {}

    async def page_vars():
        (pk,) = urlsafe_components(request.url_vars["pks"])
        db = datasette.get_database(database)
        base = _base_url(request)
        if table == "claims":
            data = await db.execute_fn(lambda conn: claim_page(conn, pk, base))
        else:
            data = await db.execute_fn(lambda conn: PAGES[table](conn, pk))
        return {"kb": data, "verdict_rating": VERDICT_RATING}

    return page_vars


async def search_page(datasette, request):
    q = request.args.get("q", "")
    results, name = [], None
    for db_name, db in datasette.databases.items():
        if not db_name.startswith("_") and "claims_fts" in await db.table_names():
            name = db_name
            results = await db.execute_fn(lambda conn: search(conn, q))
            break
    return Response.html(await datasette.render_template(
        "kb_search.html", {"q": q, "results": results, "database": name}, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page)]
