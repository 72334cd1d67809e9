"""Each kind of bad input gives a clear file:line message."""

import pytest

from kb.sources import load_project
from tests.conftest import CLAIMS, TOPICS, BIB, article_yaml, write_kb

ART = "claims/articles/demo-article.yaml"


def problems_for(tmp_path, **overrides):
    root = write_kb(tmp_path / "kb", **overrides)
    return [str(p) for p in load_project(root).problems]


def test_mini_kb_is_valid(mini_kb):
    project = load_project(mini_kb)
    assert project.problems == []
    assert len(project.claims) == 2 and len(project.articles) == 1 and len(project.refs) == 2
    assert project.articles[0].appearances[1].citation.start > 0


def test_broken_yaml_names_file_and_line(tmp_path):
    bad = CLAIMS.replace("    topics: [bed-rest]\n", "    topics: [bed-rest\n", 1)
    problems = problems_for(tmp_path, **{"claims/claims.yaml": bad})
    assert any(p.startswith("claims/claims.yaml:") and "invalid YAML" in p for p in problems)


def test_unknown_verdict(tmp_path):
    bad = CLAIMS.replace("verdict: overstated", "verdict: true-ish")
    assert "claims/claims.yaml:6: claim bed-rest-worsens-sciatica: verdict 'true-ish' is not one of: " \
           "supported, mostly-supported, overstated, unsupported, contradicted, not-checkable" \
           in problems_for(tmp_path, **{"claims/claims.yaml": bad})


def test_unknown_field_is_reported(tmp_path):
    bad = CLAIMS.replace("    certainty: moderate\n", "    certainty: moderate\n    verdcit: x\n", 1)
    problems = problems_for(tmp_path, **{"claims/claims.yaml": bad})
    assert any("claims/claims.yaml:8:" in p and "unknown field 'verdcit'" in p for p in problems)


def test_unknown_reference_key_in_evidence(tmp_path):
    bad = CLAIMS.replace("ref: hagen2005bedrest", "ref: hagen2099missing")
    assert "claims/claims.yaml:10: claim bed-rest-worsens-sciatica: unknown reference key " \
           "'hagen2099missing' (not in references.bib)" in problems_for(
               tmp_path, **{"claims/claims.yaml": bad})


def test_unknown_citation_key_in_article(tmp_path):
    bad = article_yaml().replace("key: hagen2005bedrest", "key: nobody2001")
    problems = problems_for(tmp_path, **{ART: bad})
    assert any(p.startswith(f"{ART}:") and "unknown reference key 'nobody2001'" in p
               for p in problems)


def test_quote_not_at_its_offsets(tmp_path):
    bad = article_yaml().replace("start: 0\n", "start: 1\n", 1)
    problems = problems_for(tmp_path, **{ART: bad})
    assert f"{ART}:12: quote for claim bed-rest-worsens-sciatica is not at 1-60 of " \
           "claims/articles/demo-article.txt; it occurs at start: 0, end: 60" in problems


def test_quote_not_in_article(tmp_path):
    bad = article_yaml().replace("Disc bulges on MRI are common", "Disc bulges on MRI are rare")
    problems = problems_for(tmp_path, **{ART: bad})
    assert any("it does not occur anywhere in the article text" in p for p in problems)


def test_citation_not_near_quote(tmp_path):
    bad = article_yaml().replace('as_written: "(Hagen et al., 2005)"',
                                 'as_written: "(Hagen, 2005)"')
    problems = problems_for(tmp_path, **{ART: bad})
    assert any("citation '(Hagen, 2005)' does not occur in claims/articles/demo-article.txt"
               in p for p in problems)


def test_edited_article_text_is_caught(tmp_path):
    from tests.conftest import ARTICLE_TEXT
    problems = problems_for(tmp_path, **{
        "claims/articles/demo-article.txt": ARTICLE_TEXT.replace("worst", "best"),
        ART: article_yaml()})
    assert any("demo-article.txt has changed" in p for p in problems)


def test_duplicate_claim_ids(tmp_path):
    bad = CLAIMS.replace("id: mri-bulges-common-without-pain", "id: bed-rest-worsens-sciatica")
    problems = problems_for(tmp_path, **{"claims/claims.yaml": bad})
    assert ("claims/claims.yaml:14: duplicate claim id 'bed-rest-worsens-sciatica' "
            "(first defined in claims/claims.yaml:2)") in problems


def test_claims_split_across_files(tmp_path):
    """A large knowledge base may split its claims into claims/claims-*.yaml; ids stay unique
    across files and the second definition names the first."""
    root = write_kb(tmp_path / "kb")
    (root / "claims" / "claims-extra.yaml").write_text(
        "claims:\n  - id: bed-rest-worsens-sciatica\n    statement: Again.\n    type: cause\n"
        "    topics: [bed-rest]\n    verdict: unsupported\n    certainty: low\n"
        "    reasoning: Duplicate.\n    searched_for: Nothing.\n", encoding="utf-8")
    problems = [str(p) for p in load_project(root).problems]
    assert problems == ["claims/claims-extra.yaml:2: duplicate claim id 'bed-rest-worsens-sciatica' "
                        "(first defined in claims/claims.yaml:2)"]


def test_claim_without_appearance(tmp_path):
    extra = CLAIMS + """\
  - id: orphan-claim
    statement: Nobody says this.
    type: cause
    topics: [imaging]
    verdict: unsupported
    certainty: very-low
    reasoning: Nothing found.
    searched_for: PubMed for anything.
"""
    problems = problems_for(tmp_path, **{"claims/claims.yaml": extra})
    assert "claims/claims.yaml:26: claim orphan-claim has no appearance in any article" in problems


def test_unsupported_claim_needs_searched_for(tmp_path):
    bad = CLAIMS.replace("verdict: supported", "verdict: unsupported").replace(
        """    evidence:
      - ref: brinjikji2015imaging
        stance: supports
        directness: direct
        finding: Disc bulge prevalence rose from 30% at age 20 to 84% at age 80.
""", "")
    problems = problems_for(tmp_path, **{"claims/claims.yaml": bad})
    assert any("must say what was searched for" in p for p in problems)


def test_supported_claim_needs_evidence(tmp_path):
    bad = CLAIMS.replace("""    evidence:
      - ref: brinjikji2015imaging
        stance: supports
        directness: direct
        finding: Disc bulge prevalence rose from 30% at age 20 to 84% at age 80.
""", "")
    problems = problems_for(tmp_path, **{"claims/claims.yaml": bad})
    assert "claims/claims.yaml:14: claim mri-bulges-common-without-pain: verdict 'supported' " \
           "needs at least one evidence link" in problems


def test_unknown_topic(tmp_path):
    bad = CLAIMS.replace("topics: [imaging]", "topics: [imagery]")
    assert "claims/claims.yaml:14: claim mri-bulges-common-without-pain: unknown topic 'imagery'" \
        in problems_for(tmp_path, **{"claims/claims.yaml": bad})


def test_reference_without_verification_source(tmp_path):
    bad = BIB.replace("  verified-url = {https://example.org/hagen},\n", "")
    assert "references.bib:3: hagen2005bedrest: verification 'verified' needs a verified-url " \
           "saying where it was checked" in problems_for(tmp_path, **{"references.bib": bad})


def test_reference_bad_doi_and_design(tmp_path):
    bad = BIB.replace("doi = {10.3174/ajnr.A4173}", "doi = {ajnr.A4173}").replace(
        "design = {systematic review},\n  verified-url = {https://example.org/brinjikji}",
        "design = {meta-thing},\n  verified-url = {https://example.org/brinjikji}")
    problems = problems_for(tmp_path, **{"references.bib": bad})
    assert "references.bib:13: brinjikji2015imaging: doi 'ajnr.A4173' does not look like a DOI " \
           "(10.NNNN/...)" in problems
    assert any("design 'meta-thing' is not one of" in p for p in problems)


def test_bibtex_duplicate_key_fails_validation(tmp_path):
    problems = problems_for(tmp_path, **{"references.bib": BIB + BIB.split("\n\n", 1)[1]})
    assert any("duplicate citation key 'hagen2005bedrest'" in p for p in problems)


def test_alias_shared_by_two_topics(tmp_path):
    bad = TOPICS.replace("aliases: [MRI, scan]", "aliases: [MRI, complete rest]")
    assert any("alias 'complete rest' is used by topics 'bed-rest' and 'imaging'" in p
               for p in problems_for(tmp_path, **{"claims/topics.yaml": bad}))


def test_a_near_topic_must_be_a_topic(tmp_path):
    bad = TOPICS.replace("aliases: [MRI, scan]", "aliases: [MRI, scan]\n    near: [bed-rest, imagin]")
    assert "claims/topics.yaml:10: topic imaging: near names unknown topic 'imagin'" in \
        problems_for(tmp_path, **{"claims/topics.yaml": bad})
    bad = TOPICS.replace("aliases: [MRI, scan]", "aliases: [MRI, scan]\n    near: imaging")
    assert any("near" in p and "must be a list" in p for p in problems_for(tmp_path, **{"claims/topics.yaml": bad}))


def test_citation_status_and_key_must_agree(tmp_path):
    bad = article_yaml().replace("status: accurate", "status: cannot-be-found")
    assert any("a citation that cannot be found must have key: null" in p
               for p in problems_for(tmp_path, **{ART: bad}))


@pytest.mark.parametrize("missing", ["claims/claims.yaml", "references.bib"])
def test_missing_file(tmp_path, missing):
    root = write_kb(tmp_path / "kb")
    (root / missing).unlink()
    assert any(p.startswith(f"{missing}:0: cannot read file") for p in
               map(str, load_project(root).problems))


def test_offsets_out_of_range(tmp_path):
    bad = article_yaml().replace("start: 0\n    end: 60\n", "start: 9000\n    end: 9060\n", 1)
    problems = problems_for(tmp_path, **{ART: bad})
    assert f"{ART}:12: offsets 9000-9060 of claim bed-rest-worsens-sciatica are outside " \
           "claims/articles/demo-article.txt (200 characters)" in problems


def test_unknown_claim_id_in_article(tmp_path):
    bad = article_yaml().replace("claim: mri-bulges-common-without-pain", "claim: mri-bulges-rare")
    problems = problems_for(tmp_path, **{ART: bad})
    assert f"{ART}:25: unknown claim id 'mri-bulges-rare'" in problems


@pytest.mark.parametrize("old, new, message", [
    ("start: 0\n", "start: 'zero'\n", "appearance: start must be a non-negative integer"),
    ("topics: [imaging]", "topics: imaging", "field 'topics' must be a list"),
    ("commercial_interests:\n  - kind: sells-treatment", "commercial_interests:\n  - kind: [sells]",
     "commercial interest: field 'kind' must be text, not list"),
])
def test_wrong_types(tmp_path, old, new, message):
    if "topics" in old:
        problems = problems_for(tmp_path, **{"claims/claims.yaml": CLAIMS.replace(old, new)})
    else:
        problems = problems_for(tmp_path, **{ART: article_yaml().replace(old, new, 1)})
    assert any(message in p for p in problems), problems


def test_verdict_must_agree_with_the_stances_of_its_evidence(tmp_path):
    """Only contradicting evidence cannot make a claim overstated (or supported); a verdict_note
    that says why lets it stand, and the claim page shows the note."""
    from tests.conftest import CLAIMS, write_kb

    contradicting = CLAIMS.replace("        stance: mixed", "        stance: contradicts")
    root = write_kb(tmp_path / "a", **{"claims/claims.yaml": contradicting})
    problems = [str(p) for p in load_project(root).problems]
    assert any("verdict 'overstated' but every evidence link contradicts the claim" in p
               and p.startswith("claims/claims.yaml:") for p in problems), problems
    noted = contradicting.replace("    verdict: overstated\n",
                                  "    verdict: overstated\n    verdict_note: Part of it holds.\n", 1)
    root = write_kb(tmp_path / "b", **{"claims/claims.yaml": noted})
    assert load_project(root).problems == []
    unsupported_contradicted = CLAIMS.replace("    verdict: supported\n", "    verdict: contradicted\n", 1)
    root = write_kb(tmp_path / "c", **{"claims/claims.yaml": unsupported_contradicted})
    assert any("needs at least one contradicting evidence link" in str(p)
               for p in load_project(root).problems)


@pytest.mark.parametrize("rel", ["claims/articles/demo-article.yaml", "claims/claims.yaml",
                                 "claims/topics.yaml"])
def test_an_emptied_source_file_is_an_error_naming_it(tmp_path, rel):
    """An emptied file was skipped (an article silently dropped from the build)."""
    root = write_kb(tmp_path / "kb", **{rel: ""})
    problems = [str(p) for p in load_project(root).problems]
    assert f"{rel}:1: the file is empty" in problems, problems[:5]
