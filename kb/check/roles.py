"""Step 1 of the check: what role a sentence plays in the draft (kb.vocab.SENTENCE_ROLES).

Only assertions are matched to claims and flagged: a heading, a question or a list's lead-in
makes no claim of its own, however much it shares a claim's words. A list item is read with
its lead-in ("Avoid:" + "bed rest" asserts that bed rest should be avoided).

``role(sentence)`` returns (role, cue): the cue is the words or shape that decided, shown to
the writer.
"""

from __future__ import annotations

import re

from .draft import Sentence, title_case

_WORDS = re.compile(r"[A-Za-z']+")

_NAVIGATION = re.compile(
    r"^[|\s]*(?:skip to|read more|continue reading|learn more|see also|related|share|print|email|tweet|home\b|menu\b|"
    r"back to|next\b|previous\b|click here|posted (?:on|in|by)|published\b|updated\b|last "
    r"(?:reviewed|updated)|reviewed by|medically reviewed|written by|"
    r"by (?:(?:dr|prof|mr|mrs|ms)\.?\s+)?[A-Z][a-z]+ [A-Z]|"
    # a name with its credentials alone ("Dr. Jason Koh, D.O.")
    r"(?-i:(?:Dr\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+[A-Z][a-z]+,?\s+(?:M\.?D|D\.?O|Ph\.?D|D\.?C|P\.?T|DPT)\.?$)|"
    r"categories?:|tags?:|filed under|copyright|\u00a9|all rights reserved|cookies?|page \d|"
    r"table of contents|contents\b|sources?:|references?:|\d{1,2} [a-z]{3,9} \d{4}(?:$|\s*[|\u2022])|"
    r"[a-z]{3,9} \d{1,2},? \d{4}(?:$|\s*[|\u2022])|if your browser|for (?:further|more) information\b|"
    # a picture's credit or caption ("(Photo by Jb Reed/Bloomberg via Getty Images)")
    r"\(?(?:photo|image|picture|illustration)(?: credit)?(?: by|:)|(?:an? )?(?:illustration|image|photo|picture|"
    r"diagram) (?:of|showing)\b|"
    # a reader's signature ("--Y.R., Trumbull, Conn.")
    r"(?:--|\u2014)\s*[A-Z][\w.]*,|"
    # a byline of a name alone ("Mrs. Ann Briars")
    r"(?-i:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.? [A-Z][a-z]+(?: [A-Z]\.?)?(?: [A-Z][a-z]+)?$))", re.I)
# An author's credentials, however long ("Dr. Darakchiev is a board-certified, fellowship-trained
# neurosurgeon skilled in ..."): about the writer, not the condition.
_CREDENTIALS = re.compile(r"^(?:Dr\.?\s+)?[A-Z][a-z]+(?: [A-Z][a-z]+)? is an? (?:board[- ]certified|"
                          r"fellowship[- ]trained|licensed|registered|chartered)\b")
_CALL_TO_ACTION = re.compile(
    r"^(?:call|contact|schedule|request|make an appointment|get in touch|sign up|subscribe|"
    r"book (?:an? |your )?(?:appointment|consultation|session|visit|call|assessment|treatment)s?\b|"
    r"book (?:now|online|today|in)\b|book your|buy|order|shop|visit us|click|download|find out (?:more|how)|"
    r"don'?t (?:wait|suffer|let)|please (?:speak|talk|ask|contact|call)|"
    r"let us|let our|ask us|speak to (?:us|our)|talk to (?:us|our)|come (?:in|and see)|"
    r"our (?:team|clinic|experts?|therapists?)|we (?:can|will|offer|are here|provide|specialise|"
    r"specialize)|try (?:our|it)|get (?:started|relief today|yours)|join|register)\b|"
    r"\b(?:call us|contact us|book (?:now|online|today|an appointment|a consultation)|"
    r"appointment today|free consultation|today!|it'?s free!)", re.I)
_PHONE = re.compile(r"\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}|\b0\d{3,4} ?\d{3} ?\d{3,4}\b")
_ANALOGY = re.compile(
    r"\b(?:imagine|think of (?:it|the|your|a)\b.{0,60}\bas\b|it'?s (?:a bit |rather |just |kind of )?"
    r"like|(?:is|are|acts?|works?) (?:a bit |rather |just |kind of )?like (?:a|an)\b|as if\b|"
    r"like a (?:garden hose|jelly|doughnut|donut|cushion|shock absorber|sponge|car|kink|pinched "
    r"hose))", re.I)
_STUDY_DESIGN = re.compile(
    r"\b(?:were (?:randomly )?(?:assigned|randomi[sz]ed|allocated|enrolled|recruited|followed|"
    r"divided|given)|randomi[sz]ed (?:\d+|half)|(?:recruited|enrolled|studied|followed up|surveyed|"
    r"interviewed) \d+|\d+ (?:participants|patients|subjects|people|adults|volunteers) (?:were|"
    r"took part|with)|took part in|in the (?:study|trial), (?:conducted|led|run)|the (?:study|trial) "
    r"(?:was|involved|included|enrolled|looked at|followed|compared))", re.I)
_OUTCOME = re.compile(r"\b(?:found|find|finds|showed|shows|improv|better|worse|no difference|"
                      r"effective|recover|relie|reduc|increas|help|same|felt)", re.I)
_FIRST_PERSON_STORY = re.compile(r"^(?:i|i'm|i've|my|we|we're|our)\b", re.I)
_META = re.compile(r"^(?:find out (?:all|everything) (?:you need to know|about)|(?:read on|keep reading) to)\b|"
                   r"^(?:this|the following|in this)(?: [a-z]+)? (?:article|guide|booklet|leaflet|page|post|blog|"
                   r"section|information|video)\b|^here (?:are|is)\b|^here['\u2019]s\b|\bsubstitute for (?:professional )?"
                   r"medical\b|\bnot (?:intended as|a substitute for|medical advice)\b|"
                   r"\bwithout (?:first )?(?:checking|consulting) with\b|^editor'?s note\b|"
                   r"^let['\u2019]?s (?:delve|dig|dive|explore|look|take a (?:closer )?look|talk|break|examine|"
                   r"find out|get started|start)\b", re.I)
_GREETING = re.compile(r"^(?:hi|hello|welcome|thanks|thank you|dear)\b", re.I)
_CLAIM_WORDS = re.compile(
    r"\b(?:cause[sd]?|lead|result|help|relie|reduc|increas|improv|worse|better|most|common|rare|"
    r"effective|recommend|should|avoid|never|always|risk|percent|%|\d)", re.I)


def _shape_of_heading(s: Sentence) -> bool:
    """A line of its own, short, without closing punctuation, not introduced as a list item."""
    if s.block == "heading":
        return True
    if not s.alone or s.block == "item" or s.text.rstrip().endswith((".", "!", "?", ":", ";", ",", "\"")):
        return False
    words = _WORDS.findall(s.text)
    return 0 < len(words) <= 12




# "Myth 1: Sciatica is a disease": a myth article's section title states the myth it debunks.
_MYTH_LINE = re.compile(r"^(?:(?:common|the)\s+)?(?:myths?|misconceptions?)\s*#?\d*\s*[:.\-\u2013]\s*"
                        r"\S+(?:\s+\S+){2,}", re.I)


# "Dear G.K.: Frequently, sciatica clears ...": the columnist's answer after a salutation.
_SALUTATION = re.compile(r"^(?:dear\s+[^:]{1,40}:|A[.:])\s+(?P<rest>\S.*)$", re.I | re.S)


def role(s: Sentence) -> tuple[str, str]:
    text = s.text.strip()
    salutation = _SALUTATION.match(text)
    if salutation and len(salutation.group("rest").split()) >= 5:
        text = salutation.group("rest")  # what follows the salutation is what the sentence says
    low = text.lower()
    if s.block == "heading" and not text.endswith("?"):
        return "heading", "a Markdown heading"
    if text.endswith("?"):
        return "question", "ends with a question mark"
    if text.endswith(":"):
        return "lead-in", "introduces a list (ends with a colon)"
    credentials = _CREDENTIALS.match(text)
    if credentials:
        return "navigation", f"about the author (\u201c{credentials.group(0)}\u201d)"
    if _NAVIGATION.search(text) and len(text.split()) <= 16:
        return "navigation", f"page furniture (\u201c{_NAVIGATION.search(text).group(0).strip(' |')}\u201d)"
    if _CALL_TO_ACTION.search(text) or _PHONE.search(text):
        match = _CALL_TO_ACTION.search(text) or _PHONE.search(text)
        return "call-to-action", f"contact or marketing copy (\u201c{match.group(0).strip()}\u201d)"
    if _STUDY_DESIGN.search(text) and not _OUTCOME.search(text):
        return "study-design", f"describes how a study was done (\u201c{_STUDY_DESIGN.search(text).group(0)}\u201d)"
    if _ANALOGY.search(text):
        return "analogy", f"an analogy (\u201c{_ANALOGY.search(text).group(0)}\u201d)"
    if _shape_of_heading(s) and not (s.block == "item" or s.lead_in) and not _MYTH_LINE.match(text):
        return "heading", "a short line of its own without closing punctuation"
    if s.block != "item" and len(_WORDS.findall(text)) <= 2 and not text.endswith((".", "!")):
        # "What Does a Chiropractor Do for Sciatica? Treatment": a page title's last word, run on
        return "heading", "a word or two without closing punctuation"
    if s.block == "item" and not s.lead_in and s.alone and title_case(text) and \
            not text.endswith((".", "!")) and len(text.split()) <= 12:
        # "1. Piriformis Stretch (Seated or Lying Down)", a numbered section of a web page
        return "heading", "a Title Case list line with no list before it"
    if _META.search(text):
        return "other", f"about the article itself (\u201c{_META.search(text).group(0)}\u201d)"
    if _GREETING.match(low) or (_FIRST_PERSON_STORY.match(low) and not _CLAIM_WORDS.search(text)):
        return "other", "greeting or first-person story"
    return "assertion", "a statement that can be checked"


# A sentence that reports one study's groups or participants ("70 percent of the 92 patients
# who stayed in bed", "patients in the two groups") gives that study's results, not the
# general claim the knowledge base words: its figures are the study's own.
_STUDY_RESULT = re.compile(
    r"\b(?:patients|participants|subjects|people|women|men|adults|volunteers) (?:in|of) (?:the |both |"
    r"each )?(?:two |three |four |both )?(?:groups?|arms?)\b|\bof the \d[\d,]* (?:patients|participants|"
    r"subjects|people|women|men|adults|volunteers)\b|\bthe (?:two|three|both|control|placebo|treatment|"
    r"surgery|surgical|exercise|rest|intervention|comparison) (?:groups?|arms?)\b|\bboth groups\b|"
    r"\b\d[\d.,]*\s*(?:%|percent|per cent) of (?:those|the people|the patients) who\b|\b(?:the )?(?:study|trial)'?s "
    r"participants\b", re.I)


def study_result(text: str) -> str | None:
    """The words that show ``text`` reports one study's groups or participants, if any."""
    m = _STUDY_RESULT.search(text)
    return m.group(0) if m else None


def with_context(s: Sentence) -> str:
    """The text that is checked: a list item reads with its lead-in ("Avoid: bed rest")."""
    if s.block == "item" and s.lead_in:
        return f"{s.lead_in} {s.text}"
    return s.text


_REFERENCES_HEADING = re.compile(r"^\W*(?:references|sources|bibliography|citations|works cited|"
                                 r"further reading|reference list)\W*$", re.I)


def reference_list_start(sentences: list[Sentence]) -> int | None:
    """The index of the draft's "References" heading: what follows it is the list, not claims."""
    for s in sentences:
        if _REFERENCES_HEADING.match(s.text) and s.alone:
            return s.index
    return None


# A reader's letter in a doctor's question-and-answer column ("Dear Dr. Donohue: Whenever I bend
# ..."): what the reader says is the question, not the column's claims; the answer ("Dear G.K.:")
# is checked as usual.
_LETTER = re.compile(r"^[ \t]*dear\s+(?:dr\.?|doctor|doc)\s*[\w.' -]{0,40}:", re.M | re.I)
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
# A question-and-answer column's "Q. ..." (or "Q: ..."), to its "A. ..." : the reader's question,
# however many paragraphs and whatever signature it runs to.
_QUESTION = re.compile(r"^[ \t]*Q[.:][ \t]+", re.M)
_ANSWER = re.compile(r"^[ \t]*A[.:][ \t]+", re.M)


def reader_letters(text: str) -> list[tuple[int, int, str]]:
    """(start, end, how it opens) of each reader's letter or question to a column: a paragraph
    that opens as a letter to the doctor, and a "Q." up to its "A."."""
    spans = []
    for m in _LETTER.finditer(text):
        end = _PARAGRAPH_END.search(text, m.end())
        spans.append((m.start(), end.start() if end else len(text), m.group(0).strip()))
    for m in _QUESTION.finditer(text):
        answer = _ANSWER.search(text, m.end())
        spans.append((m.start(), answer.start() if answer else len(text), m.group(0).strip()))
    return spans

