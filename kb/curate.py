"""Curator commands: adding a reference (`kb add-ref`) and an article (`kb add-article`).

Both write source files only (never the database), append rather than rewrite, and leave
what a person must decide as empty fields that `kb validate` then points at.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from datetime import date
from pathlib import Path

from .check import CLAIM_LIKE, Checker
from .export import bibtex_entry
from .provenance import strip_doi_prefix
from .sources import ARTICLES_DIR, BIB_FILE
from .sources.bibtex import parse_bibtex
from .sources.model import Reference
from .sources.records import ID_RE
from .text import STOPWORDS, fold
from .textfile import NotUTF8, decode_text

KEY_RE = re.compile(r"^[a-z]+\d{4}[a-z]+$")
_HEDGES = re.compile(r"\b(?:may|might|can|could|often|usually|typically|generally|likely|suggests?|"
                     r"research|studies|evidence|most|many)\b", re.I)


class CurateError(ValueError):
    """A refusal with a message for the curator."""


# --- references ----------------------------------------------------------------------------

def normalise_doi(value: str) -> str:
    return strip_doi_prefix(value)


def proposed_key(ref: Reference) -> str:
    """surname + year + first significant title word, lowercase ASCII (the project's key style)."""
    if KEY_RE.match(ref.key):
        return ref.key
    family = ref.authors[0].family if ref.authors else (ref.get("title") or "anon")
    surname = re.sub(r"[^a-z]", "", fold(family.split()[-1] if family else "anon")) or "anon"
    year = (ref.get("year") or "")[:4]
    words = [w for w in re.findall(r"[a-z]+", fold(ref.get("title") or ""))
             if len(w) > 3 and w not in STOPWORDS]
    return f"{surname}{year if year.isdigit() else ''}{words[0] if words else 'ref'}"


def add_references(root: Path, data: bytes, source: str) -> list[str]:
    """Normalise the BibTeX entries in ``data`` and append them to references.bib.

    Refuses (CurateError) unparseable input and duplicates by key or by DOI; appends
    nothing unless every entry can be added."""
    new, problems = parse_bibtex(data, source)
    if problems:
        raise CurateError("\n".join(str(p) for p in problems))
    if not new:
        raise CurateError(f"{source}: no BibTeX entry found")
    bib_path = root / BIB_FILE
    existing, _ = parse_bibtex(bib_path.read_bytes(), BIB_FILE) if bib_path.exists() else ([], [])
    keys = {r.key for r in existing}
    dois = {normalise_doi(r.get("doi")).lower(): r.key for r in existing if r.get("doi")}
    texts, added = [], []
    for ref in new:
        fields = {k.lower(): " ".join(v.split()) for k, v in ref.bibtex_fields.items()}
        if "doi" in fields:
            fields["doi"] = normalise_doi(fields["doi"])
            if fields["doi"].lower() in dois:
                raise CurateError(f"{ref.key}: DOI {fields['doi']} is already in {BIB_FILE} "
                                  f"as {dois[fields['doi'].lower()]}")
        if "pmid" in fields:
            fields["pmid"] = re.sub(r"\D", "", fields["pmid"])
        key = proposed_key(ref)
        if key in keys:
            raise CurateError(f"{key}: the key is already in {BIB_FILE}")
        if "verification" not in fields:
            fields["verification"] = "unverified"
            fields["verification-note"] = (
                f"Added with kb add-ref from {source} on {date.today().isoformat()}; not yet "
                "verified: read it on a stored public page, then set verification and verified-url.")
        keys.add(key)
        if fields.get("doi"):
            dois[fields["doi"].lower()] = key
        texts.append(bibtex_entry(key, ref.entry_type, fields))
        added.append(key)
    current = bib_path.read_text(encoding="utf-8") if bib_path.exists() else ""
    separator = "" if not current or current.endswith("\n\n") else ("\n" if current.endswith("\n") else "\n\n")
    with bib_path.open("a", encoding="utf-8") as handle:  # append: the rest stays byte for byte
        handle.write(separator + "\n".join(texts))
    return added


# --- articles ------------------------------------------------------------------------------

def _yaml_str(value: str | None) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def propose_appearances(conn: sqlite3.Connection, text: str) -> list[dict]:
    """Claim-like sentences of ``text`` with the known claims each probably makes."""
    report = Checker(conn).check(text, fail_on=())
    proposals = []
    for s in report["sentences"]:
        reasons = []
        if s["matches"]:
            reasons.append("resembles known claims")
        if s["citations"]:
            reasons.append("cites " + "; ".join(c["text"] for c in s["citations"]))
        reasons += [why for rx, why in CLAIM_LIKE if rx.search(s["text"])]
        if _HEDGES.search(s["text"]) and not reasons:
            reasons.append("hedged or general statement")
        if reasons:
            proposals.append({"sentence": s, "reasons": reasons})
    return proposals


def add_article(root: Path, conn: sqlite3.Connection, source: Path, article_id: str,
                title: str | None = None, url: str | None = None, publisher: str | None = None,
                author: str | None = None, published: str | None = None,
                capture: str = "full") -> tuple[Path, int]:
    """Copy an article's text into claims/articles/ and write a skeleton record to complete."""
    if not ID_RE.match(article_id):
        raise CurateError(f"article id {article_id!r} must be lowercase letters, digits and hyphens")
    folder = root / ARTICLES_DIR
    text_path, yaml_path = folder / f"{article_id}.txt", folder / f"{article_id}.yaml"
    for path in (text_path, yaml_path):
        if path.exists():
            raise CurateError(f"{path.relative_to(root)} already exists")
    data = source.read_bytes()
    try:
        text = decode_text(data)
    except NotUTF8 as exc:
        raise CurateError(f"{source}:{exc.line}: {exc}") from None
    if not text.strip():
        raise CurateError(f"{source}: the article text is empty")
    proposals = propose_appearances(conn, text)
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    lines = [
        f"# Skeleton written by kb add-article on {date.today().isoformat()} from {source.name}.",
        "# To do: fill the fields marked null; for each proposed appearance set `claim` to a claim id",
        "# (suggestions in its comment; add a claim to claims/claims.yaml if none fits) or delete it;",
        "# add what the proposals missed (scripts/fill_offsets.py fills offsets); complete citations.",
        "# `kb validate` lists what is still missing, with file and line.",
        f"id: {article_id}",
        f"title: {_yaml_str(title or first_line[:200])}",
        f"publisher: {_yaml_str(publisher)}",
        f"author: {_yaml_str(author)}",
        f"published: {_yaml_str(published)}",
        f"url: {_yaml_str(url or 'unknown')}",
        # seed_file names a file of ../shared/seeds; a text from anywhere else has none.
        f"seed_file: {_yaml_str(source.name if source.parent.name == 'seeds' else None)}",
        f"capture: {capture}",
        f"text_sha256: {hashlib.sha256(data).hexdigest()}",
        "commercial_interests: null  # list what the text shows, or `- kind: none-visible`",
        "notes: null",
        "appearances:",
    ]
    for p in proposals:
        s = p["sentence"]
        hint = ", ".join(f"{m['claim_id']} ({m['score']:.2f})" for m in s["matches"]) or "no known claim"
        lines += [f"  - claim: null  # probably: {hint}",
                  f"    # proposed because it {'; '.join(p['reasons'])}",
                  f"    start: {s['start']}", f"    end: {s['end']}", f"    quote: {_yaml_str(s['text'])}"]
        for c in s["citations"][:1]:
            lines += ["    citation:", f"      as_written: {_yaml_str(c['text'])}",
                      f"      key: {_yaml_str(c['key'])}  # kb check: {c['status']}, {c['detail'][:80]}",
                      "      status: null  # accurate | inaccurate-metadata | wrong-authors | does-not-support | cannot-be-found",
                      "      reason: null"]
    if not proposals:
        lines.append("  []")
    folder.mkdir(parents=True, exist_ok=True)
    text_path.write_bytes(data)
    yaml_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return yaml_path, len(proposals)
