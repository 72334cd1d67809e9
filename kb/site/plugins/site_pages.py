"""Claim, article and reference pages (row templates fed by kb.pages) and ranked search."""

from datasette import hookimpl
from datasette.utils import urlsafe_components
from datasette.utils.asgi import Response

from kb.pages import VERDICT_RATING, article_page, claim_page, kb_database, ref_page, search

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
    name, db = await kb_database(datasette)
    results = await db.execute_fn(lambda conn: search(conn, q)) if db is not None else []
    return Response.html(await datasette.render_template(
        "kb_search.html", {"q": q, "results": results, "database": name}, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page)]


WRITABLE_PATHS = {"/-/check"}  # the only POST: a form that reads the database
MAX_BODY_BYTES = 2_500_000


async def _plain(send, status: int, text: str, extra_headers=()):
    await send({"type": "http.response.start", "status": status,
                "headers": [[b"content-type", b"text/plain; charset=utf-8"], *extra_headers]})
    await send({"type": "http.response.body", "body": text.encode()})


@hookimpl
def asgi_wrapper(datasette):
    """The public site is read-only: refuse every method but GET/HEAD (except the check form)
    with 405, and refuse oversized request bodies with 413, before Datasette sees them."""

    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http":
                method, path = scope["method"], scope["path"]
                if method not in ("GET", "HEAD") and path not in WRITABLE_PATHS:
                    return await _plain(send, 405, "This site is read-only.\n",
                                        [[b"allow", b"GET, HEAD"]])
                length = dict(scope.get("headers") or []).get(b"content-length", b"0")
                if length.isdigit() and int(length) > MAX_BODY_BYTES:
                    return await _plain(send, 413, "Request body too large.\n")
            await app(scope, receive, send)

        return read_only

    return wrap


def _can_render_bib(columns):
    return {"key", "entry_type", "fields_bibtex"} <= set(columns or [])


def _render_bib(rows, columns):
    import json

    from kb.export import _bibtex_entry

    text = "\n".join(_bibtex_entry(r["key"], r["entry_type"], json.loads(r["fields_bibtex"] or "{}"))
                     for r in rows)
    return Response(text, content_type="application/x-bibtex; charset=utf-8")


@hookimpl
def register_output_renderer(datasette):
    # /sciatica/refs.bib (any filter or search of refs, or one row) as BibTeX.
    return {"extension": "bib", "render": _render_bib, "can_render": _can_render_bib}
