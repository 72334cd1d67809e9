"""/-/search: BM25-ranked results across claims, article quotes and studies (kb.site.pages.search)."""

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb.site.pages import kb_database, search


async def search_page(datasette, request):
    q = request.args.get("q", "")
    name, db = await kb_database(datasette)
    results = await db.execute_fn(lambda conn: search(conn, q)) if db is not None else []
    return Response.html(await datasette.render_template(
        "kb_search.html", {"q": q, "results": results, "database": name}, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page)]
