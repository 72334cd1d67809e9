"""kb.text.normalise skips the synonym patterns a text cannot match (a substring gate read off
each pattern's literals); it must give exactly what applying every pattern in turn gives."""

import re
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.text import _GATED, SYNONYMS, normalise, normalise_reference

ROOT = Path(__file__).resolve().parent.parent


def real_texts() -> list[str]:
    texts = []
    for path in [*(ROOT / "claims").rglob("*.yaml"), *(ROOT / "claims" / "articles").glob("*.txt"),
                 *(ROOT / "tests" / "data" / "real_articles").glob("*.yaml"),
                 ROOT / "tests" / "data" / "check_cases.yaml"]:
        text = path.read_text(encoding="utf-8")
        texts += [line for line in text.splitlines() if line.strip()]
        texts += re.split(r"(?<=[.!?])\s+", text)
    return texts


def test_the_gate_gives_the_reference_result_on_every_real_text():
    texts = real_texts()
    assert len(texts) > 5000
    changed = 0
    for text in texts:
        assert normalise(text) == normalise_reference(text), text
        changed += normalise_reference(text) != text
    assert changed > 500  # the texts do exercise the synonyms


def test_every_pattern_has_a_gate_and_its_examples_pass_it():
    """Each gate is a necessary condition: every match of the pattern in the real texts holds it."""
    assert len(_GATED) == len(SYNONYMS) and all(gate for _, _, gate in _GATED)
    corpus = "\n".join(real_texts())
    for rx, _, gate in _GATED:
        for m in rx.finditer(corpus):
            low = m.group(0).lower()
            assert all(any(s in low for s in strings) for strings in gate), (rx.pattern, m.group(0))


WORDS = sorted({w for _, _, gate in _GATED for strings in gate for s in strings for w in s.split()}
               | {"nine", "in", "ten", "out", "of", "pain", "meds", "goes", "away", "lying", "bed",
                  "scan", "x-ray", "Advil", "NSAIDs", "as", "soon", "starts", "Sciatica", "İ", "ſcan"})


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS + [",", ".", "the", "a", "9", "10", "%"]), max_size=14))
def test_the_gate_gives_the_reference_result_on_generated_text(words):
    text = " ".join(words)
    assert normalise(text) == normalise_reference(text)
