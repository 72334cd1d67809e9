"""Exports (claimreview, bib, csl-json, ris, claims-csv, bibliography), kb add-ref, kb add-article,
and references marked retracted or superseded."""

import csv
import io
import json
import re
import sqlite3

import pytest
import yaml
from click.testing import CliRunner

from kb.build import build
from kb.check import Checker
from kb.cli import cli
from kb.sources import load_project
from tests.conftest import BIB, REPO, write_kb

ARTICLES = REPO / "claims" / "articles"  # the source articles: verbatim copies of ../shared/seeds


@pytest.fixture(scope="module")
def db(repo_db):
    return repo_db


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


def n_refs(db) -> int:
    return sqlite3.connect(db).execute("select count(*) from refs").fetchone()[0]


def test_claimreview_export_has_the_required_fields(db):
    result = run("export", "claimreview", "--db", str(db), "--base-url", "https://kb.example.org")
    reviews = json.loads(result.output)
    assert len(reviews) == sqlite3.connect(db).execute("select count(*) from claims").fetchone()[0]
    for review in reviews:
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        assert review["url"].startswith("https://kb.example.org/sciatica/claims/")
        assert review["claimReviewed"] and review["author"]["name"] and review["datePublished"]
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating" and rating["alternateName"]
        assert rating.get("ratingValue") in (1, 2, 3, 4, 5, None)
        assert review["itemReviewed"]["@type"] == "Claim" and review["itemReviewed"]["appearance"]
    one = json.loads(run("export", "claimreview", "--db", str(db), "--claim", "bed-rest-worsens-sciatica",
                         "--base-url", "https://kb.example.org/").output)
    assert one["reviewRating"]["ratingValue"] == 1  # contradicted
    assert one["url"] == "https://kb.example.org/sciatica/claims/bed-rest-worsens-sciatica"
    assert run("export", "claimreview", "--db", str(db), "--claim", "nope",
               "--base-url", "https://kb.example.org").exit_code == 2


def test_claimreview_is_never_exported_with_relative_urls(db):
    # Before: without --base-url every url was "/sciatica/claims/...", which search engines ignore.
    for extra in ([], ["--base-url", "kb.example.org"], ["--base-url", "javascript:alert(1)"]):
        result = run("export", "claimreview", "--db", str(db), *extra)
        assert result.exit_code == 2 and "public address" in result.output, extra
        assert "ClaimReview" in result.output and "{" not in result.output


def test_the_configured_public_address_is_used(db, monkeypatch):
    from kb.site import settings

    monkeypatch.setattr(settings, "public_base_url", lambda: "https://facts.example.org")
    reviews = json.loads(run("export", "claimreview", "--db", str(db)).output)
    assert reviews and all(r["url"].startswith("https://facts.example.org/sciatica/claims/") for r in reviews)


def test_every_exported_claimreview_has_googles_fact_check_fields(db):
    from kb.claimreview import claim_reviews, claimreview_problems

    reviews = claim_reviews(sqlite3.connect(db), base_url="https://kb.example.org")
    assert reviews and [p for r in reviews for p in claimreview_problems(r)] == []
    broken = dict(reviews[0], url="/sciatica/claims/x", claimReviewed=" ",
                  reviewRating={"@type": "Rating", "ratingValue": 9, "bestRating": 5, "worstRating": 1},
                  datePublished="25 Nov 2026")
    problems = claimreview_problems(broken)
    assert len(problems) == 5 and any("alternateName" in p for p in problems)


def test_claimreview_export_is_what_each_claim_page_embeds(db):
    """One builder for both: the export equals the JSON-LD in every claim page's <script>."""
    from kb.site.pages import claim_page

    base = "https://kb.example.org"
    reviews = json.loads(run("export", "claimreview", "--db", str(db), "--base-url", base).output)
    conn = sqlite3.connect(db)
    for review in reviews:
        page = claim_page(conn, review["url"].rsplit("/", 1)[1], base)
        assert json.loads(page["jsonld"]) == review


def test_csl_json_export(db):
    items = json.loads(run("export", "csl-json", "--db", str(db)).output)
    assert len(items) == n_refs(db)
    by_id = {i["id"]: i for i in items}
    koes = by_id["koes2007sciatica"]
    assert koes["type"] == "article-journal" and koes["DOI"] == "10.1136/bmj.39223.428495.BE"
    assert koes["author"][0] == {"family": "Koes", "given": "B. W."}
    assert koes["issued"] == {"date-parts": [[2007]]} and koes["PMID"] == "17585160"
    assert by_id["nice2016sciatica"]["author"][0] == {
        "literal": "National Institute for Health and Care Excellence"}


def test_ris_export(db, tmp_path):
    out = tmp_path / "refs.ris"
    assert run("export", "ris", "--db", str(db), "-o", str(out)).exit_code == 0
    records = out.read_text().rstrip("\n").split("\n\n")
    assert len(records) == n_refs(db)
    for record in records:
        lines = record.splitlines()
        assert lines[0].startswith("TY  - ") and lines[-1] == "ER  - "
        assert all(re.match(r"^[A-Z][A-Z0-9]  - ", line) for line in lines)
    koes = next(r for r in records if "ID  - koes2007sciatica" in r)
    assert "AU  - Koes, B. W." in koes and "SP  - 1313" in koes and "EP  - 1317" in koes


@pytest.mark.parametrize("style, expected", [
    ("apa", "Vroomen, P. C. A. J., de Krom, M. C. T. F. M."),
    ("vancouver", "Vroomen PCAJ, de Krom MCTFM"),
])
def test_bibliography_styles(db, style, expected):
    text = run("export", "bibliography", "--db", str(db), "--style", style).output
    assert len(text.strip().splitlines()) == n_refs(db)
    assert expected in text


def test_claims_csv(db):
    rows = list(csv.DictReader(io.StringIO(run("export", "claims-csv", "--db", str(db)).output)))
    assert len(rows) == sqlite3.connect(db).execute("select count(*) from claims").fetchone()[0]
    row = next(r for r in rows if r["id"] == "bed-rest-worsens-sciatica")
    assert row["verdict"] == "contradicted" and "garrett-sciatica-relief" in row["articles"]
    assert int(row["contradicting"]) >= 2


# --- kb add-ref -------------------------------------------------------------------------------

NEW_REF = """@Article{Smith_2020,
  Author = {Sm{\\'\\i}th, John and Doe, Jane},
  Title = {The effects of walking on sciatica},
  Journal = {Spine},
  Year = {2020},
  DOI = {https://doi.org/10.1000/XYZ.123},
  PMID = {PMID: 123456}
}
"""


def test_add_ref_normalises_and_appends_without_touching_the_rest(repo_copy):
    bib = repo_copy / "references.bib"
    before = bib.read_text()
    result = run("add-ref", "-", "--root", str(repo_copy), input=NEW_REF)
    assert result.exit_code == 0, result.output
    assert "added smith2020effects" in result.output
    after = bib.read_text()
    assert after.startswith(before)
    refs = {r.key: r for r in load_project(repo_copy).refs}
    new = refs["smith2020effects"]
    assert new.get("doi") == "10.1000/XYZ.123" and new.get("pmid") == "123456"
    assert new.get("verification") == "unverified" and new.authors[0].family == "Smíth"
    problems = [str(p) for p in load_project(repo_copy).problems]
    assert any("smith2020effects: missing required field 'design'" in p for p in problems)


def test_add_ref_refuses_duplicates(repo_copy):
    bib = repo_copy / "references.bib"
    before = bib.read_bytes()
    same_key = "@article{koes2007sciatica, title={Another}, year={2007}}\n"
    result = run("add-ref", "-", "--root", str(repo_copy), input=same_key)
    assert result.exit_code == 1 and "koes2007sciatica: the key is already in references.bib" in result.output
    same_doi = "@article{x, author={Other, A.}, title={Copy of Koes}, year={2007}, doi={10.1136/BMJ.39223.428495.BE}}\n"
    result = run("add-ref", "-", "--root", str(repo_copy), input=same_doi)
    assert result.exit_code == 1 and "already in references.bib as koes2007sciatica" in result.output
    assert bib.read_bytes() == before
    assert run("add-ref", "-", "--root", str(repo_copy), input="@article{broken, title={x}\n").exit_code == 1
    assert bib.read_bytes() == before


# --- kb add-article ---------------------------------------------------------------------------

def test_add_article_then_curate_until_valid(repo_copy):
    seed = ARTICLES / "massage-stop-sciatica.txt"  # a verbatim copy of seed 003
    result = run("add-article", str(seed), "--id", "massage-again", "--root", str(repo_copy))
    assert result.exit_code == 0, result.output
    text_path = repo_copy / "claims" / "articles" / "massage-again.txt"
    yaml_path = text_path.with_suffix(".yaml")
    assert text_path.read_bytes() == seed.read_bytes()
    raw = yaml_path.read_text()
    record = yaml.safe_load(raw)
    assert len(record["appearances"]) >= 15
    # kb validate points at exactly what is left to fill in.
    problems = [str(p) for p in load_project(repo_copy).problems]
    assert all(p.startswith("claims/articles/massage-again.yaml:") for p in problems)
    assert "missing required field 'publisher'" in " ".join(problems)
    assert sum("missing required field 'claim'" in p for p in problems) == len(record["appearances"])
    # A curator takes each first suggestion, drops proposals with none, fills the metadata.
    suggestions = re.findall(r"claim: null  # probably: (no known claim|[a-z0-9-]+)", raw)
    record["appearances"] = [dict(ap, claim=s) for ap, s in zip(record["appearances"], suggestions)
                             if s != "no known claim"]
    record["publisher"] = "a massage therapy practice"
    record["commercial_interests"] = [{"kind": "sells-treatment", "detail": "Sells massage."}]
    yaml_path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False))
    assert [str(p) for p in load_project(repo_copy).problems] == []
    for ap in record["appearances"]:
        assert text_path.read_text()[ap["start"]:ap["end"]] == ap["quote"]


def test_add_article_proposes_citations(repo_copy):
    seed = ARTICLES / "physio-sciatica-blog.txt"  # a verbatim copy of seed 002
    assert run("add-article", str(seed), "--id", "physio-again", "--root", str(repo_copy)).exit_code == 0
    record = yaml.safe_load((repo_copy / "claims/articles/physio-again.yaml").read_text())
    cited = [ap["citation"] for ap in record["appearances"] if ap.get("citation")]
    assert len(cited) >= 10
    assert {"as_written": "Hagen et al., 2005", "key": "hagen2005bedrest", "status": None,
            "reason": None} in cited
    result = run("add-article", str(seed), "--id", "physio-again", "--root", str(repo_copy))
    assert result.exit_code == 1 and "already exists" in result.output


# --- retracted and superseded references ----------------------------------------------------

RETRACTED = BIB.replace("  verification = {verified}\n}\n\n@article{brinjikji",
                        "  verification = {verified},\n  status = {retracted},\n"
                        "  status-note = {Retracted for testing.}\n}\n\n@article{brinjikji", 1)


def test_withdrawn_study_is_flagged_everywhere(tmp_path):
    root = write_kb(tmp_path / "kb", **{"references.bib": RETRACTED})
    assert load_project(root).problems == []
    db = root / "sciatica.db"
    build(root, db)
    conn = sqlite3.connect(db)
    report = Checker(conn).check("Bed rest makes sciatica worse (Hagen et al., 2005).")
    codes = [f["code"] for f in report["sentences"][0]["flags"]]
    assert "citation-withdrawn" in codes and report["summary"]["needs_attention"]
    rows = conn.execute("select via, ref_key, claim_id, article_id from withdrawn_study_reliance "
                        "order by via").fetchall()
    assert ("citation", "hagen2005bedrest", "bed-rest-worsens-sciatica", "demo-article") in rows
    assert ("evidence", "hagen2005bedrest", "bed-rest-worsens-sciatica", None) in rows
    from kb.site.pages import claim_page
    assert [e["ref_key"] for e in claim_page(conn, "bed-rest-worsens-sciatica")["withdrawn"]] == [
        "hagen2005bedrest"]


@pytest.mark.parametrize("fields, message", [
    ("  status = {withdrawn},\n  status-note = {x},\n", "status 'withdrawn' is not one of"),
    ("  status = {retracted},\n", "a retracted reference needs a status-note"),
    ("  status = {superseded},\n  status-note = {x},\n", "needs superseded-by"),
    ("  status = {superseded},\n  status-note = {x},\n  superseded-by = {nobody2020},\n",
     "superseded-by 'nobody2020' is not a key"),
])
def test_reference_status_is_validated(tmp_path, fields, message):
    bib = BIB.replace("  design = {systematic review},\n  verified-url = {https://example.org/hagen}",
                      fields + "  design = {systematic review},\n  verified-url = {https://example.org/hagen}", 1)
    root = write_kb(tmp_path / "kb", **{"references.bib": bib})
    assert any(message in str(p) and str(p).startswith("references.bib:3:")
               for p in load_project(root).problems)
