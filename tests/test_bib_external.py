"""The importer over real-world BibTeX: the committed hard cases in tests/data/bib/ (always),
and every file in ../shared/external/bib/ when it is beside the checkout.

For each file: either every entry is imported (compared with an independent count of
`@type{key,` headers), or the import reports problems that each name the file and a line.
The direct LaTeX decoder and the chunked parse are held equal to pylatexenc and to a
whole-file parse on the same files.
"""

import re
from pathlib import Path

import pytest

from kb.sources.bibtex import parse_bibtex
from tests.conftest import EXTERNAL_BIB, REPO

FIXTURES = REPO / "tests" / "data" / "bib"
FIXTURE_FILES = sorted(FIXTURES.glob("*.bib"))
FILES = sorted(EXTERNAL_BIB.rglob("*.bib")) if EXTERNAL_BIB.is_dir() else []
CORPORA = {"fixtures": (FIXTURES, FIXTURE_FILES), "external": (EXTERNAL_BIB, FILES)}
# An entry header: @type{key,  or @type(key,  (not @string, @preamble or @comment); the
# comma may follow on the next line ("comma-first" style).
HEADER = re.compile(r"@(?!string\b|preamble\b|comment\b)[a-z_]+\s*[{(]\s*[^\s,{}()=\"]+\s*,", re.I)


def header_count(data: bytes) -> int:
    text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode(
        "utf-8-sig", errors="replace")
    return len(HEADER.findall(_without_comment_blocks(text)))


def _without_comment_blocks(text: str) -> str:
    """Headers inside an @comment{...} block (braces balanced, nested to any depth) are not
    entries: drop those blocks."""
    out, pos = [], 0
    for m in re.finditer(r"@comment[ \t]*\{", text, re.I):
        if m.start() < pos:
            continue
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        out.append(text[pos:m.start()])
        pos = i
    return "".join(out) + text[pos:]


@pytest.mark.parametrize("path", FIXTURE_FILES + FILES, ids=[
    str(p.relative_to(FIXTURES if p.is_relative_to(FIXTURES) else EXTERNAL_BIB)) for p in FIXTURE_FILES + FILES])
def test_every_entry_imported_or_problem_named(path: Path):
    data = path.read_bytes()
    name = path.name
    refs, problems = parse_bibtex(data, name)
    for problem in problems:
        assert problem.file == name and problem.line >= 1 and problem.message
    if not problems:
        assert len(refs) == header_count(data), f"{name}: imported {len(refs)} entries"
        for ref in refs:  # each imported entry keeps its original text and decoded fields
            assert ref.raw.lstrip().startswith("@") and ref.key


def test_the_folder_has_the_hard_cases():
    if not FILES:
        pytest.skip("../shared/external/bib is not beside this checkout")
    outcomes = {str(p.relative_to(EXTERNAL_BIB)): parse_bibtex(p.read_bytes(), p.name)[1] for p in FILES}
    assert len(FILES) >= 100
    assert any("not valid UTF-8" in p.message for ps in outcomes.values() for p in ps)
    assert any("duplicate citation key" in p.message for ps in outcomes.values() for p in ps)
    assert any("cannot parse BibTeX" in p.message for ps in outcomes.values() for p in ps)


@pytest.mark.parametrize("corpus,minimum", [("fixtures", 15), ("external", 1000)])
def test_fast_latex_decoding_agrees_with_pylatexenc(corpus, minimum):
    """The direct decoder for common LaTeX must give exactly pylatexenc's text (or defer to it),
    checked on every LaTeX-bearing field value in the files."""
    import logging

    import bibtexparser
    from pylatexenc.latex2text import LatexNodes2Text

    from kb.sources.bibtex import _NEEDS_DECODING, _fast_latex, decode_bibtex_bytes

    _, files = CORPORA[corpus]
    if not files:
        pytest.skip("../shared/external/bib is not beside this checkout")
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    values = set()
    for path in files:
        text, _ = decode_bibtex_bytes(path.read_bytes(), path.name)
        if text is None:
            continue
        for entry in bibtexparser.parse_string(text).entries:
            values.update(str(f.value) for f in entry.fields if _NEEDS_DECODING.search(str(f.value)))
    reference = LatexNodes2Text()
    checked = 0
    for value in sorted(values)[:2500]:
        fast = _fast_latex(value)
        if fast is not None:
            checked += 1
            assert fast == reference.latex_to_text(value), value
    assert checked > minimum


@pytest.mark.parametrize("corpus,minimum", [("fixtures", 25), ("external", 5000)])
def test_chunked_parse_equals_whole_file_parse(corpus, minimum):
    """Large files are parsed a chunk of entries at a time (bounded memory); on every
    real-world file, tiny chunks give exactly the references, lines and problems of one."""
    from kb.sources.bibtex import _parse_text, decode_bibtex_bytes, parse_bibtex_chunks

    _, files = CORPORA[corpus]
    if not files:
        pytest.skip("../shared/external/bib is not beside this checkout")
    size = 7 if corpus == "external" else 2
    compared = 0
    for path in files:
        data = path.read_bytes()
        text, errs = decode_bibtex_bytes(data, "f.bib")
        if text is None:
            continue
        whole_refs, whole_problems, _, _ = _parse_text(text, "f.bib")
        refs, problems = [], list(errs)
        seen = set()
        for chunk_refs, chunk_problems in parse_bibtex_chunks(data, "f.bib", size=size):
            refs += [r for r in chunk_refs if r.key not in seen]  # first wins, as in one parse
            seen |= {r.key for r in chunk_refs}
            problems += chunk_problems
        assert [(r.key, r.fields, r.raw) for r in refs] == \
            [(r.key, r.fields, r.raw) for r in whole_refs], path.name
        lines = text.split("\n")
        for r in refs:  # each line names the entry's header line in the file
            assert r.key in lines[r.line - 1], (path.name, r.key, r.line)
        dup = "duplicate citation key"  # across chunks, reported by the caller instead
        assert sorted(p.message for p in problems if dup not in p.message) == \
            sorted(p.message for p in whole_problems if dup not in p.message), path.name
        compared += len(refs)
    assert compared > minimum
