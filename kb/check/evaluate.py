"""Measuring `kb check` against labels: the old sentence set (tests/data/check_cases.yaml) and
real articles labelled sentence by sentence (tests/data/real_articles/, see its README).

Pure functions over the checker's reports and the labels; scripts/bench_check.py prints them
for the tuning and the test half separately.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

from .engine import Checker

# The labels' flag names and the report's flag codes are the same vocabulary (kb.vocab.CHECK_FLAGS).
POLARITY = {"asserts": 1, "denies": -1, "myth": -1}


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
        # Recall counts the claims the report shows for the sentence: matches, then related claims
        # ("check the wording"). A negative is unmatched when nothing is reported as a match: a
        # related claim is explicitly not the sentence's claim. The real-article figures below
        # count matches only.
        ranked = [m["claim_id"] for s in report["sentences"] for m in s["matches"] + s.get("related", [])]
        matched = [m["claim_id"] for s in report["sentences"] for m in s["matches"]]
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
            negatives_clean += not matched
            if matched:
                misses.append({"text": case["text"], "expected": [], "got": matched[:3]})
        # The set labels formal citations only; narrative mentions ("a large trial") are extra.
        got = [c for s in report["sentences"] for c in s["citations"] if c.get("kind", "author-year") == "author-year"]
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


# --- real articles ---------------------------------------------------------------------------

def load_articles(folder: Path) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """(articles by id, split) from a labelled-articles folder."""
    folder = Path(folder)
    split = yaml.safe_load((folder / "split.yaml").read_text(encoding="utf-8"))
    articles = {}
    for path in sorted(folder.glob("*.yaml")):
        if path.name != "split.yaml":
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            articles[doc["id"]] = doc
    return articles, {"tuning": split["tuning"], "test": split["test"]}


def _align(article: dict, report: dict) -> list[tuple[dict, dict | None]]:
    """Each labelled sentence with the report sentence that covers most of it (or None)."""
    text, pos, out = article["text"], 0, []
    sentences = report["sentences"]
    for label in article["sentences"]:
        start = text.find(label["text"], pos)
        if start < 0:
            out.append((label, None))
            continue
        end = start + len(label["text"])
        pos = end
        best, overlap = None, 0
        for s in sentences:
            o = min(end, s["end"]) - max(start, s["start"])
            if o > overlap:
                best, overlap = s, o
        out.append((label, best))
    return out


def _accepted(label: dict) -> set[str]:
    claim = label.get("claim")
    if not claim or claim == "not-in-kb":
        return set()
    return {claim, *(label.get("also") or [])}


def evaluate_articles(checker: Checker, articles: list[dict]) -> dict:
    """The figures issue 13 asks for, over the labelled sentences of ``articles``."""
    n = Counter()
    flag_wrong, flag_missed = Counter(), Counter()
    misses: list[dict] = []
    for article in articles:
        report = checker.check(article["text"])
        for label, got in _align(article, report):
            assertion = label.get("role") == "assertion"
            accepted = _accepted(label)
            stance_label = label.get("stance")
            flags_label = set(label.get("flags") or [])
            matches = (got or {}).get("matches") or []
            top = matches[0] if matches else None
            role = (got or {}).get("role", "assertion")
            n["sentences"] += 1
            n["assertions"] += assertion
            if got is not None and (role == "assertion") == assertion:
                n["role_right"] += 1
            # Match precision: a reported top claim is the sentence's assertion.
            if top:
                n["reported"] += 1
                right = assertion and top["claim_id"] in accepted
                n["reported_right"] += right
                if not right:
                    misses.append({"article": article["id"], "text": label["text"][:120],
                                   "expected": sorted(accepted) or label.get("claim") or label.get("role"),
                                   "got": top["claim_id"], "kind": "wrong match"})
            # Recall on claims the knowledge base holds (asserted, denied or called a myth).
            if assertion and accepted and stance_label in POLARITY:
                n["holdable"] += 1
                hit = bool(top and top["claim_id"] in accepted)
                n["recalled"] += hit
                if not hit:
                    misses.append({"article": article["id"], "text": label["text"][:120],
                                   "expected": sorted(accepted), "got": top and top["claim_id"],
                                   "kind": "missed"})
                else:
                    # Stance, where the claim was found.
                    n["stance_scored"] += 1
                    stance = top.get("stance", "asserts")
                    same = stance == stance_label or {stance, stance_label} == {"denies", "myth"}
                    n["stance_right"] += same
                    if not same:
                        misses.append({"article": article["id"], "text": label["text"][:120],
                                       "expected": stance_label, "got": stance, "kind": "stance"})
                    if POLARITY.get(stance, 0) * POLARITY[stance_label] < 0:
                        n["opposite"] += 1
            # Never a green badge on a false sentence.
            verdict = (got or {}).get("verdict")
            if verdict == "consistent" and "contradicted" in flags_label:
                n["green_on_false"] += 1
            # Flags, on the sentences the checker saw.
            raised = {f["code"] for f in (got or {}).get("flags", [])}
            if not assertion:
                n["non_claims"] += 1
                n["non_claims_flagged"] += bool(raised)
            for code in raised:
                n["flags_raised"] += 1
                if code in flags_label:
                    n["flags_right"] += 1
                else:
                    flag_wrong[code] += 1
            for code in flags_label - raised:
                flag_missed[code] += 1
            n["flags_labelled"] += len(flags_label)
            # Citations: found (by overlapping text) and resolved to the labelled key.
            found = (got or {}).get("citations", [])
            for cite in label.get("citations") or []:
                n["citations"] += 1
                hit = next((c for c in found if c["text"] in cite["text"] or cite["text"] in c["text"]
                            or _overlaps(c, cite, label, got)), None)
                n["citations_found"] += hit is not None
                want = cite["resolves"]
                if want not in ("not-in-kb", "unresolvable"):
                    n["citations_resolvable"] += 1
                    n["citations_resolved"] += bool(hit and hit.get("key") == want)
    ratio = lambda a, b: (n[a] / n[b]) if n[b] else None  # noqa: E731
    return {
        "counts": dict(n),
        "match_precision": ratio("reported_right", "reported"),
        "recall": ratio("recalled", "holdable"),
        "stance_accuracy": ratio("stance_right", "stance_scored"),
        "opposite_polarity": n["opposite"],
        "green_on_false": n["green_on_false"],
        "flags_right": ratio("flags_right", "flags_raised"),
        "flags_wrong_share": (1 - n["flags_right"] / n["flags_raised"]) if n["flags_raised"] else None,
        "flags_recall": ratio("flags_right", "flags_labelled"),
        "non_claims_flagged": n["non_claims_flagged"],
        "role_accuracy": ratio("role_right", "sentences"),
        "citation_detection": ratio("citations_found", "citations"),
        "citation_resolution": ratio("citations_resolved", "citations_resolvable"),
        "flags_wrong_by_code": dict(flag_wrong), "flags_missed_by_code": dict(flag_missed),
        "misses": misses,
    }


def _overlaps(found: dict, cite: dict, label: dict, got: dict) -> bool:
    """A found citation overlaps the labelled one's position in the sentence."""
    at = got["text"].find(cite["text"])
    if at < 0:
        return False
    start = got["start"] + at
    return found["start"] < start + len(cite["text"]) and start < found["end"]
