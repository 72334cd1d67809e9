"""fast_format (direct APA/AMA formatting) gives exactly citeproc-py's text, or None."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kb import cite_format
from kb.sources.bibtex import decode_latex as _decode
from kb.cite_format import citeproc_format, csl_item, fast_format
from kb.references import format_references
from tests.conftest import REPO

STYLES = ("apa", "american-medical-association")
# as kb.references reads them (fields_bibtex says whether the author list ends "and others")
COLS = ["key", "entry_type", "title", "journal", "year", "volume", "number", "pages", "doi", "url",
        "fields_bibtex"]

from kb import generate as generate_kb


def db_items(path) -> list[dict]:
    """Every reference of a built database as the CSL item format_references makes of it."""
    conn = sqlite3.connect(path)
    try:
        rows = [dict(zip(COLS, r)) for r in conn.execute(f"select {', '.join(COLS)} from refs")]
        authors: dict[str, list] = {}
        for key, family, given_ in conn.execute(
                "select ref_key, family, given from ref_authors order by ref_key, position"):
            authors.setdefault(key, []).append((family, given_))
    finally:
        conn.close()
    return [csl_item(row, authors.get(row["key"], [])) for row in rows]


def assert_same(item: dict, style: str) -> str | None:
    fast = fast_format(item, style)
    if fast is not None:
        assert fast == citeproc_format(item, style), item
    return fast


# --- the repository's own references ------------------------------------------------------------

@pytest.fixture(scope="module")
def repo_items(repo_db) -> list[dict]:
    return db_items(repo_db)


@pytest.mark.parametrize("style", STYLES)
def test_repository_references_fast_equals_citeproc(repo_items, style):
    handled = [item["id"] for item in repo_items if assert_same(item, style) is not None]
    journal = [item for item in repo_items if item["type"] == "article-journal"]
    print(f"{style}: fast path for {len(handled)} of {len(repo_items)} references "
          f"({len(journal)} journal articles)")
    assert len(handled) >= len(journal) / 2
    # a journal article with authors, year and journal goes the fast way
    assert {"brinjikji2015imaging", "valat2010sciatica", "gilligan2021reactiv8",
            "hides2001recurrence", "crane2012massage"} <= set(handled)


def test_format_references_takes_the_fast_path_and_falls_back(repo_db, repo_items, monkeypatch):
    slow_calls = []
    real = cite_format.citeproc_format

    def counting(item, style=cite_format.DEFAULT_STYLE):
        slow_calls.append(item["id"])
        return real(item, style)

    monkeypatch.setattr(cite_format, "_fast_path_agrees", lambda style: True)
    monkeypatch.setattr(cite_format, "citeproc_format", counting)
    keys = [item["id"] for item in repo_items]
    conn = sqlite3.connect(repo_db)
    try:
        out = format_references(conn, keys, "apa")
        assert set(out) == set(keys)
        expected_slow = {item["id"] for item in repo_items if fast_format(item, "apa") is None}
        assert set(slow_calls) == expected_slow
        by_key = {item["id"]: item for item in repo_items}
        for key in expected_slow:  # the fallback still formats
            assert out[key] == real(by_key[key], "apa")
        stored = dict(conn.execute("select key, citation_apa from refs"))
        assert out == {k: v for k, v in stored.items()}  # same as the build wrote
        slow_calls.clear()
        format_references(conn, keys, "chicago-author-date")  # other styles: citeproc only
        assert sorted(slow_calls) == sorted(keys)
    finally:
        conn.close()


@pytest.mark.parametrize("style", STYLES)
def test_canaries_are_handled_and_agree(style):
    cite_format._fast_path_agrees.cache_clear()
    assert all(fast_format(c, style) is not None for c in cite_format._CANARIES)
    assert cite_format._fast_path_agrees(style)


def test_canary_disagreement_disables_the_fast_path(monkeypatch):
    item = cite_format._CANARIES[0]
    monkeypatch.setattr(cite_format, "fast_format", lambda item, style: "something else")
    cite_format._fast_path_agrees.cache_clear()
    try:
        assert cite_format.format_item(item, "apa") == citeproc_format(item, "apa")
    finally:
        cite_format._fast_path_agrees.cache_clear()


# --- shapes deliberately left to citeproc -------------------------------------------------------

PLAIN = {"id": "p", "type": "article-journal", "title": "Bed rest for sciatica",
         "container-title": "Spine", "issued": {"date-parts": [[2005]]}, "volume": "30",
         "issue": "5", "page": "542-546", "DOI": "10.1097/01.brs.0000154625.02586.95",
         "author": [{"family": "Hagen", "given": "Kåre Birger"}]}


@pytest.mark.parametrize("change", [
    {"type": "chapter"}, {"type": "report"}, {"author": [{"literal": "NICE"}]},
    {"author": [{"family": "Berg", "given": "anna de la"}]},   # lowercase particle in given
    {"author": [{"family": "Berg", "given": "A."}, {"family": "Smith", "given": ""}]},
    {"author": []}, {"issued": None}, {"container-title": None}, {"title": ""},
    {"issued": {"date-parts": [[2005, 3]]}}, {"issued": {"date-parts": [[999]]}},
    {"page": "12, 15"}, {"page": "12-"}, {"page": "1-2-3"}, {"volume": ""},
    {"title": 'A <span class="nocase">pH</span> title'}, {"title": "Two  spaces"},
    {"language": "en-US"}, {"container-title-short": "Sp"},
    {"editor": [{"family": "E", "given": "F"}]},
])
@pytest.mark.parametrize("style", STYLES)
def test_unhandled_shapes_fall_back(change, style):
    item = {**PLAIN, **change}
    item = {k: v for k, v in item.items() if v is not None}
    assert fast_format(item, style) is None


def test_other_styles_fall_back():
    assert fast_format(PLAIN, "chicago-author-date") is None
    assert fast_format(PLAIN, "vancouver") is None


@pytest.mark.parametrize("style", STYLES)
def test_plain_item(style):
    assert assert_same(PLAIN, style) is not None


# --- generated items --------------------------------------------------------------------------

GIVEN = ["Anna", "J. Andr\u00e9", "Bart W.", "S\u00f8ren", "Chris G.", "Li", "K. B.", "R.W.J.G.",
         "Jean-Pierre", "J.-P.", "\u00c9mile", "\u00c5sa", "Marc", "\u0141ukasz", "Ines Maria"]
FAMILY = ["van der Berg", "O'Brien", "da Silva", "M\u00fcller", "Garc\u00eda", "\u00d8stergaard",
          "Nov\u00e1k", "de Vries", "Smith", "Plaza-Manzano", "Fern\u00e1ndez-de-las-Pe\u00f1as",
          "Dupr\u00e9", "Nguyen", "Al Qaraghli", "McNair"]
WORDS = ["bed", "rest", "for", "the", "sciatica", "of", "and", "in", "MRI", "\u00e9tudes", "a",
         "review", "Cochrane", "pain:", "low-back", "(CES)", "trial", "on", "versus", "e-health",
         "\u00dcbersicht", "with", "to", "an", "meta-analysis"]
JOURNALS = ["Spine", "BMJ", "European Spine Journal", "journal of physiotherapy",
            "Journal of Neurosurgery: Spine", "Best Practice & Research Clinical Rheumatology",
            "The Spine Journal", "J. Neurol.", "Am J Med",
            "neuromodulation: technology at the neural interface", "Archives of physical medicine and rehabilitation", "Pain"]
LETTER = st.characters(categories=["Lu", "Ll"], max_codepoint=0x24F)


@st.composite
def words(draw, min_size=1, max_size=10):
    parts = draw(st.lists(st.sampled_from(WORDS) | st.text(LETTER, min_size=1, max_size=8),
                          min_size=min_size, max_size=max_size))
    return " ".join(parts)


@st.composite
def names(draw):
    family = draw(st.sampled_from(FAMILY) | st.builds(
        lambda a, b: a.capitalize() + b, st.text(LETTER, min_size=1, max_size=8),
        st.sampled_from(["", "-Smith", "'s", " van Dijk"])))
    given_ = draw(st.sampled_from(GIVEN) | st.lists(
        st.text(LETTER, min_size=1, max_size=6).map(str.capitalize), min_size=1, max_size=3)
        .map(" ".join))
    return {"family": family, "given": given_}


def page_part(draw):
    return draw(st.sampled_from(["", "E", "e", "S"])) + str(draw(st.integers(1, 3000))) + \
        draw(st.sampled_from(["", "", "ra13", ".e20"]))


@st.composite
def pages(draw):
    first = page_part(draw)
    kind = draw(st.sampled_from(["single", "range", "range", "en-dash", "double-hyphen"]))
    if kind == "single":
        return first
    last = page_part(draw)
    return first + {"range": "-", "en-dash": "\u2013", "double-hyphen": "--"}[kind] + last


@st.composite
def journal_items(draw, plain=False):
    """Journal articles of the shape fast_format handles; ``plain`` keeps to the common case."""
    n = draw(st.integers(1, 25))
    if plain:
        authors = [{"family": draw(st.sampled_from(FAMILY)), "given": draw(st.sampled_from(GIVEN))}
                   for _ in range(n)]
    else:
        authors = draw(st.lists(names(), min_size=n, max_size=n))
    title = draw(words(2, 14))
    if not plain:
        title += draw(st.sampled_from(["", "", "?", ".", "!", ":", " (a review)", "..."]))
    item = {"id": draw(st.sampled_from(["ref1", "Key2024", "x"])), "type": "article-journal",
            "title": title[0].upper() + title[1:],
            "container-title": draw(st.sampled_from(JOURNALS) | words(1, 5)),
            "issued": {"date-parts": [[draw(st.integers(1000, 2030) | st.sampled_from(["1999"]))]]},
            "author": authors}
    optional = {
        "volume": st.integers(1, 400).map(str) | st.sampled_from(["36", "12A", "2-3"]),
        "issue": st.integers(1, 12).map(str) | st.sampled_from(["7607", "Suppl 2", "3-4"]),
        "page": pages(),
        "DOI": st.integers(0, 10**6).map(lambda i: f"10.5555/synthetic.{i}")
        | st.sampled_from(["10.1016/S0003-9993(95)80582-6", "10.1002/14651858.CD007612.pub2"]),
        "URL": st.sampled_from(["https://example.org/a", "http://x.org/b?c=d."]),
    }
    for key, strategy in optional.items():
        if plain and key in ("volume", "page", "DOI"):
            item[key] = draw(strategy)
        elif plain and key == "URL":
            continue
        elif draw(st.booleans()):
            item[key] = draw(strategy)
    if "page" in item:
        item["page"] = item["page"].replace("--", "-")  # as csl_item does
    return item


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journal_items(), st.sampled_from(STYLES))
def test_generated_items_fast_equals_citeproc(item, style):
    event("handled" if assert_same(item, style) is not None else "fallback")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journal_items(plain=True), st.sampled_from(STYLES))
def test_plain_common_case_is_handled(item, style):
    assert assert_same(item, style) is not None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journal_items(), st.sampled_from(STYLES))
def test_generated_truncated_items_fast_equals_citeproc(item, style):
    """An author list cut short in the source ("and others") ends in the ET_AL name: both
    formatters lay it out as a last name and write "et al." once, in its place."""
    item["author"].append(dict(cite_format.ET_AL))
    fast = assert_same(item, style)
    event("handled" if fast is not None else "fallback")
    text = fast or citeproc_format(item, style)
    assert text.count("et al.") >= 1 and cite_format.ET_AL_MARK not in text
    assert "& et al." not in text and "et al.." not in text


# Anything at all in the text fields: whatever fast_format accepts must match citeproc-py.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), min_size=0, max_size=12)
NASTY = st.sampled_from([".", ",", "?", ":", ";", " ", "  ", "-", "\u2013", "&", "(", ")", "..",
                         "\u00a0", '<span class="nocase">', "</span>", "e", "A", "1", "ß", "ǅ"])
TEXTISH = st.lists(st.sampled_from(WORDS + ["12", "E5", "10.1/x"]) | NASTY | ANY_TEXT,
                   min_size=0, max_size=5).map("".join)


@st.composite
def wild_items(draw):
    """A handled item with one or two of its text fields replaced by anything at all."""
    item = draw(journal_items())
    item["author"] = item["author"][:draw(st.integers(1, 8))]
    fields = ["title", "container-title", "volume", "issue", "page", "DOI", "URL", "family",
              "given"]
    for field in draw(st.lists(st.sampled_from(fields), min_size=1, max_size=2, unique=True)):
        if field in ("family", "given"):
            draw(st.sampled_from(item["author"]))[field] = draw(TEXTISH)
        else:
            item[field] = draw(TEXTISH)
    return item


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wild_items(), st.sampled_from(STYLES))
def test_wild_items_fast_equals_citeproc_or_none(item, style):
    fast = fast_format(item, style)
    event("handled" if fast is not None else "fallback")
    if fast is not None:
        assert fast == citeproc_format(item, style), item


# --- the synthetic generator's references (the 1M-claim benchmark) ----------------------------

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(STYLES))
def test_generator_shaped_items_are_handled(data, style):
    n = data.draw(st.integers(1, 8))
    authors = [{"family": _decode(data.draw(st.sampled_from(generate_kb.FAMILIES))),
                "given": _decode(data.draw(st.sampled_from(generate_kb.GIVEN)))} for _ in range(n)]
    r = data.draw(st.integers(0, 10**6))
    words_ = " ".join(data.draw(st.sampled_from(generate_kb.WORDS)) for _ in range(8)).capitalize()
    item = {"id": f"ref{r:07d}", "type": "article-journal",
            "title": _decode(f"{words_} in {{MRI}} and {{\\'e}}tudes"),
            "container-title": data.draw(st.sampled_from(list(generate_kb.JOURNALS.values()))),
            "issued": {"date-parts": [[data.draw(st.integers(1990, 2025))]]},
            "volume": str(data.draw(st.integers(1, 400))),
            "page": _decode(f"{r % 900 + 1}--{r % 900 + 9}").replace("--", "-"),
            "DOI": f"10.5555/synthetic.{r}", "author": authors}
    assert assert_same(item, style) is not None


@pytest.fixture(scope="module")
def synthetic_items(tmp_path_factory) -> list[dict]:
    from kb.build import build

    root = tmp_path_factory.mktemp("synthetic")
    generate_kb.generate(root / "kb", 240, seed=3)
    build(root / "kb", root / "kb.db")
    return db_items(root / "kb.db")


@pytest.mark.parametrize("style", STYLES)
def test_synthetic_kb_references_all_take_the_fast_path(synthetic_items, style):
    assert len(synthetic_items) >= 50  # the generator writes a reference per three claims
    for item in synthetic_items:
        assert assert_same(item, style) is not None, item
