"""Write a validated project to SQLite, atomically and deterministically.

The database is a build output: it is written to a temporary file beside the
target and renamed over it only when complete, so a failed build leaves the
previous database untouched. Rows are inserted in a fixed order and nothing
time-dependent is stored, so the same inputs give the same rows.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from pathlib import Path

import sqlite_utils

from . import __version__, vocab
from .problems import ValidationFailed
from .cite_format import STORED_STYLES, format_references
from .project import SourceReader, inputs_digest
from .schema import create_tables
from .citations import lookup_names
from .text import AliasMatcher, fold, tokens, weight

SCHEMA_VERSION = "3"

VIEWS = {
    "claim_overview": """
select
  c.id, c.statement, c.claim_type, c.verdict, c.certainty, c.topics,
  (select count(*) from appearances a where a.claim_id = c.id) as appearances,
  (select count(distinct a.article_id) from appearances a where a.claim_id = c.id) as articles,
  (select count(*) from evidence e where e.claim_id = c.id) as evidence_links,
  (select count(*) from evidence e where e.claim_id = c.id and e.stance = 'supports') as supporting,
  (select count(*) from evidence e where e.claim_id = c.id and e.stance = 'contradicts') as contradicting,
  (select count(*) from evidence e where e.claim_id = c.id and e.stance = 'mixed') as mixed,
  (select count(*) from evidence e where e.claim_id = c.id and e.directness = 'direct') as direct_links,
  c.reasoning
from claims c
order by c.id
""",
    "article_scorecard": """
select
  ar.id as article_id, ar.title, ar.publisher,
  (select group_concat(ci.kind, ', ') from commercial_interests ci
     where ci.article_id = ar.id) as commercial_interests,
  count(ap.id) as appearances,
  count(distinct ap.claim_id) as claims,
  sum(c.verdict = 'supported') as supported,
  sum(c.verdict = 'mostly-supported') as mostly_supported,
  sum(c.verdict = 'overstated') as overstated,
  sum(c.verdict = 'unsupported') as unsupported,
  sum(c.verdict = 'contradicted') as contradicted,
  sum(c.verdict = 'not-checkable') as not_checkable,
  (select count(*) from citation_checks cc where cc.article_id = ar.id) as citations,
  (select count(*) from citation_checks cc
     where cc.article_id = ar.id and cc.status = 'accurate') as citations_accurate,
  (select count(*) from citation_checks cc
     where cc.article_id = ar.id and cc.status != 'accurate') as citations_with_problems
from articles ar
left join appearances ap on ap.article_id = ar.id
left join claims c on c.id = ap.claim_id
group by ar.id
order by ar.id
""",
    "citation_problems": """
select
  cc.id, cc.article_id, cc.as_written, cc.status, cc.reason, cc.ref_key,
  r.title as ref_title, r.year as ref_year, cc.claim_id, c.statement as claim
from citation_checks cc
left join refs r on r.key = cc.ref_key
join claims c on c.id = cc.claim_id
where cc.status != 'accurate'
order by cc.article_id, cc.citation_start
""",
    "claims_without_evidence": """
select c.id, c.statement, c.verdict, c.certainty, c.searched_for, c.reasoning
from claims c
where not exists (select 1 from evidence e where e.claim_id = c.id)
order by c.id
""",
    "withdrawn_study_reliance": """
select 'evidence' as via, r.key as ref_key, r.status, r.status_note, r.superseded_by,
  e.claim_id, c.statement as claim, c.verdict, e.stance, null as article_id, null as as_written
from refs r join evidence e on e.ref_key = r.key join claims c on c.id = e.claim_id
where r.status in ('retracted', 'superseded', 'corrected')
union all
select 'citation', r.key, r.status, r.status_note, r.superseded_by,
  cc.claim_id, c.statement, c.verdict, null, cc.article_id, cc.as_written
from refs r join citation_checks cc on cc.ref_key = r.key join claims c on c.id = cc.claim_id
where r.status in ('retracted', 'superseded', 'corrected')
order by 2, 1, 6
""",
    "evidence_detail": """
select
  e.id, e.claim_id, c.statement as claim, c.verdict, e.stance, e.directness, e.finding,
  e.ref_key, r.title as ref_title, r.authors as ref_authors, r.year as ref_year,
  r.design as ref_design, r.journal as ref_journal, r.doi, r.pmid
from evidence e
join claims c on c.id = e.claim_id
join refs r on r.key = e.ref_key
order by e.claim_id, e.ref_key
""",
}

FTS = {
    "claims": ["statement", "reasoning"],
    "appearances": ["quote"],
    "refs": ["title", "authors", "journal"],
}

# Column facets the site shows on unfiltered tables, counted once here (kb/site/plugins/link_facets.py
# reads them as `counted` facets: grouping a million rows per page view would time out).
COUNTED_FACETS = {"claims": ["verdict", "claim_type", "certainty"],
                  "refs": ["year", "design", "journal", "verification"]}

FACET_INDEXES = {
    "claims": [["claim_type"], ["verdict"], ["certainty"]],
    "claim_topics": [["topic_id", "claim_id"]],
    "appearances": [["article_id"], ["claim_id"]],
    "citation_checks": [["article_id"], ["status"], ["ref_key"], ["appearance_id"]],
    "refs": [["year"], ["design"], ["journal"], ["verification"], ["status"]],
    "ref_authors": [["family"], ["family_key"]],
    "ref_names": [["name", "year"]],
    "evidence": [["claim_id"], ["ref_key"], ["stance"], ["directness"]],
    "commercial_interests": [["kind"]],
    "topic_aliases": [["alias"]],
}


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
    conn.executemany(sql, [tuple(r[c] for c in columns) for r in rows])


def _ref_row(r) -> dict:
    return {
        "key": r.key, "entry_type": r.entry_type, "title": r.get("title"),
        "authors": _author_short(r), "first_author": r.authors[0].family if r.authors else None,
        "year": _int_or_none(r.get("year")),
        "journal": r.get("journal") or r.get("booktitle") or r.get("institution")
        or r.get("organization") or r.get("publisher"),
        "volume": r.get("volume"), "number": r.get("number"), "pages": r.get("pages"),
        "doi": r.get("doi"), "pmid": r.get("pmid"), "url": r.get("url"),
        "design": r.get("design"), "population": r.get("population"),
        "verification": r.get("verification"), "verified_url": r.get("verified-url"),
        "verification_note": r.get("verification-note"),
        "status": r.get("status"), "superseded_by": r.get("superseded-by"),
        "status_note": r.get("status-note"),
        "fields": json.dumps(r.fields, sort_keys=True, ensure_ascii=False),
        "fields_bibtex": json.dumps(r.bibtex_fields, sort_keys=True, ensure_ascii=False),
        "bibtex": r.raw, "source_line": r.line,
    }


def write_refs(conn: sqlite3.Connection, refs) -> None:
    _insert(conn, "refs", [_ref_row(r) for r in refs])
    _insert(conn, "ref_authors", [
        {"ref_key": r.key, "position": i + 1, "family": a.family, "given": a.given,
         "family_key": fold(a.family)} for r in refs for i, a in enumerate(r.authors)])
    _insert(conn, "ref_names", [
        {"name": name, "year": _int_or_none(r.get("year")), "ref_key": r.key}
        for r in refs for name in lookup_names([fold(a.family) for a in r.authors], r.fields)])
    write_formatted_citations(conn, [r.key for r in refs])


def write_formatted_citations(conn: sqlite3.Connection, keys: list[str]) -> None:
    """APA and AMA (Vancouver-family) references, formatted once here, since `kb check` and
    the site show them for every match (citeproc-py is tens of ms a reference; the common
    shapes take a direct path tested equal to it)."""
    for column, style in STORED_STYLES.items():
        conn.executemany(f"update refs set {column} = ? where key = ?",
                         [(text, key) for key, text in format_references(conn, keys, style).items()])


def write_claims(conn: sqlite3.Connection, claims, matcher: AliasMatcher) -> None:
    _insert(conn, "claims", [
        {"id": c.id, "statement": c.statement, "claim_type": c.claim_type, "verdict": c.verdict,
         "certainty": c.certainty, "topics": json.dumps(sorted(set(c.topics))),
         "reasoning": c.reasoning, "searched_for": c.searched_for, "reviewed": c.reviewed,
         "source_file": c.file, "source_line": c.line} for c in claims])
    _insert(conn, "claim_topics", [{"claim_id": c.id, "topic_id": t}
                                   for c in claims for t in sorted(set(c.topics))])
    _insert(conn, "evidence", [
        {"id": f"{c.id}/{e.ref}", "claim_id": c.id, "ref_key": e.ref, "stance": e.stance,
         "directness": e.directness, "finding": e.finding, "source_file": e.file,
         "source_line": e.line} for c in claims for e in sorted(c.evidence, key=lambda e: e.ref)])
    _insert(conn, "claim_texts", [
        {"claim_id": c.id, "source": "statement",
         "tokens": " ".join(tokens(c.statement, matcher, tuple(c.topics)))} for c in claims])


def write_article(conn: sqlite3.Connection, a, matcher: AliasMatcher) -> None:
    _insert(conn, "articles", [
        {"id": a.id, "title": a.title, "publisher": a.publisher, "author": a.author,
         "published": a.published, "url": a.url, "seed_file": a.seed_file,
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
    document per claim under FTS5, and each text's weight norm so that `kb check` can score
    a candidate from the tokens it shares with a sentence alone."""
    conn = db.conn
    conn.execute("""insert into claim_search (claim_id, tokens)
        select claim_id, group_concat(tokens, ' ') from
          (select claim_id, tokens from claim_texts order by claim_id, source != 'statement', source)
        group by claim_id""")
    db["claim_search"].enable_fts(["tokens"], tokenize="unicode61", create_triggers=False)
    conn.execute("create virtual table claim_search_vocab using fts5vocab(claim_search_fts, 'row')")
    # Document frequency per token over claims, from the full-text index into an indexed
    # table (fts5vocab scans its whole vocabulary for an IN lookup; `kb check` asks per sentence).
    conn.execute("insert into claim_terms (term, doc) select term, doc from claim_search_vocab")
    n = conn.execute("select count(*) from claim_search").fetchone()[0]
    weights = {term: weight(term, doc, n) for term, doc in conn.execute("select term, doc from claim_terms")}
    last = 0
    while True:  # in batches: the texts of a million claims do not all fit in memory at once
        rows = conn.execute("select rowid, tokens from claim_texts where rowid > ? order by rowid "
                            "limit 50000", (last,)).fetchall()
        if not rows:
            break
        conn.executemany("update claim_texts set norm = ? where rowid = ?", [
            (round(sum(weights[t] if t in weights else weight(t, 1, n) for t in set(toks.split())), 6),
             rowid)
            for rowid, toks in rows])
        last = rows[-1][0]


def write_database(root: Path, db_path: Path) -> SourceReader:
    """Stream the sources under ``root`` into a new database at ``db_path`` (which must not
    exist), a file or a chunk at a time. Raises ``ValidationFailed`` if any has a problem;
    the caller discards the file then."""
    reader = SourceReader(root)
    db = sqlite_utils.Database(db_path)
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
                              ("commercial_interest", vocab.COMMERCIAL_INTERESTS))
        for i, (value, meaning) in enumerate(values.items())])
    topics = sorted(reader.topics, key=lambda t: t.id)
    if not reader.problems:
        _insert(conn, "topics", [{"id": t.id, "label": t.label, "description": t.description}
                                 for t in topics])
        _insert(conn, "topic_aliases", [{"topic_id": t.id, "alias": a}
                                        for t in topics for a in sorted(set(t.aliases))])
    matcher = AliasMatcher({t.id: [t.label, *t.aliases] for t in topics})

    # After the first problem, keep reading (to report every problem) but stop writing.
    for refs in reader.refs():
        if not reader.problems:
            write_refs(conn, refs)
    for claims in reader.claims():
        if not reader.problems:
            write_claims(conn, claims, matcher)
    for article in reader.articles():
        if not reader.problems:
            write_article(conn, article, matcher)
    problems = reader.finish()
    if problems:
        conn.rollback()
        db.close()
        raise ValidationFailed(problems)

    for table, columns in FACET_INDEXES.items():
        for cols in columns:
            db[table].create_index(cols, if_not_exists=True)
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
    finish_match_index(db)
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip())
    _insert(conn, "build_info", [
        {"key": "inputs_sha256", "value": inputs_digest(Path(root))},
        {"key": "kb_version", "value": __version__},
        {"key": "schema_version", "value": SCHEMA_VERSION}])
    # Full-text search last, over the finished tables (as simonw/til does).
    for table, columns in FTS.items():
        db[table].enable_fts(columns, tokenize="porter", create_triggers=False)
    problems = conn.execute("pragma foreign_key_check").fetchall()
    if problems:  # validation should make this impossible; never ship a dangling key
        raise RuntimeError(f"foreign key check failed: {problems[:5]}")
    conn.commit()
    conn.execute("analyze")  # statistics let SQLite pick the facet and link-table indexes
    db.close()
    return reader


def build(root: Path, db_path: Path) -> SourceReader:
    """Validate the sources under ``root`` and atomically (re)write ``db_path``; returns the
    reader, whose ``counts`` say what was written.

    Raises ``ValidationFailed`` (and leaves ``db_path`` untouched) if any
    source file has a problem.
    """
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(db_path)
    # A unique temporary file per build: concurrent builds never write the same file, and
    # os.replace() makes whichever finishes last the database, always a complete one.
    fd, name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=f".{os.getpid()}.tmp",
                                dir=db_path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # sqlite-utils creates the file itself
    try:
        reader = write_database(root, tmp)
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
    return reader


def _remove_stale_temporaries(db_path: Path) -> None:
    """Delete temporary files left by builds that were killed (their process is gone)."""
    for tmp in db_path.parent.glob(f".{db_path.name}.*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)  # still running: leave its file alone
        except ProcessLookupError:
            tmp.unlink(missing_ok=True)
        except (ValueError, PermissionError, OSError):
            continue


def stored_digest(db_path: Path) -> str | None:
    """The inputs hash a database was built from, or None if it is missing or unreadable."""
    if not Path(db_path).exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            row = conn.execute("select value from build_info where key = 'inputs_sha256'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def is_stale(root: Path, db_path: Path) -> bool:
    return stored_digest(db_path) != inputs_digest(root)
