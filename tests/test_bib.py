from pathlib import Path

from kb.sources.bibtex import parse_bibtex


def parse(text, name="refs.bib"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_bibtex(data, name)


def test_macros_accents_and_names_are_decoded():
    refs, problems = parse(r"""
@string{nejm = {New England Journal of Medicine}}
@article{k1,
  author = {Vroomen, P. C. and de Krom, Marc and Knottnerus, J. Andr{\'e}},
  title = {Lack of effectiveness of {bed} rest},
  journal = nejm,
  year = 1999,
}
""")
    assert problems == []
    (ref,) = refs
    assert ref.key == "k1" and ref.line == 3
    assert ref.fields["journal"] == "New England Journal of Medicine"
    assert ref.fields["title"] == "Lack of effectiveness of bed rest"
    assert [(a.family, a.given) for a in ref.authors] == [
        ("Vroomen", "P. C."), ("de Krom", "Marc"), ("Knottnerus", "J. André")]
    assert r"Andr{\'e}" in ref.raw  # the original text is kept


def test_duplicate_key_is_an_error_with_both_lines():
    refs, problems = parse("@article{a, title={One}}\n\n@article{a, title={Two}}\n")
    assert [r.key for r in refs] == ["a"]
    assert [str(p) for p in problems] == [
        "refs.bib:3: duplicate citation key 'a' (first defined on line 1)"]


def test_broken_block_is_reported_with_its_line_and_others_survive():
    refs, problems = parse("@article{good, title={Fine}}\n@article{bad title={x}}\n"
                           "@article{also, title={Fine}}\n")
    assert {r.key for r in refs} >= {"good"}
    assert len(problems) == 1
    assert problems[0].line == 2 and "cannot parse BibTeX" in problems[0].message


def test_latin1_bytes_are_an_error_naming_the_line():
    data = "@article{a,\n  title = {Caf\u00e9},\n}\n".encode("latin-1")
    refs, problems = parse(data)
    assert refs == []
    assert [str(p) for p in problems] == [
        "refs.bib:2: byte 0xe9 is not valid UTF-8; save the file as UTF-8 (it may be Latin-1 or Windows-1252)"]


def test_utf8_bom_and_utf16_are_read():
    text = "@article{a, title={Na\u00efve}, year={2001}}\n"
    for data in (b"\xef\xbb\xbf" + text.encode("utf-8"), text.encode("utf-16")):
        refs, problems = parse(data)
        assert problems == [] and refs[0].fields["title"] == "Naïve"


def test_duplicate_field_is_an_error():
    refs, problems = parse("@article{a,\n title={One},\n title={Two}\n}\n")
    assert refs == []
    assert "more than once" in problems[0].message and problems[0].line == 1


# Real-world files from other projects' test suites.

def test_external_latin1_file_fails_cleanly(external_bib):
    path = external_bib / "biber-tdata" / "encoding1.bib"
    refs, problems = parse_bibtex(path.read_bytes(), "encoding1.bib")
    assert refs == [] and problems[0].line == 4 and "not valid UTF-8" in problems[0].message


def test_external_biblatex_examples_all_parse(external_bib):
    path = external_bib / "biblatex-examples.bib"
    refs, problems = parse_bibtex(path.read_bytes(), "biblatex-examples.bib")
    assert problems == []
    assert len(refs) == 92
    by_key = {r.key: r for r in refs}
    # LaTeX accents in names are decoded for display.
    assert any("ö" in a.family or "é" in a.family or "ü" in a.family
               for r in refs for a in r.authors)
    assert all(r.raw.lstrip().startswith("@") for r in by_key.values())


def test_external_duplicate_keys_are_reported_not_dropped(external_bib):
    path = external_bib / "jabref-testbib" / "issue-13689-duplicate-key-empty-entries.bib"
    refs, problems = parse_bibtex(path.read_bytes(), "dup.bib")
    assert any("duplicate citation key 'many'" in p.message and p.line == 20 for p in problems)


def test_external_broken_blocks_are_reported(external_bib):
    path = external_bib / "bibtex-tidy-fixtures" / "others" / "example1.bib"
    refs, problems = parse_bibtex(path.read_bytes(), "example1.bib")
    assert [p.line for p in problems] == [26, 38, 48]
    assert "duplicate @string macro 'mar' (first defined on line 42)" in problems[2].message
    assert len(refs) == 7


def test_braced_corporate_author_stays_one_name():
    refs, problems = parse("@misc{n, author = {{National Institute for Health and Care Excellence}},"
                           " title = {NG59}, year = {2016}}\n")
    assert problems == []
    assert [(a.family, a.given) for a in refs[0].authors] == [
        ("National Institute for Health and Care Excellence", "")]


def test_entry_without_key_is_an_error():
    refs, problems = parse("@article{ok, title={A}}\n@article{,\n title={No key}\n}\n")
    assert [r.key for r in refs] == ["ok"]
    assert [str(p) for p in problems] == ["refs.bib:2: @article entry has no citation key"]


# The committed hard cases (tests/data/bib/): always run, on a fresh clone too.

FIXTURES = Path(__file__).parent / "data" / "bib"


def fixture(name):
    return parse_bibtex((FIXTURES / name).read_bytes(), name)


def test_fixture_latin1_names_the_line_of_the_first_bad_byte():
    refs, problems = fixture("latin1.bib")
    assert refs == [] and [(p.line, p.file) for p in problems] == [(4, "latin1.bib")]
    assert "byte 0xfc is not valid UTF-8" in problems[0].message


def test_fixture_utf16_and_utf8_boms_decode_to_the_same_entry():
    (a,), pa = fixture("utf16-le-bom.bib")
    (b,), pb = fixture("utf8-bom.bib")
    assert pa == pb == [] and a.fields == b.fields and a.fields["title"] == "Straße, café and naïve"
    assert [x.family for x in a.authors] == ["Ørsted", "Müller"]


def test_fixture_duplicates_and_repeated_fields_are_reported_not_dropped():
    refs, problems = fixture("duplicates.bib")
    assert [r.key for r in refs] == ["same2010key", "other2011key"]
    assert [(p.line, p.message) for p in problems] == [
        (13, "duplicate citation key 'same2010key' (first defined on line 1)"),
        (19, "entry has the field(s) title more than once")]


def test_fixture_broken_blocks_are_reported_and_the_rest_imported():
    refs, problems = fixture("broken.bib")
    assert [r.key for r in refs] == ["good2001first", "good2003second", "good2005third"]
    assert [p.line for p in problems] == [7, 19]
    assert all("cannot parse BibTeX" in p.message for p in problems)


def test_fixture_accents_macros_and_comments():
    refs, _ = fixture("accents.bib")
    by_key = {r.key: r for r in refs}
    assert [a.family for a in by_key["lukasiewicz2001letters"].authors] == [
        "Łukasiewicz", "Straßer", "Åström", "François"]
    assert by_key["muller2019accents"].fields["title"] == \
        "Naïve estimators of recovery in Sciatica — a étude"
    refs, problems = fixture("macros.bib")
    assert problems == [] and {r.key: r.fields["journal"] for r in refs}["koes2007macro"] == "Spine"
    refs, problems = fixture("comments.bib")
    assert problems == [] and [r.key for r in refs] == ["visible2001key"]
    refs, problems = fixture("delimiters.bib")
    assert problems == [] and [r.fields["year"] for r in refs] == ["2001", "2002", "2003", "2004"]
