"""Datasette responses, through datasette.client, with the repository's own metadata."""

import asyncio

import pytest
import yaml

from kb.build import build
from kb.site.settings import METADATA
from tests.conftest import site_for


@pytest.fixture
def metadata():
    return yaml.safe_load(METADATA.read_text())


@pytest.fixture
def ds(mini_kb):
    db_path = mini_kb / "sciatica.db"
    build(mini_kb, db_path)
    return site_for(db_path)


async def test_claims_have_default_facets_including_topics(ds):
    response = await ds.client.get("/sciatica/claims.json?_extra=facet_results")
    assert response.status_code == 200
    facets = response.json()["facet_results"]
    assert {"verdict", "topics", "claim_type", "certainty"} <= set(facets)
    topics = {r["value"]: r["count"] for r in facets["topics"]["results"]}
    assert topics == {"bed-rest": 1, "imaging": 1}


async def test_filter_by_topic_array(ds):
    response = await ds.client.get("/sciatica/claims.json?topics__arraycontains=imaging&_shape=array")
    assert [r["id"] for r in response.json()] == ["mri-bulges-common-without-pain"]


async def test_topic_and_article_facets_count_through_link_tables(repo_db):
    """Unfiltered, the facets read the build's precomputed counts; filtered, they count through
    claim_topics / appearances. Both must equal a direct count, and selecting a value filters
    with Datasette's _through (and the selected value's link removes it again)."""
    import json
    import sqlite3
    import urllib.parse

    conn = sqlite3.connect(repo_db)
    expected_topics = dict(conn.execute("select topic_id, count(*) from claim_topics group by 1"))
    overstated = dict(conn.execute(
        "select ct.topic_id, count(*) from claim_topics ct join claims c on c.id = ct.claim_id "
        "where c.verdict = 'overstated' group by 1"))
    articles = dict(conn.execute("select article_id, count(distinct claim_id) from appearances "
                                 "group by 1"))
    conn.close()
    ds = site_for(repo_db)

    async def facet(query, name):
        response = await ds.client.get(f"/sciatica/claims.json?_extra=facet_results&_facet_size=max&{query}")
        assert response.status_code == 200
        data = response.json()
        assert name in data["facet_results"]  # a facet that timed out is left out of the JSON
        return {r["value"]: r for r in data["facet_results"][name]["results"]}

    topics = await facet("", "topics")
    assert {v: r["count"] for v, r in topics.items()} == expected_topics
    assert topics["bed-rest"]["label"] != "bed-rest"  # the topic's label, not its id
    assert {v: r["count"] for v, r in (await facet("verdict=overstated", "topics")).items()} == overstated
    assert {v: r["count"] for v, r in (await facet("", "articles")).items()} == articles

    toggle = topics["bed-rest"]["toggle_url"]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(toggle).query)
    assert json.loads(query["_through"][0]) == {"table": "claim_topics", "column": "topic_id",
                                                "value": "bed-rest"}
    through = urllib.parse.urlencode({"_through": query["_through"][0]})
    response = await ds.client.get(f"/sciatica/claims.json?_shape=array&{through}")
    assert len(response.json()) == expected_topics["bed-rest"]
    selected = await facet(urllib.parse.urlsplit(toggle).query, "topics")
    assert selected["bed-rest"]["selected"] and selected["bed-rest"]["count"] == expected_topics["bed-rest"]
    assert "_through" not in selected["bed-rest"]["toggle_url"]


async def test_counted_facets_equal_a_direct_count(repo_db):
    """Unfiltered, verdict/type/certainty and the studies' facets come from the build's
    facet_counts; filtered, from Datasette's column facet. Both must equal a direct count."""
    import json
    import sqlite3

    conn = sqlite3.connect(repo_db)
    ds = site_for(repo_db)
    for table, column, query, where in (
            ("claims", "verdict", "", ""), ("claims", "claim_type", "", ""),
            ("claims", "claim_type", "verdict=overstated", "where verdict = 'overstated'"),
            ("refs", "year", "", ""), ("refs", "design", "verification=partial",
                                       "where verification = 'partial'")):
        expected = dict(conn.execute(f"select {column}, count(*) from {table} {where} "
                                     f"{'and' if where else 'where'} {column} is not null group by 1"))
        response = await ds.client.get(f"/sciatica/{table}.json?_extra=facet_results&_facet_size=max&{query}")
        facet = response.json()["facet_results"][column]
        assert {r["value"]: r["count"] for r in facet["results"]} == expected, (table, column, query)
        first = facet["results"][0]
        assert f"{column}=" in first["toggle_url"]
        if not query:  # what the unfiltered page read
            stored = {json.loads(v): n for v, n in conn.execute(
                "select value_json, count from facet_counts where table_name = ? and column_name = ?",
                (table, column))}
            assert stored == expected
    conn.close()


@pytest.mark.parametrize("query", ["_search=disc", "verdict=overstated", "_search=pain&_facet_size=2",
                                   "_search=pain&verdict=supported&certainty=moderate"])
async def test_counted_facets_on_a_filtered_page_equal_datasettes_column_facets(repo_db, query):
    """The counted facets of a filtered page come from one read of the matching rows; they
    must be exactly what Datasette's column facet gives for each column (values, counts, order,
    labels, toggle links, selection, truncation)."""
    from datasette.facets import ColumnFacet
    from datasette.utils.asgi import Request

    from kb.site.plugins.link_facets import CountedFacet

    ds = site_for(repo_db)
    await ds.invoke_startup()
    request = Request.fake(f"/sciatica/claims?{query}")
    where, params = [], {}
    if "_search=" in query:
        where.append("rowid in (select rowid from claims_fts where claims_fts match :search)")
        params["search"] = dict(p.split("=") for p in query.split("&"))["_search"]
    for column in ("verdict", "certainty"):
        if f"{column}=" in query:
            where.append(f"{column} = :{column}")
            params[column] = dict(p.split("=") for p in query.split("&"))[column]
    sql = "select * from claims where " + " and ".join(where)
    metadata = ds.table_metadata("sciatica", "claims")
    facet = CountedFacet(ds, request, "sciatica", sql=sql, table="claims", params=params, metadata=metadata)
    ours = await facet.facet_results()
    column = await ColumnFacet.facet_results(facet)  # the same facet, Datasette's own way
    assert ours == column and ours[0] and ours[0][0]["results"]


@pytest.mark.parametrize("query", ["_search=disc", "verdict=overstated", "_search=pain&_facet_size=2",
                                   "_search=pain&verdict=supported"])
async def test_link_facets_counted_from_the_json_lists_equal_the_link_tables(repo_db, query):
    """A filtered link facet with an ``array`` counts from the claims' JSON lists in the page's
    one read of the matching rows; it must be exactly the count through the link table."""
    import copy

    from datasette.utils.asgi import Request

    from kb.site.plugins.link_facets import LinkFacet

    ds = site_for(repo_db)
    await ds.invoke_startup()
    args = dict(p.split("=") for p in query.split("&"))
    where, params = [], {}
    if "_search" in args:
        where.append("rowid in (select rowid from claims_fts where claims_fts match :search)")
        params["search"] = args["_search"]
    if "verdict" in args:
        where.append("verdict = :verdict")
        params["verdict"] = args["verdict"]
    sql = "select * from claims where " + " and ".join(where)
    metadata = ds.table_metadata("sciatica", "claims")
    assert sum(1 for f in metadata["facets"] if isinstance(f, dict) and f.get("link", {}).get("array")) == 2
    plain = copy.deepcopy(metadata)
    for f in plain["facets"]:
        if isinstance(f, dict) and "link" in f:
            f["link"].pop("array")
    results = []
    for meta in (metadata, plain):
        facet = LinkFacet(ds, Request.fake(f"/sciatica/claims?{query}"), "sciatica", sql=sql,
                          table="claims", params=params, metadata=meta)
        results.append(await facet.facet_results())
    assert results[0] == results[1] and len(results[0][0]) == 2 and results[0][0][0]["results"]


@pytest.mark.parametrize("search", ["disc", "pain", "bed rest"])
async def test_a_search_only_page_counts_its_facets_once_from_the_pass_started_on_arrival(
        repo_db, monkeypatch, search):
    """A search-only claims page starts its facet counts when the request arrives
    (kb.site.facet_pass), on its own SQL for the search; the page's facets must use that one
    read alone, and it must count exactly what Datasette's own search filter matches (the same
    page with one more argument counts the rows of Datasette's facet SQL)."""
    from urllib.parse import quote

    from kb.site import facet_pass

    calls = []
    real = facet_pass.count_pass

    async def recorded(ds_, database, sql, params, columns, arrays):
        counts = await real(ds_, database, sql, params, columns, arrays)
        calls.append((sql, counts))
        return counts

    monkeypatch.setattr(facet_pass, "count_pass", recorded)
    ds = site_for(repo_db)
    await ds.invoke_startup()
    page = await ds.client.get(f"/sciatica/claims?_search={quote(search)}&_size=100")
    assert page.status_code == 200 and "facet-results" in page.text
    ours = facet_pass.SEARCH_SQL.format(table="claims", fts="claims_fts")
    assert len(calls) == 1 and calls[0][0] == ours
    early = calls[0][1]
    calls.clear()
    other = await ds.client.get(f"/sciatica/claims?_search={quote(search)}&_size=100&_facet_size=6")
    assert other.status_code == 200 and len(calls) == 1
    assert calls[0][0] != ours  # Datasette's own SQL
    assert calls[0][1] == early and sum(early["verdict"].values()) > 1 and early["topics"]


@pytest.mark.parametrize("search", ['%22', '%22%22%22', '%00'])
async def test_a_search_fts5_cannot_parse_leaves_no_failed_early_facet_count(repo_db, caplog, search):
    """The page's own query reports the search it cannot run (400); the facet counts started
    when the request arrived fail quietly instead of logging an exception nobody retrieved."""
    import gc
    import logging

    ds = site_for(repo_db)
    await ds.invoke_startup()
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        response = await ds.client.get(f"/sciatica/claims?_search={search}&_size=100")
        await asyncio.sleep(0.05)
        gc.collect()
    assert response.status_code == 400
    assert not [r for r in caplog.records if "never retrieved" in r.getMessage()]


async def test_search_finds_a_known_claim(ds):
    response = await ds.client.get("/sciatica/claims.json?_search=bed+rest&_shape=array")
    assert [r["id"] for r in response.json()] == ["bed-rest-worsens-sciatica"]


async def test_refs_and_appearances_have_facets(ds):
    refs = (await ds.client.get("/sciatica/refs.json?_extra=facet_results")).json()
    assert {"year", "design", "journal"} <= set(refs["facet_results"])
    aps = (await ds.client.get("/sciatica/appearances.json?_extra=facet_results")).json()
    assert "article_id" in aps["facet_results"]


@pytest.mark.parametrize("query", ["contradicted_claims", "claims_without_evidence",
                                   "citations_that_do_not_check_out"])
async def test_canned_queries_run(ds, query):
    response = await ds.client.get(f"/sciatica/{query}.json?_shape=array")
    assert response.status_code == 200
    assert isinstance(response.json(), list)


async def test_claims_by_topic_canned_query(ds):
    response = await ds.client.get("/sciatica/claims_by_topic.json?topic=bed-rest&_shape=array")
    assert [r["id"] for r in response.json()] == ["bed-rest-worsens-sciatica"]


async def test_every_table_and_column_is_described(ds, metadata):
    tables = metadata["databases"]["sciatica"]["tables"]
    db = ds.get_database("sciatica")
    for table in await db.table_names():
        if table.endswith(("_fts", "_fts_config", "_fts_data", "_fts_docsize", "_fts_idx")) or \
                table.startswith("sqlite_"):  # SQLite's own (sqlite_stat1 from analyze)
            continue
        assert tables.get(table, {}).get("description"), f"{table} has no description"
        described = set(tables[table].get("columns", {}))
        missing = set(await db.table_columns(table)) - described
        assert not missing, f"{table}: columns without a description: {missing}"
    for view in await db.view_names():
        assert tables.get(view, {}).get("description"), f"view {view} has no description"


@pytest.fixture
def real_ds(repo_db):
    return site_for(repo_db)


async def test_check_page_form(real_ds):
    response = await real_ds.client.get("/-/check")
    assert response.status_code == 200
    assert '<textarea id="draft" name="draft"' in response.text


async def test_check_page_reports_a_draft_with_links_to_claims(real_ds):
    import re
    form = await real_ds.client.get("/-/check")
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text).group(1)
    response = await real_ds.client.post(
        "/-/check",
        data={"csrftoken": token,
              "draft": "Staying in bed for a week makes sciatica worse (Smith and Jones, 2019)."},
        cookies={"ds_csrftoken": form.cookies["ds_csrftoken"]})
    assert response.status_code == 200
    html = response.text
    assert 'href="/sciatica/claims/bed-rest-worsens-sciatica"' in html
    assert "overstated" in html and "citation-unresolved" in html
    assert "Needs attention" in html


async def test_check_page_explains_empty_input(real_ds):
    import re
    form = await real_ds.client.get("/-/check")
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text).group(1)
    response = await real_ds.client.post(
        "/-/check", data={"csrftoken": token, "draft": "   "},
        cookies={"ds_csrftoken": form.cookies["ds_csrftoken"]})
    assert response.status_code == 200 and "the draft is empty" in response.text


async def test_check_json_for_editors_tools(real_ds):
    """POST /-/check.json: the same report as kb check, for a JSON body, a form or plain text;
    no CSRF token needed (it only reads)."""
    import json as json_

    draft = "Cauda equina syndrome is common and harmless."
    for kwargs in ({"content": json_.dumps({"draft": draft}),
                    "headers": {"content-type": "application/json"}},
                   {"data": {"draft": draft}},
                   {"content": draft, "headers": {"content-type": "text/plain"}}):
        response = await real_ds.client.post("/-/check.json", **kwargs)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["schema_version"] == 2 and report["summary"]["needs_attention"]
        (item,) = report["attention"]
        assert item["verdict"] == "contradicted" and item["stance"] == "denies" and item["fix"]
    bad = await real_ds.client.post("/-/check.json", content="{not json",
                                    headers={"content-type": "application/json"})
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]
    empty = await real_ds.client.post("/-/check.json", data={"draft": "  "})
    assert empty.status_code == 400
