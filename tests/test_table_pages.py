"""The claims table page (issue 16, item 1): verdict badges, readable topics and facet titles,
a page size a reader can scroll, and a pointer to ranked search."""

import re

import pytest

from tests.conftest import site_for


@pytest.fixture(scope="module")
def ds(repo_db):
    return site_for(repo_db)


async def test_verdicts_are_badges_and_topics_are_their_labels(ds):
    html = (await ds.client.get("/sciatica/claims")).text
    assert re.search(r'<span class="kb-badge supported">Supported</span>', html)
    # topics were shown as raw JSON (["bed-rest", "..."])
    assert '[&#34;' not in html and '["' not in html.split("<tbody>", 1)[1]
    assert re.search(r'<a href="/sciatica/claims\?topics__arraycontains=[a-z-]+">[A-Z][^<]+</a>', html)
    assert re.search(r'<a href="/sciatica/articles/[a-z0-9-]+">', html.split("<tbody>", 1)[1])


async def test_facets_say_what_they_are(ds):
    html = (await ds.client.get("/sciatica/claims")).text
    titles = re.findall(r'<p class="facet-info-name">\s*<strong>([^<]+?)\s*<span', html)
    assert {"Verdict", "Topic", "Article", "Claim type", "Certainty"} <= {t.strip() for t in titles}, titles
    assert "(link)" not in html and "(counted)" not in html


async def test_a_page_holds_25_claims(ds):
    html = (await ds.client.get("/sciatica/claims")).text
    assert html.split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr") == 25
    data = (await ds.client.get("/sciatica/claims.json?_shape=objects")).json()
    assert len(data["rows"]) == 25 and data["next"]


async def test_the_badges_css_reaches_the_table_page(ds):
    html = (await ds.client.get("/sciatica/claims")).text
    assert ".kb-badge.contradicted" in html and "What the columns mean" in html


# --- pictures (issue 16, item 3) ----------------------------------------------------------------

def _bar(html: str) -> dict[str, int]:
    """The first verdict bar's segments: verdict -> the count it is drawn for."""
    bar = html.split('class="kb-bar"', 1)[1].split("</div>", 1)[0]
    return {v: int(n) for v, n in re.findall(r'class="kb-bar-seg ([a-z-]+)" style="flex-grow: (\d+)"', bar)}


async def test_the_home_page_shows_the_verdict_mix_of_every_claim(ds, repo_db):
    import sqlite3

    html = (await ds.client.get("/")).text
    counts = dict(sqlite3.connect(repo_db).execute("select verdict, count(*) from claims group by verdict"))
    assert _bar(html) == counts
    assert html.count('class="kb-bar"') == 1 + sqlite3.connect(repo_db).execute(
        "select count(distinct article_id) from appearances").fetchone()[0]  # and one per article


async def test_an_article_page_shows_the_verdict_mix_of_its_claims(ds, repo_db):
    import sqlite3

    article = "physio-sciatica-blog"
    html = (await ds.client.get(f"/sciatica/articles/{article}")).text
    counts = dict(sqlite3.connect(repo_db).execute(
        "select c.verdict, count(distinct c.id) from appearances ap join claims c on c.id = ap.claim_id "
        "where ap.article_id = ? group by c.verdict", (article,)))
    assert _bar(html) == counts and sum(counts.values()) > 5


async def test_the_evidence_map_is_every_link_of_the_topic(ds, repo_db):
    import sqlite3

    html = (await ds.client.get("/-/evidence-map/bed-rest")).text
    links = sqlite3.connect(repo_db).execute(
        "select e.claim_id, e.ref_key, e.stance from evidence e join claim_topics t on t.claim_id = e.claim_id "
        "where t.topic_id = 'bed-rest'").fetchall()
    cells = re.findall(r'<td class="cell ([a-z]+)" title="', html)
    assert len(links) > 5 and sorted(cells) == sorted(s for _, _, s in links)
    rows = html.count('<th class="claim"><span class="kb-badge')
    assert rows == sqlite3.connect(repo_db).execute(
        "select count(*) from claim_topics where topic_id = 'bed-rest'").fetchone()[0]
    assert (await ds.client.get("/-/evidence-map/no-such-topic")).status_code == 404
    index = (await ds.client.get("/-/evidence-map")).text
    assert '/-/evidence-map/bed-rest"' in index


# --- ranked search on the claims table ------------------------------------------------------------

def _ids(html: str) -> list[str]:
    return re.findall(r'<td class="col-id type-pk"><a href="/sciatica/claims/([^"]+)"', html.split("<tbody>", 1)[1])


async def test_a_search_on_the_claims_table_is_ranked_by_relevance(ds, repo_db):
    import sqlite3

    # Before: the rows came in id order, whatever the search.
    redirect = await ds.client.get("/sciatica/claims?_search=bed+rest")
    assert redirect.status_code == 302 and redirect.headers["location"].endswith("_size=100")
    html = (await ds.client.get(redirect.headers["location"])).text
    expected = [r[0] for r in sqlite3.connect(repo_db).execute(
        "select c.id from claims_fts join claims c on c.rowid = claims_fts.rowid "
        "where claims_fts match '\"bed\" \"rest\"' order by rank")]
    assert len(expected) >= 3 and expected != sorted(expected)
    assert _ids(html) == expected
    assert "Ranked by relevance, best first" in html


async def test_the_redirect_keeps_every_argument(ds):
    r = await ds.client.get("/sciatica/claims?_search=bed+rest&_facet=certainty&_facet=claim_type&verdict=")
    assert r.status_code == 302
    assert r.headers["location"] == ("/sciatica/claims?_search=bed+rest&_facet=certainty&_facet=claim_type"
                                     "&verdict=&_size=100")


async def test_an_explicit_sort_and_the_json_keep_datasettes_order(ds):
    sorted_page = await ds.client.get("/sciatica/claims?_search=bed+rest&_sort=id")
    assert sorted_page.status_code == 200
    ids = _ids(sorted_page.text)
    assert ids == sorted(ids)
    data = await ds.client.get("/sciatica/claims.json?_search=bed+rest&_shape=objects")
    assert data.status_code == 200 and [r["id"] for r in data.json()["rows"]] == sorted(ids)


async def test_the_ranking_starts_with_the_request_and_runs_once(ds, monkeypatch):
    # Started by the ASGI wrapper, beside the page's own queries; the template awaits that one
    # query rather than running it again after them.
    from datasette.plugins import pm
    ranked = next(p for p in pm.get_plugins() if getattr(p, "__name__", "") == "ranked_search.py")
    calls = []
    real = ranked._rank

    async def counting(*args):
        calls.append(args[2])
        return await real(*args)

    monkeypatch.setattr(ranked, "_rank", counting)
    html = (await ds.client.get("/sciatica/claims?_search=bed+rest&_size=100")).text
    assert calls == ["bed rest"] and "Ranked by relevance, best first" in html
    await ds.client.get("/sciatica/claims.json?_search=bed+rest&_size=100")
    assert calls == ["bed rest"]  # the JSON keeps Datasette's order: nothing to rank
