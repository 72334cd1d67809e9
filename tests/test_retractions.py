"""kb retractions import: the Retraction Watch CSV matched to references.bib, written to
claims/retractions.yaml, validated, built into ref_notices and the refs' status, and flagged by
kb check. Every row of tests/data/retractions/retraction_watch_sample.csv is invented (record
ids 9000x): the matched rows name real references of references.bib, which were not retracted."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb.build import build, is_stale
from kb.cli import cli
from kb.sources import input_files, inputs_digest, load_project
from kb.sources.model import Notice
from kb.sources.retractions import (COLUMNS, normalise_date, normalise_doi, normalise_pmid,
                                    read_csv, ref_status, split_list)

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "data" / "retractions" / "retraction_watch_sample.csv"
TARGET = "claims/retractions.yaml"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def copy_repo(dest: Path) -> Path:
    shutil.copytree(REPO / "claims", dest / "claims")
    shutil.copy(REPO / "references.bib", dest / "references.bib")
    (dest / TARGET).unlink(missing_ok=True)
    return dest


def notices_of(root: Path) -> list[dict]:
    return yaml.safe_load((root / TARGET).read_text(encoding="utf-8"))["notices"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> Path:
    """A copy of the repository with the sample imported and built into its own database."""
    root = copy_repo(tmp_path_factory.mktemp("retractions") / "repo")
    result = run("retractions", "import", SAMPLE, "--root", root)
    assert result.exit_code == 0, result.output
    build(root, root / "sciatica.db")
    return root


# --- reading the CSV ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("https://doi.org/10.1136/BMJ.39223.428495.be", "10.1136/bmj.39223.428495.be"),
    ("  http://dx.doi.org/10.1000/ABC ", "10.1000/abc"), ("doi: 10.1/x", "10.1/x"),
    ("unavailable", None), ("", None), (None, None), ("Unavailable ", None),
])
def test_dois_are_normalised(value, expected):
    assert normalise_doi(value) == expected


@pytest.mark.parametrize("value, expected", [("10534590", "10534590"), (" 0042 ", "42"),
                                             ("0", None), ("", None), ("n/a", None)])
def test_pmids_are_normalised_and_zero_means_none(value, expected):
    assert normalise_pmid(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("3/15/2021 0:00", "2021-03-15"), ("12/1/2019", "2019-12-01"), ("10/31/2016 14:05", "2016-10-31"),
    ("2020-06-01", "2020-06-01"), ("2020-06-01T00:00:00Z", "2020-06-01"), ("2/30/2020 0:00", None),
    ("", None), ("yesterday", None),
])
def test_dates_become_iso(value, expected):
    assert normalise_date(value) == expected


def test_lists_split_on_semicolons_without_the_plus_marks():
    assert split_list("+Concerns/Issues About Data;+Investigation by Journal/Publisher;") == [
        "Concerns/Issues About Data", "Investigation by Journal/Publisher"]
    assert split_list("") == [] and split_list(";;") == []


def test_the_sample_is_read_with_its_bad_byte_and_quoted_fields():
    rows, bad = read_csv(SAMPLE.read_bytes())
    assert len(rows) == 9 and bad == 1
    assert set(rows[0]) == set(COLUMNS)
    assert rows[0]["Author"].endswith("René Test")  # b"\xe9", read as Windows-1252
    odd = next(r for r in rows if r["Record ID"] == "90008")
    assert odd["Title"] == "Back pain, sleep, and mood: a study, in three parts"
    assert odd["Journal"] == 'Journal of "Quoted" Things'
    assert split_list(odd["Reason"]) == ["Duplication of Article", "Plagiarism of Text",
                                         "Notice - Limited or No Information"]


# --- the import --------------------------------------------------------------------------------

def test_import_reports_its_counts(tmp_path):
    root = copy_repo(tmp_path / "repo")
    result = run("retractions", "import", SAMPLE, "--root", root)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        "read 9 rows, 1 line not UTF-8 (bytes read as Windows-1252); matched 5 by DOI, 1 by PMID; "
        "wrote 6 notices to claims/retractions.yaml (6 new, 0 changed)")
    assert not (REPO / TARGET).exists()


def test_import_writes_the_matched_notices_sorted(imported):
    notices = notices_of(imported)
    assert [(n["ref"], n["record_id"]) for n in notices] == [
        ("dahm2010bedrest", "90003"), ("french2006heat", "90004"), ("ghoname1999pens", "90002"),
        ("koes2007sciatica", "90001"), ("lewis2015sciatica", "90005"), ("lewis2015sciatica", "90006")]
    by_id = {n["record_id"]: n for n in notices}
    assert by_id["90001"] == {  # by a mixed-case https://doi.org/ DOI
        "ref": "koes2007sciatica", "record_id": "90001", "nature": "retraction", "date": "2021-03-15",
        "notice_url": "https://doi.org/10.1136/bmj.n700",
        "reasons": ["Concerns/Issues About Data", "Investigation by Journal/Publisher"],
        "matched_by": "doi"}
    assert by_id["90002"] == {  # DOI unavailable, PMID only; the notice is the first URL
        "ref": "ghoname1999pens", "record_id": "90002", "nature": "retraction", "date": "2020-06-01",
        "notice_url": "https://retractionwatch.com/example/90002", "reasons": ["Error in Data"],
        "matched_by": "pmid"}
    assert by_id["90003"]["nature"] == "correction" and by_id["90003"]["matched_by"] == "doi"
    assert by_id["90004"]["nature"] == "expression-of-concern"
    assert by_id["90006"]["nature"] == "reinstatement"
    assert load_project(imported).problems == []


def test_reimporting_the_same_file_changes_nothing(tmp_path):
    root = copy_repo(tmp_path / "repo")
    run("retractions", "import", SAMPLE, "--root", root)
    before = (root / TARGET).read_bytes(), (root / TARGET).stat().st_mtime_ns
    result = run("retractions", "import", SAMPLE, "--root", root)
    assert result.exit_code == 0
    assert result.output.strip().endswith("claims/retractions.yaml unchanged (6 notices)")
    assert ((root / TARGET).read_bytes(), (root / TARGET).stat().st_mtime_ns) == before


def test_reimporting_replaces_its_own_notices_and_keeps_the_others(tmp_path):
    root = copy_repo(tmp_path / "repo")
    run("retractions", "import", SAMPLE, "--root", root)
    notices = notices_of(root)
    notices[0]["reasons"] = ["edited by hand"]
    notices.append({"ref": "hagen2005bedrest", "record_id": "1", "nature": "correction",
                    "date": "2001-01-01", "notice_url": None, "reasons": [], "matched_by": "doi"})
    (root / TARGET).write_text(yaml.safe_dump({"notices": notices}), encoding="utf-8")
    result = run("retractions", "import", SAMPLE, "--root", root)
    assert "wrote 7 notices to claims/retractions.yaml (0 new, 1 changed)" in result.output
    again = notices_of(root)
    assert again[0]["reasons"] == ["Error in Text"]
    assert ("hagen2005bedrest", "1") in [(n["ref"], n["record_id"]) for n in again]


def test_a_csv_without_the_columns_is_refused(tmp_path):
    root = copy_repo(tmp_path / "repo")
    other = tmp_path / "other.csv"
    other.write_bytes(b"id,title\n1,x\n")
    result = run("retractions", "import", other, "--root", root)
    assert result.exit_code == 1 and "not a Retraction Watch CSV: no column Record ID" in result.output
    assert not (root / TARGET).exists()


def test_no_match_writes_no_file(tmp_path):
    root = copy_repo(tmp_path / "repo")
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    only = tmp_path / "none.csv"
    only.write_bytes(lines[0] + b"".join(line for line in lines if line.startswith(b"9000" b"7")))
    result = run("retractions", "import", only, "--root", root)
    assert "matched 0 by DOI, 0 by PMID" in result.output and not (root / TARGET).exists()


# --- validation ---------------------------------------------------------------------------------

GOOD = """\
notices:
- ref: koes2007sciatica
  record_id: '90001'
  nature: retraction
  date: '2021-03-15'
  notice_url: https://doi.org/10.1136/bmj.n700
  reasons:
  - Concerns/Issues About Data
  matched_by: doi
"""


@pytest.mark.parametrize("old, new, message", [
    ("ref: koes2007sciatica", "ref: nobody2020", "claims/retractions.yaml:2: notice 90001: unknown "
                                                 "reference key 'nobody2020' (not in references.bib)"),
    ("nature: retraction", "nature: retracted", "claims/retractions.yaml:4: notice 90001: nature "
                                                "'retracted' is not one of: retraction, correction"),
    ("'2021-03-15'", "3/15/2021", "claims/retractions.yaml:5: notice 90001: date '3/15/2021' must be "
                                  "a date, YYYY-MM-DD"),
    ("'2021-03-15'", "'2021-02-30'", "claims/retractions.yaml:5: notice 90001: date '2021-02-30'"),
    ("matched_by: doi", "matched_by: title", "claims/retractions.yaml:9: notice 90001: matched_by "
                                             "'title' is not one of: doi, pmid"),
    ("matched_by: doi", "matched_by: doi\n  note: x", "claims/retractions.yaml:10: notice 90001: "
                                                      "unknown field 'note'"),
    ("notice_url: https://doi.org/10.1136/bmj.n700", "notice_url: javascript:alert(1)",
     "claims/retractions.yaml:6: notice 90001: notice_url 'javascript:alert(1)' must be"),
    ("matched_by: doi\n", "matched_by: doi\n" + GOOD.split("\n", 1)[1],
     "claims/retractions.yaml:10: duplicate notice: record 90001 for koes2007sciatica (first on line 2)"),
    ("notices:", "notice:", "claims/retractions.yaml:1: file must be a mapping with a list under 'notices'"),
])
def test_a_broken_retractions_file_is_reported_by_file_and_line(tmp_path, old, new, message):
    root = copy_repo(tmp_path / "repo")
    assert load_project(root).problems == []
    (root / TARGET).write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    problems = [str(p) for p in load_project(root).problems]
    assert any(p.startswith(message) for p in problems), problems
    result = run("validate", "--root", root)
    assert result.exit_code == 1 and message in result.output
    # The import refuses a file it cannot read back (fix it first); what only the whole
    # knowledge base can tell (an unknown key, a duplicate) it leaves to kb validate.
    cross_file = "unknown reference key" in message or "duplicate notice" in message
    assert run("retractions", "import", SAMPLE, "--root", root).exit_code == (0 if cross_file else 1)


def test_the_retractions_file_is_an_input_of_the_database(tmp_path):
    root = copy_repo(tmp_path / "repo")
    before = inputs_digest(root)
    (root / TARGET).write_text(GOOD, encoding="utf-8")
    assert inputs_digest(root) != before
    assert root / TARGET in input_files(root)


# --- the build ----------------------------------------------------------------------------------

def test_the_build_records_each_notice(imported):
    conn = sqlite3.connect(imported / "sciatica.db")
    rows = conn.execute("select ref_key, record_id, nature, date, notice_url, reasons, matched_by "
                        "from ref_notices order by ref_key, record_id").fetchall()
    assert len(rows) == 6
    assert rows[3] == ("koes2007sciatica", "90001", "retraction", "2021-03-15",
                       "https://doi.org/10.1136/bmj.n700",
                       json.dumps(["Concerns/Issues About Data", "Investigation by Journal/Publisher"]),
                       "doi")
    assert conn.execute("select count(*) from vocabulary where scale = 'retraction_nature'").fetchone() == (4,)
    assert not is_stale(imported, imported / "sciatica.db")


def test_a_retraction_makes_the_ref_retracted_and_other_notices_do_not(imported):
    conn = sqlite3.connect(imported / "sciatica.db")
    status = dict((k, (s, n)) for k, s, n in conn.execute(
        "select key, status, status_note from refs where key in ('koes2007sciatica', "
        "'ghoname1999pens', 'dahm2010bedrest', 'french2006heat', 'lewis2015sciatica')"))
    assert status["koes2007sciatica"] == (
        "retracted", "Retracted on 2021-03-15 (Retraction Watch record 90001): "
                     "https://doi.org/10.1136/bmj.n700")
    assert status["ghoname1999pens"][0] == "retracted"
    assert status["dahm2010bedrest"][0] == "corrected"  # a correction
    assert status["french2006heat"] == (None, None)  # an expression of concern: recorded only
    assert status["lewis2015sciatica"] == (None, None)  # retracted, then reinstated
    via = conn.execute("select distinct ref_key from withdrawn_study_reliance").fetchall()
    assert ("koes2007sciatica",) in via


def test_a_status_in_references_bib_wins(tmp_path):
    root = copy_repo(tmp_path / "repo")
    bib = (root / "references.bib").read_text(encoding="utf-8")
    line = "  doi = {10.1136/bmj.39223.428495.BE},\n"
    assert bib.count(line) == 1
    (root / "references.bib").write_text(bib.replace(
        line, line + "  status = {corrected},\n  status-note = {Recorded by hand.},\n"), encoding="utf-8")
    run("retractions", "import", SAMPLE, "--root", root)
    build(root, tmp_path / "kb.db")
    conn = sqlite3.connect(tmp_path / "kb.db")
    assert conn.execute("select status, status_note from refs where key = 'koes2007sciatica'"
                        ).fetchone() == ("corrected", "Recorded by hand.")


@pytest.mark.parametrize("natures, expected", [
    (["retraction"], "retracted"), (["retraction", "reinstatement"], None),
    (["reinstatement", "retraction"], "retracted"), (["correction"], "corrected"),
    (["expression-of-concern"], None), (["correction", "retraction"], "retracted"),
    (["retraction", "reinstatement", "correction"], "corrected"),
])
def test_the_latest_retraction_or_reinstatement_decides(natures, expected):
    notices = [Notice("k", str(i), nature, f"202{i}-01-01", None, [], "doi")
               for i, nature in enumerate(natures)]
    assert (ref_status(notices) or (None,))[0] == expected


# --- kb check -----------------------------------------------------------------------------------

def test_kb_check_flags_a_draft_citing_the_retracted_study(imported, tmp_path):
    draft = tmp_path / "draft.md"
    draft.write_text("Sciatica usually gets better on its own within weeks (Koes et al., 2007).\n",
                     encoding="utf-8")
    result = run("check", draft, "--db", imported / "sciatica.db", "--format", "json")
    assert result.exit_code == 1  # citation-withdrawn fails the check by default
    sentence = json.loads(result.output)["sentences"][0]
    cite = sentence["citations"][0]
    assert cite["key"] == "koes2007sciatica" and cite["ref_status"]["status"] == "retracted"
    flag = next(f for f in sentence["flags"] if f["code"] == "citation-withdrawn")
    assert "Retraction Watch record 90001" in flag["message"] and "2021-03-15" in flag["message"]


async def test_the_reference_page_lists_its_notices(imported):
    """An expression of concern changes no status, so the page lists every notice itself."""
    from tests.conftest import site_for

    ds = site_for(imported / "sciatica.db")
    html = (await ds.client.get("/sciatica/refs/french2006heat")).text
    assert "Retraction Watch notices about this study" in html and "expression of concern" in html
    retracted = (await ds.client.get("/sciatica/refs/koes2007sciatica")).text
    assert "RETRACTED" in retracted and 'href="https://doi.org/10.1136/bmj.n700"' in retracted
