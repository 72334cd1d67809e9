"""Matching quality on the labelled set (tests/data/check_cases.yaml).

These bounds guard against regressions; scripts/bench_check.py prints the exact figures.
"""

import sqlite3

import pytest

from kb.check import Checker
from kb.check.evaluate import evaluate, load_cases
from tests.conftest import REPO

CASES = REPO / "tests" / "data" / "check_cases.yaml"


@pytest.fixture(scope="module")
def result(repo_db):
    return evaluate(Checker(sqlite3.connect(repo_db)), load_cases(CASES))


def test_labelled_set_is_big_enough():
    cases = load_cases(CASES)
    assert len(cases) >= 80
    assert sum(1 for c in cases if not c["claims"]) >= 20
    assert sum(1 for c in cases if c.get("citations")) >= 10


def test_labelled_claim_ids_exist(tmp_path):
    from kb.sources import load_project
    ids = {c.id for c in load_project(REPO).claims}
    for case in load_cases(CASES):
        assert set(case["claims"]) <= ids, case["text"]


def test_recall_at_3(result):
    assert result["recall_at_3"] >= 0.9, result["misses"]


def test_negatives_stay_unmatched(result):
    assert result["negatives_unmatched"] >= 0.9, result["misses"]


def test_citation_resolution_accuracy(result):
    assert result["citation_accuracy"] >= 0.9, result["misses"]


def test_recall_at_1(result):
    # 0.80 ranked by the best text's overlap alone; 0.87 with each claim's bm25 over all its
    # texts weighing the rank (kb.check.candidates).
    assert result["recall_at_1"] >= 0.85, result["misses"]
