"""Data for the site's pages (claim, article, reference, search), from a database connection.

Plain functions returning plain data: the Datasette plugin calls them and the templates render
them (with autoescaping), so no HTML is built here.
"""

from __future__ import annotations

import json
import re
import sqlite3

from datasette.utils import escape_fts

from ..claimreview import claim_review, script_json
from ..db import one as _one
from ..db import rows as _rows
from ..vocab import STANCES

# Evidence is listed in the order the stance vocabulary is defined (supports, contradicts, ...).
_STANCE_ORDER = ("case e.stance " + " ".join(f"when '{s}' then {i}" for i, s in enumerate(STANCES))
                 + f" else {len(STANCES)} end")

CONTEXT_CHARS = 160


async def kb_database(datasette):
    """(name, database) of the knowledge base Datasette is serving, or (None, None)."""
    for name, db in datasette.databases.items():
        if not name.startswith("_") and "claim_search_vocab" in await db.table_names():
            return name, db
    return None, None


def quote_in_context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> dict:
    """The quote with the text around it, cut at line breaks and to about ``width`` chars."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    before_start = max(line_start, start - width)
    after_end = min(line_end, end + width)
    return {"before": ("\u2026" if before_start > line_start else "") + text[before_start:start],
            "quote": text[start:end],
            "after": text[end:after_end] + ("\u2026" if after_end < line_end else "")}


RELATED_PER_TOPIC = 500


def claim_page(conn: sqlite3.Connection, claim_id: str, base_url: str = "") -> dict | None:
    claim = _one(conn, "select * from claims where id = ?", (claim_id,))
    if claim is None:
        return None
    topics = _rows(conn, "select t.id, t.label from claim_topics ct join topics t on t.id = ct.topic_id "
                         "where ct.claim_id = ? order by t.label", (claim_id,))
    evidence = _rows(conn, f"""
        select e.ref_key, e.stance, e.directness, e.finding, e.recommendation, r.citation_apa, r.title, r.year,
               r.design, r.doi, r.pmid, r.url, r.verification, r.status, r.status_note,
               r.superseded_by
        from evidence e join refs r on r.key = e.ref_key where e.claim_id = ?
        order by {_STANCE_ORDER}, case e.directness when 'direct' then 0 when 'partial' then 1 else 2 end,
                 r.year desc""", (claim_id,))
    appearances = _rows(conn, """
        select ap.id, ap.article_id, ar.title as article_title, ar.publisher, ar.url as article_url,
               ap.start, ap."end", ap.note, ap.citation_as_written, cc.status as citation_status,
               cc.reason as citation_reason, cc.ref_key as citation_key, ar.text
        from appearances ap join articles ar on ar.id = ap.article_id
        left join citation_checks cc on cc.appearance_id = ap.id
        where ap.claim_id = ? order by ap.article_id, ap.start""", (claim_id,))
    for ap in appearances:
        ap["context"] = quote_in_context(ap.pop("text"), ap["start"], ap["end"])
    # Claims sharing the most topics, looked for among the first RELATED_PER_TOPIC claims of
    # each topic: exact for topics of a few hundred claims, bounded for topics of thousands.
    topic_ids = [t["id"] for t in topics]
    related = _rows(conn, f"""
        select c.id, c.statement, c.verdict, o.shared from (
          select claim_id, count(*) as shared from ({" union all ".join(
              "select * from (select claim_id from claim_topics where topic_id = ? and claim_id != ? "
              "order by claim_id limit ?)" for _ in topic_ids) or "select null as claim_id where 0"})
          group by claim_id order by shared desc, claim_id limit 8) o
        join claims c on c.id = o.claim_id order by o.shared desc, c.id""",
        [v for t in topic_ids for v in (t, claim_id, RELATED_PER_TOPIC)])
    meaning = _one(conn, "select meaning from vocabulary where scale = 'verdict' and value = ?",
                   (claim["verdict"],))
    withdrawn = [e for e in evidence if e["status"] in ("retracted", "superseded")]
    page = {"claim": claim, "topics": topics, "evidence": evidence, "appearances": appearances,
            "withdrawn": withdrawn,
            "related": related, "verdict_meaning": meaning["meaning"] if meaning else "",
            "articles": sorted({ap["article_id"] for ap in appearances})}
    page["jsonld"] = script_json(claim_review(claim, appearances, base_url))
    return page


def article_segments(text: str, appearances: list[dict]) -> list[dict]:
    """The article text cut at every quote boundary; each segment lists the claims covering it."""
    cuts = sorted({0, len(text), *(a["start"] for a in appearances), *(a["end"] for a in appearances)})
    segments = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [a for a in appearances if a["start"] <= start and end <= a["end"]]
        segments.append({"text": text[start:end], "claims": [
            {"id": a["claim_id"], "verdict": a["verdict"], "statement": a["statement"]}
            for a in covering]})
    return segments


def article_page(conn: sqlite3.Connection, article_id: str) -> dict | None:
    article = _one(conn, "select * from articles where id = ?", (article_id,))
    if article is None:
        return None
    scorecard = _one(conn, "select * from article_scorecard where article_id = ?", (article_id,))
    interests = _rows(conn, "select kind, detail from commercial_interests where article_id = ? "
                            "order by position", (article_id,))
    appearances = _rows(conn, """
        select ap.start, ap."end", ap.claim_id, c.verdict, c.statement
        from appearances ap join claims c on c.id = ap.claim_id
        where ap.article_id = ? order by ap.start""", (article_id,))
    citations = _rows(conn, """
        select cc.as_written, cc.status, cc.reason, cc.ref_key, cc.claim_id, r.citation_apa
        from citation_checks cc left join refs r on r.key = cc.ref_key
        where cc.article_id = ? order by cc.citation_start""", (article_id,))
    verdicts = _rows(conn, """
        select c.verdict, count(distinct c.id) as claims from appearances ap
        join claims c on c.id = ap.claim_id where ap.article_id = ?
        group by c.verdict""", (article_id,))
    statuses = _rows(conn, "select status, count(*) as n from citation_checks where article_id = ? "
                           "group by status order by status", (article_id,))
    return {"article": article, "scorecard": scorecard, "interests": interests,
            "segments": article_segments(article["text"], appearances), "citations": citations,
            "verdicts": {v["verdict"]: v["claims"] for v in verdicts}, "statuses": statuses}


def ref_page(conn: sqlite3.Connection, key: str) -> dict | None:
    ref = _one(conn, "select * from refs where key = ?", (key,))
    if ref is None:
        return None
    claims = _rows(conn, """
        select e.claim_id, c.statement, c.verdict, e.stance, e.directness, e.finding
        from evidence e join claims c on c.id = e.claim_id where e.ref_key = ?
        order by e.stance, c.id""", (key,))
    cited_by = _rows(conn, """
        select cc.article_id, ar.title as article_title, cc.as_written, cc.status, cc.reason,
               cc.claim_id
        from citation_checks cc join articles ar on ar.id = cc.article_id
        where cc.ref_key = ? order by cc.article_id, cc.citation_start""", (key,))
    authors = _rows(conn, "select family, given from ref_authors where ref_key = ? order by position",
                    (key,))
    return {"ref": ref, "claims": claims, "cited_by": cited_by, "authors": authors}


_MARK = re.compile("\x01(.*?)\x02", re.S)


def _marked_parts(snippet: str) -> list[dict]:
    """FTS5 snippet text with \\x01...\\x02 around matches -> parts for the template to escape."""
    parts, pos = [], 0
    for m in _MARK.finditer(snippet):
        if m.start() > pos:
            parts.append({"text": snippet[pos:m.start()], "hit": False})
        parts.append({"text": m.group(1), "hit": True})
        pos = m.end()
    if pos < len(snippet):
        parts.append({"text": snippet[pos:], "hit": False})
    return parts


def search(conn: sqlite3.Connection, q: str, limit: int = 50) -> list[dict]:
    """Ranked results across claims, article quotes and references for one query (BM25)."""
    if not q.strip():
        return []
    query = escape_fts(q)
    results = []
    for kind, table, fts, key, title_sql in (
            ("claim", "claims", "claims_fts", "id", "t.statement"),
            ("quote", "appearances", "appearances_fts", "id", "t.article_id || ': ' || t.claim_id"),
            ("study", "refs", "refs_fts", "key", "t.title")):
        sql = (f"select t.{key} as pk, {title_sql} as title, "
               f"snippet({fts}, -1, char(1), char(2), '\u2026', 24) as snippet, "
               f"bm25({fts}) as rank, "
               + ("t.verdict" if kind == "claim" else "t.claim_id" if kind == "quote" else "t.year")
               + f" as extra from {fts} join {table} t on t.rowid = {fts}.rowid "
               f"where {fts} match ? order by rank limit ?")
        try:
            rows = _rows(conn, sql, (query, limit))
        except sqlite3.OperationalError:
            continue
        for r in rows:
            r["kind"], r["table"] = kind, table
            r["parts"] = _marked_parts(r.pop("snippet") or "")
            results.append(r)
    results.sort(key=lambda r: r["rank"])
    return results[:limit]
