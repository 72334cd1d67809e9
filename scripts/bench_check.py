#!/usr/bin/env python3
"""Benchmark `kb check`: matching quality on the labelled set, and speed on a 2,000-word
draft against the real knowledge base (scripts/bench.py times it on synthetic ones of 100k+).

    .venv/bin/python scripts/bench_check.py

Prints figures; asserts nothing. Timings are wall-clock on a shared machine: compare the
ratios printed from one run rather than absolute times across runs.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb.build import build  # noqa: E402
from kb.check.engine import MATCH_THRESHOLD, Checker  # noqa: E402
from kb.check.evaluate import evaluate, load_cases  # noqa: E402
from kb.sources import load_project  # noqa: E402

CASES = REPO / "tests" / "data" / "check_cases.yaml"


def make_draft(cases: list[dict], n_words: int = 2000, seed: int = 1) -> str:
    """A draft of about n_words: labelled sentences (positives, negatives, citations) in
    paragraphs of five, shuffled, like an article mixing claims and filler."""
    rng = random.Random(seed)
    sentences, count = [], 0
    while count < n_words:
        case = rng.choice(cases)
        sentences.append(case["text"])
        count += len(case["text"].split())
    paragraphs = [" ".join(sentences[i:i + 5]) for i in range(0, len(sentences), 5)]
    return "# A draft about sciatica\n\n" + "\n\n".join(paragraphs) + "\n"


def time_check(db: Path, draft: str, repeats: int = 3) -> tuple[float, float, dict]:
    """(median seconds for connect + Checker + check, median for check alone, last report)."""
    totals, checks, report = [], [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        checker = Checker(conn)
        t1 = time.perf_counter()
        report = checker.check(draft)
        t2 = time.perf_counter()
        conn.close()
        totals.append(t2 - t0)
        checks.append(t2 - t1)
    return statistics.median(totals), statistics.median(checks), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()

    cases = load_cases(CASES)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sciatica.db"
        t0 = time.perf_counter()
        build(REPO, db)
        print(f"real knowledge base built in {time.perf_counter() - t0:.2f} s")

        conn = sqlite3.connect(db)
        result = evaluate(Checker(conn), cases)
        print(f"\nQuality on {len(cases)} labelled sentences ({result['positives']} paraphrases, "
              f"{result['negatives']} negatives, {result['citations']} citations), "
              f"threshold {MATCH_THRESHOLD}:")
        print(f"  recall@1                      {result['recall_at_1']:.3f}")
        print(f"  recall@3                      {result['recall_at_3']:.3f}")
        print(f"  negatives left unmatched      {result['negatives_unmatched']:.3f}")
        print(f"  citation resolution accuracy  {result['citation_accuracy']:.3f}")
        for miss in result["misses"]:
            print(f"  miss: {miss}")
        print("  (the threshold and weights were tuned on this same set: treat these as "
              "in-sample figures)")

        draft = make_draft(cases)
        n_words = len(draft.split())
        total, check_only, report = time_check(db, draft)
        print(f"\nSpeed, {n_words}-word draft ({report['summary']['sentences']} sentences), "
              f"real knowledge base ({len(load_project(REPO).claims)} claims):")
        print(f"  check {check_only:.3f} s; with connect and set-up {total:.3f} s (median of 3)")


if __name__ == "__main__":
    main()
