"""Data for the site's pages (claim, article, reference, search), from a database connection.

Plain functions returning plain data: the Datasette plugin calls them and the templates render
them (with autoescaping), so no HTML is built here.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time

from datasette.utils import escape_fts

from ..claimreview import claim_review, script_json
from ..db import one as _one
from ..db import rows as _rows
from ..vocab import DESIGN_RANK, STANCES, VERDICT_DISPLAY

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
            "verdicts": {v["verdict"]: v["claims"] for v in verdicts}, "statuses": statuses,
            "verdict_mix": _ordered({v["verdict"]: v["claims"] for v in verdicts})}


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
    notices = _rows(conn, "select record_id, nature, date, notice_url, reasons from ref_notices "
                          "where ref_key = ? order by date, record_id", (key,))
    for n in notices:
        n["reasons"] = json.loads(n["reasons"] or "[]")
    return {"ref": ref, "claims": claims, "cited_by": cited_by, "authors": authors, "notices": notices}


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


# Ranking a word found in most of a million claims scores every match (seconds); past this, per
# table, its first matches are shown unranked and the page says so.
RANK_BUDGET_S = 0.15


# What /-/search looks in: (kind, table, its FTS index, key column, title SQL, extra column).
SEARCHED = (
    ("claim", "claims", "claims_fts", "id", "t.statement", "t.verdict"),
    ("quote", "appearances", "appearances_fts", "id", "t.article_id || ': ' || t.claim_id", "t.claim_id"),
    ("study", "refs", "refs_fts", "key", "t.title", "t.year"),
)


def search(conn: sqlite3.Connection, q: str, limit: int = 50) -> list[dict]:
    """Ranked results across claims, article quotes and references for one query (BM25); a
    table whose matches cannot be ranked within RANK_BUDGET_S gives its first matches, marked
    ``ranked: False`` and listed after the ranked ones. The site runs ``search_one`` for the
    three tables at once and ``merge_results`` (each is a read of its own)."""
    return merge_results([search_one(conn, kind, q, limit) for kind, *_ in SEARCHED], limit)


def merge_results(parts: list[list[dict]], limit: int = 50) -> list[dict]:
    results = [r for part in parts for r in part]
    results.sort(key=lambda r: (not r["ranked"], r["rank"] if r["ranked"] else 0))
    return results[:limit]


def search_one(conn: sqlite3.Connection, kind: str, q: str, limit: int = 50) -> list[dict]:
    """The best ``limit`` matches of one of SEARCHED's tables, in rank order."""
    if not q.strip():
        return []
    query = escape_fts(q)
    _, table, fts, key, title_sql, extra = next(t for t in SEARCHED if t[0] == kind)
    # Ranked on the index alone, then the rows and snippets fetched for the best few: joining
    # the table first read every match's row (20,000 for a word in 2% of a million claims).
    ranked = True
    try:
        best = _within(conn, RANK_BUDGET_S, f"select rowid, bm25({fts}) as rank from {fts} "
                                            f"where {fts} match ? order by rank limit ?", (query, limit))
    except _TooSlow:
        ranked = False  # the first matches, which reading stops at
        best = _rows(conn, f"select rowid, null as rank from {fts} where {fts} match ? limit ?",
                     (query, limit))
    except sqlite3.OperationalError:
        return []
    if not best:
        return []
    rank_of = {r["rowid"]: r["rank"] for r in best}
    order = {rowid: i for i, rowid in enumerate(rank_of)}
    marks = ",".join("?" * len(rank_of))
    rows = _rows(conn, f"select {fts}.rowid as rowid, t.{key} as pk, {title_sql} as title, "
                       f"snippet({fts}, -1, char(1), char(2), '\u2026', 24) as snippet, {extra} as extra "
                       f"from {fts} join {table} t on t.rowid = {fts}.rowid "
                       f"where {fts} match ? and {fts}.rowid in ({marks})", (query, *rank_of))
    results = []
    for r in sorted(rows, key=lambda r: order[r["rowid"]]):
        r["rank"] = rank_of[r.pop("rowid")]
        r["kind"], r["table"], r["ranked"] = kind, table, ranked
        r["parts"] = _marked_parts(r.pop("snippet") or "")
        results.append(r)
    return results


class _TooSlow(Exception):
    pass


def _within(conn: sqlite3.Connection, seconds: float, sql: str, params) -> list[dict]:
    """``_rows``, interrupted (``_TooSlow``) if it runs past ``seconds``."""
    if seconds <= 0:
        raise _TooSlow
    deadline = time.monotonic() + seconds
    conn.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
    try:
        return _rows(conn, sql, params)
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc):
            raise _TooSlow from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


# --- pictures: the verdict mix of each article, and the evidence map of a topic -------------

HOME_ARTICLES = 100  # articles whose verdict mix the home page draws (the rest: the scorecard)


def verdict_mix(conn: sqlite3.Connection) -> dict:
    """The knowledge base's claims by verdict (the counts the build stored), and the first
    HOME_ARTICLES articles' (distinct claims each makes): bounded work on every home page view,
    whatever the size of the knowledge base."""
    overall = {json.loads(r["value_json"]): r["count"] for r in _rows(
        conn, "select value_json, count from facet_counts where table_name = 'claims' "
              "and column_name = 'verdict'")}
    articles: dict[str, dict] = {}
    for r in _rows(conn, """
            select ar.id, ar.title, c.verdict, count(distinct c.id) as n
            from (select id, title from articles order by id limit ?) ar
            join appearances ap on ap.article_id = ar.id
            join claims c on c.id = ap.claim_id group by ar.id, c.verdict order by ar.id""",
                   (HOME_ARTICLES,)):
        article = articles.setdefault(r["id"], {"id": r["id"], "title": r["title"], "verdicts": {}})
        article["verdicts"][r["verdict"]] = r["n"]
    total = conn.execute("select count(*) from articles").fetchone()[0]
    return {"overall": _ordered(overall), "more_articles": max(0, total - HOME_ARTICLES), "articles": [
        dict(a, verdicts=_ordered(a["verdicts"]), claims=sum(a["verdicts"].values()))
        for a in articles.values()]}


def _ordered(counts: dict[str, int]) -> dict[str, int]:
    """Counts in the verdict vocabulary's order (best to worst), zero counts left out."""
    return {v: counts[v] for v in VERDICT_DISPLAY if counts.get(v)}


MAP_STUDIES = 40  # columns of one evidence map at most (the most-linked studies first)


def evidence_map(conn: sqlite3.Connection, topic_id: str) -> dict | None:
    """A topic's claims (rows) against the studies that bear on them (columns), each cell the
    study's stance on the claim: Epistemonikos-style, guidelines and reviews first."""
    topic = _one(conn, "select id, label from topics where id = ?", (topic_id,))
    if topic is None:
        return None
    claims = _rows(conn, """
        select c.id, c.statement, c.verdict, c.certainty from claims c
        join claim_topics t on t.claim_id = c.id where t.topic_id = ? order by c.verdict, c.id""",
                   (topic_id,))
    links = _rows(conn, """
        select e.claim_id, e.ref_key, e.stance, e.directness, e.finding, r.design, r.year,
               r.title, (select family from ref_authors a where a.ref_key = r.key
                         order by position limit 1) as first_author
        from evidence e join refs r on r.key = e.ref_key
        join claim_topics t on t.claim_id = e.claim_id where t.topic_id = ?""", (topic_id,))
    studies: dict[str, dict] = {}
    cells: dict[str, dict[str, dict]] = {}
    for e in links:
        study = studies.setdefault(e["ref_key"], {
            "key": e["ref_key"], "design": e["design"], "year": e["year"], "title": e["title"],
            "label": f"{e['first_author'] or (e['title'] or e['ref_key'])[:24]}"
                     f"{' ' + str(e['year']) if e['year'] else ''}", "claims": 0})
        study["claims"] += 1
        cells.setdefault(e["claim_id"], {})[e["ref_key"]] = {
            "stance": e["stance"], "directness": e["directness"], "finding": e["finding"]}
    ordered = sorted(studies.values(), key=lambda s: (DESIGN_RANK.get(s["design"], 9), -s["claims"],
                                                      -(int(s["year"]) if s["year"] else 0), s["key"]))
    return {"topic": topic, "claims": claims, "studies": ordered[:MAP_STUDIES],
            "more_studies": max(0, len(ordered) - MAP_STUDIES), "cells": cells}


def topics_with_evidence(conn: sqlite3.Connection) -> list[dict]:
    return _rows(conn, """
        select t.id, t.label, count(distinct ct.claim_id) as claims, count(distinct e.ref_key) as studies
        from topics t join claim_topics ct on ct.topic_id = t.id
        left join evidence e on e.claim_id = ct.claim_id
        group by t.id order by t.label""")
