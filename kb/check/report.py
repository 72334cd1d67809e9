"""Step 6 of the check: the flags each sentence raises, the fix for each, and the summary.

A flag names the problem; its ``fix`` is what a writer can do about it: the better source to
cite, or wording that matches the certainty of the evidence (kb.vocab.GRADE_WORDING: high
"does", moderate "probably", low "may", very low "it is uncertain whether"). ``attention`` is the
one-screen list a writer reads first: one line per flagged sentence; ``summary.to_check`` lists
the sentences that only resemble a known claim.
"""

from __future__ import annotations

import re
from collections import Counter

from ..vocab import CHECK_FLAGS, GRADE_WORDING, SENTENCE_VERDICT_DISPLAY
from .verdict import FLAG_OF

# What makes a sentence need a source when it cites none.
_NUMBER = r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
CLAIM_LIKE = [
    # "80%", "nine in ten", "95 cases in 100", "about half of people", "6-12 weeks", "four to
    # twelve weeks" (a range of durations is a figure of the course)
    (re.compile(r"\d+(?:\.\d+)?\s*(?:%|percent|per cent)|\b(?:\d+|one|two|three|four|five|six|seven|"
                r"eight|nine|ten)\s+(?:(?:cases|people|patients|adults)\s+)?(?:in|out of)\s+(?:every\s+)?"
                r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|a hundred|100)\b|"
                r"\b(?:half|a third|a quarter|two[ -]thirds|three[ -]quarters) of (?:all )?(?:people|patients|"
                r"cases|adults|those|sufferers)\b|"
                rf"\b{_NUMBER}\s*(?:-|\u2013|to)\s*{_NUMBER}\s+(?:days|weeks|months|years)\b", re.I),
     "gives a figure"),
    (re.compile(r"\b(?:research|studies|study|evidence|science|scientists|experts|trials?|data|"
                r"doctors|researchers|guidelines|statistics)\s+(?:\w+\s+){0,2}(?:shows?|showed|shown|proves?|"
                r"proven|suggests?|found|finds|confirms?|demonstrates?|says|indicates?|has shown|have shown|"
                r"concluded|concludes?|states?|have looked)\b|"
                r"\b(?:clinically|scientifically)\s+proven\b|\b(?:is|are|been) proven\b|\bproven to\b|"
                r"\bstudies (?:show|have)\b", re.I),
     "appeals to research"),
]


def _first(text: str | None) -> str:
    text = (text or "").strip()
    m = re.match(r"(.+?[.!?])(?:\s|$)", text)
    return m.group(1) if m else text


def _best(match: dict, stance: str | None = None) -> dict | None:
    for e in match["evidence"]:
        if stance is None or e["stance"] == stance:
            return e
    return None


def _source(e: dict | None) -> str:
    if not e:
        return ""
    return e.get("citation") or e["ref_key"]


def _fix(code: str, record: dict, top: dict | None, cite: dict | None = None) -> str:
    certainty = (top or {}).get("certainty")
    wording = GRADE_WORDING.get(certainty or "", "")
    if code == "contradicted" and top:
        if top["stance"] in ("denies", "myth"):
            e = _best(top, "supports")
            return (f"The evidence supports what this denies: \u201c{top['statement']}\u201d "
                    f"({certainty or 'unrated'} certainty). Rewrite to agree with it"
                    + (f"; {wording}" if wording else "") + (f". Source: {_source(e)}" if e else "") + ".")
        e = _best(top, "contradicts")
        return (f"The evidence says otherwise: {_first(top['reasoning'])} Remove or correct the sentence"
                + (f"; cite {_source(e)}" if e else "") + ".")
    if code == "overstated" and top:
        e = _best(top, "supports") or _best(top)
        return (f"Say no more than the evidence does ({certainty or 'unrated'} certainty): "
                + (wording + "; " if wording else "") + _first(top["reasoning"])
                + (f" Source: {_source(e)}." if e else ""))
    if code == "unsupported" and top:
        searched = f" (searched for: {_first(top['searched_for'])})" if top.get("searched_for") else ""
        return ("No adequate evidence was found for this" + searched + ". Remove it, or say it is "
                "unproven, or cite a study that shows it.")
    if code == "figure-differs" and top:
        e = _best(top, "supports") or _best(top)
        return (f"Check the figure: {top['figure_note']}. Use the figure the evidence gives"
                + (f" ({_source(e)})" if e else "") + ".")
    if code == "needs-source":
        if top and record.get("verdict") == "consistent":
            e = _best(top, "supports")
            return f"Cite the evidence for it: {_source(e)}." if e else "Cite a source for it."
        return "Cite a source for the figure or the research it appeals to, or remove it."
    if cite is not None:
        if code == "citation-unresolved":
            return f"Check \u201c{cite['text']}\u201d: {cite['detail']}. Give the study's authors and year."
        if code == "citation-mismatch":
            return (f"Correct the citation to the study it names: {cite['reference'] or cite['key']}.")
        if code == "citation-not-supporting" and top:
            e = _best(top, "supports" if top["stance"] == "asserts" else "contradicts")
            return ("Cite a study that supports the sentence" + (f", e.g. {_source(e)}" if e else "")
                    + ", or change the sentence to say what the cited study found.")
        if code == "citation-withdrawn":
            status = cite["ref_status"] or {}
            better = f" (replaced by {status['superseded_by']})" if status.get("superseded_by") else ""
            return f"Cite current evidence instead of a {status.get('status', 'withdrawn')} study{better}."
    return ""


def sentence_flags(record: dict, plain: str, sourced_nearby: bool = False) -> list[dict]:
    """The flags an assertion raises, each with its message and fix. ``sourced_nearby``: a
    sentence just before it named the source it goes on reporting ("In the study by Vroomen
    ... After two weeks, 70% felt better")."""
    flags = []
    top = record["matches"][0] if record["matches"] else None

    def add(code: str, message: str, cite: dict | None = None):
        if not any(f["code"] == code for f in flags):
            flags.append({"code": code, "message": message, "fix": _fix(code, record, top, cite)})

    if top:
        code = FLAG_OF.get(record["verdict"])
        if code:
            add(code, f"{CHECK_FLAGS[code]}: it {top['stance'].replace('asserts', 'says')} "
                      f"\u201c{top['statement']}\u201d ({top['claim_verdict']}); {record['verdict_reason']}")
        # (a figure differs from a claim's only if the sentence is seen to make that claim: against
        # a claim it only resembles, "unsure", the figures may be of something else)
        if top["figure_agrees"] is False and top["stance"] == "asserts" and record["verdict"] != "unsure":
            add("figure-differs", f"{CHECK_FLAGS['figure-differs']}: {top['figure_note']}")
    for c in record["citations"]:
        if c["status"] == "unknown" and c["formal"]:
            add("citation-unresolved", f"{c['text']}: {c['detail']}", c)
        elif c["status"] == "mismatch":
            add("citation-mismatch", f"{c['text']}: {c['detail']}", c)
        known = c["known_check"]
        asserted = {m["claim_id"] for m in record["matches"] if m["stance"] == "asserts"}
        if known and known["status"] == "does-not-support" and c["key"] == known["ref_key"] \
                and known["claim_id"] in asserted:
            add("citation-not-supporting", f"{c['text']}: a source article ({known['article_id']}) "
                f"was caught citing it for a claim it does not support: {known['reason']}", c)
        if c["ref_status"] and c["ref_status"]["status"] in ("retracted", "superseded"):
            add("citation-withdrawn", f"{c['text']}: {c['key']} is {c['ref_status']['status']}: "
                f"{c['ref_status']['note']}", c)
        against = [f for f in c["for_claims"] if f["for_sentence"] in ("contradicts", "does-not-support")]
        if against and not any(f["for_sentence"] == "supports" for f in c["for_claims"]):
            f = against[0]
            add("citation-not-supporting", f"{c['text']}: the knowledge base records {c['key']} as "
                f"{'contradicting' if f['recorded'] == 'contradicts' else 'not supporting'} "
                f"\u201c{f['claim_id']}\u201d, which this sentence "
                f"{'asserts' if f['for_sentence'] == f['recorded'] else 'denies'}", c)
    if not sourced_nearby and not any(c["names_a_source"] for c in record["citations"]):
        reasons = [why for rx, why in CLAIM_LIKE if rx.search(plain)]
        if reasons:
            add("needs-source", f"{CHECK_FLAGS['needs-source']} ({'; '.join(reasons)})")
    return flags


def attention(sentences: list[dict]) -> list[dict]:
    """One line per flagged sentence: what it says, the problem, the claim it rests on, the fix."""
    lines = []
    for s in sentences:
        top = s["matches"][0] if s["matches"] else None
        if s["flags"]:
            lines.append({
                "index": s["index"], "text": s["text"],
                "verdict": s["verdict"],
                "verdict_label": SENTENCE_VERDICT_DISPLAY.get(s["verdict"] or "", {}).get("label"),
                "problems": [f["code"] for f in s["flags"]],
                "claim_id": top["claim_id"] if top else None,
                "claim": top["statement"] if top else None,
                "claim_verdict": top["claim_verdict"] if top else None,
                "stance": top["stance"] if top else None,
                "cue": top["stance_cue"] if top else None,
                "fix": s["flags"][0]["fix"],
            })
    return lines


def summary(sentences: list[dict], fail_on: tuple[str, ...]) -> dict:
    flags = Counter(f["code"] for s in sentences for f in s["flags"])
    verdicts = Counter(s["verdict"] for s in sentences if s["verdict"])
    roles = Counter(s["role"] for s in sentences)
    citations = Counter(c["status"] for s in sentences for c in s["citations"])
    failing = sorted(code for code in flags if code in fail_on)
    return {
        "sentences": len(sentences),
        "assertions": roles.get("assertion", 0),
        "sentences_matched": sum(1 for s in sentences if s["matches"]),
        "roles": dict(sorted(roles.items())),
        "verdicts": dict(sorted(verdicts.items())),
        "citations_by_status": dict(sorted(citations.items())),
        "flags": dict(sorted(flags.items())),
        # sentences that resemble a known claim without clearly making it: "check the wording"
        "to_check": [s["index"] for s in sentences if s["verdict"] == "unsure" and not s["flags"]],
        "fail_on": list(fail_on),
        "needs_attention": bool(failing),
        "failing_flags": failing,
    }
