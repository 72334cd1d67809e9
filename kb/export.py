"""Exports from a built knowledge-base database."""

from __future__ import annotations

import json
import re
import sqlite3

# Fields written first, in this order; the rest follow alphabetically.
_FIRST = ("author", "editor", "title", "journal", "booktitle", "year", "volume", "number", "pages",
          "doi", "pmid", "url")


def bibtex_entry(key: str, entry_type: str, fields: dict[str, str]) -> str:
    names = sorted(fields, key=lambda f: (_FIRST.index(f) if f in _FIRST else len(_FIRST), f))
    width = max((len(n) for n in names), default=0)
    # Values are written in braces exactly as read (macros expanded, LaTeX kept): re-importing
    # gives back the same text, so every field keeps its meaning.
    body = ",\n".join(f"  {n.ljust(width)} = {{{fields[n]}}}" for n in names)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def export_bib(conn: sqlite3.Connection) -> str:
    """Every reference as BibTeX, in key order."""
    rows = conn.execute("select key, entry_type, fields_bibtex from refs order by key")
    return "\n".join(bibtex_entry(k, t, json.loads(f or "{}")) for k, t, f in rows)


class NotExportable(ValueError):
    """The export would not be usable as it stands; the message says why."""


def export_claimreview(conn: sqlite3.Connection, claim_id: str | None = None,
                       base_url: str | None = None) -> str:
    """schema.org ClaimReview JSON-LD: one object for a claim, or a list for all claims.
    ``base_url`` is the site's public address: search engines use only absolute URLs, so
    without one (or with one that is not an http(s) address) nothing is exported; nor is a
    review that lacks a field Google's fact-check markup needs."""
    from .claimreview import claim_reviews, claimreview_problems
    from .provenance import safe_url

    base_url = (base_url or "").rstrip("/")
    if not safe_url(base_url + "/"):
        raise NotExportable(
            "ClaimReview needs the site's public address for its URLs (search engines ignore relative "
            "ones): pass --base-url https://your.site or set plugins.kb.base_url in kb/site/metadata.yaml"
            + (f"; {base_url!r} is not an http(s) address" if base_url else ""))
    reviews = claim_reviews(conn, claim_id, base_url)
    problems = [f"{r['url']}: {p}" for r in reviews for p in claimreview_problems(r)]
    if problems:
        raise NotExportable(f"{len(problems)} problem(s): " + "; ".join(problems[:5]))
    return json.dumps(reviews[0] if claim_id else reviews, indent=2, ensure_ascii=False) + "\n"


def _ref_rows(conn: sqlite3.Connection) -> list[tuple[dict, list[tuple[str, str]]]]:
    cols = ["key", "entry_type", "title", "journal", "year", "volume", "number", "pages", "doi",
            "pmid", "url"]
    rows = [dict(zip(cols, r)) for r in conn.execute(f"select {', '.join(cols)} from refs order by key")]
    authors: dict[str, list[tuple[str, str]]] = {}
    for key, family, given in conn.execute(
            "select ref_key, family, given from ref_authors order by ref_key, position"):
        authors.setdefault(key, []).append((family, given))
    return [(row, authors.get(row["key"], [])) for row in rows]


def _one_line_item(value):
    """Every string in a CSL item on one line (the parser already gives display fields so;
    this keeps an export from ever breaking a line inside a value)."""
    from .cite_format import one_line

    if isinstance(value, str):
        return one_line(value)
    if isinstance(value, list):
        return [_one_line_item(v) for v in value]
    if isinstance(value, dict):
        return {k: _one_line_item(v) for k, v in value.items()}
    return value


def export_csl_json(conn: sqlite3.Connection) -> str:
    """References as CSL-JSON (Zotero, Mendeley and pandoc import it), every value on one line.

    An author list cut short in the source ("and others") is written with its named authors
    only: CSL-JSON has no agreed way to say "et al." (pandoc writes a name "others", which
    other readers take for a person). The rows here carry no BibTeX fields, so csl_item()
    adds no et-al name; the formatted references (citation_apa, export bibliography) say it."""
    from .cite_format import csl_item

    items = []
    for row, authors in _ref_rows(conn):
        item = csl_item(row, authors)
        if row["pmid"]:
            item["PMID"] = row["pmid"]
        items.append(_one_line_item(item))
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


_RIS_TYPES = {"article": "JOUR", "book": "BOOK", "incollection": "CHAP", "inproceedings": "CONF",
              "techreport": "RPRT", "misc": "GEN"}


def export_ris(conn: sqlite3.Connection) -> str:
    """References as RIS (imported by Zotero, EndNote, Mendeley). A value never breaks its
    line (an RIS line is one tag and one value); an author list cut short ("and others")
    has its named authors only, as RIS has no et-al."""
    from .cite_format import one_line

    out = []
    for row, authors in _ref_rows(conn):
        tags = [("TY", _RIS_TYPES.get(row["entry_type"], "GEN")), ("ID", row["key"])]
        tags += [("AU", f"{family}, {given}" if given else family) for family, given in authors]
        tags.append(("TI", row["title"]))
        if row["journal"]:
            tags.append(("JO" if row["entry_type"] == "article" else "T2", row["journal"]))
        if row["year"]:
            tags.append(("PY", row["year"]))
        for tag, field in (("VL", "volume"), ("IS", "number"), ("DO", "doi"), ("UR", "url")):
            if row[field]:
                tags.append((tag, row[field]))
        if row["pages"]:
            start, _, end = re.sub(r"\s*(?:--|[-\u2013\u2014])\s*", "-", row["pages"]).partition("-")
            tags.append(("SP", start))
            if end:
                tags.append(("EP", end))
        if row["pmid"]:
            tags.append(("AN", f"PMID:{row['pmid']}"))
        values = ((tag, one_line(str(value))) for tag, value in tags if value is not None)
        lines = [f"{tag}  - {value}" for tag, value in values if value] + ["ER  - "]
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def export_bibliography(conn: sqlite3.Connection, style: str = "apa") -> str:
    """A formatted bibliography, one reference per line, sorted as the style's readers expect
    (alphabetically by formatted text)."""
    from .references import stored_or_formatted

    keys = [r[0] for r in conn.execute("select key from refs")]
    formatted = stored_or_formatted(conn, keys, style)
    return "\n".join(sorted(formatted.values(), key=str.casefold)) + "\n"


CLAIMS_CSV_COLUMNS = ["id", "statement", "claim_type", "verdict", "certainty", "topics", "articles",
                      "appearances", "supporting", "contradicting", "mixed", "evidence_links",
                      "reasoning", "searched_for", "reviewed"]


def export_claims_csv(conn: sqlite3.Connection) -> str:
    """One row per claim, for spreadsheets: verdict, certainty, topics, articles, evidence counts."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CLAIMS_CSV_COLUMNS)
    for row in conn.execute("""
            select c.id, c.statement, c.claim_type, c.verdict, c.certainty, c.topics, c.articles,
                   o.appearances, o.supporting, o.contradicting, o.mixed, o.evidence_links,
                   c.reasoning, c.searched_for, c.reviewed
            from claims c join claim_overview o on o.id = c.id order by c.id"""):
        row = list(row)
        row[5] = "; ".join(json.loads(row[5] or "[]"))
        row[6] = "; ".join(json.loads(row[6] or "[]"))
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()
