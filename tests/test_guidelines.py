"""Guideline recommendations are evidence of their own: numbered, listed, and shown on claim pages."""

import sqlite3

from kb.sources import load_project
from tests.conftest import CLAIMS, site_for, write_kb


def test_recommendations_are_listed_with_the_claims_they_decide(repo_db):
    conn = sqlite3.connect(repo_db)
    rows = conn.execute("select recommendation, claim_id from guideline_recommendations "
                        "where ref_key = 'nice2016sciatica' and recommendation is not null").fetchall()
    assert ("1.1.4", "imaging-not-routinely-needed") in rows
    assert {r for r, _ in rows} >= {"1.1.3", "1.1.4"}


async def test_claim_page_names_the_recommendation(repo_db):
    response = await site_for(repo_db).client.get("/sciatica/claims/imaging-not-routinely-needed")
    assert "Recommendation 1.1.4" in response.text


def test_a_recommendation_number_is_validated(tmp_path):
    bad = CLAIMS.replace("        stance: supports\n", "        stance: supports\n        recommendation: one point four\n", 1)
    problems = [str(p) for p in load_project(write_kb(tmp_path / "kb", **{"claims/claims.yaml": bad})).problems]
    assert any("recommendation must be its number as read" in p for p in problems), problems
