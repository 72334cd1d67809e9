"""kb check, step by step, on sentences from real articles (the tuning half of
tests/data/real_articles; the test half is only measured, in aggregate, by scripts/bench_check.py
and by the safety test at the end)."""

import re
import sqlite3
from pathlib import Path

import pytest

from kb.check import Checker
from kb.check.draft import split_sentences
from kb.check.evaluate import _accepted, _align, evaluate_articles, load_articles
from kb.check.figures import compare, figures
from kb.check.roles import role, with_context
from kb.check.stance import read, stance, strength
from kb.check.verdict import TABLE, sentence_verdict
from kb import vocab

ARTICLES, SPLIT = load_articles(Path(__file__).parent / "data" / "real_articles")
TUNING = [ARTICLES[i] for i in SPLIT["tuning"]]


def labelled(kind=None):
    for article in TUNING:
        for s in article["sentences"]:
            if kind is None or s["role"] == kind:
                yield article, s


def sentence_of(article, label):
    text = article["text"]
    start = text.find(label["text"])
    end = start + len(label["text"])
    return max(split_sentences(text), key=lambda s: min(end, s.end) - max(start, s.start))


@pytest.fixture(scope="module")
def checker(repo_db):
    return Checker(sqlite3.connect(repo_db))


# --- step 1: roles -----------------------------------------------------------------------------

def test_every_labelled_question_and_lead_in_is_seen_as_one():
    for kind in ("question", "lead-in"):
        cases = [(a, s) for a, s in labelled(kind) if s["text"].rstrip().endswith(("?", ":"))]
        assert cases
        for article, s in cases:
            ours = sentence_of(article, s)
            if ours.text == s["text"]:  # a capture may run the line into the next one
                assert role(ours)[0] == kind, s["text"]


def test_assertions_stay_assertions():
    """Nine in ten labelled assertions are read as assertions (the rest are page captures that
    run a heading into the sentence)."""
    cases = list(labelled("assertion"))
    right = sum(role(sentence_of(a, s))[0] == "assertion" for a, s in cases)
    assert right / len(cases) >= 0.9


@pytest.mark.parametrize("text, expected", [
    ("What causes sciatica?", "question"),
    ("Common triggers include:", "lead-in"),
    ("Book an appointment today", "call-to-action"),
    ("Book a scan as soon as the pain starts.", "assertion"),  # advice, not marketing
    ("In the study, half the 183 subjects were assigned to bed rest.", "study-design"),
    ("This booklet gives information on the common causes.", "other"),
    # page furniture from tuning-half captures
    ("March 7, 2006|By Paul Donohue", "navigation"),
    ("Mrs. Ann Briars", "navigation"),
    ("If your browser does not render page correctly, please read the page content below", "navigation"),
    ("For further information please consult your health professional or visit the website.", "navigation"),
    ("Here\u2019s an overview of when surgery may be necessary.", "other"),
    # tuning-half captures: a picture credit, the author's credentials, a free offer
    ("(Photo by Jb Reed/Bloomberg via Getty Images)", "navigation"),
    ("Dr. Darakchiev is a board-certified, fellowship-trained neurosurgeon skilled in diagnosing and "
     "treating a variety of brain, spine and peripheral nerve disorders.", "navigation"),
    ("It's FREE!", "call-to-action"),
    ("Illustration of a person experiencing sciatica pain and using a TENS unit for relief", "navigation"),
    ("Let's delve into the science behind TENS units and their potential effectiveness for sciatica.", "other"),
    ("Find out all you need to know about the symptoms and treatment of sciatica in pregnancy.", "other"),
    ("In this informative article, a consultant spinal surgeon explains sciatica.", "other"),
    ("This severe pain is common.", "assertion"),
    ("Photo therapy is an effective treatment for sciatica.", "assertion"),
    ("By Dr. Jason Koh, D.O.", "navigation"),  # bylines (dailynews-senior-living-sciatica-older-adults)
    ("Dr. Jason Koh, D.O.", "navigation"),
    ("| Written By SpineNation Editorial Staff   | Medically Reviewed by Jerry Nichols, MD", "navigation"),
])
def test_roles_of_kinds_of_sentence(text, expected):
    (s,) = split_sentences(text)
    assert role(s)[0] == expected


def test_a_lead_ins_word_is_not_the_item_saying_the_claim_in_other_words(checker):
    # nydnrehab-piriformis-syndrome-vs-sciatica (tuning): "common" is the symptoms', not sciatica's
    text = "The two conditions share some of the same symptoms in common:\n- Radiating leg pain\n- Lower back pain\n"
    for s in checker.check(text)["sentences"][1:]:
        assert "sciatica-is-common" not in [m["claim_id"] for m in s["matches"]], s["text"]


def test_a_listicles_numbered_lines_between_paragraphs_are_headings():
    # drcianci-sciatica-desk-job-tips (tuning): "1. Take short breaks", a blank line, its paragraph
    text = ("here are some ways to manage your sciatica.\n\n1. Take short breaks\n\nTake short walk "
            "breaks while at work.\n\n2. Use an ergonomic chair with lumbar support\n\nErgonomic "
            "chairs can help.\n")
    got = [(s.block, role(s)[0]) for s in split_sentences(text)]
    assert got[1] == ("heading", "heading") and got[3] == ("heading", "heading")
    # a list's last item before a paragraph stays an item
    items = split_sentences("Avoid:\n1. Bed rest\n2. Sitting for hours\n\nMost people recover.\n")
    assert [s.block for s in items] == ["paragraph", "item", "item", "paragraph"]


def test_a_line_opening_with_a_bar_is_a_block_of_its_own():
    # spinenation-straight-leg-test-sciatica: the date line and the "| Written By ..." line
    text = "Published October 5, 2018\n| Written By SpineNation Editorial Staff   | Medically Reviewed by Jerry Nichols, MD\n"
    assert [role(s)[0] for s in split_sentences(text)] == ["navigation", "navigation"]


def test_title_case_lines_after_or_outside_a_list_are_headings():
    """Tuning-half captures (european-therapeutics-massage-sciatica, mediciortho-exercises-ease-
    sciatica-home): a plain line after a bulleted list ends it, and a numbered Title Case line
    with no list before it is a section heading."""
    text = ("Common causes include:\n- Herniated discs\n- Muscle inflammation from injury\n"
            "How Massage Therapy Helps Sciatica\nMassage therapy addresses sciatica in several ways.\n\n"
            "1. Piriformis Stretch (Seated or Lying Down)\n\nOne of the most effective ways is to stretch.")
    got = {s.text: (s.block, role(s)[0]) for s in split_sentences(text)}
    assert got["Muscle inflammation from injury"] == ("item", "assertion")
    assert got["How Massage Therapy Helps Sciatica"][1] == "heading"
    assert got["Piriformis Stretch (Seated or Lying Down)"][1] == "heading"
    # a plain-lines list keeps its items
    (lead, *items) = split_sentences("Avoid:\nBed rest\nSitting for hours\n")
    assert [(s.block, s.lead_in) for s in items] == [("item", "Avoid:"), ("item", "Avoid:")]


def test_lower_case_lines_after_a_lead_in_are_its_items():
    """funmumsfitness-sciatica-pregnancy-stretches (tuning): a capture's list of lower-case lines
    after "...: " (a space before the line break); a hard-wrapped paragraph stays one block."""
    text = ("The pain can be constant. \nHere are a few things to try to relieve the pain: \n"
            "try to avoid sitting for too long \nuse a warm compress where you feel the pain \n"
            "We put together a short video.")
    got = [(s.text, s.block, s.lead_in) for s in split_sentences(text)]
    lead = "Here are a few things to try to relieve the pain:"
    assert ("try to avoid sitting for too long", "item", lead) in got
    assert ("use a warm compress where you feel the pain", "item", lead) in got
    wrapped = split_sentences("Most people recover within weeks\nand do not need a scan.")
    assert [s.text for s in wrapped] == ["Most people recover within weeks\nand do not need a scan."]


def test_a_numbered_section_after_a_bulleted_list_is_a_heading():
    """sciaticalm-when-to-see-doctor-uk (tuning): "2. When to See a GP" after a bulleted list is
    not one of its items, and "2.1." numbers a subsection."""
    text = ("Symptoms may include:\n- Numbness or weakness in the affected leg\n- Tingling sensations down "
            "the leg\n2. When to See a GP for Sciatica\n2.1. Persistent or Severe Pain\nIf the pain persists, "
            "see your GP.")
    got = {s.text: (role(s)[0], s.lead_in) for s in split_sentences(text)}
    assert got["Tingling sensations down the leg"] == ("assertion", "Symptoms may include:")
    assert got["When to See a GP for Sciatica"] == ("heading", None)
    assert got["Persistent or Severe Pain"] == ("heading", None)


def test_a_page_titles_run_on_last_word_is_a_heading():
    # medicinenet-chiropractor-for-sciatica (tuning)
    got = [(s.text, role(s)[0]) for s in split_sentences(
        "What Does a Chiropractor Do for Sciatica? Treatment\n\nMedically Reviewed on 12/15/2022")]
    assert ("Treatment", "heading") in got


def test_a_myth_articles_section_title_states_the_myth():
    """completewellbeing-sciatica-myths (tuning): "Myth 1: Sciatica is a disease" is labelled an
    assertion, as the myth lines of darakchiev-sciatica-myths-facts are; a plain title is not."""
    text = "10 sciatica myths\n\nMyth 1: Sciatica is a disease\n\nSciatica is not a disease but a symptom."
    got = {s.text: role(s)[0] for s in split_sentences(text)}
    assert got["Myth 1: Sciatica is a disease"] == "assertion"
    assert got["10 sciatica myths"] == "heading"


def test_a_myth_of_only_one_cause_is_not_the_claim_that_it_is_the_commonest():
    result = stance("Myth 2: Sciatica is caused only due to slip disc",
                    "A herniated (slipped) disc is the most common cause of sciatica.")
    assert result.stance == "topic" and "caused only" in result.cue


def test_a_heading_glued_to_its_paragraph_is_a_heading():
    """Web captures run a heading into the paragraph after it ("Sciatica treatment Sciatica can
    be caused by ..."): the four such headings labelled in the tuning half are now sentences of
    their own, read as headings."""
    glued = ["Sciatica treatment", "Other types of back pain", "Non-specific low back pain",
             "Serious spinal pathology (red flags)"]
    labels = {s["text"] for _, s in labelled("heading")}
    assert set(glued) <= labels
    for article in TUNING:
        for x in split_sentences(article["text"]):
            if x.text in glued:
                assert role(x)[0] == "heading", x.text
                glued.remove(x.text)
    assert glued == []


@pytest.mark.parametrize("text, head", [
    ("Sciatica treatment Sciatica can be caused by a number of conditions including a herniated disc.",
     "Sciatica treatment"),
    ("Non-specific low back pain This is the most common (95 cases in 100) type of back pain.",
     "Non-specific low back pain"),
    ("Serious spinal pathology (red flags) In rare (less than 1 in 100) cases, back and leg pain is serious.",
     "Serious spinal pathology (red flags)"),
    # not headings:
    ("Research published in The BMJ describes sciatica as a syndrome of radiating leg pain.", None),
    ("Spondylosis \u2013 This is effectively osteoarthritis of the spine and it is common.", None),
    ("Stop Sciatica in Its Tracks: Causes, Symptoms, and Solutions for lasting relief", None),
    ("Research shows that seeking early intervention for your Sciatica greatly decreases the pain.", None),
    ("Doctors of Chiropractic regularly treat Sciatica in their clinics every day.", None),
])
def test_run_in_headings(text, head):
    from kb.check.draft import run_in_heading

    assert run_in_heading(text) == head
    sentences = split_sentences(text)
    if head:
        assert [s.text for s in sentences][:1] == [head] and role(sentences[0])[0] == "heading"
        assert role(sentences[1])[0] == "assertion" and text.endswith(sentences[1].text)
    else:  # nothing split off: the sentence is read whole
        assert [s.text for s in sentences] == [text]


def test_a_list_item_is_checked_with_its_lead_in():
    sentences = split_sentences("Avoid:\nBed rest\n")
    assert with_context(sentences[1]) == "Avoid: Bed rest"


# --- step 3: stance ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, claim, expected", [
    # real sentences from the tuning half, and the claims they were labelled with
    ("The two weeks of bed rest traditionally prescribed for sciatica doesn't necessary help "
     "sufferers recover any faster than normal activity",
     "For sciatica, bed rest is no more effective than staying active.", "asserts"),
    ("Sciatica often resolves by itself, without any treatment.",
     "Sciatica does not pass on its own; without treatment it keeps returning.", "denies"),
    ("Spinal surgery may be indicated if the symptoms do not respond to a conservative approach.",
     "Most people with sciatica improve over time with conservative care, without surgery.", "topic"),
    ("Another common cause of Sciatica that Chiropractors can help is piriformis syndrome.",
     "Sciatica is common.", "topic"),
    ("Frequently, sciatica clears in a matter of weeks to two months.",  # sun-sentinel-donohue
     "Many people improve meaningfully within weeks to months, though recovery times vary widely.",
     "asserts"),
])
def test_stance_on_real_sentences(text, claim, expected):
    result = stance(text, claim)
    assert result.stance == expected and result.cue


@pytest.mark.parametrize("text, claim, expected", [
    # quantifiers say how many, not the claim's position
    ("Not everyone with sciatica needs surgery.",
     "Most people with sciatica improve over time with conservative care, without surgery.", "topic"),
    ("Cauda equina syndrome is not rare.", "Cauda equina syndrome is rare but a medical emergency.",
     "denies"),
    ("Pregabalin works well for sciatica.", "Pregabalin does not relieve sciatica pain.", "denies"),
    ("Pregabalin does not work for sciatica.", "Pregabalin does not relieve sciatica pain.", "asserts"),
    ("An MRI is essential to diagnose sciatica.", "MRI is not routinely needed early in sciatica.",
     "denies"),
])
def test_stance_on_forms_writers_use(text, claim, expected):
    result = stance(text, claim, treatment=False)  # read as the engine reads non-treatment claims
    assert result.stance == expected and result.cue


def test_stance_on_every_tuning_sentence_whose_claim_is_found(checker):
    """Where the checker finds the labelled claim, it reads the stance the labeller gave."""
    result = evaluate_articles(checker, TUNING)
    assert result["counts"]["stance_scored"] >= 30
    assert result["stance_accuracy"] >= 0.95 and result["opposite_polarity"] == 0


def test_hedges_and_absolutes():
    assert strength("Bed rest may help.")[0] == -1 and strength("Bed rest always helps.")[0] == 1
    assert strength("It radiates all the way down the leg.")[0] == 0  # "all the way" is no absolute
    # a negated absolute is a hedge (tuning: darakchiev-sciatica-myths-facts)
    assert strength("While a herniated disc is a common cause of sciatica, it is not the only cause.") \
        == (-1, "not the only")
    assert strength("It is not always caused by something you did wrong.")[0] == -1


@pytest.mark.parametrize("text, claim, expected", [
    # tuning sentences (darakchiev-sciatica-myths-facts, brightsurf-pregabalin-no-relief-sciatica-2017)
    # whose words of position belong to something else: an absolute called a myth, an indirect
    # question, evidence that helps someone know
    ("Myth: Sciatica is always caused by a herniated disc.",
     "A herniated (slipped) disc is the most common cause of sciatica.", "topic"),
    ('"But, until now there has been no high quality evidence to help patients and doctors know '
     'whether pregabalin works for treating sciatica.',
     "Pregabalin does not relieve sciatica better than placebo.", "topic"),
    # a condition (njbrainspine-surgical-options-sciatica)
    ("But if the pain becomes severe or doesn\u2019t improve with time, surgery may become part of "
     "the conversation.",
     "Most people with sciatica improve over time with conservative care, without surgery.", "topic"),
    # "wear and tear" is a noun, not advice to wear something (darakchiev-sciatica-myths-facts)
    ("Sciatica can also be caused by natural wear and tear on the spine or by underlying medical conditions.",
     "Wear and tear of the spinal discs (degenerative disc disease) can irritate nearby nerves and "
     "cause sciatica.", "asserts"),
])
def test_words_of_position_that_belong_to_something_else(text, claim, expected):
    assert stance(text, claim).stance == expected


def test_work_as_a_workplace_is_no_word_of_effect():
    from kb.check.stance import read
    # rowlands-pharmacy-sciatica (tuning): "stay at work" is not "it works"
    assert "effect" not in read("Stay active and if at all possible, stay at work.").values
    assert "effect" not in read("Most people can go back to work within weeks.").values
    assert read("Massage seems to work for sciatica.").values["effect"][0] == "benefit"
    # the knowledge base's own risk-factor claim: demanding work is a job, not a treatment
    assert "effect" not in read("Physically demanding work, such as heavy lifting and carrying, "
                                "increases the risk of sciatica.").values


def test_a_comparison_of_something_the_claim_does_not_speak_of_is_no_position():
    # livestrong-sciatica-weight-loss (tuning): less healing is not less risk
    claim = "Obesity (excess body weight) increases the risk of sciatica."
    result = stance("Patients who are obese may take longer to heal from sciatica, and their healing "
                    "will be less than nonobese patients because of the physical stresses on tissues.", claim)
    assert result.stance != "denies"
    # a comparison of what the claim speaks of still is one
    assert stance("For obese people the risk of sciatica is less than for others.", claim).stance == "denies"


def test_a_negation_the_reading_cannot_place_makes_an_agreement_unclear():
    # tuning half (health-navigator-nz-sciatica): "rarely" is about how often, and may turn it
    result = stance("Rarely, injections and/or surgery may be recommended.",
                    "For sciatica from a lumbar disc herniation, surgery (discectomy) relieves leg pain "
                    "faster than continued conservative care.")
    assert (result.stance, result.clear) == ("asserts", False) and "rarely" in result.cue


def test_a_benefit_does_not_deny_a_harm_the_claim_only_says_is_possible():
    # tuning half (drcianci-sciatica-desk-job-tips)
    can_worsen = "Stretching, especially aggressive stretching, can worsen sciatica."
    assert stance("Stretches can also be beneficial in reducing your sciatica pain.", can_worsen).stance == "topic"
    assert stance("Stretching worsens sciatica.", "Stretching helps sciatica.").stance == "denies"


def test_of_contrasted_clauses_the_one_that_speaks_of_the_claim_is_read():
    claim = "Walking helps sciatica."
    assert stance("Bed rest does not cure it, but walking helps sciatica.", claim).stance == "asserts"
    assert stance("Walking does not help sciatica, but rest does.", claim).stance == "denies"


# --- step 4: the sentence's verdict --------------------------------------------------------------

def test_the_verdict_table_covers_every_claim_verdict():
    for verdict in vocab.VERDICTS:
        for polarity in ("asserts", "denies"):
            assert TABLE[(verdict, polarity)] in vocab.SENTENCE_VERDICTS


@pytest.mark.parametrize("claim_verdict, stance_, s_strength, c_strength, expected", [
    ("supported", "denies", 0, 0, "contradicted"),
    ("contradicted", "denies", 0, 0, "consistent"),
    ("overstated", "denies", 0, 0, "consistent"),
    ("overstated", "asserts", -1, 0, "consistent"),   # "may help" for "helps"
    ("overstated", "asserts", -1, -1, "overstated"),  # "can" where the claim says "can"
    ("supported", "asserts", 1, 0, "overstated"),     # "always"
    ("supported", "topic", 0, 0, "unsure"),
    ("unsupported", "denies", 0, 0, "unsure"),
])
def test_sentence_verdicts(claim_verdict, stance_, s_strength, c_strength, expected):
    assert sentence_verdict(claim_verdict, stance_, s_strength, c_strength)[0] == expected


def test_never_a_green_badge_for_a_denial():
    for verdict in ("supported", "mostly-supported"):
        assert sentence_verdict(verdict, "denies")[0] != "consistent"
        assert sentence_verdict(verdict, "myth")[0] != "consistent"


# --- figures ------------------------------------------------------------------------------------

def test_every_labelled_percentage_is_read():
    cases = [f for _, s in labelled("assertion") for f in s.get("figures") or []
             if "percent" in f or "%" in f]
    assert cases
    for written in cases:
        assert [x for x in figures(written) if x.unit == "percent"], written


@pytest.mark.parametrize("sentence, claim, agrees", [
    ("Nine in ten cases come from a disc.", "About 90% of sciatica comes from a disc.", True),
    ("Eighty-seven percent felt better.", "87% improved at 12 weeks.", True),
    ("80 percent need surgery.", "About 90% improve.", False),
    ("It clears up in 4 to 6 weeks.", "Most improve within 6 weeks.", True),
    ("It clears up within a year.", "Most improve within 6 weeks.", None),  # durations never differ
    ("One in a hundred people get it.", "Lifetime prevalence is 13% to 40%.", False),
])
def test_figures_compare(sentence, claim, agrees):
    assert compare(figures(sentence), figures(claim))[0] is agrees


# --- step 5: citations ----------------------------------------------------------------------------

def test_labelled_citations_are_found(checker):
    result = evaluate_articles(checker, TUNING)
    assert result["counts"]["citations"] >= 10 and result["citation_detection"] >= 0.85


# --- the whole report: the safety properties ------------------------------------------------------

def test_no_opposite_polarity_agreement_and_no_flag_on_a_heading(checker):
    """On the tuning half: a sentence is never reported as agreeing with a claim it says the
    opposite of, and no question or lead-in is flagged. (The test half is measured by
    scripts/bench_check.py, not asserted here: a test that fails on it would invite tuning on it.)"""
    for article in TUNING:
        for label, got in _align(article, checker.check(article["text"])):
            if got is None:
                continue
            top = got["matches"][0] if got["matches"] else None
            if top and top["claim_id"] in _accepted(label) and label.get("stance") in ("denies", "myth"):
                assert top["stance"] != "asserts", label["text"]
            if top and top["claim_id"] in _accepted(label) and label.get("stance") == "asserts":
                assert top["stance"] not in ("denies", "myth"), label["text"]
            if label["role"] in ("question", "lead-in") and got["text"] == label["text"]:
                assert not got["flags"], label["text"]  # (a capture may run it into the next line)


def test_a_claim_said_in_other_words_is_a_match_but_never_green(checker):
    """A sentence that neither states the claim's position ("worsens") nor its opposite is read
    as making the claim only when it shares much of its wording, and then is never shown as
    consistent: nothing in it says the same for certain (tuning-half sentence)."""
    result = stance("You may have pain, especially when you sit, sneeze, or cough.",
                    "Sciatica pain often worsens with sitting, coughing or bending forward.",
                    treatment=False)
    assert result.stance == "topic" and result.unstated
    sentence = checker.check("You may have pain, especially when you sit, sneeze, or cough.")["sentences"][0]
    top = sentence["matches"][0]
    assert top["claim_id"] == "sciatica-worse-sitting-coughing-bending"
    assert top["stance"] == "asserts" and "in other words" in top["stance_cue"]
    assert sentence["verdict"] != "consistent"
    # Sharing a little of the wording is still only a related claim.
    weak = checker.check("Pain can come and go.")["sentences"][0]
    assert all("in other words" not in m["stance_cue"] for m in weak["matches"])


def test_brand_and_class_names_reach_the_claims_that_use_generic_names(checker):
    from kb.text import normalise
    assert "gabapentin" in normalise("Neurontin") and "pregabalin" in normalise("Lyrica")
    assert "antiepileptic" in normalise("anti-seizure medications")
    assert "paracetamol" in normalise("Tylenol") and "ibuprofen" in normalise("Advil")
    # A tuning-half sentence that names the drugs only by brand and class.
    text = ("Over the last 5-10 years the use of anticonvulsants (Neurontin) (Lyrica) to treat low "
            "back pain and/or sciatica has increased dramatically.")
    statements = [checker.conn.execute("select statement from claims where id = ?",
                                       (c.claim_id,)).fetchone()[0]
                  for c in checker.candidates.find(text)]
    assert statements and all(re.search(r"gabapentin|pregabalin|antiepileptic", s, re.I)
                              for s in statements[:1])


def test_a_sentence_reporting_one_studys_groups_raises_no_verdict_flag(checker):
    """A tuning-half sentence that gives one study's groups' results ("patients in the two
    groups") is not judged as the general claim it resembles, its figures are not compared with
    the claim's, and it counts as sourced by the study the draft named sentences before."""
    from kb.check.roles import study_result
    assert study_result("After two weeks, 70 percent of the 92 patients who stayed in bed felt better.")
    assert study_result("But by three to six months, patients in the two groups reported marked improvement.")
    assert study_result("So did 65 percent of those who were up and about.")
    assert not study_result("Most patients with sciatica get better within weeks.")
    assert not study_result("Those who are overweight are more likely to get sciatica.")
    article = ARTICLES["nytimes-sciatica-surgery-or-waiting-2006"]
    report = checker.check(article["text"])
    for text in ("But by three to six months, patients in the two groups reported marked improvement.",
                 "After two years, about 70 percent of the patients in the two groups said they had"):
        got = next(s for s in report["sentences"] if s["text"].startswith(text))
        assert not got["flags"], (text, got["flags"])
        assert all(m["figure_agrees"] is None for m in got["matches"])
        if got["matches"]:
            assert got["verdict"] not in ("unsupported", "overstated", "contradicted")
    # Without the group wording, the same figure is a claim that needs a source.
    alone = checker.check("After two years, about 70 percent of people said they had a major improvement.")
    assert "needs-source" in {f["code"] for f in alone["sentences"][0]["flags"]}


def test_page_furniture_between_paragraphs_is_navigation():
    from kb.check.draft import split_sentences
    s = split_sentences("Continue reading the main story")[0]
    assert role(s)[0] == "navigation"


def test_a_red_flag_needs_as_much_as_a_green_badge(checker):
    """Resemblance alone (no word that says the claim's position, no cited study, less than
    GREEN_MATCH of the wording) gives neither a green badge nor a failing flag: the sentence is
    a related claim to check (every such top match on the tuning half)."""
    from kb.check.engine import GREEN_MATCH
    weak = []
    for article in TUNING:
        for s in checker.check(article["text"])["sentences"]:
            for m in s["matches"][:1]:
                plain = "without negation" in m["stance_cue"] or "in other words" in m["stance_cue"]
                if plain and m["score"] < GREEN_MATCH and m["claim_verdict"] not in ("not-checkable",):
                    weak.append((s, m))
    assert len(weak) >= 3
    for s, m in weak:
        assert m["sentence_verdict"] == "unsure", (s["text"], m["sentence_verdict"])
        assert not {f["code"] for f in s["flags"]} & {"unsupported", "overstated", "contradicted"}, s["text"]


def test_a_denial_by_a_missing_negation_alone_is_not_clear():
    """A negation in one text over words the other states without it is a weak cue (it may be a
    paraphrase): read as a denial, but not a clear one, so it needs the wording of a close match."""
    result = stance("It says you don't have to rush in for surgery.",
                    "For sciatica from a lumbar disc herniation, surgery (discectomy) relieves leg "
                    "pain faster than continued conservative care.", treatment=True)
    assert result.stance == "denies" and not result.clear
    # A pole word negated is still a clear denial.
    clear = stance("Bed rest does not help sciatica.", "Bed rest helps sciatica.", treatment=True)
    assert clear.stance == "denies" and clear.clear


def test_a_claim_whose_texts_all_match_ranks_above_one_a_single_text_resembles(checker):
    """Tuning-half sentence: the nerve's course (statement, quotes and findings all about the
    nerve roots that form it) ranks above the cause of sciatica, which one text resembles as
    closely."""
    text = ("The Sciatic nerve is made up of numerous spinal nerve roots that exit the spinal "
            "column in the region of the lumbar spine (spine in the area of your lower back).")
    found = checker.candidates.find(text)
    assert found[0].claim_id == "sciatic-nerve-course"
    assert max(found, key=lambda c: c.score).claim_id != "sciatic-nerve-course"


def test_where_a_nerve_runs_is_a_position():
    """Tuning-half sentence: through the muscle denies "runs directly beneath it", and agrees
    with the claim that in some people it runs through it."""
    sentence = "The sciatic nerve runs through the piriformis."
    beneath = ("The piriformis is a small muscle deep in the buttock, and the sciatic nerve "
               "normally runs directly beneath it.")
    assert stance(sentence, beneath, treatment=False).stance == "denies"
    through = "In about 15-20% of people the sciatic nerve runs through the piriformis muscle."
    assert stance(sentence, through, treatment=False).stance == "asserts"


def test_a_leading_clause_is_not_the_subject(checker):
    """Tuning-half list item: "If the Sciatic nerve is affected, one of the key symptoms ..." is
    about symptoms, not the nerve's anatomy, so a symptom claim is not set aside as being
    about another topic."""
    from kb.text import topic_token
    text = ("If the Sciatic nerve is affected, one of the key symptoms that may cause you to seek "
            "treatment is pain that shoots down one side of your leg.")
    assert checker._subject_topics(text) == {topic_token("symptoms")}
    assert checker._subject_topics("The sciatic nerve is the longest nerve.") == {topic_token("anatomy")}
    # spectator-pregabalin-sciatica-placebo-2017 (tuning): "after eight weeks" says when; and
    # after "there was" the subject follows the verb
    result = ("After eight weeks there was no significant difference in pain intensity between the "
              "group taking pregabalin and those receiving the placebo.")
    assert checker._subject_topics(result) == set()
    assert checker._subject_topics("Within a year, the sciatic nerve is healed.") == {topic_token("anatomy")}
    # funmumsfitness-sciatica-pregnancy-stretches (tuning): the condition by two of its names is
    # no topic of its own
    assert checker._subject_topics("Sciatica or sciatic nerve pain is very common during pregnancy.") == set()
    assert checker._subject_topics("Sciatica surgery is common.") == {topic_token("surgery")}
    match = checker.check(result)["sentences"][0]["matches"]
    assert match and match[0]["claim_id"] in ("pregabalin-does-not-relieve-sciatica",
                                              "gabapentinoids-do-not-improve-sciatica")


def test_a_frequency_word_qualifies_the_subject_and_a_claims_own_topics_count_as_shared(checker):
    """Tuning-half sentences: "the common causes" are about causes, not prevalence; "Sciatica is a
    term ... nerve pain" is about the definition, a topic of the claim it makes."""
    from kb.text import topic_token
    assert topic_token("prevalence") not in checker._subject_topics(
        "Some of the common causes for the compression of the sciatic nerve may include herniated disc.")
    # nor does a list's lead-in "Common indicators of sciatica ... include:" make its items about prevalence
    assert topic_token("prevalence") not in checker._topics(
        "Common indicators of sciatica for older adults include: Burning sensations traveling to or from "
        "the lower extremities")
    (sentence,) = checker.check("Sciatica is a term that generally refers to nerve pain in your leg "
                                "caused by a problem in your lower back.")["sentences"]
    assert "sciatica-is-nerve-root-irritation" in [m["claim_id"] for m in sentence["matches"]]


def test_a_near_topic_is_not_another_subject(checker):
    """guys-st-thomas-sciatica-nerve-root-pain (tuning): the list items after "alert your GP ...
    immediately" are symptoms and red flags at once (claims/topics.yaml: red-flags near symptoms);
    an unrelated topic is still another subject."""
    draft = ("If you experience any of these symptoms it is important that you alert your GP or another "
             "medical professional immediately:\n\n- numbness around the genital region or back\n"
             "- inability to pass urine")
    def tops(c):
        return [s["matches"][0]["claim_id"] if s["matches"] else None for s in c.check(draft)["sentences"][1:]]
    assert tops(checker)[0] == "cauda-equina-red-flags"
    assert set(tops(checker)) <= {"cauda-equina-red-flags", "cauda-equina-rare-emergency"}
    alone = Checker(checker.conn)
    alone.near = {}
    assert "cauda-equina-red-flags" not in tops(alone)  # without it, both were "about another topic"
    from kb.text import topic_token
    assert topic_token("symptoms") in checker.near[topic_token("red-flags")]
    assert topic_token("red-flags") in checker.near[topic_token("symptoms")]  # both ways round
    assert topic_token("bed-rest") not in checker.near.get(topic_token("imaging"), set())


def test_a_named_source_is_not_the_sentences_subject(checker):
    """charmedfirmats-heat-sciatica-pain-relief (tuning): "According to the Mayo Clinic" names the
    source; its "clinic" (an alias of a publisher's own services) is not what the sentence is about."""
    (sentence,) = checker.check("According to the Mayo Clinic, although the pain associated with sciatica "
                                "can be severe, most cases resolve with non-operative treatments in a "
                                "few weeks.")["sentences"]
    assert sentence["matches"][0]["claim_id"] == "most-sciatica-improves-with-conservative-care"


def test_writers_words_for_going_away():
    from kb.text import normalise
    assert "improves" in normalise("most cases dissipate over weeks or months")


def test_height_is_being_tall(checker):
    # painspa-sciatica (tuning): a list item under "Risk factors for Sciatica"
    draft = "Risk factors for sciatica include:\n\n- Increasing risk with height\n- Smoking"
    assert checker.check(draft)["sentences"][1]["matches"][0]["claim_id"] == "tall-height-risk-factor-sciatica"


def test_a_nerve_that_stretches_is_no_stretching_exercise(checker):
    """Tuning-half sentences flagged unsupported against "Stretching can worsen sciatica":
    "Entrapment can cause painful stretching of the nerve", "the nerve that travels down ... and
    stretches out in to the feet"."""
    from kb.text import tokens
    stretching = "topicstretching"
    assert stretching not in tokens("Entrapment can cause painful stretching of the nerve.", checker.candidates.matcher)
    assert stretching not in tokens("The nerve travels down the leg and stretches out in to the feet.",
                                    checker.candidates.matcher)
    assert stretching in tokens("Gentle stretching of the hamstrings helps.", checker.candidates.matcher)
    (s,) = checker.check("Entrapment can cause painful stretching of the nerve.")["sentences"]
    assert "stretching-can-worsen-sciatica" not in [m["claim_id"] for m in s["matches"]]


def test_candidate_search_equals_the_joined_ranking(checker, monkeypatch):
    """Candidates are ranked on the FTS index alone and only the best rows joined: the same claims
    and scores, in the same order, as ranking with every match's row joined, for every query the
    tuning half's sentences make."""
    from kb.check.candidates import CANDIDATES, Candidates
    queries = []
    search = Candidates._search
    monkeypatch.setattr(Candidates, "_search", lambda self, q: queries.append(q) or search(self, q))
    fresh = Checker(checker.conn)
    for article in TUNING:
        fresh.check(article["text"])
    assert len(queries) > 100
    for q in queries:
        joined = checker.conn.execute(
            "select claim_id, rank from claim_search_fts join claim_search on claim_search.rowid = "
            "claim_search_fts.rowid where claim_search_fts match ? order by rank limit ?",
            (q, CANDIDATES)).fetchall()
        best = joined[0][1] if joined else 0.0
        assert list(search(fresh.candidates, q).items()) == [(c, r / best) for c, r in joined], q


def test_a_negation_of_words_the_sentence_also_affirms_is_no_denial():
    """Tuning-half sentence (second batch): the claim is made in the first clause, and "no
    obvious cause" in the second negates words the first affirms; it is not a denial."""
    claim = "A herniated (slipped) disc is the most common cause of sciatica."
    sentence = ("A slipped disc is the most common identified cause of sciatica, but in some cases "
                "there is no obvious cause.")
    assert stance(sentence, claim, treatment=False).stance == "asserts"
    # The negation alone is still a denial.
    assert stance("A slipped disc is not the most common cause of sciatica.", claim,
                  treatment=False).stance == "denies"


def test_a_short_label_before_a_colon_is_its_items_heading():
    """Tuning-half list (third batch): "1. Piriformis muscle release: Many cases ..." is the
    item's heading, then its sentence; myth framing and Title Case titles are not labels."""
    text = ("Massage therapy addresses sciatica through several mechanisms:\n\n"
            "1. Piriformis muscle release: Many cases of sciatica are caused by piriformis syndrome.\n"
            "2. Improved circulation: Massage increases blood flow.\n")
    got = [(s.block, s.text) for s in split_sentences(text)]
    assert ("heading", "Piriformis muscle release:") in got and ("heading", "Improved circulation:") in got
    assert ("item", "Massage increases blood flow.") in got
    for whole in ("Common myth: Surgery is always needed.", "Myth: Bed rest helps sciatica.",
                  "Stop Sciatica in Its Tracks: Causes, Symptoms, and Solutions for lasting relief"):
        assert [s.text for s in split_sentences(whole)] == [whole]


def test_a_negation_stops_at_its_clause():
    """Tuning-half sentence (third batch): "not a disease, but ... a symptom" negates the disease,
    not the symptom, so it does not deny that sciatica is a symptom."""
    claim = "Sciatica describes a set of symptoms (radiating leg pain), not a diagnosis in itself."
    sentence = ("Fortunately, sciatica itself is not a disease, but it is actually a symptom which can "
                "often be caused by numerous different conditions.")
    assert stance(sentence, claim, treatment=False).stance == "asserts"


def test_what_happens_on_its_own_is_not_a_treatments_effect(checker):
    """Tuning-half sentence (second batch): pain that "goes away naturally" does not make the
    claim that most improve within weeks of an epidural injection; the same words with the
    treatment named still do."""
    natural = checker.check("Most people find their sciatic pain goes away naturally within a few "
                            "days or weeks.")["sentences"][0]
    assert all(m["claim_id"] != "most-improve-within-2-6-weeks-after-epidural" for m in natural["matches"])
    assert any(m["claim_id"] == "most-improve-within-2-6-weeks-after-epidural" and "naturally" in m["stance_cue"]
               for m in natural["related"])
    treated = checker.check("Epidural steroid injections help most people within weeks.")["sentences"][0]
    assert treated["matches"][0]["claim_id"] == "most-improve-within-2-6-weeks-after-epidural"


def test_a_denial_survives_another_clause_that_affirms_the_words():
    """"Sitting does not cause sciatica, but lifting causes sciatica" still denies that sitting
    causes it: the negated clause names the claim's subject (only a clause that shares nothing
    else with the claim is set aside, as "there is no obvious cause" is)."""
    claim = "Prolonged sitting compresses the spine and contributes to sciatica."
    for sentence in ("Sitting does not cause sciatica, but lifting causes sciatica.",
                     "Lifting causes sciatica, but sitting does not cause sciatica."):
        assert stance(sentence, claim, treatment=False).stance == "denies", sentence


def test_a_claims_negation_needs_the_sentence_to_speak_of_what_it_negates():
    """Tuning-half sentence (fourth batch): "FDA-approved to treat nerve pain caused by shingles"
    does not gainsay "not licensed (FDA-approved) for sciatica": it does not mention sciatica."""
    claim = ("Gabapentin and pregabalin are not licensed (FDA-approved) for sciatica; their approved "
             "uses are other nerve pain conditions and seizures, so their use in sciatica is off-label.")
    sentence = ("Gabapentin is a prescription anticonvulsant medication that\u2019s FDA-approved to treat "
                "nerve pain caused by shingles and certain types of seizures.")
    assert stance(sentence, claim, treatment=True).stance not in ("denies", "myth")
    assert stance("Gabapentin is FDA-approved for sciatica.", claim, treatment=True).stance == "denies"


def test_a_green_badge_needs_a_close_match_even_with_a_word_that_agrees(checker):
    """On the tuning half, a word that says the same ("common", as the claim's "common") on a
    claim sharing little of the sentence's wording was more often the wrong claim than the right
    one: such a match is "check the wording", never green, unless a cited study backs it."""
    from kb.check.engine import GREEN_CLEAR_MATCH
    low = 0
    for article in TUNING:
        for s in checker.check(article["text"])["sentences"]:
            for m in s["matches"]:
                backed = any(f["claim_id"] == m["claim_id"] and f["recorded"] == "supports"
                             for c in s["citations"] for f in c["for_claims"])
                if m["sentence_verdict"] == "consistent":
                    assert m["score"] >= GREEN_CLEAR_MATCH or backed, (s["text"], m["claim_id"])
                elif m["claim_verdict"] in ("supported", "mostly-supported") and m["stance"] == "asserts" \
                        and m["score"] < GREEN_CLEAR_MATCH and not backed:
                    low += 1
    assert low >= 3


def test_a_readers_letter_is_the_question_and_the_answer_is_checked(checker):
    """Tuning-half form (fifth batch): in a doctor's Q&A column, what the reader writes ("Dear
    Dr. Donohue: ...") is not the column's claim; the answer after "Dear G.K.:" is checked."""
    text = ("Dear Dr. Donohue: Please discuss sciatica. Over-the-counter pain remedies like NSAIDs "
            "are of no help.\n\nDear G.K.: Frequently, sciatica clears in a matter of weeks to two "
            "months.\n")
    sentences = checker.check(text)["sentences"]
    letter = next(s for s in sentences if s["text"].startswith("Over-the-counter"))
    assert letter["role"] == "other" and "letter" in letter["role_cue"] and not letter["flags"]
    answer = next(s for s in sentences if s["text"].startswith("Dear G.K.:"))
    assert answer["role"] == "assertion"


def test_a_columns_q_up_to_its_a_is_the_readers_question(checker):
    """Tuning-half form (chicagotribune-sciatica-last-nerve-2004): "Q. ..." over two paragraphs and
    a signature is the reader's; the answer after "A." is checked."""
    text = ("Q. Would you help me with my mother's problem? When she first gets up in the morning, it "
            "hurts, but then she stretches her legs and gets some relief.\n\nShould she be putting heat "
            "or ice on her lower back?\n\n--Y.R., Trumbull, Conn.\n\nA. A bulging or herniated disc is "
            "the most common cause of sciatica, but muscle spasms are also a frequent cause.\n")
    sentences = {s["text"][:20]: s for s in checker.check(text)["sentences"]}
    assert sentences["When she first gets "]["role"] == "other" and not sentences["When she first gets "]["flags"]
    assert sentences["--Y.R., Trumbull, Co"]["role"] == "navigation"
    assert sentences["A. A bulging or hern"]["role"] == "assertion"


def test_conditions_examples_and_negative_phrases_are_read_as_such():
    """Tuning-half sentences (sixth batch). A relative clause with a negation says which cases are
    meant ("a herniation that has not improved"); words after "such as" are examples, not the
    claim's position; a negative phrase ("a scan is not needed") counts as a negation when the
    sentence negates the same thing another way ("..., not imaging")."""
    option = ("Surgery (discectomy) is a reasonable option for sciatica from a disc herniation that has "
              "not improved after about 6-8 weeks or more of conservative care.")
    assert stance("Sciatica surgery is typically recommended for those with severe or persistent pain "
                  "that hasn\u2019t responded to conservative treatments.", option).stance != "denies"
    clinical = ("Sciatica is diagnosed from the history and physical examination; a scan is not needed "
                "to make the diagnosis.")
    assert stance("Sciatica is diagnosed primarily through a physical exam and medical history, not "
                  "imaging.", clinical, treatment=False).stance not in ("denies", "myth")
    assert stance("An MRI is always needed to diagnose sciatica.", clinical, treatment=False).stance == "denies"
    urgent = ("Immediate (urgent) surgery for sciatica is needed only for cauda equina syndrome or a "
              "progressive neurological deficit such as worsening weakness.")
    assert "effect" not in read(urgent).values
    assert stance("Bed rest does not help sciatica.", "Bed rest helps sciatica.").stance == "denies"


def test_a_myth_of_what_the_sentence_only_resembles_is_not_clear():
    # darakchiev-sciatica-myths-facts (tuning): the myth is that sciatica needs surgery, not that
    # manipulation should come before it; a clear myth would put a red flag on a true sentence
    weak = stance("Myth: Sciatica is a serious condition that requires surgery.",
                  "People with sciatica from a disc herniation should try spinal manipulation before "
                  "considering surgery.")
    assert (weak.stance, weak.clear) == ("myth", False)
    # a myth of the claim's own position stays clear
    strong = stance("Myth: Bed rest helps sciatica.", "Bed rest helps sciatica.")
    assert (strong.stance, strong.clear) == ("myth", True)


def test_rather_than_balances_the_claims_not_and_never_denies_alone():
    # charmedfirmats-heat-sciatica-pain-relief (tuning)
    symptom = stance("Sciatica is a set of symptoms rather than a diagnosis for what is irritating the "
                     "root of the nerve to cause the pain.", "Sciatica is a symptom, not a diagnosis.")
    assert symptom.stance == "asserts"
    # the knowledge base's own claim says "rather than"; the sentence need not
    leg = stance("The leg pain is often worse than back pain.",
                 "In sciatica, pain radiating into the calf or foot, often worse than the back pain, "
                 "points to nerve-root involvement rather than simple low back pain.")
    assert leg.stance != "denies"


def test_a_negation_that_shares_only_sciatica_with_the_claim_denies_nothing():
    # charmedfirmats-heat-sciatica-pain-relief (tuning)
    result = stance("It\u2019s not always possible to prevent sciatica and the condition may recur.",
                    "Sciatica often recurs or becomes chronic.")
    assert result.stance != "denies"
    assert stance("Sciatica does not recur.", "Sciatica often recurs or becomes chronic.").stance == "denies"


def test_a_sentence_that_says_both_poles_is_never_green_or_red(checker):
    # charmedfirmats-heat-sciatica-pain-relief (tuning): the concession gives relief, the main
    # clause the harm; read by the main clause, and unclear
    text = ("Although resting for a day or so may provide some relief, prolonged inactivity will make "
            "your signs and symptoms worse.")
    result = stance(text, "Bed rest makes sciatica worse.")
    assert (result.stance, result.clear, result.both_ways) == ("asserts", False, True)
    top = checker.check(text)["sentences"][0]["matches"][0]
    assert top["sentence_verdict"] == "unsure" and "opposite" in top["verdict_reason"]


def test_prolonging_recovery_is_harm_and_a_regretted_common_recommendation_a_myth():
    from kb.check.stance import read
    # daspainclinic-sciatica-myths (tuning)
    assert read("Complete rest can cause muscles to tighten around the nerve and prolong recovery."
                ).values["effect"][0] == "harm"
    assert "effect" not in read("Prolonged sitting is common.").values  # the adjective is no verb
    # eastwest-massage-boston-sciatica-pain-treatment (tuning)
    result = stance("Unfortunately, it's a common recommendation to stretch the back and the Piriformis "
                    "muscle to 'relieve Sciatica.'", "Stretching helps relieve sciatica.")
    assert result.stance == "myth"


def test_not_clear_how_effective_takes_no_position_on_the_effect():
    from kb.check.stance import read
    # the knowledge base's claim, against charmedfirmats-heat-sciatica-pain-relief (tuning)
    assert "effect" not in read("It is not clear how effective many of the treatments for sciatica are.").values
    assert read("It is clear that exercise is effective.").values["effect"][0] == "benefit"


def test_no_green_badge_while_another_claim_the_sentence_clearly_makes_is_contradicted(checker):
    # daspainclinic-sciatica-myths (tuning): the top claim, hedged, is consistent; the sentence
    # also clearly says bed rest worsens sciatica, which the evidence contradicts
    text = "Complete rest can cause muscles to tighten around the nerve and prolong recovery."
    sentence = checker.check(text)["sentences"][0]
    verdicts = {m["claim_id"]: m["sentence_verdict"] for m in sentence["matches"]}
    assert verdicts.get("bed-rest-worsens-sciatica") == "contradicted"
    assert sentence["verdict"] != "consistent" and "which the evidence contradicts" in sentence["verdict_reason"]
    # a claim contradicted for its figure is not made by a sentence without one
    plain = checker.check("The most common cause of sciatica is a slipped disc.")["sentences"][0]
    assert plain["verdict"] == "consistent"


def test_a_sentence_leaving_a_supported_claims_position_unsaid_gets_no_green_badge(checker):
    # losethebackpain-sciatica-cushion (tuning): much of "sciatica is common" in other words, but
    # not that it is common (the "common" is the misconception's)
    sentence = checker.check("Also, the common misconception that sciatica is a medical condition is "
                             "incorrect.")["sentences"][0]
    top = sentence["matches"][0]
    assert top["claim_id"] == "sciatica-is-common" and sentence["verdict"] == "unsure"
    assert "the part the evidence supports" in top["verdict_reason"]


def test_a_warm_compress_is_heat(checker):
    # funmumsfitness-sciatica-pregnancy-stretches (tuning): a list item under its lead-in; "warm
    # compress" is a topic alias of heat therapy (claims/topics.yaml)
    text = ("Here are a few things to try to relieve the pain: \ntry to avoid sitting for too long \n"
            "use a warm compress where you feel the pain \n")
    item = [s for s in checker.check(text)["sentences"] if "warm compress" in s["text"]][0]
    assert item["matches"] and item["matches"][0]["claim_id"] == "heat-relieves-sciatica"


def test_a_sentence_leaving_unsaid_what_the_evidence_contradicts_is_not_flagged_contradicted(checker):
    # cbsnews-sciatica-rest-may-not-be-best (tuning): the sentence says much of "bed rest makes
    # sciatica worse", but not "worse", which is what the evidence contradicts
    sentence = checker.check("Standard treatment had been bed rest.")["sentences"][0]
    top = sentence["matches"][0]
    assert top["claim_id"] == "bed-rest-worsens-sciatica" and top["claim_verdict"] == "contradicted"
    assert top["sentence_verdict"] == "unsure" and not sentence["flags"]
    assert "does not say whether it is \u201cworse\u201d, the part the evidence contradicts" in top["verdict_reason"]


def test_a_reading_a_rule_has_weakened_ranks_below_a_plain_one(checker):
    # sun-sentinel-donohue-see-doctor-sciatica-2006 (tuning): "clears" is the injection claim's
    # "relief", but the sentence never names injections; the claim it makes shares less wording
    sentence = checker.check("Frequently, sciatica clears in a matter of weeks to two months.")["sentences"][0]
    ranked = [m["claim_id"] for m in sentence["matches"]]
    assert ranked[0] == "improvement-within-weeks-to-months"
    never_named = {m["claim_id"]: m for m in sentence["matches"]}["steroid-injections-relief-weeks-to-months"]
    assert "never names" in never_named["stance_cue"] and never_named["score"] > sentence["matches"][0]["score"]


def test_a_word_that_says_the_same_on_a_claim_sharing_little_wording_raises_no_flag(checker):
    # european-therapeutics-massage-sciatica (tuning): "helps" is the unsupported claim's "help",
    # but the sentence is about a symptom's spread, not about injections and rehabilitation
    text = "This distribution helps narrow down which nerve root is involved."
    sentence = checker.check(text)["sentences"][0]
    assert not sentence["flags"] and sentence["verdict"] == "unsure"
    top = sentence["matches"][0]
    assert top["claim_verdict"] == "unsupported" and top["sentence_verdict"] == "unsure"
    assert "shares little else" in top["verdict_reason"]
    # a clear word against the evidence on as little wording is still read as contradicted
    rest = checker.check("Complete rest can cause muscles to tighten around the nerve and prolong recovery.")
    against = {m["claim_id"]: m for m in rest["sentences"][0]["matches"]}["bed-rest-worsens-sciatica"]
    assert against["score"] < 0.4 and against["sentence_verdict"] == "contradicted"


def test_a_flare_up_as_the_episode_is_no_word_of_harm():
    from kb.check.stance import read
    # ageproofliving-relieve-sciatic-nerve-pain (tuning)
    text = "During the initially flare up of sciatic pain, people often find a day or two of bed rest beneficial."
    assert read(text).values["effect"][0] == "benefit"
    assert stance(text, "Resting for the first few days relieves the pain of an acute episode of sciatica.").stance == "asserts"
    assert read("Heavy lifting can make sciatica flare.").values["effect"][0] == "harm"


def test_in_other_words_needs_the_claims_subject_named(checker):
    # essexmums-sciatica-pregnancy (tuning): a definition of sciatica does not say in other words
    # that NSAIDs relieve it, however much of the claim's wording about inflammation it shares
    sentence = checker.check("Sciatica is when you get pain and/or inflammation along your sciatic nerve."
                             )["sentences"][0]
    assert "nsaids-reduce-nerve-inflammation-in-sciatica" not in [m["claim_id"] for m in sentence["matches"]]
    assert sentence["matches"][0]["claim_id"] == "sciatica-is-nerve-root-irritation"


def test_a_claim_whose_figures_the_sentence_leaves_out_is_only_resembled(checker):
    # charmedfirmats / darakchiev (tuning): "most people make a full recovery" is not "most people
    # get significant relief within 1-4 sessions"; no red flag on the resemblance
    sentence = checker.check("With proper treatment, most people with sciatica can experience significant "
                             "relief from their symptoms and improve their overall quality of life.")["sentences"][0]
    practitioner = [m for m in sentence["matches"] + sentence["related"]
                    if m["claim_id"] == "practitioner-relief-in-1-4-sessions"]
    assert not practitioner or (practitioner[0]["stance"] == "topic" or "figures" in practitioner[0]["stance_cue"])
    assert "unsupported" not in [f["code"] for f in sentence["flags"]]


def test_an_advice_verb_followed_by_its_statement_is_a_subject():
    from kb.check.stance import read
    # the knowledge base's claims, read against tuning-half advice
    assert "need" not in read("Exercise therapy helps sciatica.").values
    assert "need" not in read("Rest calms the acute inflammation in sciatica.").values
    assert read("Avoid bed rest.").values["need"][0] == "unnecessary"
    assert read("Walk daily, it helps.").values["need"][0] == "needed"


def test_a_lead_in_that_points_back_reads_with_the_sentence_before(checker):
    """ahpsuffolk-sciatica-self-help (tuning): "... some treatments may not be useful in the
    management of sciatica. These include:" then "Traction": the item is one of the treatments
    that may not be useful; "the best current evidence" says how good the evidence is, not that
    anything works; and the lead-in's appeal to evidence is the lead-in's to source."""
    draft = ("Treatments that are not recommended\n\nThe best current evidence suggests that some treatments "
             "may not be useful in the management of sciatica. These include:\n\n- Electrotherapy\n- Traction")
    sentences = split_sentences(draft)
    assert sentences[-1].lead_in.startswith("The best current evidence suggests")
    assert split_sentences("Try these:\n\n- Walking")[-1].lead_in == "Try these:"
    assert read("The best current evidence suggests that it may not be useful.").values["effect"][0] == "none"
    report = checker.check(draft)
    traction = report["sentences"][-1]
    assert traction["matches"][0]["claim_id"] == "traction-relieves-sciatica"
    assert traction["matches"][0]["stance"] == "denies"
    assert "needs-source" in [f["code"] for f in report["sentences"][1]["flags"]]
    assert "needs-source" not in [f["code"] for f in traction["flags"]]


def test_a_figure_differs_only_from_a_claim_the_sentence_is_seen_to_make(checker):
    """holisticmedicalcentre-osteopath-tips-sciatica (tuning): "about 2% of the population
    annually" only resembles "Lumbar disc herniation is the cause of most (about 90%) sciatica"
    (unsure), so its 2% is no figure-differs flag (on the tuning half such flags were wrong 5
    times in 6); a sentence that makes the claim with another figure still raises one."""
    (s,) = checker.check("Sciatica is a fairly common condition that is estimated to affect approximately "
                         "2% of the population annually with the vast majority of cases caused by a spinal "
                         "disc injury.")["sentences"]
    assert s["verdict"] == "unsure" and s["matches"][0]["figure_agrees"] is False
    assert "figure-differs" not in [f["code"] for f in s["flags"]]
    (s,) = checker.check("Lumbar disc herniation is the cause of about 30% of sciatica.")["sentences"]
    assert s["verdict"] != "unsure" and "figure-differs" in [f["code"] for f in s["flags"]]


def test_a_dash_between_words_ends_a_clause():
    """ahpsuffolk-sciatica-self-help (tuning): the condition "if unresolving" ends at the dash, so
    "these are likely to improve buttock and leg pain" is said, and "but may not improve low back
    pain" makes the sentence say both (it had been a contradicted flag on "most people improve")."""
    got = stance("Orthopaedic options often include injections as first line treatment or surgery if "
                 "unresolving- these are likely to improve buttock and leg pain but may not improve low "
                 "back pain", "Most people with sciatica improve over time with conservative care, without surgery.")
    assert got.both_ways and got.stance == "asserts"
    assert read("A well-known long-term problem").values == read("A well known long term problem").values


def test_need_no_is_a_position_on_need():
    """Tuning half: "Sciatica surgery is a procedure that helps take the pressure off your sciatic
    nerve" was flagged contradicted, read as gainsaying the "no" of "... need no further procedure
    such as surgery"; "need no X" says X is unnecessary."""
    claim = ("About half of people with sciatica who have a nerve root block (transforaminal steroid "
             "injection) need no further procedure such as surgery.")
    assert read(claim).values["need"][0] == "unnecessary"
    assert stance("Sciatica surgery is a procedure that helps take the pressure off your sciatic nerve.",
                  claim).stance == "topic"
    assert stance("Half of them did not need surgery after the injection.", claim).stance == "asserts"
    assert stance("Half of them needed no surgery after the injection.", claim).stance == "asserts"
    assert stance("Half of them went on to need surgery after the injection.", claim).stance == "denies"


def test_a_bracket_that_closes_a_line_does_not_end_a_list(checker):
    """chapelhillpersonaltrainer-manage-sciatica (tuning): after "Key Symptoms of Sciatica:",
    "Numbness or tingling (pins and needles)" had ended the list (its bracket read as a closing
    punctuation mark), so it and the items after it were read as headings and matched nothing."""
    draft = ("It is a set of symptoms.\nKey Symptoms of Sciatica:\nSharp, burning, or shooting pain down one leg\n"
             "Numbness or tingling (pins and needles)\nMuscle weakness in the affected leg")
    items = split_sentences(draft)[2:]
    assert [s.block for s in items] == ["item"] * 3
    assert {s.lead_in for s in items} == {"Key Symptoms of Sciatica:"}
    report = checker.check(draft)["sentences"]
    assert report[3]["matches"][0]["claim_id"] == "sciatica-symptoms-numbness-weakness"
    # a sentence that ends inside its bracket still ends
    assert split_sentences("Symptoms:\nIt was bad (see above.)\nMore")[1].block == "paragraph"


def test_a_numbered_title_straight_before_a_paragraph_is_a_section_heading(checker):
    """muscletherapybytom-deep-tissue-massage-sciatica (tuning): "It helps reduce sciatic pain by:"
    then "1. Releasing Muscle Tension" and a paragraph: the numbered line is the section's title
    (it had been read as an item making the massage claim, flagged overstated)."""
    draft = ("It helps reduce sciatic pain by:\n1. Releasing Muscle Tension\nTight muscles can press on "
             "the sciatic nerve. Massage relaxes these muscles.\n2. Improving Blood Circulation\n"
             "Massage increases blood flow.")
    blocks = [(s.text, s.block) for s in split_sentences(draft)]
    assert ("Releasing Muscle Tension", "heading") in blocks and ("Improving Blood Circulation", "heading") in blocks
    assert checker.check(draft)["sentences"][1]["flags"] == []
    # numbered items that are a list stay items
    items = split_sentences("Try these:\n1. Walking Daily\n2. Gentle Stretches\n3. Heat Packs")
    assert [s.block for s in items[1:]] == ["item"] * 3


def test_an_item_must_share_something_with_the_claim_itself(checker):
    """topdoctors-ashley-cole-sciatica (tuning): under "Risk factors associated with sciatica
    include:", "wearing high heels" took "Being very tall is a risk factor for sciatica" (with a
    green badge) on the lead-in's words alone."""
    draft = "Risk factors associated with sciatica include:\n\n- being overweight\n- wearing high heels"
    overweight, heels = checker.check(draft)["sentences"][1:]
    assert "tall-height-risk-factor-sciatica" not in [m["claim_id"] for m in heels["matches"]]
    assert heels["verdict"] != "consistent"
    assert overweight["matches"]  # an item that shares its own words still matches


def test_a_journal_named_alone_backs_no_claim(checker):
    """chapelhillpersonaltrainer-manage-sciatica (tuning): "According to a study in The New England
    Journal of Medicine, herniated discs account for ..." had the journal resolved to the NEJM study
    a candidate claim cites (pregabalin), which then made that claim the sentence's, with a green
    badge."""
    (s,) = checker.check("According to a study in The New England Journal of Medicine, herniated discs "
                         "account for about 90% of sciatica cases (Ropper & Zafonte, 2015).")["sentences"]
    assert s["matches"][0]["claim_id"] == "disc-herniation-causes-most-sciatica"
    assert not any(m["claim_id"].startswith("pregabalin") for m in s["matches"])


def test_what_holds_for_a_few_does_not_deny_what_holds_for_most():
    """active-com-sciatica-runners (tuning): "for a small portion of people, runs directly through
    the muscle" had denied "the sciatic nerve runs directly beneath it" (a contradicted flag)."""
    claim = "The piriformis is a muscle deep in the hip; the sciatic nerve runs directly beneath it."
    few = stance("It sits adjacent to the sciatic nerve and, for a small portion of people, runs directly "
                 "through the muscle.", claim)
    assert few.stance == "topic" and "few" in few.cue
    assert stance("The nerve runs directly through the muscle.", claim).stance == "denies"


def test_what_a_writer_says_to_avoid_does_harm():
    """Tuning-half advice whose polarity was read the wrong way round (seen once a comparison
    claim ranked below the claims it hid): "try not to", "try to avoid" are advice against, and
    advice against something agrees with a claim that it harms; the relief in "avoid X to relieve"
    is the avoiding's."""
    sitting = "Sciatica pain often worsens with sitting, coughing or bending forward."
    # funmumsfitness-sciatica-pregnancy-stretches (tuning): an item under "... relieve sciatica"
    assert stance("Things that relieve sciatica: try to avoid sitting for too long", sitting,
                  treatment=False).stance == "asserts"
    assert stance("Avoid sitting for long periods.", sitting, treatment=False).stance == "asserts"
    # advice to do something says nothing of what the claim says harms
    assert stance("Take ibuprofen for the pain.", sitting, treatment=False).stance == "topic"
    assert stance("Avoid bed rest.", "Bed rest makes sciatica worse.").stance == "asserts"
    assert stance("Avoid bed rest to speed your recovery.", "Rest calms the inflammation of the nerve.").stance \
        == "denies"
    # legacyhealthfoundation-sciatica-pregnancy-tips (tuning)
    lifting = "Physically demanding work, such as heavy lifting and carrying, increases the risk of sciatica."
    assert stance("Try not to lift anything too heavy so that you don't strain your nerve any further.",
                  lifting, treatment=False).stance == "asserts"
    # hcwhealth-tens-unit-sciatica (tuning): "without the need for medication" advises nothing
    tens = stance("Drug-Free Pain Relief: TENS units provide pain relief without the need for medication.",
                  "TENS relieves sciatica pain.")
    assert tens.stance == "asserts"


def test_a_claim_that_compares_is_made_only_by_a_sentence_that_compares(checker):
    """hcwhealth / geisinger-pain-in-the-back-sciatica (tuning): "talk to your doctor about ...
    acupuncture, to relieve your symptoms" makes the claim that acupuncture relieves sciatica, not
    that it is more effective than exercise; one that says "than exercise" still makes that."""
    from kb.check.engine import _comparator
    assert _comparator("Acupuncture is more effective than exercise for low back pain and sciatica.") == \
        "exercise for low back pain and sciatica"
    assert _comparator("Pregabalin does not relieve sciatica better than placebo.") is None
    assert _comparator("For sciatica, bed rest is no more effective than staying active.") is None
    (s,) = checker.check("You can also talk to your doctor about the possibility of physical therapy, or "
                         "maybe even acupuncture, to relieve your symptoms.")["sentences"]
    assert s["matches"][0]["claim_id"] == "acupuncture-relieves-sciatica"
    assert "acupuncture-more-effective-than-exercise" not in [m["claim_id"] for m in s["matches"]]
    (s,) = checker.check("Acupuncture relieves sciatica better than exercise does.")["sentences"]
    assert "acupuncture-more-effective-than-exercise" in [m["claim_id"] for m in s["matches"]]


def test_a_caret_footnote_stays_with_its_sentence_and_a_numbered_list_is_no_reference_list():
    # hcwhealth-tens-unit-sciatica (tuning): "...the sciatic nerve.^[1]", and its numbered list
    # of benefits is not the reference list the footnotes point to
    from kb.check.citations import reference_list
    text = ("It is often caused by a herniated disc.^[1] TENS may block pain signals.^[2]\n\n"
            "1. Non-Invasive: TENS therapy offers a non-invasive alternative.\n"
            "2. Drug-Free: it avoids side effects.")
    sentences = split_sentences(text)
    assert sentences[0].text == "It is often caused by a herniated disc.^[1]"
    assert reference_list(text) == {}
    listed = reference_list(text + "\n\nReferences\n1. Vroomen PC, de Krom MC. N Engl J Med. 1999.")
    assert list(listed) == [1] and listed[1][0].startswith("Vroomen")


def test_it_is_read_as_the_subject_of_the_assertion_before(checker):
    # healthline-sciatica-surgery and other tuning-half articles: "It can also help …" after a
    # sentence about surgery is about surgery; the report says how "It" was read
    report = checker.check("Bed rest is often advised. It does not speed recovery from sciatica.\n\n"
                           "## Walking\n\nIt is good.")
    second = report["sentences"][1]
    assert "read as \u201cBed rest\u201d" in second["role_cue"]
    assert second["matches"][0]["claim_id"] == "bed-rest-no-better-than-staying-active"
    assert "read as" not in report["sentences"][-1]["role_cue"]  # a heading ends what "It" can mean


def test_a_list_reads_with_the_sentence_that_introduces_it_not_its_whole_paragraph(checker):
    # topdoctors-ashley-cole-sciatica (tuning): "smoking" under "... Risk factors associated with
    # sciatica include:" is the smoking claim, not the paragraph's causes
    text = ("The most common cause of sciatica is a slipped disc. Less commonly, sciatica can be linked to "
            "pregnancy. Risk factors associated with sciatica include:\n\n- diabetes\n- smoking\n")
    items = [s for s in split_sentences(text) if s.block == "item"]
    assert [s.lead_in for s in items] == ["Risk factors associated with sciatica include:"] * 2
    smoking = [s for s in checker.check(text)["sentences"] if s["text"] == "smoking"][0]
    assert smoking["matches"][0]["claim_id"] == "smoking-increases-sciatica-risk"


def test_contrary_to_popular_belief_states_the_fact():
    # askbaby-sciatica-in-pregnancy and an earlier tuning label: what follows "contrary to popular
    # belief" is what the writer says is true
    result = stance("Contrary to popular belief, bed rest does not help sciatica.", "Bed rest does not help sciatica.")
    assert result.stance == "asserts"
    assert stance("Myth: bed rest helps sciatica.", "Bed rest helps sciatica.").stance == "myth"


def test_a_hedge_makes_an_overstated_claim_green_only_when_the_sentence_clearly_makes_it(checker):
    # longhorn-brain-spine-sciatica (tuning): "most likely" is about what physicians will do
    sentence = checker.check("Physicians will most likely order an MRI scan or CT scan of the patients back "
                             "to confirm the diagnosis and target the exact disc causing the pain.")["sentences"][0]
    assert sentence["verdict"] != "consistent"
    assert sentence_verdict("overstated", "asserts", -1, 0)[0] == "consistent"  # the table itself unchanged


def test_a_superscript_flattened_by_a_capture_is_a_footnote():
    # athletico-misconceptions-about-sciatica (tuning): "... to form the sciatic nerve.2"
    from kb.check.citations import find_citations
    text = "Several nerves form the sciatic nerve.2 The dose was 1.5 mg. See p.12, fig.3 and vol.2."
    assert [(c.text, c.kind, c.number) for c in find_citations(text)] == [("2", "footnote", 2)]


def test_a_superscript_flattened_before_the_full_stop_is_a_footnote():
    # athletico-misconceptions-about-sciatica (tuning): "... independent of their age1."
    from kb.check.citations import find_citations
    text = "This is independent of their age1. Pain at L5, S1 or in COVID-19, then 2 weeks."
    assert [(c.text, c.kind, c.number) for c in find_citations(text)] == [("1", "footnote", 1)]


@pytest.mark.parametrize("text, kind, found", [
    # reference-com-symptoms-sciatica (tuning): the source named after the verb
    ("Sciatica occurs when the nerve roots become aggravated, explains WebMD.", "organisation", "explains WebMD"),
    # drcianci-sciatica-desk-job-tips (tuning): once read as a person called "Medicine"
    ("Research published by the National Library of Medicine noted that sitting stresses the spine.",
     "organisation", "published by the National Library of Medicine"),
    # brightsurf / dailybulletin pregabalin pieces (tuning): a study's authors writing of it
    ("Our results have shown pregabalin did not relieve pain.", "study", "Our results"),
    ("Our study released today examines pregabalin.", "study", "Our study"),
    ("The results show that pregabalin does not improve pain.", "study", "The results"),
])
def test_sources_named_the_way_lay_articles_name_them(text, kind, found):
    from kb.check.citations import find_citations
    assert [(c.kind, c.text) for c in find_citations(text)] == [(kind, found)]


@pytest.mark.parametrize("text, kind, found, names, year", [
    # bodies and journals by the shape of their names (the "organisation + verb",
    # "journal + year"; written here, not taken from either half)
    ("The American Pregnancy Association recommends gentle exercise.", "organisation",
     "The American Pregnancy Association recommends", ["American Pregnancy Association"], None),
    ("The National Institute of Neurological Disorders and Stroke (NINDS) says most people recover.",
     "organisation", "The National Institute of Neurological Disorders and Stroke (NINDS) says",
     ["National Institute of Neurological Disorders and Stroke"], None),
    ("A 2019 study published in the Journal of Pain Research found a benefit.", "journal",
     "A 2019 study published in the Journal of Pain Research", ["Journal of Pain Research"], "2019"),
    ("It appeared in BMC Musculoskeletal Disorders in 2020.", "journal",
     "BMC Musculoskeletal Disorders in 2020", ["BMC Musculoskeletal Disorders"], "2020"),
    ("Most people recover within weeks.\nSource: NHS", "organisation", "Source: NHS", ["NHS"], None),
    ("Writing in the Medical Journal of Australia, the authors said so.", "journal",
     "the Medical Journal of Australia", ["Medical Journal of Australia"], None),
    ("Results appeared in the journal Pain Medicine in 2019.", "journal", "Pain Medicine in 2019",
     ["Pain Medicine"], "2019"),
    ("Hagen et al. found that bed rest did not help.", "person", "Hagen et al.", ["Hagen"], None),
    ("Vroomen and colleagues showed no benefit.", "person", "Vroomen and colleagues", ["Vroomen"], None),
    ("Hagen et al. (2005) found no benefit.", "author-year", "Hagen et al. (2005)", ["Hagen"], "2005"),
])
def test_sources_named_by_the_shape_of_their_names(text, kind, found, names, year):
    from kb.check.citations import find_citations
    assert [(c.kind, c.text, c.names, c.year) for c in find_citations(text)] == [(kind, found, names, year)]


def test_the_publisher_itself_is_no_source():
    from kb.check.citations import find_citations
    assert find_citations("Our Sciatica Treatment Center says most patients improve.") == []
    assert find_citations("At our Spine Center we advise rest.") == []


def test_results_that_are_not_a_studys_are_no_citation():
    from kb.check.citations import find_citations
    assert find_citations("The results of surgery vary. Our findings in clinic differ.") == []


def test_a_bracketed_doi_after_a_sentence_belongs_to_it():
    # acupuncturetaproot-pregnancy-sciatica (tuning)
    text = ("Acupuncture in late pregnancy was found to relieve low-back and pelvic pain. "
            "(doi: 10.1111/j.0001-6349.2004.0215.x. PMID: 14995919.) Stretching may help too.")
    got = [s.text for s in split_sentences(text)]
    assert got[0].endswith("(doi: 10.1111/j.0001-6349.2004.0215.x. PMID: 14995919.)")
    assert got[1] == "Stretching may help too."


def test_with_severe_symptoms_says_which_cases_not_how_serious_sciatica_is(checker):
    from kb.check.stance import read
    # ossur-webshop-braces-supports-sciatica (tuning): no agreement with "helps when sciatica is
    # very severe" on the word "severe", and so no red flag
    assert "severity" not in read("With severe symptoms or those that last over six weeks you should visit your GP.").values
    assert read("Sciatica can be severe.").values["severity"][0] == "serious"
    sentence = checker.check("With severe symptoms or those that last over six weeks you should visit your GP."
                             )["sentences"][0]
    assert "contradicted" not in [f["code"] for f in sentence["flags"]]


def test_a_frequency_said_of_people_who_have_something_says_it_is_common():
    """Tuning-half sentence (southtees): "many people ... have disc changes" says the changes are
    common, as the claim's predicate does; a frequency that only qualifies ("a common cause") or
    says how many people improve still does not."""
    claim = ("Disc bulges and degenerative changes on MRI are common in people without pain, so imaging "
             "findings often do not match symptoms.")
    said = stance("Many people of all ages have disc related changes but do not experience any pain.", claim)
    assert (said.stance, said.clear) == ("asserts", True)
    assert stance("Few people of any age have disc related changes without pain.", claim).stance == "denies"
    assert read("Many people of all ages have disc related changes.").quantified == {"frequency"}
    assert not read("A common cause of sciatica is a disc herniation.").quantified
    assert not read("Most people with disc changes improve within weeks.").quantified


def test_calling_an_ambulance_or_a_gp_at_once_is_urgent(checker):
    """Tuning-half lead-in (health-navigator-nz): "Call 111 and ask for an ambulance if ..." says
    its items need urgent attention, as "see a doctor urgently" does."""
    for lead in ("Call 111 and ask for an ambulance if you experience the following:",
                 "Alert your GP or another medical professional immediately if you have:"):
        assert read(lead).values["severity"][0] == "serious"
        item = checker.check(f"{lead}\n\n- weakness in both legs\n")["sentences"][-1]
        assert item["matches"] and item["matches"][0]["claim_id"] == "cauda-equina-red-flags"
    assert "severity" not in read("Manipulation gives immediate relief.").values


def test_a_myth_of_the_one_cause_says_there_are_others(checker):
    """Tuning-half sentences (darakchiev, completewellbeing): calling "always caused by a
    herniated disc" a myth asserts that sciatica has other causes; the "always" is the myth's, so
    the sentence is not overstated. Against a claim that names no other cause it stays a topic."""
    several = "Besides disc herniation, sciatica can be caused by spinal stenosis and other conditions."
    for myth in ("Myth: Sciatica is always caused by a herniated disc.",
                 "Myth 2: Sciatica is caused only due to slip disc"):
        said = stance(myth, several, treatment=False)
        assert (said.stance, said.absolute_is_myth) == ("asserts", True)
        assert stance(myth, "Disc herniation is the most common cause of sciatica.",
                      treatment=False).stance == "topic"
    sentence = checker.check("Myth: Sciatica is always caused by a herniated disc.")["sentences"][0]
    assert sentence["matches"][0]["claim_id"] == "sciatica-has-several-causes"
    assert sentence["verdict"] == "consistent" and not sentence["flags"]


def test_not_the_answer_says_it_does_not_help(checker):
    """Tuning-half sentence (mediciortho): "bed rest isn't the answer" denies that bed rest helps,
    which is the bed-rest claim the evidence supports."""
    sentence = checker.check("While sciatica pain can be intense, it\u2019s important to know that bed rest "
                             "isn\u2019t the answer.")["sentences"][0]
    top = sentence["matches"][0]
    assert (top["claim_id"], top["stance"]) == ("bed-rest-no-better-than-staying-active", "asserts")
    assert stance("Bed rest is not the answer for sciatica.",
                  "Bed rest is the best treatment for sciatica.").stance == "denies"


def test_a_negation_used_up_by_a_word_the_claim_lacks_still_takes_the_claim_back():
    """Tuning-half sentences (madeformums, eastwest), found once statements' cores were matched:
    "isn't necessarily more likely during pregnancy" does not assert that pregnancy causes
    sciatica; "important NOT to stretch" is advice against stretching, which neither denies nor
    asserts that stretching can worsen sciatica, and denies that it helps."""
    said = stance("Sciatica isn\u2019t necessarily more likely to occur during pregnancy.",
                  "Pregnancy (hormones, posture, pressure from the uterus) can irritate the sciatic nerve "
                  "and cause sciatica.", treatment=False)
    assert (said.stance, said.clear) == ("denies", False)
    assert stance("Sciatica is not uncommon during pregnancy.",
                  "Pregnancy can irritate the sciatic nerve and cause sciatica.", treatment=False).stance != "denies"
    advice = "It's critically important NOT to stretch the back muscles at the onset of any Sciatic pain."
    assert stance(advice, "Stretching, especially aggressive stretching, can worsen sciatica.").stance == "topic"
    assert stance(advice, "Stretching helps sciatica.").stance == "denies"


def test_a_position_on_a_claim_whose_subject_the_sentence_never_names_is_no_green_badge(checker):
    """Tuning-half sentence (evespecial, twenty-first batch): "There are many effective treatments
    for sciatica" took a green badge for denying "Opioid painkillers are not an effective treatment
    for sciatica" (overstated), though it never names opioids."""
    sentence = checker.check("There are many effective treatments for sciatica.")["sentences"][0]
    assert sentence["verdict"] != "consistent"
    opioids = [m for m in sentence["matches"] + sentence.get("related", [])
               if m["claim_id"] == "opioids-not-effective-for-sciatica"]
    assert not opioids or opioids[0].get("sentence_verdict", "unsure") == "unsure"
    named = checker.check("Opioid painkillers are an effective treatment for sciatica.")["sentences"][0]
    assert named["matches"][0]["claim_id"] == "opioids-not-effective-for-sciatica"
    assert named["matches"][0]["stance"] == "denies"
