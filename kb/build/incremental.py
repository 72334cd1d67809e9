"""Updating a built database from the source files that changed, instead of rebuilding it.

The database records the sha256 of every input file it was built from (``build_files``). A
build compares them with the files as they are now. When only claims files and articles changed
(or were added or removed), it copies the database, deletes the rows those files gave, writes
their new rows with the full build's own functions (kb.build.writer), and brings up to date
what depends on them: the full-text indexes, the stored counts, each claim's articles, and the
matching index (each changed claim's search document and the terms' document frequencies). The copy is then renamed over the database,
as a full build's file is (kb.build.atomic). tests/test_incremental.py holds the result equal,
table by table, to a full build of the same sources.

A change to references.bib, the topics, the retractions file, or the program (a new kb version
or schema) rebuilds everything, and ``plan`` says why.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..sources import BIB_FILE, ValidationFailed, digest_of, input_tokens
from ..sources.partial import PartialReader, is_article_file, is_claims_file
from ..sources.reader import TOPICS_FILE
from ..sources.retractions import RETRACTIONS_FILE
from ..text import CORE_SOURCE, AliasMatcher
from .schema import COUNTED_FACETS, FTS
from .writer import SCHEMA_VERSION, claim_rows, write_article, write_claims

# Files whose change reaches every table: the build is then a full one.
_EVERYWHERE = {BIB_FILE: "references.bib changed (every reference, citation and evidence row "
                         "depends on it)",
               TOPICS_FILE: "the topic vocabulary changed (every claim's matching tokens use it)",
               RETRACTIONS_FILE: "the retractions file changed (reference statuses depend on it)"}


class ChangedDuringBuild(Exception):
    """A file changed between the plan and its read: what was read is not what was planned."""


@dataclass
class Plan:
    """What an incremental build would do, or why it cannot (``full_because``)."""
    full_because: str | None = None
    claims_files: list[str] = field(default_factory=list)  # changed or added
    article_files: list[str] = field(default_factory=list)  # (their .yaml) changed or added
    removed_claims_files: list[str] = field(default_factory=list)
    removed_article_files: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # every input file -> its sha256 now
    stats: dict[str, tuple] = field(default_factory=dict)  # every input file -> (size, mtime_ns)

    @property
    def changed(self) -> list[str]:
        return sorted({*self.claims_files, *self.article_files, *self.removed_claims_files,
                       *self.removed_article_files})

    @property
    def up_to_date(self) -> bool:
        return self.full_because is None and not self.changed


@dataclass
class Summary:
    """What an incremental build rewrote, for the command's output."""
    files: list[str]
    claims: int = 0  # claims whose rows were rewritten
    articles: int = 0
    reindexed: int = 0  # claims whose search document was rewritten
    terms: int = 0  # terms whose document frequency changed

    def describe(self) -> str:
        return (f"updated from {len(self.files)} changed file{'s' * (len(self.files) != 1)} "
                f"({', '.join(self.files[:3])}{' ...' if len(self.files) > 3 else ''}): "
                f"{self.claims:,} claims and {self.articles:,} articles rewritten; matching index: "
                f"{self.reindexed:,} claims re-indexed, {self.terms:,} term frequencies changed")


def plan(root: Path, db_path: Path) -> Plan:
    """Compare the sources with what ``db_path`` was built from."""
    root = Path(root)
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            info = dict(conn.execute("select key, value from build_info"))
            built = recorded_files(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return Plan(full_because="there is no database to update" if not Path(db_path).exists()
                    else "the database has no record of the files it was built from")
    if info.get("schema_version") != SCHEMA_VERSION or info.get("kb_version") != __version__:
        return Plan(full_because="the database was built by another version of kb")
    stats: dict[str, tuple] = {}
    now = input_tokens(root, built, stats)  # (unchanged size and time: the recorded sha256)
    p = Plan(tokens=now, stats=stats)
    changed = {rel for rel in now.keys() | built.keys()
               if now.get(rel) != (built[rel][0] if rel in built else None)}
    for rel in sorted(changed):
        if rel in _EVERYWHERE:
            return Plan(full_because=_EVERYWHERE[rel], tokens=now)
        if is_claims_file(rel):
            (p.claims_files if rel in now else p.removed_claims_files).append(rel)
        elif is_article_file(rel):
            yaml_rel = rel[:-4] + ".yaml" if rel.endswith(".txt") else rel
            present = yaml_rel in now
            target = p.article_files if present else p.removed_article_files
            if yaml_rel not in target:
                target.append(yaml_rel)
        else:
            return Plan(full_because=f"{rel} changed", tokens=now)
    return p


def recorded_files(conn: sqlite3.Connection) -> dict[str, tuple]:
    """path -> (sha256, size, mtime_ns) of every file the database was built from."""
    return {path: (sha, size, mtime) for path, sha, size, mtime in
            conn.execute("select path, sha256, size, mtime_ns from build_files")}


class _DatabaseKnows:
    """``kb.sources.partial.Known`` answered from the database being updated."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def has_ref(self, key):
        return self.conn.execute("select 1 from refs where key = ?", (key,)).fetchone() is not None

    def claim_where(self, claim_id):
        row = self.conn.execute("select source_file, source_line from claims where id = ?",
                                (claim_id,)).fetchone()
        return tuple(row) if row else None

    def claims_in(self, files):
        return {r[0] for f in files for r in
                self.conn.execute("select id from claims where source_file = ?", (f,))}

    def _article_ids(self, files) -> set[str]:
        return {r[0] for f in files for r in
                self.conn.execute("select id from articles where source_file = ?", (f,))}

    def appearing(self, claim_ids, not_in):
        skip = self._article_ids(not_in)
        return {c for c, a in _rows_in(self.conn, "select claim_id, article_id from appearances "
                                                  "where claim_id in ({})", sorted(claim_ids))
                if a not in skip}

    def quoted_in(self, claim_ids, not_in):
        skip = self._article_ids(not_in)
        return sorted((c, f, line) for c, a, f, line in _rows_in(
            self.conn, "select claim_id, article_id, source_file, source_line from appearances "
                       "where claim_id in ({})", sorted(claim_ids)) if a not in skip)

    def quoted_only_in(self, articles):
        skip = self._article_ids(articles)
        quoted = {r[0] for a in skip for r in
                  self.conn.execute("select claim_id from appearances where article_id = ?", (a,))}
        out = []
        for c in sorted(quoted - self.appearing(quoted, articles)):
            where = self.claim_where(c)
            if where:
                out.append((c, *where))
        return out

    def articles_besides(self, articles):
        total = self.conn.execute("select count(*) from articles").fetchone()[0]
        return total - len(self._article_ids(articles))


def update(root: Path, conn: sqlite3.Connection, p: Plan) -> Summary:
    """Apply the changes of ``p`` to the database open on ``conn`` (a copy of the built one),
    in one transaction. Raises ``ValidationFailed`` if a changed file has a problem (the
    caller then builds in full, which reports every problem)."""
    reader = PartialReader(root, _DatabaseKnows(conn), p.claims_files, p.article_files,
                           p.removed_claims_files, p.removed_article_files)
    claims = [c for batch in reader.claims() for c in batch]
    articles = list(reader.articles())
    problems = reader.finish()
    if problems:
        raise ValidationFailed(problems, reader.suppressed)
    if any(p.tokens.get(rel) != sha for rel, sha in reader.tokens.items()):
        raise ChangedDuringBuild("a source file changed during the build")
    summary = Summary(files=p.changed, articles=len(articles))
    gone_claim_files = sorted({*p.claims_files, *p.removed_claims_files})
    gone_article_files = sorted({*p.article_files, *p.removed_article_files})
    conn.execute("begin")
    # A claims file holds thousands of claims: only those whose content changed are rewritten
    # (a claim that only moved to another line gets its new line numbers).
    claims, moved = _changed_claims(conn, claims, gone_claim_files)
    summary.claims = len(claims)
    for table in ("claims", "evidence"):
        conn.executemany(f"update [{table}] set source_line = ? where id = ?",
                         [(r["source_line"], r["id"]) for r in moved[table]])
    unchanged = {r["id"] for r in moved["kept"]}
    old_claims = sorted({r[0] for f in gone_claim_files for r in
                         conn.execute("select id from claims where source_file = ?", (f,))} - unchanged)
    old_articles = sorted({r[0] for f in gone_article_files for r in
                           conn.execute("select id from articles where source_file = ?", (f,))})
    # Claims whose search document or articles list may change.
    touched = set(old_claims) | {c.id for c in claims}
    touched |= {r[0] for a in old_articles for r in
                conn.execute("select claim_id from appearances where article_id = ?", (a,))}
    touched |= {ap.claim for a in articles for ap in a.appearances}

    _delete(conn, "claims", "id", old_claims, also=[("claim_topics", "claim_id"), ("evidence", "claim_id")])
    _execute_in(conn, f"delete from claim_texts where (source in ('statement', '{CORE_SOURCE}') "
                      "or source like 'finding:%') "
                      "and claim_id in ({})", old_claims)
    old_appearances = [r[0] for a in old_articles for r in
                       conn.execute("select id from appearances where article_id = ?", (a,))]
    _execute_in(conn, "delete from claim_texts where source in ({})", old_appearances)
    _delete(conn, "appearances", "article_id", old_articles,
            also=[("citation_checks", "article_id")])
    _delete(conn, "articles", "id", old_articles, also=[("commercial_interests", "article_id")])

    matcher = _matcher(conn)
    before = _max_rowids(conn)
    if claims:
        write_claims(conn, claims, matcher)
    for article in articles:
        write_article(conn, article, matcher)
    _fts_insert_new(conn, before)

    _refresh_counts(conn, sorted({a.id for a in articles}))
    _execute_in(conn, """update claims set articles = coalesce((
        select json_group_array(article_id) from (select distinct article_id from appearances
          where appearances.claim_id = claims.id order by article_id)), '[]') where id in ({})""",
                sorted(touched))
    _update_match_index(conn, sorted(touched), summary)
    conn.executemany("insert or replace into build_info (key, value) values (?, ?)",
                     [("inputs_sha256", digest_of(p.tokens))])
    conn.execute("delete from build_files")
    conn.executemany("insert into build_files (path, sha256, size, mtime_ns) values (?, ?, ?, ?)",
                     [(path, sha, *p.stats.get(path, (None, None))) for path, sha in sorted(p.tokens.items())])
    conn.commit()
    conn.execute("pragma optimize")
    return summary


# --- helpers ------------------------------------------------------------------------------

def _changed_claims(conn, claims: list, files: list[str]):
    """(the claims whose rows differ from the database's, beyond their line numbers; the rows
    of the others whose line numbers changed, by table, and under "kept" every unchanged one)."""
    old = {}
    for f in files:
        for row in _dict_rows(conn, "select * from claims where source_file = ?", (f,)):
            old[row["id"]] = row
    ids = sorted(old.keys() & {c.id for c in claims})
    old_evidence: dict[str, list[dict]] = {}
    for row in _dict_rows_in(conn, "select * from evidence where claim_id in ({}) order by claim_id, ref_key", ids):
        old_evidence.setdefault(row["claim_id"], []).append(row)
    changed, moved = [], {"claims": [], "evidence": [], "kept": []}
    lines = ("source_line",)
    for c in claims:
        if c.id not in old:
            changed.append(c)
            continue
        rows = claim_rows([c])
        row, before = rows["claims"][0], old[c.id]
        evidence = rows["evidence"]
        was = old_evidence.get(c.id, [])
        same = _same(row, before, lines) and len(evidence) == len(was) and all(
            _same(e, w, lines) for e, w in zip(evidence, was))
        if not same:
            changed.append(c)
            continue
        moved["kept"].append(row)
        if row["source_line"] != before["source_line"]:
            moved["claims"].append(row)
        moved["evidence"] += [e for e, w in zip(evidence, was) if e["source_line"] != w["source_line"]]
    return changed, moved


def _same(new: dict, old: dict, ignore: tuple[str, ...]) -> bool:
    return all(old.get(k) == v for k, v in new.items() if k not in ignore)


def _dict_rows(conn, sql: str, params=()) -> list[dict]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur]


def _dict_rows_in(conn, sql: str, values: list) -> list[dict]:
    out = []
    for i in range(0, len(values), _BATCH):
        batch = values[i:i + _BATCH]
        out += _dict_rows(conn, sql.format(",".join("?" * len(batch))), batch)
    return out


_BATCH = 500


def _execute_in(conn, sql: str, values: list) -> None:
    for i in range(0, len(values), _BATCH):
        batch = values[i:i + _BATCH]
        conn.execute(sql.format(",".join("?" * len(batch))), batch)


def _delete(conn, table: str, column: str, values: list, also=()) -> None:
    """Delete rows (and their full-text entries first, as external-content FTS5 needs)."""
    for other, other_column in also:
        _fts_delete(conn, other, other_column, values)
        _execute_in(conn, f"delete from [{other}] where [{other_column}] in ({{}})", values)
    _fts_delete(conn, table, column, values)
    _execute_in(conn, f"delete from [{table}] where [{column}] in ({{}})", values)


def _fts_delete(conn, table: str, column: str, values: list) -> None:
    columns = FTS.get(table)
    if not columns:
        return
    cols = ", ".join(f"[{c}]" for c in columns)
    _execute_in(conn, f"insert into [{table}_fts] ([{table}_fts], rowid, {cols}) "
                      f"select 'delete', rowid, {cols} from [{table}] where [{column}] in ({{}})", values)


def _max_rowids(conn) -> dict[str, int]:
    return {t: conn.execute(f"select coalesce(max(rowid), 0) from [{t}]").fetchone()[0] for t in FTS}


def _fts_insert_new(conn, before: dict[str, int]) -> None:
    for table, columns in FTS.items():
        cols = ", ".join(f"[{c}]" for c in columns)
        conn.execute(f"insert into [{table}_fts] (rowid, {cols}) select rowid, {cols} from [{table}] "
                     f"where rowid > ?", (before[table],))


def _matcher(conn) -> AliasMatcher:
    aliases: dict[str, list[str]] = {}
    for topic_id, label in conn.execute("select id, label from topics order by id"):
        aliases[topic_id] = [label]
    for topic_id, alias in conn.execute("select topic_id, alias from topic_aliases order by topic_id, alias"):
        aliases[topic_id].append(alias)
    return AliasMatcher(aliases)


def _refresh_counts(conn, article_ids: list[str]) -> None:
    """The stored counts (kb.build.writer computes them the same way over everything)."""
    conn.execute("delete from facet_counts")
    conn.executemany(
        "insert into facet_counts (table_name, column_name, value_json, count) values (?, ?, ?, ?)",
        [(table, column, json.dumps(value, ensure_ascii=False), count)
         for table, columns in COUNTED_FACETS.items() for column in columns
         for value, count in conn.execute(f"select [{column}], count(*) from [{table}] "
                                          f"where [{column}] is not null group by [{column}]")])
    conn.execute("update topics set claim_count = "
                 "(select count(*) from claim_topics where topic_id = topics.id)")
    _execute_in(conn, "update articles set claim_count = (select count(distinct claim_id) from "
                      "appearances where article_id = articles.id) where id in ({})", article_ids)


def _documents(conn, claim_ids: list[str]) -> dict[str, str]:
    """Each claim's search document, as kb.build.writer.finish_match_index concatenates it."""
    docs = {}
    for i in range(0, len(claim_ids), _BATCH):
        batch = claim_ids[i:i + _BATCH]
        docs.update(conn.execute(
            "select claim_id, group_concat(tokens, ' ') from (select claim_id, tokens from claim_texts "
            f"where claim_id in ({','.join('?' * len(batch))}) and source != '{CORE_SOURCE}' "
            "order by claim_id, source != 'statement', source) group by claim_id", batch))
    return docs


def _term_docs(conn, docs: list[str]) -> dict[str, int]:
    """Document frequency of each term over ``docs``, tokenised as the search index does (a
    scratch FTS5 table and its vocabulary: no second tokenizer to keep in step)."""
    conn.execute("create temp table if not exists scratch_docs (tokens text)")
    conn.execute("create virtual table if not exists temp.scratch_fts using fts5(tokens, "
                 "content=scratch_docs, tokenize='unicode61')")
    conn.execute("create virtual table if not exists temp.scratch_vocab using fts5vocab(scratch_fts, 'row')")
    conn.execute("delete from scratch_docs")
    conn.execute("insert into scratch_fts (scratch_fts) values ('delete-all')")
    conn.executemany("insert into scratch_docs (rowid, tokens) values (?, ?)", enumerate(docs, 1))
    conn.execute("insert into scratch_fts (scratch_fts) values ('rebuild')")
    return dict(conn.execute("select term, doc from scratch_vocab"))


def _update_match_index(conn, touched: list[str], summary: Summary) -> None:
    old_docs = dict(_rows_in(conn, "select claim_id, tokens from claim_search where claim_id in ({})", touched))
    new_docs = _documents(conn, touched)
    changed = sorted(c for c in set(old_docs) | set(new_docs) if old_docs.get(c) != new_docs.get(c))
    summary.reindexed = len(changed)
    old_df = _term_docs(conn, [old_docs[c] for c in changed if c in old_docs])
    new_df = _term_docs(conn, [new_docs[c] for c in changed if c in new_docs])
    # The search documents: out of the index with their old text, back in with the new.
    _execute_in(conn, "insert into claim_search_fts (claim_search_fts, rowid, tokens) select 'delete', "
                      "rowid, tokens from claim_search where claim_id in ({})", changed)
    _execute_in(conn, "delete from claim_search where claim_id in ({})", changed)
    last = conn.execute("select coalesce(max(rowid), 0) from claim_search").fetchone()[0]
    conn.executemany("insert into claim_search (claim_id, tokens) values (?, ?)",
                     [(c, new_docs[c]) for c in changed if c in new_docs])
    conn.execute("insert into claim_search_fts (rowid, tokens) select rowid, tokens from claim_search "
                 "where rowid > ?", (last,))
    # Document frequencies, by the difference the changed documents make.
    deltas = {t: new_df.get(t, 0) - old_df.get(t, 0) for t in set(old_df) | set(new_df)}
    deltas = {t: d for t, d in deltas.items() if d}
    summary.terms = len(deltas)
    if deltas:
        current = dict(_rows_in(conn, "select term, doc from claim_terms where term in ({})", sorted(deltas)))
        conn.executemany("insert or replace into claim_terms (term, doc) values (?, ?)",
                         [(t, current.get(t, 0) + d) for t, d in sorted(deltas.items())
                          if current.get(t, 0) + d > 0])
        gone = [t for t, d in deltas.items() if current.get(t, 0) + d <= 0]
        _execute_in(conn, "delete from claim_terms where term in ({})", gone)


def _rows_in(conn, sql: str, values: list) -> list[tuple]:
    out = []
    for i in range(0, len(values), _BATCH):
        batch = values[i:i + _BATCH]
        out += conn.execute(sql.format(",".join("?" * len(batch))), batch).fetchall()
    return out
