"""PyStemmer (Snowball in C) is what stems text when installed; it must give the same stems as
snowballstemmer's pure-Python English stemmer, which defines the algorithm, on real text: every
word of the claims, the references and the labelled real articles."""

import re
from pathlib import Path

import pytest

from kb.text import stem

ROOT = Path(__file__).resolve().parent.parent


def real_words() -> set[str]:
    words: set[str] = set()
    paths = [*(ROOT / "claims").rglob("*.yaml"), ROOT / "references.bib",
             *(ROOT / "tests" / "data" / "real_articles").glob("*.yaml")]
    for path in paths:
        words.update(re.findall(r"[a-z]+", path.read_text(encoding="utf-8").lower()))
    return words


def test_the_c_stemmer_equals_the_reference_stemmer_on_real_text():
    Stemmer = pytest.importorskip("Stemmer")
    from snowballstemmer.english_stemmer import EnglishStemmer
    words = real_words()
    assert len(words) > 5000
    reference, fast = EnglishStemmer(), Stemmer.Stemmer("english")
    differ = sorted(w for w in words if reference.stemWord(w) != fast.stemWord(w))
    assert differ == []
    # ... and the project's stem() gives the reference stems.
    assert all(stem(w) == reference.stemWord(w) for w in sorted(words)[:3000])


def test_kb_stems_with_the_c_stemmer_when_it_is_installed():
    pytest.importorskip("Stemmer")
    import snowballstemmer
    import Stemmer
    assert isinstance(snowballstemmer.stemmer("english"), Stemmer.Stemmer)
