"""One read of a filtered table's matching rows for all its facets (the ``counted`` columns and
the ``link`` facets' JSON lists), shared by the facet plugin and the claims search's early start.

Datasette reads the matching rows once per facet, and only after its row and count queries: at a
million claims a search matching 18,000 paid for the read five times, one after another. Here
the counts come from one statement; and a search-only claims page starts that statement when
the request arrives (``start_search_pass``, called by the ranked-search ASGI wrapper), so it
runs on another read thread beside Datasette's own queries instead of after them.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from datasette.database import QueryInterrupted
from datasette.facets import load_facet_configs
from datasette.utils import escape_fts, escape_sqlite
from datasette.utils.asgi import Request

SCOPE_KEY = "kb_facet_pass"  # request.scope: {key: future of the counts}
# A request with only these arguments is a plain search: its matching rows are exactly those of
# SEARCH_SQL (Datasette's own ?_search= filter on the table's FTS index, in its default mode).
SEARCH_ONLY_ARGS = frozenset({"_search", "_size"})
SEARCH_SQL = ("select * from {table} where rowid in (select rowid from {fts} where {fts} match :search)")


def configured(request, metadata: dict) -> tuple[list[str], list[str]]:
    """(counted columns, link facets' JSON list columns) of a page's facets, as Datasette's
    ``load_facet_configs`` reads them from the table's metadata and the request's ``_facet``."""
    configs = load_facet_configs(request, metadata)
    columns = [c["config"].get("column") or c["config"]["simple"] for c in configs.get("counted", [])]
    arrays = [c["config"]["array"] for c in configs.get("link", []) if c["config"].get("array")]
    return columns, arrays


async def count_pass(ds, database: str, sql: str, params: dict, columns: list[str],
                     arrays: list[str]) -> dict | None:
    """One statement: the matching rows materialised once, each counted column grouped, and
    each JSON list column's values grouped through json_each. {column: Counter}; None if it ran
    past the facet time limit."""
    wanted = [*columns, *arrays]
    if not wanted:
        return {}
    parts = [f"select {i} as facet, {escape_sqlite(c)} as value, count(*) as count from m "
             f"where {escape_sqlite(c)} is not null group by {escape_sqlite(c)}"
             for i, c in enumerate(columns)]
    parts += [f"select {len(columns) + i} as facet, j.value as value, count(*) as count from m, "
              f"json_each(m.{escape_sqlite(c)}) j group by j.value" for i, c in enumerate(arrays)]
    statement = (f"with m as materialized (select {', '.join(escape_sqlite(c) for c in wanted)} "
                 f"from ({sql})) " + " union all ".join(parts))
    try:
        rows = (await ds.execute(database, statement, params, truncate=False,
                                 custom_time_limit=ds.setting("facet_time_limit_ms"))).rows
    except QueryInterrupted:
        return None
    counts = {c: Counter() for c in wanted}
    for row in rows:
        counts[wanted[row["facet"]]][row["value"]] = row["count"]
    return counts


def search_key(search: str, columns: list[str], arrays: list[str]) -> tuple:
    return ("search", search, tuple(columns), tuple(arrays))


def start_search_pass(ds, scope: dict, database: str, table: str, search: str) -> None:
    """Start the facet counts of a search-only page of ``table`` as the request arrives (see
    the module docstring); the facets pick them up by ``search_key``."""
    metadata = ds.table_metadata(database, table)
    fts = metadata.get("fts_table")
    columns, arrays = configured(Request(scope, None), metadata)
    if not fts or not (columns or arrays):
        return
    sql = SEARCH_SQL.format(table=escape_sqlite(table), fts=escape_sqlite(fts))
    shared = scope.setdefault(SCOPE_KEY, {})
    shared[search_key(search, columns, arrays)] = asyncio.ensure_future(
        _early(ds, database, sql, {"search": escape_fts(search)}, columns, arrays))


async def _early(ds, database: str, sql: str, params: dict, columns: list[str], arrays: list[str]):
    """``count_pass``, None if it fails: a search FTS5 cannot parse fails the page's own query,
    which reports it (400), and an early start must not leave an error nobody reads."""
    try:
        return await count_pass(ds, database, sql, params, columns, arrays)
    except Exception:  # noqa: BLE001
        return None


def search_only(pairs: list[tuple[str, str]]) -> str | None:
    """The search of a request whose only arguments (its query string's pairs) are one search and
    a page size."""
    searches = [v for k, v in pairs if k == "_search"]
    if {k for k, _ in pairs} <= SEARCH_ONLY_ARGS and len(searches) == 1 and searches[0].strip():
        return searches[0]
    return None
