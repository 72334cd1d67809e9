"""A search on the claims table ranked by relevance (Datasette 0.65's table search keeps the
table's id order).

A search without a sort is shown RANKED_PAGE claims a page (asgi_wrapper: a redirect adding
_size), and the page's rows are put in FTS5 bm25 order (extra_template_vars gives the order,
the `kb_ranked` filter applies it in _table-<db>-claims.html). When every match fits on the page,
which it does for all but the commonest words, the whole result is ranked; otherwise the page
says the rows are ranked within the page and links the ranked /-/search. JSON and CSV keep
Datasette's order.
"""

import asyncio
import re
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils import escape_fts

from kb.site import facet_pass

RANKED_PAGE = 100
RANKED_AT_MOST = 1000  # matches ranked per request: the ids beyond are left in table order
# Ranking a word in most of a million claims scores every match; past this the page keeps the
# table's order (and says so) rather than wait.
RANK_TIME_LIMIT_MS = 250
_CLAIMS_TABLE = re.compile(r"^/[^/]+/claims$")


def _ranked_request(args: dict) -> bool:
    """A ranked search that has not yet been given its page size (it is redirected to one)."""
    return bool(_ranked_search(args)) and not args.get("_size")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def ranked(scope, receive, send):
            if scope["type"] == "http" and scope["method"] == "GET" and _CLAIMS_TABLE.match(scope["path"]):
                pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
                args = dict(pairs)
                if _ranked_request(args):
                    # every argument kept as given (repeated ones such as _facet included)
                    location = scope["path"] + "?" + urlencode([*pairs, ("_size", RANKED_PAGE)])
                    await send({"type": "http.response.start", "status": 302,
                                "headers": [[b"location", location.encode("latin-1")],
                                            [b"content-type", b"text/plain"]]})
                    await send({"type": "http.response.body", "body": b""})
                    return
                search = _ranked_search(args)
                if search:
                    # Ranked beside the page's own queries, on another read thread, rather than
                    # after them when the template asks for the order; and a search-only page's
                    # facets counted beside them too, rather than after them.
                    database = scope["path"].split("/")[1]
                    scope = dict(scope, kb_rank=asyncio.ensure_future(_rank(datasette, database, search)))
                    only = facet_pass.search_only(pairs)  # as given: the facets' key is the raw search
                    if only is not None and database in datasette.databases:
                        facet_pass.start_search_pass(datasette, scope, database, "claims", only)
            await app(scope, receive, send)
        return ranked
    return wrap


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "table" or table != "claims" or request is None:
        return {}
    search = _ranked_search(request.args)
    if not search:
        return {}
    started = request.scope.get("kb_rank")

    async def rank():
        order = await (started if started is not None else _rank(datasette, database, search))
        return {"kb_rank": order} if order is not None else {}

    return rank


def _ranked_search(args) -> str | None:
    """The search a claims page is ranked by: one without a sort of its own, on its first page."""
    search = (args.get("_search") or "").strip()
    if not search or args.get("_sort") or args.get("_sort_desc") or args.get("_next"):
        return None
    return search


async def _rank(datasette, database: str, search: str) -> dict | None:
    """{claim id: position} of the best RANKED_AT_MOST matches; None when ranking took too long
    or FTS5 cannot parse the search (the page keeps the table's order)."""
    try:
        db = datasette.get_database(database)
        # Ranked on the index alone, then the best ids looked up: joining first read every
        # match's claim row (18,000 for a word in 2% of a million claims). bm25() is FTS5's
        # rank, which ordering by the rank column computed about twice as slowly here.
        rows = await db.execute(
            "select c.id from (select rowid, bm25(claims_fts) as score from claims_fts where "
            "claims_fts match :q order by score limit :n) r join claims c on c.rowid = r.rowid "
            "order by r.score",
            {"q": escape_fts(search), "n": RANKED_AT_MOST}, custom_time_limit=RANK_TIME_LIMIT_MS)
    except Exception:  # noqa: BLE001 - too slow, unparsable, or no such database: table order
        return None
    return {r["id"]: i for i, r in enumerate(rows)}


def kb_ranked(rows, rank):
    """Display rows in the order of ``rank`` (claim id -> position); rows it lacks keep their
    place after the ranked ones."""
    if not rank:
        return rows

    def key(pair):
        position, row = pair
        claim = next((cell["raw"] for cell in row if cell["column"] == "id"), None)
        return (rank.get(claim, len(rank)), position)

    return [row for _, row in sorted(enumerate(rows), key=key)]


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["kb_ranked"] = kb_ranked
