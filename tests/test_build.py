import sqlite3

import pytest
import sqlite_utils

from kb.build import build, is_stale
from kb.sources import ValidationFailed
from tests.conftest import CLAIMS, TOPICS, write_kb


@pytest.fixture
def db_path(mini_kb):
    path = mini_kb / "sciatica.db"
    build(mini_kb, path)
    return path


def test_tables_keys_and_rows(db_path):
    db = sqlite_utils.Database(db_path)
    assert {"claims", "claim_topics", "topics", "topic_aliases", "articles", "appearances",
            "citation_checks", "refs", "ref_authors", "evidence", "commercial_interests",
            "vocabulary", "build_info"} <= set(db.table_names())
    assert {"claim_overview", "article_scorecard", "citation_problems",
            "claims_without_evidence", "evidence_detail"} <= set(db.view_names())
    assert db["claims"].pks == ["id"] and db["refs"].pks == ["key"]
    fks = {(fk.column, fk.other_table) for fk in db["appearances"].foreign_keys}
    assert fks == {("article_id", "articles"), ("claim_id", "claims")}
    assert db["claims"].count == 2 and db["appearances"].count == 3
    assert db["citation_checks"].count == 1
    authors = list(db.query("select family, given from ref_authors where ref_key = 'hagen2005bedrest' "
                            "order by position"))
    assert authors[0] == {"family": "Hagen", "given": "Kåre Birger"}
    ref = db["refs"].get("brinjikji2015imaging")
    assert ref["journal"] == "American Journal of Neuroradiology"  # @string expanded
    assert ref["bibtex"].startswith("@article{brinjikji2015imaging") and "journal = ajnr" in ref["bibtex"]
    assert ref["year"] == 2015


def test_facet_columns_are_indexed(db_path):
    db = sqlite_utils.Database(db_path)
    indexed = {tuple(i.columns) for i in db["claims"].indexes}
    assert {("verdict",), ("claim_type",), ("certainty",)} <= indexed
    assert {("year",), ("design",), ("journal",)} <= {tuple(i.columns) for i in db["refs"].indexes}


def test_full_text_search(db_path):
    db = sqlite_utils.Database(db_path)
    assert [r["id"] for r in db["claims"].search("bulges")] == ["mri-bulges-common-without-pain"]
    assert [r["id"] for r in db["appearances"].search("Cochrane")] == [
        "demo-article/bed-rest-worsens-sciatica@61"]
    assert [r["key"] for r in db["refs"].search("neuroradiology")] == ["brinjikji2015imaging"]


def test_views_answer_common_questions(db_path):
    db = sqlite_utils.Database(db_path)
    score = next(db.query("select * from article_scorecard"))
    assert score["appearances"] == 3 and score["claims"] == 2
    assert score["supported"] == 1 and score["overstated"] == 2
    assert score["citations"] == 1 and score["citations_accurate"] == 1
    overview = {r["id"]: r for r in db.query("select * from claim_overview")}
    assert overview["bed-rest-worsens-sciatica"]["appearances"] == 2
    assert overview["bed-rest-worsens-sciatica"]["mixed"] == 1
    assert list(db.query("select * from claims_without_evidence")) == []


def test_build_is_deterministic(mini_kb, tmp_path):
    build(mini_kb, tmp_path / "a.db")
    build(mini_kb, tmp_path / "b.db")
    dump = lambda p: list(sqlite3.connect(p).iterdump())  # noqa: E731
    assert dump(tmp_path / "a.db") == dump(tmp_path / "b.db")


def test_failed_build_leaves_previous_database_untouched(db_path, mini_kb):
    before = db_path.read_bytes()
    (mini_kb / "claims/claims.yaml").write_text(CLAIMS.replace("verdict: supported", "verdict: maybe"))
    with pytest.raises(ValidationFailed) as info:
        build(mini_kb, db_path)
    assert any("verdict 'maybe'" in str(p) for p in info.value.problems)
    assert db_path.read_bytes() == before
    assert [p.name for p in db_path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_staleness_follows_the_inputs(db_path, mini_kb):
    assert not is_stale(mini_kb, db_path)
    (mini_kb / "claims/claims.yaml").write_text(CLAIMS + "\n# a comment\n")
    assert is_stale(mini_kb, db_path)
    assert is_stale(mini_kb, mini_kb / "missing.db")


def test_a_statement_with_qualifiers_is_matched_by_its_core_too(repo_db):
    """Each statement with brackets or an "especially ..." qualifier has its core among the
    claim's matching texts, and only there: the claim's search document (bm25) counts the
    statement's words once."""
    from kb.text import CORE_SOURCE, statement_core

    assert statement_core("Bed rest (prolonged rest or inactivity) makes sciatica worse.") == \
        "Bed rest makes sciatica worse."
    assert statement_core("Massage therapy gives effective relief for sciatica, especially when caused "
                          "by muscle tension.") == "Massage therapy gives effective relief for sciatica."
    assert statement_core("Most sciatica is not dangerous.") == "Most sciatica is not dangerous."
    conn = sqlite3.connect(repo_db)
    statements = dict(conn.execute("select id, statement from claims"))
    cores = dict(conn.execute("select claim_id, tokens from claim_texts where source = ?", (CORE_SOURCE,)))
    assert set(cores) == {c for c, s in statements.items() if statement_core(s) != s}
    assert "bed-rest-worsens-sciatica" in cores
    for claim_id in cores:
        texts = [t for (t,) in conn.execute("select tokens from claim_texts where claim_id = ? and source != ?",
                                            (claim_id, CORE_SOURCE))]
        document = conn.execute("select tokens from claim_search where claim_id = ?", (claim_id,)).fetchone()[0]
        assert sorted(document.split()) == sorted(" ".join(texts).split())


def test_near_topics_are_stored_both_ways_round(tmp_path):
    good = TOPICS.replace("aliases: [MRI, scan]", "aliases: [MRI, scan]\n    near: [bed-rest]")
    db = tmp_path / "kb.db"
    build(write_kb(tmp_path / "kb", **{"claims/topics.yaml": good}), db)
    rows = sqlite3.connect(db).execute("select topic_id, near_id from topic_near order by 1").fetchall()
    assert rows == [("bed-rest", "imaging"), ("imaging", "bed-rest")]


