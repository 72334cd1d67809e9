"""/-/search: BM25-ranked results across claims, article quotes and studies (kb.site.pages.search).

The three tables are searched at once, each on one of Datasette's read threads (SQLite lets the
others run while one ranks): at a million claims each ranks 18,000-36,000 matches.
"""

import asyncio

from datasette import hookimpl
from datasette.utils.asgi import Response

from kb.site.pages import SEARCHED, kb_database, merge_results, search_one


async def search_page(datasette, request):
    q = request.args.get("q", "")
    name, db = await kb_database(datasette)
    results = []
    if db is not None:
        parts = await asyncio.gather(*(db.execute_fn(lambda conn, kind=kind: search_one(conn, kind, q))
                                       for kind, *_ in SEARCHED))
        results = merge_results(list(parts))
    return Response.html(await datasette.render_template(
        "kb_search.html", {"q": q, "results": results, "database": name}, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/search$", search_page)]
