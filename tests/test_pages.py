"""Data behind the claim, article and reference pages, and their HTML through datasette.client."""

import json
import sqlite3

import pytest

from kb.claimreview import claim_review, script_json
from kb.site.pages import article_segments, claim_page, quote_in_context, search
from tests.conftest import site_for


@pytest.fixture(scope="module")
def db_path(repo_db):
    return repo_db


@pytest.fixture(scope="module")
def conn(db_path):
    return sqlite3.connect(db_path)


def test_quote_in_context_stays_within_its_line():
    text = "First line.\nBefore the quote. THE QUOTE. After it.\nNext line."
    start = text.index("THE QUOTE.")
    ctx = quote_in_context(text, start, start + len("THE QUOTE."))
    assert ctx == {"before": "Before the quote. ", "quote": "THE QUOTE.", "after": " After it."}


def test_article_segments_cover_the_text_and_overlaps():
    text = "abcdefghij"
    segs = article_segments(text, [
        {"start": 2, "end": 6, "claim_id": "x", "verdict": "supported", "statement": "X"},
        {"start": 4, "end": 8, "claim_id": "y", "verdict": "contradicted", "statement": "Y"}])
    assert "".join(s["text"] for s in segs) == text
    assert [(s["text"], [c["id"] for c in s["claims"]]) for s in segs] == [
        ("ab", []), ("cd", ["x"]), ("ef", ["x", "y"]), ("gh", ["y"]), ("ij", [])]


def test_claim_review_maps_verdicts_and_escapes_script_end():
    claim = {"id": "c", "statement": "x </script><script>alert(1)</script>", "verdict": "overstated",
             "reasoning": "r", "reviewed": "2026-11-25"}
    text = script_json(claim_review(claim, [], "http://h"))
    assert "</script>" not in text and "<" not in text
    data = json.loads(text)
    assert data["reviewRating"]["ratingValue"] == 3 and data["datePublished"] == "2026-11-25"
    assert data["claimReviewed"] == claim["statement"] and data["url"] == "http://h/sciatica/claims/c"


def test_claim_page_data(conn):
    page = claim_page(conn, "bed-rest-worsens-sciatica")
    assert page["claim"]["verdict"] == "contradicted"
    assert {e["ref_key"] for e in page["evidence"]} >= {"dahm2010bedrest", "vroomen1999bedrest"}
    assert len(page["appearances"]) >= 3 and set(page["articles"]) >= {"garrett-sciatica-relief"}
    for ap in page["appearances"]:
        assert ap["context"]["quote"]
    assert page["related"] and all(r["id"] != "bed-rest-worsens-sciatica" for r in page["related"])
    assert claim_page(conn, "no-such-claim") is None


def test_search_ranks_across_tables(conn):
    results = search(conn, "bed rest")
    assert {r["kind"] for r in results} == {"claim", "quote", "study"}
    assert results == sorted(results, key=lambda r: r["rank"])
    assert any(p["hit"] for r in results for p in r["parts"])
    search(conn, "\"unbalanced AND (")  # escaped by escape_fts: must not raise
    assert search(conn, "") == []


@pytest.mark.parametrize("q", ["bed rest", "surgery", "MRI", "pain", "NICE guideline", "Cochrane"])
def test_search_equals_ranking_with_the_rows_joined(conn, q):
    """search() ranks on each FTS index alone and joins only the best rows: the same results,
    in the same order, as the one query that joins every match's row before ranking."""
    from datasette.utils import escape_fts
    expected = []
    for kind, table, fts, key in (("claim", "claims", "claims_fts", "id"),
                                  ("quote", "appearances", "appearances_fts", "id"),
                                  ("study", "refs", "refs_fts", "key")):
        expected += [(kind, pk, rank, snippet) for pk, rank, snippet in conn.execute(
            f"select t.{key}, bm25({fts}) as rank, snippet({fts}, -1, char(1), char(2), '\u2026', 24) "
            f"from {fts} join {table} t on t.rowid = {fts}.rowid where {fts} match ? "
            "order by rank limit 50", (escape_fts(q),))]
    expected = sorted(expected, key=lambda e: e[2])[:50]
    got = search(conn, q)
    assert expected and [(r["kind"], r["pk"], r["rank"]) for r in got] == [e[:3] for e in expected]
    assert ["".join(p["text"] for p in r["parts"]) for r in got] == \
        [e[3].replace("\x01", "").replace("\x02", "") for e in expected]


@pytest.fixture
def ds(db_path):
    return site_for(db_path)


@pytest.mark.parametrize("path, expected", [
    ("/", ["Fact-check a draft", "Claims contradicted by the evidence", 'name="q"']),
    ("/sciatica/claims/bed-rest-worsens-sciatica",
     ['class="kb-badge contradicted"', "application/ld+json", "Where it appears", "Related claims"]),
    ("/sciatica/articles/physio-sciatica-blog",
     ["Scorecard", "Citations checked", "wrong authors", '<mark class="']),
    ("/sciatica/refs/koes2007sciatica", ["BibTeX", "Cited by articles", "wrong authors"]),
    ("/-/search?q=piriformis", ["kb-results", "piriformis"]),
])
async def test_pages_render(ds, path, expected):
    response = await ds.client.get(path)
    assert response.status_code == 200
    for text in expected:
        assert text in response.text, text


@pytest.mark.parametrize("q", ["bed rest", "surgery"])
async def test_the_search_page_lists_what_search_ranks(ds, conn, q):
    """/-/search runs the three tables' searches at once on Datasette's threads: the page lists
    the results of search(), in its order."""
    import html
    import re
    response = await ds.client.get("/-/search", params={"q": q})
    listed = [html.unescape(h) for h in re.findall(r'<a href="(/sciatica/(?:claims|appearances|refs)/[^"?]+)"',
                                                 response.text)]
    expected = [ds.urls.row("sciatica", r["table"], r["pk"]) for r in search(conn, q)]
    assert expected and listed == expected


async def test_datasette_conventions_are_kept(ds):
    assert (await ds.client.get("/sciatica/claims/bed-rest-worsens-sciatica.json")).status_code == 200
    csv = await ds.client.get("/sciatica/claims.csv")
    assert csv.status_code == 200 and csv.text.startswith("id,statement")
    sql = await ds.client.get("/sciatica.json?sql=select+count(*)+as+n+from+claims&_shape=array")
    assert sql.json()[0]["n"] > 50


async def test_refs_as_bibtex_output_format(ds):
    response = await ds.client.get("/sciatica/refs.bib?design=clinical+guideline&key=nice2016sciatica")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/x-bibtex")
    assert response.text.startswith("@misc{nice2016sciatica,") and "design" in response.text
    from kb.sources.bibtex import parse_bibtex
    refs, problems = parse_bibtex(response.content, "out.bib")
    assert problems == [] and [r.key for r in refs] == ["nice2016sciatica"]


def test_related_claims_share_the_most_topics(conn, monkeypatch):
    """Related claims: most shared topics first; exact while topics are smaller than the
    per-topic bound (here, and in any knowledge base of a few thousand claims), bounded beyond."""
    import kb.site.pages

    exact = """select other.claim_id, count(*) from claim_topics mine
               join claim_topics other on other.topic_id = mine.topic_id
               where mine.claim_id = ? and other.claim_id != ?
               group by 1 order by 2 desc, 1 limit 8"""
    for (claim_id,) in conn.execute("select id from claims order by id").fetchall()[::7]:
        page = claim_page(conn, claim_id)
        assert [(r["id"], r["shared"]) for r in page["related"]] == \
            conn.execute(exact, (claim_id, claim_id)).fetchall()
    monkeypatch.setattr(kb.site.pages, "RELATED_PER_TOPIC", 1)  # bounded: one claim per topic
    page = claim_page(conn, "bed-rest-worsens-sciatica")
    assert 0 < len(page["related"]) <= len([t for t in page["topics"]])


def test_a_search_too_slow_to_rank_gives_its_first_matches_marked(conn, monkeypatch):
    """A word in most of a million claims cannot be ranked in time: the page shows the first
    matches, marked, instead of making everyone wait (a zero budget stands in for the slow case)."""
    import kb.site.pages as pages
    monkeypatch.setattr(pages, "RANK_BUDGET_S", 0.0)
    results = search(conn, "bed rest")
    assert results and not any(r["ranked"] for r in results)
    assert {r["kind"] for r in results} == {"claim", "quote", "study"}
    monkeypatch.setattr(pages, "RANK_BUDGET_S", 5.0)
    assert all(r["ranked"] for r in search(conn, "bed rest"))
