"""Exports from a built knowledge-base database."""

from __future__ import annotations

import json
import sqlite3

# Fields written first, in this order; the rest follow alphabetically.
_FIRST = ("author", "editor", "title", "journal", "booktitle", "year", "volume", "number", "pages",
          "doi", "pmid", "url")


def _bibtex_entry(key: str, entry_type: str, fields: dict[str, str]) -> str:
    names = sorted(fields, key=lambda f: (_FIRST.index(f) if f in _FIRST else len(_FIRST), f))
    width = max((len(n) for n in names), default=0)
    # Values are written in braces exactly as read (macros expanded, LaTeX kept): re-importing
    # gives back the same text, so every field keeps its meaning.
    body = ",\n".join(f"  {n.ljust(width)} = {{{fields[n]}}}" for n in names)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"


def export_bib(conn: sqlite3.Connection) -> str:
    """Every reference as BibTeX, in key order."""
    rows = conn.execute("select key, entry_type, fields_bibtex from refs order by key")
    return "\n".join(_bibtex_entry(k, t, json.loads(f or "{}")) for k, t, f in rows)
