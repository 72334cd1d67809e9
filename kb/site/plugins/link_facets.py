"""Facets that stay fast at a million rows: through an indexed link table, and with the counts
the build stored for the unfiltered table.

Datasette's array facet expands a JSON column with json_each for every row on every request:
fine for a hundred claims, seconds for a million. A ``link`` facet counts through a link
table instead (claim_topics, appearances), using its index, and on the unfiltered table reads
the counts the build stored (topics.claim_count, articles.claim_count). Selecting a value adds
Datasette's own ``_through`` filter, so the filtering is Datasette's, not ours.

A ``counted`` facet is Datasette's column facet, except that on the unfiltered table it reads
the build's facet_counts table instead of grouping every row (a second or more per facet at a
million claims); once filtered it is exactly the column facet.

    facets:
      - counted: verdict
      - link: {through: claim_topics, column: topic_id, counts: topics.claim_count, array: topics}

Filtered, every counted facet and every link facet with an ``array`` (the table's JSON list
column holding the same values: claims.topics, claims.articles) is counted from one read of the
matching rows (``_facet_pass``, the statement in ``kb.site.facet_pass``), not one read per facet.
"""

import asyncio
import json
import re
import urllib.parse

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet, Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from kb.site import facet_pass

_WHERE = re.compile(r"\swhere\s", re.I)


def _through_arg(through: str, column: str, value: str) -> str:
    return json.dumps({"table": through, "column": column, "value": value}, separators=(",", ":"))


def _unfiltered(facet: Facet) -> bool:
    return not facet.params and not _WHERE.search(facet.sql)


class CountedFacet(ColumnFacet):
    type = "counted"

    async def suggest(self):
        return []

    async def facet_results(self):
        if not self.table:
            return await super().facet_results()
        if not _unfiltered(self):
            return await self._one_pass()
        results, size = [], self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            rows = (await self.ds.execute(
                self.database, "select value_json, count from facet_counts where table_name = ? "
                "and column_name = ? order by count desc, value_json limit ?",
                [self.table, column, size + 1])).rows
            if not rows:  # not counted at build time: Datasette's own way
                return await super().facet_results()
            values = [json.loads(r["value_json"]) for r in rows[:size]]
            results.append({
                "name": column, "type": self.type, "hideable": source_and_config["source"] != "metadata",
                "toggle_url": self.ds.urls.path(self.request.path),
                "truncated": len(rows) > size,
                "results": [{"value": value, "label": value, "count": row["count"], "selected": False,
                             "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(
                                 path_with_added_args(self.request, {column: value})))}
                            for value, row in zip(values, rows)],
            })
        return results, []


    async def _one_pass(self):
        """Datasette's column facets for every counted column, from the page's one read of the
        filtered rows (``_facet_pass``)."""
        configs = self.get_configs()
        columns = [c["config"].get("column") or c["config"]["simple"] for c in configs]
        if not columns:
            return [], []
        counts = await _facet_pass(self)
        if counts is None:
            return [], columns
        size = self.get_facet_size()
        qs_pairs = self.get_querystring_pairs()
        results = []
        for source_and_config, column in zip(configs, columns):
            groups = sorted(counts[column].items(), key=lambda vc: (-vc[1], vc[0]))
            expanded = await self.ds.expand_foreign_keys(self.database, self.table, column,
                                                         [v for v, _ in groups[:size]])
            values = []
            for value, count in groups[:size]:
                column_qs = f"{column}__exact" if column.startswith("_") else column
                selected = (column_qs, str(value)) in qs_pairs
                path = (path_with_removed_args(self.request, {column_qs: str(value)}) if selected
                        else path_with_added_args(self.request, {column_qs: value}))
                values.append({"value": value, "label": expanded.get((column, value), value),
                               "count": count, "toggle_url": self.ds.absolute_url(
                                   self.request, self.ds.urls.path(path)), "selected": selected})
            results.append({"name": column, "type": self.type,
                            "hideable": source_and_config["source"] != "metadata",
                            "toggle_url": self.ds.urls.path(
                                path_with_removed_args(self.request, {"_facet": column})),
                            "results": values, "truncated": len(groups) > size})
        return results, []


async def _facet_pass(facet: Facet) -> dict | None:
    """Every filtered facet of the page counted from one read of the matching rows: the counted
    columns, and each link facet's values from the JSON list column that holds them (``array``:
    claims.topics and claims.articles list each claim's topics and articles). Datasette reads the
    matching rows once per facet: at a million claims a search matching 20,000 paid for that five
    times over. {column: Counter}; None if the read ran past the facet time limit. Computed once
    per request (the facets of a page share it)."""
    columns, arrays = facet_pass.configured(facet.request, facet.metadata)
    shared = facet.request.scope.setdefault(facet_pass.SCOPE_KEY, {})
    search = facet_pass.search_only(urllib.parse.parse_qsl(facet.request.query_string, keep_blank_values=True))
    early = facet_pass.search_key(search, columns, arrays) if search else None
    if early in shared:  # started when the request arrived (a search-only page)
        return await shared[early]
    key = (facet.sql, json.dumps(facet.params, sort_keys=True, default=str), tuple(columns), tuple(arrays))
    if key not in shared:
        shared[key] = asyncio.ensure_future(
            facet_pass.count_pass(facet.ds, facet.database, facet.sql, facet.params, columns, arrays))
    return await shared[key]


class LinkFacet(Facet):
    type = "link"

    async def suggest(self):
        return []

    async def facet_results(self):
        results, timed_out = [], []
        size = self.get_facet_size()
        db = self.ds.get_database(self.database)
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            through, column = config["through"], config["column"]
            fks = await db.foreign_keys_for_table(through)
            to_us = next((fk for fk in fks if fk["other_table"] == self.table), None)
            to_them = next((fk for fk in fks if fk["column"] == column), None)
            if to_us is None or to_them is None:
                continue
            name = config.get("name") or to_them["other_table"]
            if _unfiltered(self) and config.get("counts"):
                table, count_column = config["counts"].split(".")
                sql = (f"select {escape_sqlite(to_them['other_column'])} as value, "
                       f"{escape_sqlite(count_column)} as count from {escape_sqlite(table)} "
                       f"where {escape_sqlite(count_column)} > 0 order by count desc, value "
                       f"limit {size + 1}")
                params = []
            elif config.get("array"):
                counts = await _facet_pass(self)
                if counts is None:
                    timed_out.append(name)
                    continue
                rows = [{"value": v, "count": n} for v, n in
                        sorted(counts[config["array"]].items(), key=lambda vc: (-vc[1], vc[0]))[:size + 1]]
                sql = None
            else:
                fk = escape_sqlite(to_us["column"])
                sql = (f"select l.{escape_sqlite(column)} as value, count(distinct l.{fk}) as count "
                       f"from {escape_sqlite(through)} l where l.{fk} in "
                       f"(select {escape_sqlite(to_us['other_column'])} from ({self.sql})) "
                       f"group by value order by count desc, value limit {size + 1}")
                params = self.params
            try:
                if sql is not None:
                    rows = (await self.ds.execute(
                        self.database, sql, params, truncate=False,
                        custom_time_limit=self.ds.setting("facet_time_limit_ms"))).rows
            except QueryInterrupted:
                timed_out.append(name)
                continue
            labels = await self._labels(to_them, [r["value"] for r in rows[:size]])
            selected_values = {json.loads(v).get("value") for v in self.request.args.getlist("_through")
                               if _is_through(v, through, column)}
            values = []
            for row in rows[:size]:
                value = str(row["value"])
                arg = _through_arg(through, column, value)
                selected = value in selected_values
                path = (self._without(through, column, value) if selected
                        else path_with_added_args(self.request, {"_through": arg}))
                values.append({"value": value, "label": labels.get(value, value),
                               "count": row["count"], "selected": selected,
                               "toggle_url": self.ds.absolute_url(self.request, path)})
            results.append({"name": name, "type": self.type, "results": values,
                            "hideable": source_and_config["source"] != "metadata",
                            "toggle_url": self.ds.urls.path(self.request.path),
                            "truncated": len(rows) > size})
        return results, timed_out

    def _without(self, through: str, column: str, value: str) -> str:
        """The current path minus every _through for this value, however its JSON is spelled."""
        kept = [(k, v) for k, v in urllib.parse.parse_qsl(self.request.query_string,
                                                          keep_blank_values=True)
                if not (k == "_through" and _is_through(v, through, column)
                        and json.loads(v).get("value") == value)]
        query = urllib.parse.urlencode(kept)
        return self.request.path + (f"?{query}" if query else "")

    async def _labels(self, fk: dict, values: list) -> dict:
        db = self.ds.get_database(self.database)
        label_column = await db.label_column_for_table(fk["other_table"])
        if not label_column or not values:
            return {}
        marks = ", ".join("?" * len(values))
        rows = await self.ds.execute(
            self.database,
            f"select {escape_sqlite(fk['other_column'])}, {escape_sqlite(label_column)} "
            f"from {escape_sqlite(fk['other_table'])} "
            f"where {escape_sqlite(fk['other_column'])} in ({marks})", values)
        return {str(r[0]): r[1] for r in rows}


def _is_through(arg: str, through: str, column: str) -> bool:
    try:
        data = json.loads(arg)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("table") == through and data.get("column") == column


@hookimpl
def register_facet_classes():
    return [CountedFacet, LinkFacet]
