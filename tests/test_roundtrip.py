"""Lossless round trip: BibTeX -> import -> database -> `kb export bib` -> import again."""

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import sqlite_utils

from kb.sources.bibtex import parse_bibtex
from kb.build.writer import write_refs
from kb.export import export_bib
from kb.build.schema import create_tables

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
PLAIN = st.text(alphabet=LETTERS + " ,.;:!?-()'/&+*<>[]_=#%\u00e9\u00fc\u00f8\u00e7\u00df\u0142\u4e2d\u2013",
                min_size=1, max_size=30)
LATEX = st.sampled_from(["{\\'e}", '{\\"o}', "{\\c c}", "\\&", "--", "{\\ss}", "{\\o}", "{DNA}",
                         "{\\v{s}}", "$\\alpha$", "~", "{\\textit{in vivo}}"])
VALUE = st.lists(st.one_of(PLAIN, LATEX), min_size=1, max_size=40).map("".join).map(str.strip).filter(
    lambda v: v and not v.startswith(("-", "~")) and not v.endswith("\\"))
NAME = st.one_of(
    st.tuples(st.text(alphabet=LETTERS + "\u00e9\u00fc-", min_size=1, max_size=15),
              st.text(alphabet=LETTERS + ". ", min_size=1, max_size=15))
    .filter(lambda t: t[0][0].isalpha() and t[1].strip()).map(lambda t: f"{t[0]}, {t[1].strip()}"),
    st.sampled_from(["{National Institute for Health and Care Excellence}", "de Krom, Marc",
                     "M{\\\"u}ller, J{\\'e}r{\\^o}me", "van der Berg, Anna"]))
FIELD_NAMES = ["title", "journal", "year", "volume", "pages", "doi", "note", "abstract", "publisher",
               "keywords", "design", "verified-url", "verification-note"]


@st.composite
def entries(draw):
    keys = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_-]{0,20}", fullmatch=True), min_size=1,
                         max_size=6, unique=True))
    out = []
    for key in keys:
        fields = draw(st.dictionaries(st.sampled_from(FIELD_NAMES), VALUE, min_size=1, max_size=8))
        if draw(st.booleans()):
            fields["author"] = " and ".join(draw(st.lists(NAME, min_size=1, max_size=60)))
        entry_type = draw(st.sampled_from(["article", "book", "misc", "inproceedings", "techreport"]))
        out.append((key, entry_type, fields))
    return out


def to_bibtex(items) -> str:
    return "\n".join(f"@{t}{{{k},\n" + ",\n".join(f"  {n} = {{{v}}}" for n, v in f.items()) + "\n}\n"
                     for k, t, f in items)


def squash(text: str) -> str:
    return " ".join(text.split())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries())
def test_import_database_export_keeps_every_entry_and_field(items):
    refs, problems = parse_bibtex(to_bibtex(items).encode(), "in.bib")
    assert problems == [] and len(refs) == len(items)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "kb.db"
        conn = sqlite3.connect(db)
        create_tables(sqlite_utils.Database(conn))
        write_refs(conn, refs)
        exported = export_bib(conn)
        conn.close()
    again, problems = parse_bibtex(exported.encode(), "out.bib")
    assert problems == []
    before = {r.key: r for r in refs}
    after = {r.key: r for r in again}
    assert set(before) == set(after) == {k for k, _, _ in items}
    for key, ref in before.items():
        other = after[key]
        assert other.entry_type == ref.entry_type
        assert {k: squash(v) for k, v in other.bibtex_fields.items()} == \
            {k: squash(v) for k, v in ref.bibtex_fields.items()}
        assert {k: squash(v) for k, v in other.fields.items()} == \
            {k: squash(v) for k, v in ref.fields.items()}
        assert [(a.family, a.given) for a in other.authors] == [(a.family, a.given) for a in ref.authors]
    # And the generated values survive import itself (the fields as written, whitespace aside).
    for key, _, fields in items:
        assert {k: squash(v) for k, v in before[key].bibtex_fields.items()} == \
            {k: squash(v) for k, v in fields.items()}


def test_repository_references_round_trip(tmp_path):
    from kb.build import build
    from tests.conftest import REPO
    db = tmp_path / "sciatica.db"
    build(REPO, db)
    original, _ = parse_bibtex((REPO / "references.bib").read_bytes(), "references.bib")
    exported, problems = parse_bibtex(export_bib(sqlite3.connect(db)).encode(), "export.bib")
    assert problems == []
    assert {r.key: r.fields for r in exported} == {r.key: r.fields for r in original}
