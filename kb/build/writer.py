"""Stream the sources into a new SQLite file, deterministically.

Rows are inserted in a fixed order and nothing time-dependent is stored, so the same inputs
give the same rows. ``kb.build.atomic`` decides where the file is written and when it replaces
the served one.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path

import sqlite_utils

from .. import __version__, vocab
from ..cite_format import STORED_STYLES, csl_item, format_item
from ..provenance import source_kind
from ..sources import SourceReader, ValidationFailed
from ..sources.retractions import ref_status
from ..text import CORE_SOURCE, AliasMatcher, fold, lookup_names, statement_core, tokens
from .schema import COUNTED_FACETS, EXPRESSION_INDEXES, FACET_INDEXES, FTS, VIEWS, create_tables

SCHEMA_VERSION = "8"  # 4: ref_notices (Retraction Watch); 5: build_files (incremental builds);
# 6: indexes on lower(doi) and pmid (kb check resolves a linked DOI or PMID); 7: claim_texts
# holds each statement's core ("statement:core") where it has qualifiers; 8: topic_near


def _author_short(ref) -> str:
    names = [a.family + (" " + "".join(w[0] for w in a.given.replace("-", " ").split() if w)
                         if a.given else "") for a in ref.authors]
    return ", ".join(names)


def _int_or_none(value):
    return int(value) if value and value.isdigit() else None


def _insert(conn: sqlite3.Connection, table: str, rows: list[dict]) -> None:
    """Plain executemany: the columns of the first row, in order (sqlite-utils' insert_all
    is several times slower per row, and the schema already exists)."""
    if not rows:
        return
    columns = list(rows[0])
    sql = (f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) "
           f"values ({', '.join('?' * len(columns))})")
    # itemgetter of one column gives the value, not a 1-tuple
    get = itemgetter(*columns) if len(columns) > 1 else (lambda r, c=columns[0]: (r[c],))
    values = list(map(get, rows))
    start = time.perf_counter()
    conn.executemany(sql, values)
    _INSERTING[0] += time.perf_counter() - start


_INSERTING = [0.0]  # seconds inside executemany during the current build (for --timings)


def _ref_row(r) -> dict:
    row = {
        "key": r.key, "entry_type": r.entry_type, "title": r.get("title"),
        "authors": _author_short(r), "first_author": r.authors[0].family if r.authors else None,
        "year": _int_or_none(r.get("year")),
        "journal": r.get("journal") or r.get("booktitle") or r.get("institution")
        or r.get("organization") or r.get("publisher"),
        "volume": r.get("volume"), "number": r.get("number"), "pages": r.get("pages"),
        "doi": r.get("doi"), "pmid": r.get("pmid"), "url": r.get("url"),
        "design": r.get("design"), "population": r.get("population"),
        "verification": r.get("verification"), "verified_url": r.get("verified-url"),
        "verified_source": source_kind(r.get("verified-url")),
        "verification_note": r.get("verification-note"),
        "status": r.get("status"), "superseded_by": r.get("superseded-by"),
        "status_note": r.get("status-note"),
        "fields": json.dumps(r.fields, sort_keys=True, ensure_ascii=False),
        "fields_bibtex": json.dumps(r.bibtex_fields, sort_keys=True, ensure_ascii=False),
        "bibtex": r.raw, "source_line": r.line,
    }
    # APA and AMA (Vancouver-family) text, formatted once here from the row in hand, since
    # `kb check` and the site show them for every match (citeproc-py is tens of ms a reference;
    # the common shapes take a direct path tested equal to it).
    item = csl_item(row, [(a.family, a.given) for a in r.authors])
    for column, style in STORED_STYLES.items():
        row[column] = format_item(item, style)
    return row


def write_refs(conn: sqlite3.Connection, refs) -> None:
    _insert(conn, "refs", [_ref_row(r) for r in refs])
    _insert(conn, "ref_authors", [
        {"ref_key": r.key, "position": i + 1, "family": a.family, "given": a.given,
         "family_key": fold(a.family)} for r in refs for i, a in enumerate(r.authors)])
    _insert(conn, "ref_names", [
        {"name": name, "year": _int_or_none(r.get("year")), "ref_key": r.key}
        for r in refs for name in lookup_names([fold(a.family) for a in r.authors], r.fields)])


def write_notices(conn: sqlite3.Connection, notices) -> None:
    """The Retraction Watch notices of claims/retractions.yaml, and the status they give each
    reference whose entry in references.bib gives none (written before: refs come first)."""
    notices = sorted(notices, key=lambda n: (n.ref, n.date or "", n.record_id))
    _insert(conn, "ref_notices", [
        {"ref_key": n.ref, "record_id": n.record_id, "nature": n.nature, "date": n.date,
         "notice_url": n.notice_url, "reasons": json.dumps(n.reasons, ensure_ascii=False),
         "matched_by": n.matched_by} for n in notices])
    by_ref: dict[str, list] = {}
    for n in notices:
        by_ref.setdefault(n.ref, []).append(n)
    conn.executemany("update refs set status = ?, status_note = ? where key = ? and status is null",
                     [(*status, key) for key, group in by_ref.items()
                      if (status := ref_status(group))])


def claim_rows(claims) -> dict[str, list[dict]]:
    """The rows of the claims tables for ``claims`` (what kb.build.incremental compares)."""
    return {
        "claims": [
            {"id": c.id, "statement": c.statement, "claim_type": c.claim_type, "verdict": c.verdict,
             "certainty": c.certainty, "topics": json.dumps(sorted(set(c.topics))),
             "reasoning": c.reasoning, "searched_for": c.searched_for, "reviewed": c.reviewed,
             "verdict_note": c.verdict_note,
             "source_file": c.file, "source_line": c.line} for c in claims],
        "claim_topics": [{"claim_id": c.id, "topic_id": t} for c in claims for t in sorted(set(c.topics))],
        "evidence": [
            {"id": f"{c.id}/{e.ref}", "claim_id": c.id, "ref_key": e.ref, "stance": e.stance,
             "directness": e.directness, "finding": e.finding, "recommendation": e.recommendation,
             "source_file": e.file,
             "source_line": e.line} for c in claims for e in sorted(c.evidence, key=lambda e: e.ref)],
    }


def write_claims(conn: sqlite3.Connection, claims, matcher: AliasMatcher) -> None:
    for table, rows in claim_rows(claims).items():
        _insert(conn, table, rows)
    # Matching texts: the statement (with its topics) and each evidence finding, which words the
    # claim as a study found it (a writer reporting a study's result uses its words).
    # A statement's core (without its brackets and "especially ..." or "such as ..." qualifiers)
    # is matched too: "massage can help with sciatica pain relief" makes the massage claim whatever
    # cases it singles out. It is no part of the claim's search document (its words are already
    # the statement's, and counting them twice would change the claim's bm25).
    _insert(conn, "claim_texts", [
        {"claim_id": c.id, "source": "statement",
         "tokens": " ".join(tokens(c.statement, matcher, tuple(c.topics)))} for c in claims]
        + [{"claim_id": c.id, "source": CORE_SOURCE,
            "tokens": " ".join(tokens(core, matcher, tuple(c.topics)))}
           for c in claims if (core := statement_core(c.statement)) != c.statement]
        + [{"claim_id": c.id, "source": f"finding:{e.ref}",
            "tokens": " ".join(tokens(e.finding, matcher))}
           for c in claims for e in sorted(c.evidence, key=lambda e: e.ref) if e.stance == "supports"])


def write_article(conn: sqlite3.Connection, a, matcher: AliasMatcher) -> None:
    _insert(conn, "articles", [
        {"id": a.id, "title": a.title, "publisher": a.publisher, "author": a.author,
         "published": a.published, "url": a.url, "seed_file": a.seed_file, "capture": a.capture,
         "text_sha256": a.text_sha256, "notes": a.notes, "text": a.text, "source_file": a.file}])
    _insert(conn, "commercial_interests", [
        {"article_id": a.id, "position": i + 1, "kind": ci.kind, "detail": ci.detail}
        for i, ci in enumerate(a.commercial_interests)])
    appearances = sorted(a.appearances, key=lambda ap: (ap.start, ap.claim))
    _insert(conn, "appearances", [
        {"id": ap.id, "article_id": ap.article, "claim_id": ap.claim, "quote": ap.quote,
         "start": ap.start, "end": ap.end,
         "citation_as_written": ap.citation.as_written if ap.citation else None,
         "note": ap.note, "source_file": ap.file, "source_line": ap.line} for ap in appearances])
    _insert(conn, "citation_checks", [
        {"id": f"{ap.id}#citation", "appearance_id": ap.id, "article_id": ap.article,
         "claim_id": ap.claim, "as_written": ap.citation.as_written,
         "citation_start": ap.citation.start, "ref_key": ap.citation.key,
         "status": ap.citation.status, "reason": ap.citation.reason}
        for ap in appearances if ap.citation])
    _insert(conn, "claim_texts", [
        {"claim_id": ap.claim, "source": ap.id, "tokens": " ".join(tokens(ap.quote, matcher))}
        for ap in appearances])


def finish_match_index(db: sqlite_utils.Database) -> None:
    """The index `kb check` matches drafts against: each claim's statement (with its topics)
    and every article quote that makes it (rows written as the sources streamed past), one
    document per claim under FTS5, and each term's document frequency. (A text's weight norm
    is computed by `kb check` from those when it meets the text: stored, every text holding a
    common word would change with any edit that changes how many claims hold it.)"""
    conn = db.conn
    conn.execute("""insert into claim_search (claim_id, tokens)
        select claim_id, group_concat(tokens, ' ') from
          (select claim_id, tokens from claim_texts where source != ?
           order by claim_id, source != 'statement', source)
        group by claim_id""", (CORE_SOURCE,))
    db["claim_search"].enable_fts(["tokens"], tokenize="unicode61", create_triggers=False)
    conn.execute("create virtual table claim_search_vocab using fts5vocab(claim_search_fts, 'row')")
    # Document frequency per token over claims, from the full-text index into an indexed
    # table (fts5vocab scans its whole vocabulary for an IN lookup; `kb check` asks per sentence).
    conn.execute("insert into claim_terms (term, doc) select term, doc from claim_search_vocab")


def write_database(root: Path, db_path: Path) -> SourceReader:
    """Stream the sources under ``root`` into a new database at ``db_path`` (which must not
    exist), a file or a chunk at a time. Raises ``ValidationFailed`` if any has a problem,
    ``OSError`` or ``sqlite3.Error`` if the file cannot be written; the caller discards the
    file then (closed here in every case)."""
    reader = SourceReader(root)
    db = sqlite_utils.Database(db_path)
    try:
        _write(db, reader)
    finally:
        db.close()
    return reader


def _write(db: sqlite_utils.Database, reader: SourceReader) -> None:
    conn = db.conn
    # A temporary file, discarded on any failure: no journal needed while it fills.
    conn.execute("pragma journal_mode = off")
    conn.execute("pragma synchronous = off")
    create_tables(db)
    conn.execute("begin")

    _insert(conn, "vocabulary", [
        {"scale": scale, "value": value, "meaning": meaning, "sort_order": i}
        for scale, values in (("verdict", vocab.VERDICTS), ("certainty", vocab.CERTAINTIES),
                              ("claim_type", vocab.CLAIM_TYPES), ("stance", vocab.STANCES),
                              ("directness", vocab.DIRECTNESS),
                              ("citation_status", vocab.CITATION_STATUSES),
                              ("study_design", vocab.STUDY_DESIGNS),
                              ("verification", vocab.VERIFICATION_STATUSES),
                              ("verified_source", vocab.SOURCE_KINDS),
                              ("retraction_nature", vocab.RETRACTION_NATURES),
                              ("matched_by", vocab.RETRACTION_MATCHES),
                              ("commercial_interest", vocab.COMMERCIAL_INTERESTS))
        for i, (value, meaning) in enumerate(values.items())])
    topics = sorted(reader.topics, key=lambda t: t.id)
    if not reader.problems:
        _insert(conn, "topics", [{"id": t.id, "label": t.label, "description": t.description}
                                 for t in topics])
        _insert(conn, "topic_aliases", [{"topic_id": t.id, "alias": a}
                                        for t in topics for a in sorted(set(t.aliases))])
        _insert(conn, "topic_near", [{"topic_id": a, "near_id": b} for a, b in
                                     sorted({p for t in topics for n in t.near for p in ((t.id, n), (n, t.id))})])
    matcher = AliasMatcher({t.id: [t.label, *t.aliases] for t in topics})

    # After the first problem, keep reading (to report every problem) but stop writing.
    timings = reader.timings = {}  # seconds by stage, for `kb build --timings` and the benchmark
    _INSERTING[0] = 0.0
    start = time.perf_counter()
    for stage, batches, write in (
            ("rows: references (with their APA and AMA text)", reader.refs(), write_refs),
            ("rows: retraction notices", reader.notices(), write_notices),
            ("rows: claims (with their matching tokens)", reader.claims(),
             lambda conn, claims: write_claims(conn, claims, matcher)),
            ("rows: articles (with their quotes' matching tokens)", reader.articles(),
             lambda conn, article: write_article(conn, article, matcher))):
        for batch in batches:
            if not reader.problems:
                with _timed(timings, stage):
                    write(conn, batch)
    problems = reader.finish()
    timings["sources: read, parsed and checked"] = time.perf_counter() - start - sum(timings.values())
    timings["(of the rows: SQLite inserts)"] = _INSERTING[0]
    if problems:
        conn.rollback()
        raise ValidationFailed(problems, reader.suppressed)
    finishing = time.perf_counter()

    for table, columns in FACET_INDEXES.items():
        for cols in columns:
            db[table].create_index(cols, if_not_exists=True)
    for name, target in EXPRESSION_INDEXES.items():
        conn.execute(f"create index if not exists [{name}] on {target}")
    _insert(conn, "facet_counts", [
        {"table_name": table, "column_name": column, "value_json": json.dumps(value, ensure_ascii=False),
         "count": count}
        for table, columns in COUNTED_FACETS.items() for column in columns
        for value, count in conn.execute(f"select [{column}], count(*) from [{table}] "
                                         f"where [{column}] is not null group by [{column}]")])
    # Counts for the unfiltered claims page's topic and article facets (kb/site/plugins/link_facets.py).
    conn.execute("update topics set claim_count = "
                 "(select count(*) from claim_topics where topic_id = topics.id)")
    conn.execute("update articles set claim_count = "
                 "(select count(distinct claim_id) from appearances where article_id = articles.id)")
    conn.execute("""update claims set articles = coalesce((
        select json_group_array(article_id) from (select distinct article_id from appearances
          where appearances.claim_id = claims.id order by article_id)), '[]')""")
    timings["indexes and stored counts"] = time.perf_counter() - finishing
    with _timed(timings, "matching index (search documents, FTS5, term frequencies)"):
        finish_match_index(db)
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip())
    _insert(conn, "build_info", [
        # What was read, as it was read: a source saved during the build leaves it stale.
        {"key": "inputs_sha256", "value": reader.inputs_digest()},
        {"key": "kb_version", "value": __version__},
        {"key": "schema_version", "value": SCHEMA_VERSION}])
    stats = reader.stats
    _insert(conn, "build_files", [{"path": path, "sha256": sha, "size": stats.get(path, (None, None))[0],
                                   "mtime_ns": stats.get(path, (None, None))[1]}
                                  for path, sha in sorted(reader.tokens.items())])
    # Full-text search last, over the finished tables (as simonw/til does).
    with _timed(timings, "full-text search (FTS5 over claims, quotes, references)"):
        for table, columns in FTS.items():
            db[table].enable_fts(columns, tokenize="porter", create_triggers=False)
    with _timed(timings, "foreign key check, commit, analyze"):
        problems = conn.execute("pragma foreign_key_check").fetchall()
        if problems:  # validation should make this impossible; never ship a dangling key
            raise RuntimeError(f"foreign key check failed: {problems[:5]}")
        conn.commit()
        conn.execute("analyze")  # statistics let SQLite pick the facet and link-table indexes


@contextmanager
def _timed(timings: dict[str, float], stage: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start
