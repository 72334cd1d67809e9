"""Invariants of the repository's own knowledge base (the five sciatica articles)."""

import hashlib
import re

import pytest

from kb import vocab
from kb.sources import load_project
from kb.sources.coverage import coverage, format_report
from tests.conftest import REPO

SEEDS = REPO.parent / "shared" / "seeds"
# Parenthetical author-year citations as the articles write them, e.g. "(Hagen et al., 2005)".
CITATION_RE = re.compile(r"\((?:[A-Z][^()]*?|[^()]*\([A-Z]+\)[^()]*?),? \d{4}\)")


@pytest.fixture(scope="module")
def project():
    return load_project(REPO)


def test_the_knowledge_base_validates(project):
    assert [str(p) for p in project.problems] == []


def test_every_article_is_recorded(project):
    seeds = [a for a in project.articles if a.seed_file]
    assert len(seeds) == 5 and len(project.articles) >= 30  # the five seeds and the real articles
    assert all(a.appearances for a in project.articles)
    assert all(a.commercial_interests for a in project.articles)
    assert all(a.url.startswith("http") for a in project.articles if not a.seed_file)


def test_article_texts_are_verbatim_copies_of_the_seeds(project):
    if not SEEDS.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for article in (a for a in project.articles if a.seed_file):
        seed = (SEEDS / article.seed_file).read_bytes()
        assert hashlib.sha256(seed).hexdigest() == article.text_sha256, article.id
        assert article.text == seed.decode("utf-8")


def test_every_quote_is_verbatim_at_its_offsets(project):
    for article in project.articles:
        for ap in article.appearances:
            assert article.text[ap.start:ap.end] == ap.quote, ap.id


def test_every_checkable_claim_has_evidence_or_an_explicit_unsupported_verdict(project):
    for claim in project.claims:
        if claim.verdict == "not-checkable":
            continue
        assert claim.reasoning and claim.certainty in vocab.CERTAINTIES, claim.id
        if not claim.evidence:
            assert claim.verdict == "unsupported" and claim.searched_for, claim.id


def test_every_reference_has_a_verification_source_and_a_design(project):
    for ref in project.refs:
        assert ref.get("design") in vocab.STUDY_DESIGNS, ref.key
        assert ref.get("verification") in ("verified", "partial"), ref.key
        assert (ref.get("verified-url") or "").startswith("http"), ref.key
        assert ref.get("verification-note"), ref.key


def test_every_reference_is_used(project):
    used = {e.ref for c in project.claims for e in c.evidence}
    used |= {ap.citation.key for a in project.articles for ap in a.appearances
             if ap.citation and ap.citation.key}
    unused = {r.key for r in project.refs} - used
    # Kept as context for citation checks (earlier versions of the Hagen review the blog cites)
    # and for a later evidence pass; anything else unused is probably a typo'd key.
    assert unused <= {"hagen2000bedrest", "hagen2004bedrest", "fernandezsurgery"}, unused


def test_every_citation_in_an_article_has_a_check(project):
    for article in project.articles:
        checked = {ap.citation.start for ap in article.appearances if ap.citation}
        for match in CITATION_RE.finditer(article.text):
            assert match.start() in checked, f"{article.id}: {match.group()} at {match.start()}"


def test_known_miscitations_are_recorded(project):
    checks = {(ap.citation.as_written, ap.citation.status)
              for a in project.articles for ap in a.appearances if ap.citation}
    assert ("(Vroomen, de Krom and Knottnerus, 2007)", "wrong-authors") in checks
    assert ("(Valat et al., 2010)", "does-not-support") in checks
    assert ("(Luijsterburg et al., 2007)", "does-not-support") in checks


def test_coverage_report_counts_match_the_sources(project):
    report = coverage(project)
    physio = next(a for a in report["articles"] if a["article"] == "physio-sciatica-blog")
    citations = sum(1 for a in project.articles if a.id == "physio-sciatica-blog"
                    for ap in a.appearances if ap.citation)
    assert sum(physio["citations_by_status"].values()) == citations > 0
    assert sum(report["claims_by_verdict"].values()) == len(project.claims)
    text = format_report(report)
    assert "physio-sciatica-blog" in text and "References by verification" in text


def test_readme_shows_the_current_report(project):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert format_report(coverage(project)) in readme, "README's kb report output is out of date"
