"""Formatted references read from a built database: the stored APA/AMA text, or any other CSL
style formatted on demand from the refs and ref_authors rows (kb.cite_format does the formatting)."""

from __future__ import annotations

import sqlite3

from .cite_format import DEFAULT_STYLE, STORED_STYLES, csl_item, format_item

_SQL_CHUNK = 500  # keys per query, well under SQLite's limit on bound variables
# fields_bibtex: csl_item() reads from the author field as written whether the list ends "and others"
ROW_COLUMNS = ["key", "entry_type", "title", "journal", "year", "volume", "number", "pages", "doi", "url",
               "fields_bibtex"]


def csl_items(conn: sqlite3.Connection, keys: list[str]) -> dict[str, dict]:
    """CSL-JSON item for each key found in the refs table."""
    keys = sorted(set(keys))
    rows: dict[str, dict] = {}
    authors: dict[str, list[tuple[str, str]]] = {}
    for start in range(0, len(keys), _SQL_CHUNK):
        chunk = keys[start:start + _SQL_CHUNK]
        marks = ",".join("?" * len(chunk))
        rows.update((r[0], dict(zip(ROW_COLUMNS, r))) for r in conn.execute(
            f"select {', '.join(ROW_COLUMNS)} from refs where key in ({marks})", chunk))
        for key, family, given in conn.execute(
                f"select ref_key, family, given from ref_authors where ref_key in ({marks}) "
                "order by ref_key, position", chunk):
            authors.setdefault(key, []).append((family, given))
    return {key: csl_item(rows[key], authors.get(key, [])) for key in keys if key in rows}


def format_references(conn: sqlite3.Connection, keys: list[str], style: str = DEFAULT_STYLE,
                      ) -> dict[str, str]:
    """Plain-text formatted reference for each key, in the given CSL style."""
    return {key: format_item(item, style) for key, item in csl_items(conn, keys).items()}


def stored_or_formatted(conn: sqlite3.Connection, keys: list[str], style: str = DEFAULT_STYLE,
                        ) -> dict[str, str]:
    """Formatted references, from the refs table when the style was formatted at build time."""
    column = next((c for c, s in STORED_STYLES.items() if s == style), None)
    keys = sorted(set(keys))
    if column is None or not keys:
        return format_references(conn, keys, style)
    marks = ",".join("?" * len(keys))
    return {k: v for k, v in conn.execute(
        f"select key, {column} from refs where key in ({marks})", keys) if v}
