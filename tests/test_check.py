"""kb check: the engine, its citation handling, output formats, exit codes and bad input."""

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.check import Checker
from kb.check.citations import find_citations
from kb.cli import cli
from kb.check.draft import DraftError, decode_draft, split_sentences
from kb.check.evaluate import load_articles


@pytest.fixture(scope="module")
def kb_db(repo_db):
    return repo_db


@pytest.fixture(scope="module")
def checker(kb_db):
    return Checker(sqlite3.connect(kb_db))


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input)


# --- sentences and input ---------------------------------------------------------------------

def test_sentences_keep_exact_offsets_and_headings_stay_separate():
    text = "# Heading\n\nDr. Smith saw 2.5 mg work. Bed rest fails!\n- a list item\n"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Heading", "Dr. Smith saw 2.5 mg work.", "Bed rest fails!",
                                           "a list item"]
    assert [s.block for s in sentences] == ["heading", "paragraph", "paragraph", "item"]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_list_items_carry_their_lead_in_and_a_blank_line_ends_the_list():
    text = "Avoid:\nBed rest\nSitting for hours\n\nMost people recover within weeks.\n"
    sentences = split_sentences(text)
    assert [(s.text, s.block, s.lead_in) for s in sentences] == [
        ("Avoid:", "paragraph", None), ("Bed rest", "item", "Avoid:"),
        ("Sitting for hours", "item", "Avoid:"),
        ("Most people recover within weeks.", "paragraph", None)]


def test_a_footnote_after_the_full_stop_belongs_to_the_sentence_before():
    text = "The evidence has been equivocal. (4, 5) In fact, more is known now."
    assert [s.text for s in split_sentences(text)] == [
        "The evidence has been equivocal. (4, 5)", "In fact, more is known now."]


def test_a_quoted_passage_of_several_sentences_is_split_and_keeps_its_quote_marks():
    # From a tuning article (brightsurf-pregabalin-no-relief-sciatica-2017): pysbd alone keeps a
    # quotation whole, so the trial's finding was read together with the sentence before it.
    text = ('Lin added, "But, until now there has been no high quality evidence. Our results have shown '
            'pregabalin did not relieve pain." \u201cSciatica is common,\u201d says Dr. Jones.')
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        'Lin added, "But, until now there has been no high quality evidence.',
        'Our results have shown pregabalin did not relieve pain."',
        "\u201cSciatica is common,\u201d says Dr. Jones."]
    assert all(text[s.start:s.end] == s.text for s in sentences)


@pytest.mark.parametrize("data, message", [
    (b"", "the draft is empty"),
    (b"   \n\n", "the draft is empty"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00" * 50, "looks like a binary file"),
])
def test_bad_input_is_a_clear_error(data, message):
    with pytest.raises(DraftError, match=message):
        decode_draft(data)


def test_odd_encodings_are_read():
    text = "Bed rest makes sciatica worse, says Ana\u00efs.\n"
    assert decode_draft(text.encode("utf-16"))[0] == text
    decoded, notes = decode_draft(text.encode("cp1252"))
    assert decoded == text and "Windows-1252" in notes[0]


def test_html_is_reduced_to_its_text():
    html = ("<html><head><style>p{}</style></head><body><h1>Sciatica</h1>"
            "<p>Bed rest makes sciatica worse.</p><script>x=1</script></body></html>")
    text, notes = decode_draft(html.encode())
    # headings and list items keep a Markdown marker, so they keep their role
    assert text == "# Sciatica\nBed rest makes sciatica worse." and "HTML" in notes[0]


def test_huge_input_is_refused_with_a_message():
    with pytest.raises(DraftError, match="too long"):
        decode_draft(b"Bed rest is bad. " * 700_000)  # about 12 MB


# --- citations ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("It works (Hagen et al., 2005).", [("Hagen et al., 2005", ["Hagen"], "2005")]),
    ("It works (Smith and Jones 2001).", [("Smith and Jones 2001", ["Smith", "Jones"], "2001")]),
    ("(Vroomen, de Krom and Knottnerus, 2007)",
     [("Vroomen, de Krom and Knottnerus, 2007", ["Vroomen", "de Krom", "Knottnerus"], "2007")]),
    ("Shown before (e.g., Brinjikji et al., 2015; Jensen, 1994a).",
     [("Brinjikji et al., 2015", ["Brinjikji"], "2015"), ("Jensen, 1994a", ["Jensen"], "1994a")]),
    ("Hagen et al. (2005) found no difference.", [("Hagen et al. (2005)", ["Hagen"], "2005")]),
    ("Koes and Peul (2007) wrote it.", [("Koes and Peul (2007)", ["Koes", "Peul"], "2007")]),
    ("(National Institute for Health and Care Excellence (NICE), 2020)",
     [("National Institute for Health and Care Excellence (NICE), 2020",
       ["National Institute for Health and Care Excellence"], "2020")]),
    ("In 2010 we treated (n = 2010) people.", []),
    ("Guidance changed (March 2019) for everyone.", []),
    ("Figures (updated 2021) show it.", []),
])
def test_finds_citation_forms(text, expected):
    found = [(c.text, c.names, c.year) for c in find_citations(text) if c.kind == "author-year"]
    assert found == expected
    for c in find_citations(text):
        assert text[c.start:c.end] == c.text


@pytest.mark.parametrize("text, kind, names", [
    ("NICE advises against offering TENS.", "organisation", ["NICE"]),
    ("A Cochrane review found bed rest no better.", "cochrane", ["Cochrane"]),
    ("It was published in the New England Journal of Medicine in 1999.", "journal",
     ["New England Journal of Medicine"]),
    ("The trial titled \u201cSurgery versus prolonged conservative treatment for sciatica\u201d found it.",
     "title", ["Surgery versus prolonged conservative treatment for sciatica"]),
    ("Most recover [3].", "footnote", []),
    ("\u201cWe found no evidence,\u201d Vroomen said.", "person", ["Vroomen"]),
])
def test_finds_narrative_citations(text, kind, names):
    (c,) = [c for c in find_citations(text) if c.kind != "study"]
    assert (c.kind, c.names) == (kind, names) and text[c.start:c.end] == c.text


def test_narrative_citations_resolve_through_the_claims_they_back(checker):
    report = checker.check("Bed rest is no better than staying active, a trial in the New England "
                           "Journal of Medicine found.")
    (cite,) = [c for c in report["sentences"][0]["citations"] if c["kind"] == "journal"]
    assert cite["status"] == "resolved" and cite["key"] == "vroomen1999bedrest"
    report = checker.check("NICE advises against offering TENS for sciatica.")
    (cite,) = [c for c in report["sentences"][0]["citations"] if c["kind"] == "organisation"]
    assert cite["key"] == "nice2016sciatica"


_ARTICLES, _SPLIT = load_articles(Path(__file__).parent / "data" / "real_articles")
TUNING_ARTICLES = [_ARTICLES[i] for i in _SPLIT["tuning"]]


def test_journals_go_by_several_names():
    from kb.check.citations import journal_names
    assert "jama" in journal_names("The Journal of the American Medical Association")
    assert "new england journal of medicine" in journal_names("NEJM")
    assert journal_names("Spine") == {"spine", "the spine"}  # not The Spine Journal
    text = "The study, published in The Journal of the American Medical Association, is the largest."
    (c,) = [c for c in find_citations(text) if c.kind == "journal"]
    assert c.names == ["The Journal of the American Medical Association"] or \
        c.names == ["Journal of the American Medical Association"]


def test_a_narrative_mention_is_the_study_the_draft_names(checker):
    """A real (tuning-half) news report: the journal and "the study" mentions come before the
    researcher is named; each is the study he is quoted on, not another NEJM paper the nearby
    claims cite."""
    article = next(a for a in TUNING_ARTICLES if a["id"] == "cbsnews-sciatica-rest-may-not-be-best")
    cites = [c for s in checker.check(article["text"])["sentences"] for c in s["citations"]]
    journal = next(c for c in cites if c["kind"] == "journal")
    assert (journal["status"], journal["key"]) == ("resolved", "vroomen1999bedrest")
    study = next(c for c in cites if c["text"] == "Thursday's study")
    assert study["key"] == "vroomen1999bedrest" and "names nearby" in study["detail"]
    # Without a named study, "the study" stays unknown rather than guessed.
    alone = checker.check("The study found that walking helps.")["sentences"][0]["citations"]
    assert all(c["status"] == "unknown" for c in alone if c["kind"] == "study")


def test_a_study_named_with_its_journal_is_one_citation_and_names_the_research_nearby(checker):
    """A real (tuning-half) press release: "The study in the New England Journal of Medicine" is
    one citation, and the "new research" of the sentence before is the study it resolves to."""
    text = "The study in the New England Journal of Medicine also found it."
    (c,) = find_citations(text)
    assert (c.kind, c.text) == ("journal", "The study in the New England Journal of Medicine")
    article = next(a for a in TUNING_ARTICLES if a["id"] == "brightsurf-pregabalin-no-relief-sciatica-2017")
    cites = {c["text"]: c for s in checker.check(article["text"])["sentences"] for c in s["citations"]}
    assert cites["The study in the New England Journal of Medicine"]["key"] == "mathieson2017pregabalin"
    assert cites["new research"]["key"] == "mathieson2017pregabalin"


def test_a_design_named_beside_a_journal_narrows_it(checker):
    """Of the knowledge base's JAMA papers, "a randomised trial in JAMA" is one of its trials."""
    from kb.check.citations import RefIndex, design_named
    assert design_named("the only large randomized trial to compare them") == "randomised controlled trial"
    assert design_named("Randomised controlled trials show little benefit.") == "randomised controlled trial"
    assert design_named("a meta-analysis of twelve trials") == "systematic review"
    assert design_named("The study was small.") is None
    refs = RefIndex(checker.conn)
    (c,) = [c for c in find_citations("It was published in JAMA.") if c.kind == "journal"]
    nearby = frozenset({"weinstein2006sport", "weinstein2006cohort"})
    assert refs.resolve(c, nearby=nearby).status == "unknown"  # two JAMA papers nearby
    c.design = "randomised controlled trial"
    assert refs.resolve(c, nearby=nearby).key == "weinstein2006sport"
    c.design = "cohort study"
    assert refs.resolve(c, nearby=nearby).key == "weinstein2006cohort"


def test_footnotes_resolve_through_the_drafts_reference_list(checker):
    draft = ("Bed rest is no better than staying active [1].\n\nReferences\n\n"
             "1. Vroomen PC, de Krom MC, Wilmink JT, et al. Lack of effectiveness of bed rest for "
             "sciatica. N Engl J Med. 1999.\n")
    report = checker.check(draft)
    (cite,) = report["sentences"][0]["citations"]
    assert cite["kind"] == "footnote" and cite["key"] == "vroomen1999bedrest"
    alone = checker.check("Bed rest is no better than staying active [1].")
    (cite,) = alone["sentences"][0]["citations"]
    assert cite["status"] == "unknown" and not cite["formal"]  # nothing to look it up in
    assert "citation-unresolved" not in [f["code"] for f in alone["sentences"][0]["flags"]]


@pytest.mark.parametrize("citation, status, key, detail", [
    ("(Dahm et al., 2010)", "resolved", "dahm2010bedrest", "Dahm KT"),
    ("(NICE, 2020)", "resolved", "nice2016sciatica", "updated 2020"),
    ("(Vroomen et al., 2003)", "mismatch", None, "wrong year"),
    ("(Dahm, Smith and Hagen, 2010)", "mismatch", "dahm2010bedrest", "wrong co-author(s): Smith"),
    ("(Okonkwo et al., 2019)", "unknown", None, "no reference by Okonkwo"),
])
def test_citation_resolution(checker, citation, status, key, detail):
    (c,) = find_citations(citation)
    result = checker.refs.resolve(c)
    assert result.status == status and detail in result.detail
    if key:
        assert result.key == key


def test_a_crowded_name_and_year_is_resolved_only_when_the_citation_tells_them_apart(repo_db, monkeypatch):
    """Hundreds of references by one surname in one year (a large knowledge base): only a
    reference linked to the claims the sentence resembles, or with a co-author the citation
    names, is taken; otherwise the citation is ambiguous and says so, rather than picking one.
    (NAMED_AT_MOST is lowered so the real knowledge base's one Vroomen 1999 counts as crowded.)"""
    from kb.check import citations
    monkeypatch.setattr(citations, "NAMED_AT_MOST", 0)
    refs = citations.RefIndex(sqlite3.connect(repo_db))
    (alone,) = find_citations("(Vroomen et al., 1999)")
    result = refs.resolve(alone)
    assert result.status == "unknown" and "name a co-author" in result.detail
    result = refs.resolve(alone, prefer=frozenset({"vroomen1999bedrest"}))
    assert (result.status, result.key) == ("resolved", "vroomen1999bedrest")
    (with_coauthor,) = find_citations("(Vroomen and Knottnerus, 1999)")
    result = refs.resolve(with_coauthor)
    assert (result.status, result.key) == ("resolved", "vroomen1999bedrest")


# --- the report --------------------------------------------------------------------------------

def test_paraphrase_matches_the_claim_with_an_explained_reason(checker):
    report = checker.check("Staying in bed for a week will only make your sciatica worse.")
    (sentence,) = report["sentences"]
    match = sentence["matches"][0]
    assert match["claim_id"] == "bed-rest-worsens-sciatica" and match["stance"] == "asserts"
    assert match["claim_verdict"] == "contradicted" and match["certainty"] == "moderate"
    assert sentence["verdict"] == "contradicted" and "worse" in match["stance_cue"]
    assert "Bed rest" in match["reason"]
    best = match["evidence"][0]
    assert best["citation"] and best["links"]["doi"].startswith("https://doi.org/10.")
    (flag,) = sentence["flags"]
    assert flag["code"] == "contradicted" and "evidence says otherwise" in flag["fix"]


@pytest.mark.parametrize("text, claim, stance, verdict", [
    # what the sentence says decides, not what the claim it resembles says
    ("Cauda equina syndrome is common and harmless.", "cauda-equina-rare-emergency", "denies",
     "contradicted"),
    ("Lying in bed won't speed up your recovery.", "bed-rest-no-better-than-staying-active",
     "asserts", "consistent"),
    ("Book a scan as soon as the pain starts.", "imaging-not-routinely-needed", "denies",
     "contradicted"),
    ("Most people with sciatica get better without surgery.",
     "most-sciatica-improves-with-conservative-care", "asserts", "consistent"),
])
def test_stance_decides_the_sentence_verdict(checker, text, claim, stance, verdict):
    (sentence,) = checker.check(text)["sentences"]
    top = sentence["matches"][0]
    assert (top["claim_id"], top["stance"], sentence["verdict"]) == (claim, stance, verdict)
    assert top["stance_cue"]


def test_a_sentence_denying_a_supported_claim_never_gets_a_green_badge(checker):
    (sentence,) = checker.check("An MRI will always find the disc that is causing your pain.")["sentences"]
    assert sentence["verdict"] != "consistent"


def test_headings_and_questions_are_not_checked(checker):
    report = checker.check("# What causes sciatica?\n\nBed rest and sciatica\n\nCommon triggers include:\n")
    assert [s["role"] for s in report["sentences"]] == ["question", "heading", "lead-in"]
    assert all(not s["matches"] and not s["flags"] for s in report["sentences"])


def test_unrelated_sentence_matches_nothing(checker):
    report = checker.check("My grandmother grew tomatoes in her garden every summer.")
    assert report["sentences"][0]["matches"] == [] and report["sentences"][0]["flags"] == []


def test_unsourced_claim_like_sentence_is_flagged(checker):
    report = checker.check("Studies prove that 73% of office workers will get gout.")
    flags = [f["code"] for f in report["sentences"][0]["flags"]]
    assert flags == ["needs-source"]


@pytest.mark.parametrize("text, why", [
    # tuning-half sentences an expert flagged as needing a source
    ("This is the most common (95 cases in 100) type of back pain.", "gives a figure"),
    ("About half of people feel better by 4 weeks, but it can often last for several months or more.",
     "gives a figure"),
    ("In most cases sciatica will resolve in 6-12 weeks.", "gives a figure"),
    ("On average, recovery time ranges from four to twelve weeks, depending on the type of surgery.",
     "gives a figure"),
    ("However, more recent studies concluded the drug was not effective at reducing pain.",
     "appeals to research"),
    ("Statistics state that sciatica is officially one of the most common types of lower back pain now.",
     "appeals to research"),
])
def test_figures_and_appeals_to_research_that_need_a_source(text, why):
    from kb.check.report import CLAIM_LIKE
    assert why in [reason for rx, reason in CLAIM_LIKE if rx.search(text)]


def test_citation_that_does_not_support_the_claim_is_flagged(checker):
    report = checker.check("Research supports exercise-based rehabilitation for sciatica "
                           "(Luijsterburg et al., 2007).")
    (sentence,) = report["sentences"]
    assert sentence["matches"][0]["claim_id"] == "exercise-therapy-helps-sciatica"
    cite = next(c for c in sentence["citations"] if c["kind"] == "author-year")
    assert cite["status"] == "resolved" and cite["key"] == "luijsterburg2007conservative"
    assert cite["supports_claim"] == "contradicts"
    assert "citation-not-supporting" in [f["code"] for f in sentence["flags"]]


def test_a_study_against_a_claim_supports_a_sentence_denying_it(checker):
    (sentence,) = checker.check("Exercise therapy does not help sciatica "
                                "(Luijsterburg et al., 2007).")["sentences"]
    denied = {m["claim_id"]: m["stance"] for m in sentence["matches"]}
    assert denied.get("exercise-therapy-helps-sciatica") == "denies"
    cite = sentence["citations"][0]
    assert {"claim_id": "exercise-therapy-helps-sciatica", "recorded": "contradicts",
            "for_sentence": "supports"} in cite["for_claims"]
    assert "citation-not-supporting" not in [f["code"] for f in sentence["flags"]]


def test_known_miscitation_is_recognised(checker):
    report = checker.check("Sciatica is radiating leg pain (Vroomen, de Krom and Knottnerus, 2007).")
    cite = report["sentences"][0]["citations"][0]
    assert cite["status"] == "mismatch"
    assert cite["known_check"]["status"] == "wrong-authors"
    assert cite["known_check"]["ref_key"] == "koes2007sciatica"


def test_a_source_named_after_according_to_is_a_citation(checker):
    # dailynews-senior-living-sciatica-older-adults (tuning): a source the knowledge base does not know
    (s,) = checker.check("According to the National Center for Biotechnology Information, lower back "
                         "pain is one of the major disabling health conditions among adults age 60 or older.")["sentences"]
    (c,) = s["citations"]
    assert (c["kind"], c["names"], c["status"]) == (
        "organisation", ["National Center for Biotechnology Information"], "unknown")
    assert "nothing from it" in c["detail"] and c["names_a_source"]
    assert "needs-source" not in [f["code"] for f in s["flags"]]


@pytest.mark.parametrize("text, identifier", [
    ("Pregabalin is no better than placebo (https://doi.org/10.1056/NEJMoa1614292).",
     "doi:10.1056/nejmoa1614292"),
    ("See doi:10.1016/j.spinee.2019.01.005.", "doi:10.1016/j.spinee.2019.01.005"),  # ".2019." is no year
    ("Bed rest does not help (PMID: 10027839).", "pmid:10027839"),
    ("It does not help https://pubmed.ncbi.nlm.nih.gov/28328324/ at all.", "pmid:28328324"),
    ("[Lin 2017](https://doi.org/10.1056/NEJMoa1614292)", "doi:10.1056/nejmoa1614292"),  # the link decides
])
def test_dois_and_pubmed_records_are_citations(text, identifier):
    (c,) = find_citations(text)
    assert (c.kind, c.identifier) == ("link", identifier) and text[c.start:c.end] == c.text


def test_a_linked_doi_or_pmid_resolves_exactly_and_an_unknown_one_is_flagged(checker):
    key = "mathieson2017pregabalin"
    doi, pmid = checker.conn.execute("select doi, pmid from refs where key = ?", (key,)).fetchone()
    for cited in (f"https://doi.org/{doi.upper()}", f"PMID: {pmid}"):
        (s,) = checker.check(f"Pregabalin does not relieve sciatica better than placebo ({cited}).")["sentences"]
        assert [(c["kind"], c["status"], c["key"]) for c in s["citations"]] == [("link", "resolved", key)]
    (s,) = checker.check("Pregabalin does not relieve sciatica (doi:10.9999/not.a.known.study).")["sentences"]
    assert s["citations"][0]["status"] == "unknown"
    assert "citation-unresolved" in [f["code"] for f in s["flags"]]
    # a linked study is the one "the study" in the next sentence means
    report = checker.check(f"Pregabalin is no better than placebo ({cited}). The study also found "
                           "more side effects.")
    study = next(c for s in report["sentences"] for c in s["citations"] if c["kind"] == "study")
    assert study["key"] == key
    # a reference-list entry with a DOI says which study its footnote is
    report = checker.check("Pregabalin does not relieve sciatica [1].\n\nReferences\n\n"
                           f"1. Mathieson S, et al. Trial of pregabalin. doi:{doi}\n")
    assert report["sentences"][0]["citations"][0]["key"] == key


def test_a_generic_mention_carries_no_other_articles_citation_check(checker):
    # "the study" is recorded in a source article's citation checks (for another study); a
    # draft's "the study" that names nothing must not be shown that record
    assert checker.conn.execute("select count(*) from citation_checks "
                                "where lower(as_written) = 'the study'").fetchone()[0]
    (sentence,) = checker.check("The study found that bed rest does not help sciatica.")["sentences"]
    cites = [c for c in sentence["citations"] if c["text"].lower() == "the study"]
    assert cites and all(c["known_check"] is None for c in cites)


def test_json_schema_is_stable(kb_db, tmp_path):
    draft = tmp_path / "d.md"
    draft.write_text("Bed rest makes sciatica worse (Hagen et al., 2005).\n\nParking is free.\n")
    result = run("check", str(draft), "--db", str(kb_db), "--format", "json")
    report = json.loads(result.output)
    assert report["schema_version"] == 2
    assert set(report) == {"schema_version", "sentences", "attention", "summary", "source", "notes",
                           "incomplete"}
    assert report["incomplete"] is None  # kb check has no time budget
    sentence = report["sentences"][0]
    assert set(sentence) == {"index", "text", "start", "end", "role", "role_cue", "context",
                             "matches", "related", "citations", "verdict", "verdict_reason", "flags"}
    assert set(sentence["matches"][0]) == {
        "claim_id", "statement", "claim_verdict", "certainty", "score", "reason", "stance",
        "stance_cue", "sentence_verdict", "verdict_reason", "figures", "figure_agrees",
        "figure_note", "reasoning", "searched_for", "evidence"}
    assert {"ref_key", "stance", "directness", "finding", "citation", "links"} <= set(
        sentence["matches"][0]["evidence"][0])
    assert set(sentence["citations"][0]) == {
        "text", "start", "end", "kind", "formal", "names_a_source", "names", "year", "status", "key",
        "detail", "reference", "supports_claim", "for_claims", "known_check", "ref_status"}
    assert set(sentence["flags"][0]) == {"code", "message", "fix"}
    assert {"sentences", "assertions", "sentences_matched", "roles", "verdicts", "citations_by_status",
            "flags", "to_check", "fail_on", "needs_attention", "failing_flags"} == set(report["summary"])
    assert set(report["attention"][0]) == {"index", "text", "verdict", "verdict_label", "problems",
                                           "claim_id", "claim", "claim_verdict", "stance", "cue", "fix"}


# --- command line ------------------------------------------------------------------------------

def test_exit_status_follows_fail_on(kb_db, tmp_path):
    draft = tmp_path / "d.txt"
    draft.write_text("Sciatica rarely goes away by itself; for most people it keeps coming back.\n")
    assert run("check", str(draft), "--db", str(kb_db)).exit_code == 1  # contradicted
    assert run("check", str(draft), "--db", str(kb_db), "--fail-on",
               "unresolved-citation").exit_code == 0  # a code of schema 1, still accepted
    assert run("check", str(draft), "--db", str(kb_db), "--fail-on", "none").exit_code == 0
    assert run("check", str(draft), "--db", str(kb_db), "--fail-on", "needs-source").exit_code == 0
    clean = tmp_path / "clean.txt"
    clean.write_text("Parking is available behind the building.\n")
    assert run("check", str(clean), "--db", str(kb_db)).exit_code == 0


def test_usage_errors_exit_2(kb_db, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = run("check", str(empty), "--db", str(kb_db))
    assert result.exit_code == 2 and "the draft is empty" in result.output
    assert run("check", str(empty), "--db", str(kb_db), "--fail-on", "bogus").exit_code == 2
    assert run("check", str(tmp_path / "missing.txt"), "--db", str(kb_db)).exit_code == 2


def test_stdin_and_terminal_report(kb_db):
    result = run("check", "-", "--db", str(kb_db), input="A scan is rarely needed at first.\n")
    assert result.exit_code == 0
    assert "Consistent with the evidence" in result.output and "nothing that fails" in result.output
    result = run("check", "-", "--db", str(kb_db), "--details", input="A scan is rarely needed at first.\n")
    assert "imaging-not-routinely-needed" in result.output


def test_terminal_report_leads_with_what_needs_attention(kb_db):
    draft = "Cauda equina syndrome is common and harmless.\n\nParking is free.\n"
    result = run("check", "-", "--db", str(kb_db), input=draft)
    lines = result.output.splitlines()
    assert result.exit_code == 1 and lines[2] == "Needs attention"
    assert "CONTRADICTED" in lines[4] and "fix:" in result.output
    assert len(lines) < 20


def test_markdown_report_renders_as_commonmark(kb_db, tmp_path):
    """Each note is its own blockquote: the next sentence is never folded into it."""
    from markdown_it import MarkdownIt

    draft = tmp_path / "d.md"
    text = ("# Draft\n\nCauda equina syndrome is common and harmless. Parking is free.\n\n"
            "- Bed rest makes sciatica worse.\n- Walking is fine.\n")
    draft.write_text(text)
    result = run("check", str(draft), "--db", str(kb_db), "--format", "markdown")
    assert result.output.startswith("# Draft\n\nCauda equina syndrome is common and harmless.")
    html = MarkdownIt("commonmark").render(result.output)
    quotes = html.split("<blockquote>")[1:]
    assert len(quotes) >= 2 and all("</blockquote>" in q for q in quotes)
    assert all("Parking is free" not in q.split("</blockquote>")[0] for q in quotes)
    assert "<p>Parking is free.</p>" in html and "<li>Walking is fine.</li>" in html
    assert "Fix:" in html and "<strong>Check summary</strong>" in html


def test_bilateral_is_both_legs():
    from kb.text import stems
    # ("both" is a stop word: without the synonym, "both legs" is only "legs")
    assert "bilater" in set(stems("Bilateral leg pain raises concern.")) & set(stems("Sciatica spreading to both legs."))


@pytest.mark.parametrize("sentence, claim", [
    ("Staying in bed for a week will only make your sciatica worse.", "bed-rest-worsens-sciatica"),
    ("You probably don't need a scan.", "imaging-not-routinely-needed"),
    ("Sciatica usually clears up by itself.", "sciatica-does-not-pass-on-its-own"),
    ("Nine in ten cases come from a slipped disc.", "disc-herniation-causes-most-sciatica"),
    ("A slipped disc is the most common cause of sciatica.", "disc-herniation-causes-most-sciatica"),
    # completewellbeing-sciatica-myths (tuning): "slip disc", "the commonest cause"
    ("Although slip disc is the commonest cause of sciatica, it is not the only cause.",
     "disc-herniation-most-common-cause"),
    # a tuning-half sentence: "pass without the need for treatment"
    ("Most cases of short-term (known as acute) sciatica will pass without the need for treatment.",
     "most-sciatica-improves-with-conservative-care"),
])
def test_writers_words_reach_the_claim(checker, sentence, claim):
    report = checker.check(sentence)
    s = report["sentences"][0]
    assert claim in [m["claim_id"] for m in s["matches"] + s["related"]]


def test_stemming_is_thread_safe():
    # Datasette runs the check engine in several threads; a shared Snowball stemmer returned
    # wrong stems (and raised) under concurrency. Each thread must get the same stems as one.
    import random
    import string
    import threading

    from kb import text

    rng = random.Random(7)
    words = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 12))) + "ing"
             for _ in range(6000)]
    text.stem.cache_clear()
    expected = [text.stem(w) for w in words]
    results: list[list[str]] = []

    def run():
        results.append([text.stem.__wrapped__(w) for w in words])

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == expected for r in results)


def test_uncited_figure_is_flagged_even_when_it_resembles_a_claim(checker):
    report = checker.check("Research shows that 80% of people with sciatica need surgery.")
    (sentence,) = report["sentences"]
    assert sentence["matches"] or sentence["related"]  # it resembles a known claim (its opposite)
    assert [f["code"] for f in sentence["flags"]] == ["needs-source"]
    cited = checker.check("Most people improve without surgery (Peul et al., 2007).")
    assert "needs-source" not in [f["code"] for f in cited["sentences"][0]["flags"]]


def test_sentence_splitting_is_thread_safe():
    # pysbd's Segmenter stores the text on the instance between setting and reading it; a
    # shared one mixes up concurrent drafts. Each thread must get the sentences one thread gets.
    import threading

    drafts = [" ".join(f"Draft {d} sentence {i} is here." for i in range(40)) for d in range(6)]
    expected = [[s.text for s in split_sentences(d)] for d in drafts]
    results: dict[int, list] = {}

    def run(d):
        results[d] = [[s.text for s in split_sentences(drafts[d])] for _ in range(5)]

    threads = [threading.Thread(target=run, args=(d,)) for d in range(len(drafts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r == [expected[d]] * 5 for d, r in results.items())


def test_sentences_of_only_common_words_still_find_their_claim(tmp_path, monkeypatch):
    """In a large knowledge base a sentence may have no rare word; candidates then come from
    claims holding its rarest few words together. Forced here with a zero posting budget."""
    import re

    import kb.check.candidates
    from kb import generate as generate_kb
    from kb.build import build

    generate_kb.generate(tmp_path / "kb", 400, seed=3)
    build(tmp_path / "kb", tmp_path / "kb.db")
    conn = sqlite3.connect(tmp_path / "kb.db")
    statements = conn.execute("select id, statement from claims order by id limit 40").fetchall()
    monkeypatch.setattr(kb.check.candidates, "POSTING_BUDGET", 0)
    checker = Checker(conn)
    wording = {i: re.sub(r"^Claim \d+: ", "", s) for i, s in conn.execute("select id, statement from claims")}
    found = 0
    for claim_id, _ in statements:
        matches = checker.candidates.find(wording[claim_id])
        # the claim itself, or one with the very same wording (the generator repeats some)
        found += bool(matches) and wording[matches[0].claim_id] == wording[claim_id]
    assert found >= 36, found


@pytest.mark.parametrize("text, kind, names, year", [
    ("According to the Mayo Clinic, most sciatica improves.", "organisation", ["Mayo Clinic"], None),
    ("The NHS says most people get better within weeks.", "organisation", ["NHS"], None),
    ("The American College of Physicians recommends exercise.", "organisation",
     ["American College of Physicians"], None),
    ("According to a 2016 NICE guideline, imaging is not needed.", "organisation", ["NICE"], "2016"),
    ("NICE's 2020 guidance says so.", "organisation", ["NICE"], "2020"),
    ("A 2018 systematic review in the BMJ found no benefit.", "journal", ["BMJ"], "2018"),
    ("A 2019 study found that bed rest does not help.", "study", [], "2019"),
    ("Researchers at Harvard Medical School found no benefit.", "study", [], None),
])
def test_narrative_sources_as_lay_articles_give_them(text, kind, names, year):
    """Forms lay articles use to name a source (not taken from the labelled test half): an
    organisation with or without "the", "according to", the year given before the name."""
    (c,) = [c for c in find_citations(text) if c.kind == kind]
    assert (c.names, c.year) == (names, year)


def test_a_dated_study_mention_is_only_a_study_of_that_year(checker):
    draft = ("Bed rest is no better than staying active (Vroomen et al., 1999). "
             "The study followed 183 patients.")
    report = checker.check(draft)
    (mention,) = [c for c in report["sentences"][1]["citations"] if c["kind"] == "study"]
    assert mention["key"] == "vroomen1999bedrest"
    report = checker.check(draft.replace("The study followed", "A 2021 study followed"))
    (mention,) = [c for c in report["sentences"][1]["citations"] if c["kind"] == "study"]
    assert mention["status"] == "unknown" and "2021" in mention["detail"]


@pytest.mark.parametrize("text, kind, names, year", [
    ("It should always be tried first [Singh 2021].", "author-year", ["Singh"], "2021"),
    ("Massage helps [Hagen et al., 2005].", "author-year", ["Hagen"], "2005"),
    ("Physiotherapy has been shown to be effective [Verweord].", "person", ["Verweord"], None),
])
def test_citations_in_square_brackets(text, kind, names, year):
    """Tuning-half forms (fifth batch): author-year and a bare surname in square brackets; an
    editorial "[sic]" is not a citation."""
    (c,) = [c for c in find_citations(text) if c.kind == kind]
    assert (c.names, c.year) == (names, year)
    assert find_citations("He said [sic] it was fine.") == []
