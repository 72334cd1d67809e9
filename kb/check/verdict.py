"""Step 4 of the check: the sentence's verdict, from the claim's verdict and the sentence's stance.

The claim's verdict says what the evidence says about the claim as the knowledge base words it;
the sentence may assert it, deny it or only share its subject. This table (documented in
docs/check-json.md) turns the two into what the evidence says about the *sentence*:

| claim verdict \\ stance | asserts                    | denies / myth  | topic  |
|------------------------|----------------------------|----------------|--------|
| supported              | consistent                 | contradicted   | unsure |
| mostly-supported       | consistent                 | contradicted   | unsure |
| overstated             | overstated (hedged: consistent) | consistent | unsure |
| unsupported            | unsupported                | unsure         | unsure |
| contradicted           | contradicted               | consistent     | unsure |
| not-checkable          | not-checkable              | not-checkable  | unsure |

Two refinements: a sentence that states a supported claim with an absolute the claim lacks
("always", "cures") is overstated; one that hedges an overstated claim to the evidence's
certainty ("may help" for an overstated "helps", a hedge the claim's own wording lacks) is
consistent. Only ``consistent`` ever shows a
green badge; a denied or unclear match never does. The engine (kb.check.engine) holds a red flag
to the same bar as a green badge: a match resting on resemblance alone is ``unsure`` either way.
"""

from __future__ import annotations

TABLE = {
    ("supported", "asserts"): "consistent", ("supported", "denies"): "contradicted",
    ("mostly-supported", "asserts"): "consistent", ("mostly-supported", "denies"): "contradicted",
    ("overstated", "asserts"): "overstated", ("overstated", "denies"): "consistent",
    ("unsupported", "asserts"): "unsupported", ("unsupported", "denies"): "unsure",
    ("contradicted", "asserts"): "contradicted", ("contradicted", "denies"): "consistent",
    ("not-checkable", "asserts"): "not-checkable", ("not-checkable", "denies"): "not-checkable",
}
# The flag a sentence verdict raises.
FLAG_OF = {"contradicted": "contradicted", "overstated": "overstated", "unsupported": "unsupported"}


def sentence_verdict(claim_verdict: str, stance: str, sentence_strength: int = 0,
                     claim_strength: int = 0) -> tuple[str, str]:
    """(sentence verdict, why) for a sentence with ``stance`` towards a claim of ``claim_verdict``.
    Strengths: +1 absolute, -1 hedged, 0 plain (kb.check.stance.strength)."""
    if stance == "topic":
        return "unsure", "it shares the claim's subject but does not clearly assert or deny it"
    polarity = "asserts" if stance == "asserts" else "denies"
    verdict = TABLE[(claim_verdict, polarity)]
    if verdict == "consistent" and polarity == "asserts" and sentence_strength > 0 and claim_strength <= 0:
        return "overstated", "it states the claim as certain or universal, which the evidence does not"
    if verdict == "overstated" and sentence_strength < claim_strength:
        # "may help" for an overstated "helps"; a "can" where the claim already says "can" is
        # no hedge below it.
        return "consistent", "it hedges the claim, as the evidence allows"
    why = {
        ("consistent", "asserts"): "it says what the evidence supports",
        ("consistent", "denies"): f"it denies a claim the evidence finds {claim_verdict}",
        ("contradicted", "asserts"): "it says what the evidence contradicts",
        ("contradicted", "denies"): "it denies what the evidence supports",
        ("overstated", "asserts"): "it says more, or more certainly, than the evidence allows",
        ("unsupported", "asserts"): "no adequate evidence backs it",
        ("unsure", "denies"): "it denies a claim for which there is no adequate evidence either way",
        ("not-checkable", "asserts"): "no study could test it as worded",
        ("not-checkable", "denies"): "no study could test it as worded",
    }
    return verdict, why.get((verdict, polarity), "")
