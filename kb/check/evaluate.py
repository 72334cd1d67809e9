"""Measuring `kb check` on a labelled set of sentences (tests/data/check_cases.yaml)."""

from __future__ import annotations

from pathlib import Path

import yaml

from .engine import Checker


def load_cases(path: Path) -> list[dict]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))["cases"]


def evaluate(checker: Checker, cases: list[dict]) -> dict:
    """recall@1 and recall@3 over positives (any accepted claim id counts), the share of
    negatives left unmatched, and citation-resolution accuracy (status and key)."""
    hits1 = hits3 = positives = negatives_clean = negatives = 0
    cite_ok = cite_total = 0
    misses: list[dict] = []
    for case in cases:
        report = checker.check(case["text"])
        ranked = [m["claim_id"] for s in report["sentences"] for m in s["matches"]]
        expected = set(case["claims"])
        if expected:
            positives += 1
            hits1 += bool(ranked[:1] and ranked[0] in expected)
            hit3 = bool(expected & set(ranked[:3]))
            hits3 += hit3
            if not hit3:
                misses.append({"text": case["text"], "expected": sorted(expected), "got": ranked[:3]})
        else:
            negatives += 1
            negatives_clean += not ranked
            if ranked:
                misses.append({"text": case["text"], "expected": [], "got": ranked[:3]})
        got = [c for s in report["sentences"] for c in s["citations"]]
        for i, want in enumerate(case.get("citations") or []):
            cite_total += 1
            c = got[i] if i < len(got) else None
            ok = c is not None and c["status"] == want["status"] and (
                "key" not in want or c["key"] == want["key"])
            cite_ok += ok
            if not ok:
                misses.append({"text": case["text"], "citation": want,
                               "got": c and {"status": c["status"], "key": c["key"]}})
    return {
        "positives": positives, "negatives": negatives, "citations": cite_total,
        "recall_at_1": hits1 / positives if positives else 0.0,
        "recall_at_3": hits3 / positives if positives else 0.0,
        "negatives_unmatched": negatives_clean / negatives if negatives else 0.0,
        "citation_accuracy": cite_ok / cite_total if cite_total else 0.0,
        "misses": misses,
    }
