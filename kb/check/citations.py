"""Step 5 of the check: the citations a draft gives, found and resolved to references.

Formal author-year forms: parenthetical "(Hagen et al., 2005)", "(Smith and Jones 2001)",
"(Vroomen, de Krom and Knottnerus, 2007)", several in one bracket "(Smith, 2001; Jones, 2003)",
organisations "(National Institute for Health and Care Excellence (NICE), 2020)" or "(NICE, 2020)",
and narrative "Hagen et al. (2005) found ...". A date in brackets ("(March 2019)", "(updated
2021)") is not an author.

Narrative forms lay writers use instead (``kind`` says which): an organisation speaking ("NICE
advises", "the NHS says"), "a Cochrane review", a journal ("published in the New England Journal
of Medicine", "in JAMA in 2006"), a study's title in quotes, and numbered footnotes ("[3]", "¹",
"(1, 2)"), resolved through the draft's own reference list when it has one. Only the formal forms
and footnotes raise ``citation-unresolved`` when nothing matches: a narrative mention names a
source without saying enough to look it up.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field, replace

from ..text import ACRONYM_RE, fold
from ..vocab import DESIGN_WORDS

YEAR = r"(?:19|20)\d{2}[a-z]?"
_PAREN_RE = re.compile(r"\(((?:[^()]|\([^()]*\))*?\b" + YEAR + r"\b(?:[^()]|\([^()]*\))*?)\)")
# Author-year in square brackets ("[Singh 2021]", "[Hagen et al., 2005]"), as some sites write them.
_BRACKET_RE = re.compile(r"\[([^\[\]]*?\b" + YEAR + r"\b[^\[\]]*?)\]")
_SURNAME = r"(?:(?:de|van|von|der|den|da|di|le|la|du|del)\s+)*[A-Z][\w'\u2019\-]+"
_NARRATIVE_RE = re.compile(
    r"(?P<names>" + _SURNAME + r"(?:\s+et\s+al\.?|(?:\s*,\s*" + _SURNAME + r")*\s+(?:and|&)\s+"
    + _SURNAME + r")?)\s+\((?P<years>" + YEAR + r"(?:\s*[,;]\s*" + YEAR + r")*)\)")
_YEAR_RE = re.compile(r"\b(" + YEAR + r")\b")
_LEADING = re.compile(r"^(?:e\.g\.,?|see(?: also)?|cf\.|for example,?|as reviewed in)\s+", re.I)


@dataclass
class InlineCitation:
    text: str  # the citation as written (one author-year unit, or the narrative mention)
    start: int
    end: int
    names: list[str]  # authors, or the organisation / journal / title for narrative kinds
    year: str | None
    et_al: bool = False
    acronym: str | None = None
    kind: str = "author-year"  # author-year | footnote | link (a DOI or PubMed address) | organisation |
    #                            cochrane | journal | title | person ("Dr Vroomen", "Vroomen said") |
    #                            study ("a new study")
    number: int | None = None  # a footnote's number
    design: str | None = None  # the design its sentence names ("a randomised trial"), if one
    identifier: str | None = None  # a link's "doi:10.1056/..." or "pmid:28328324"

    @property
    def year_number(self) -> int | None:
        return int(self.year[:4]) if self.year else None

    @property
    def formal(self) -> bool:
        """Author-year, footnotes and links point at one study; narrative mentions only name a source."""
        return self.kind in ("author-year", "footnote", "link")

    @property
    def names_a_source(self) -> bool:
        """Whether the sentence gives a source a reader could look up (not "studies show")."""
        return self.kind != "study"


_NOT_AUTHORS = re.compile(
    r"^(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?|spring|summer|autumn|"
    r"fall|winter|updated?|accessed|published|posted|last (?:reviewed|updated)|reviewed|revised|"
    r"copyright|circa|c\.|since|from|until|in|by|as of|est\.?|founded|ages?|aged|n|p|vol\.?)"
    r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?$", re.I)

def _split_names(names: str) -> tuple[list[str], bool]:
    et_al = bool(re.search(r"\bet\s+al\b\.?", names))
    names = re.sub(r"\bet\s+al\b\.?", "", names)
    parts = [p.strip(" ,.") for p in re.split(r",|\s+and\s+|\s*&\s*", names)]
    return [p for p in parts if p], et_al


def _parse_unit(unit: str, start: int) -> list[InlineCitation]:
    """One ';'-separated unit of a parenthetical citation, e.g. 'Hagen et al., 2005'."""
    stripped = _LEADING.sub("", unit.strip())
    offset = start + unit.find(stripped) if stripped else start
    years = list(_YEAR_RE.finditer(stripped))
    if not years or not stripped[:1].isupper():
        return []
    names_text = stripped[: years[0].start()].strip(" ,")
    if not names_text or len(names_text) > 160 or _NOT_AUTHORS.match(names_text) or \
            re.search(r"\d", names_text):
        return []  # "(March 2019)", "(updated 2021)", "(n = 183, 2019)": a date, not an author
    acronym_match = ACRONYM_RE.search(names_text)
    acronym = acronym_match.group(1) if acronym_match else None
    names_plain = ACRONYM_RE.sub("", names_text).strip(" ,")
    names, et_al = _split_names(names_plain)
    if len(names_plain.split()) >= 4 and not et_al and "," not in names_plain:
        names = [names_plain]  # an organisation: "National Institute for Health and Care Excellence"
    if not names:
        return []
    text = stripped.rstrip(" ,;")
    return [InlineCitation(text=text, start=offset, end=offset + len(text), names=names,
                           year=y.group(1), et_al=et_al, acronym=acronym) for y in years]


def find_citations(text: str) -> list[InlineCitation]:
    """Every citation in ``text`` (links, author-year, then the narrative kinds), in order, with offsets."""
    found: list[InlineCitation] = list(_links(text))
    # (a DOI's ".2019." is no year: brackets around a link are not read as author-year)
    taken: list[tuple[int, int]] = [(c.start, c.end) for c in found]
    links = list(taken)
    for match in [*_PAREN_RE.finditer(text), *_BRACKET_RE.finditer(text)]:
        if text.startswith("(", match.end()) and any(s == match.end() + 1 for s, _ in links):
            continue  # a Markdown link's text, "[Lin 2017](https://doi.org/...)": the link says which
        body_start = match.start(1)
        pos = 0
        for unit in match.group(1).split(";"):
            start = body_start + pos
            if not any(s < start + len(unit) and start < e for s, e in links):
                found += _parse_unit(unit, start)
            pos += len(unit) + 1
        taken.append(match.span())
    for match in _NARRATIVE_RE.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        names, et_al = _split_names(match.group("names"))
        for y in _YEAR_RE.finditer(match.group("years")):
            found.append(InlineCitation(text=match.group(0), start=match.start(), end=match.end(),
                                        names=names, year=y.group(1), et_al=et_al))
    for finder in (_organisations, _cochrane, _journals, _titles, _footnotes, _people, _studies,
                   _according_to, _bodies, _any_journal, _source_lines):
        before = list(taken)  # one mention may give several (a footnote "(1, 2)")
        for cite in finder(text):
            if not any(s <= cite.start < e or cite.start <= s < cite.end for s, e in before):
                found.append(cite)
                taken.append((cite.start, cite.end))
    return _joined(text, sorted(found, key=lambda c: (c.start, c.year or "")))


_STUDY_IN = re.compile(r"\s*,?\s*(?:(?:published|reported|appearing)\s+)?(?:in|by|from)\s+")


def _joined(text: str, found: list[InlineCitation]) -> list[InlineCitation]:
    """"The study in the New England Journal of Medicine", "new research from the NHS": one
    citation, the source that identifies the study, not a study mention naming nothing beside it."""
    out: list[InlineCitation] = []
    for cite in found:
        prev = out[-1] if out else None
        if prev and prev.kind == "study" and cite.kind in ("journal", "organisation", "cochrane") \
                and _STUDY_IN.fullmatch(text, prev.end, cite.start):
            out[-1] = replace(cite, text=text[prev.start:cite.end], start=prev.start,
                              year=cite.year or prev.year)
        else:
            out.append(cite)
    return out


_ORG = (r"NICE|[Tt]he National Institute for Health and (?:Care|Clinical) Excellence|[Tt]he NHS|"
        r"[Tt]he World Health Organi[sz]ation|[Tt]he WHO|[Tt]he American College of Physicians|"
        r"[Tt]he North American Spine Society|NASS|[Tt]he Chartered Society of Physiotherapy|"
        r"[Tt]he American Academy of (?:Orthopaedic|Orthopedic) Surgeons|AAOS|[Tt]he FDA|[Tt]he MHRA|"
        r"[Tt]he CDC|[Tt]he Mayo Clinic|[Tt]he Cleveland Clinic|[Tt]he American Chiropractic Association|"
        # consumer health publishers writers quote as a source
        r"WebMD|Healthline|MedlinePlus|[Tt]he National Library of Medicine|[Tt]he National Institutes? of Health|"
        r"[Tt]he NIH|Johns Hopkins Medicine|Harvard Health(?: Publishing)?")
# "NICE advises", "the NHS's guidance says", "according to the Mayo Clinic", "a 2016 NICE
# guideline" (the year, when given before or just after the name, is the year it is cited by).
_ORG_RE = re.compile(rf"\b(?:(?P<year_before>{YEAR})\s+)?(?P<org>{_ORG})(?:'s)?(?:\s+(?P<year_after>{YEAR}))?"
                     r"(?:\s+(?:guidelines?|guidance|recommendations?))?"
                     r"\s+(?:\w+\s+)?(?P<verb>says?|said|advises?|advised|recommends?|recommended|states?|"
                     r"suggests?|found|warns?|guidelines?|guidance|concluded|notes?)\b|"
                     rf"\b[Aa]ccording to (?:(?:a|the|its)\s+)?(?:(?P<year_according>{YEAR})\s+)?"
                     rf"(?P<org_according>{_ORG})|"
                     # "..., explains WebMD", "research published by the National Library of Medicine"
                     rf"\b(?:explains?|says|notes|writes|reports|advises|published by)\s+(?P<org_after>{_ORG})\b")
_COCHRANE_RE = re.compile(r"\b(?i:an?|the|one|recent|latest)\s+(?:\w+\s+)?Cochrane\s+"
                          r"(?:systematic\s+)?(?:review|analysis|meta-analysis)\b")
_JOURNAL = (r"(?:the )?New England Journal of Medicine|NEJM|JAMA(?: Internal Medicine)?|"
            r"(?:[Tt]he )?Journal of the American Medical Association|(?:The )?Lancet|(?:the )?BMJ|"
            r"(?:the )?British Medical Journal|Spine|(?:the )?European Spine Journal|Pain|"
            r"(?:the )?Annals of Internal Medicine|(?:the )?Cochrane Library|"
            r"(?:the )?Cochrane Database of Systematic Reviews|CMAJ|(?:the )?Canadian Medical "
            r"Association Journal|PLOS ONE|(?:the )?Journal of Neurosurgery(?: Spine)?|"
            r"(?:the )?Spine Journal|(?:the )?Journal of Orthopaedic & Sports Physical Therapy")
_JOURNAL_RE = re.compile(rf"\b(?:published|reported|appearing|appeared|appears|writing|wrote)?\s*"
                         rf"\b(?:in|by)\s+(?P<journal>(?:[Tt]he )?(?:{_JOURNAL}))\b(?:[^.;]{{0,40}}?\b(?P<year>{YEAR})\b)?")
# A title in quotes, introduced as one ("the study titled \u201c...\u201d"): quoted speech is not a title.
_TITLE_RE = re.compile(r"\b(?:titled|entitled|called|named|study|trial|review|paper|article|report)"
                       r"[,:]?\s+[\"\u201c](?P<title>[A-Z][^\"\u201d]{25,200}?)[\"\u201d]", re.I)
_PERSON_RE = re.compile(r"\b(?:Dr\.?|Professor|Prof\.)\s+(?:[A-Z][\w.]*\s+){0,3}?(?P<name>[A-Z][a-z]{2,})\b"
                        r"(?!\s+[A-Z])|\b(?P<said>[A-Z][a-z]{2,})\s+(?:said|says|added|explained|noted|told|wrote)\b|"
                        # a surname alone in square brackets, as a citation ("... effective [Verwoerd].")
                        r"\[(?P<bracketed>[A-Z][a-z]{3,}(?:\s+et\s+al\.?)?)\]|"
                        # a study's authors without a year: "Hagen et al. found", "Vroomen and colleagues"
                        r"\b(?P<etal>[A-Z][a-z]{2,})\s+(?:et\s+al\b\.?|and\s+(?:her\s+|his\s+|their\s+)?"
                        r"(?:colleagues|co-?workers|co-?authors))(?!\.?\s*,?\s*\(?\s*(?:19|20)\d\d)")
_STUDY_RE = re.compile(r"\b(?:(?:a|the|this|that|one|new|recent|latest|large|small|our|\w+day's)\s+){1,3}"
                       r"(?:\w+\s+)?(?:study|studies|trial|review|meta-analysis|research)\b|"
                       # a study's authors writing of it: "Our results have shown", "The results show"
                       r"\b(?:our|the)\s+(?:results|findings)(?=\s+(?:have\s+)?(?:show|showed|shown|suggest|"
                       r"suggested|found|indicate|indicated)\b)|"
                       r"\bresearchers(?:\s+(?:at|from|in)(?:\s+the)?(?:\s+[A-Z][\w'\-]*){1,6}?)?\s+"
                       r"(?:\w+\s+)?(?:reported|found|say|said|concluded|showed)\b", re.I)
_FOOTNOTE_RE = re.compile(r"\[(?P<n>\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})*)\]|"
                          r"(?<=[a-z.,;)])(?P<sup>[\u00b9\u00b2\u00b3\u2070-\u2079]+)|"
                          r"\((?P<paren>\d{1,3}(?:\s*[,\u2013-]\s*\d{1,3})+)\)|(?<=[.!?] )\((?P<single>\d{1,3})\)|"
                          # a superscript flattened by a capture: "... the sciatic nerve.2"
                          # (not "p.12", "vol.2", "fig.3")
                          r"(?<=[a-z]{3}\.)(?<!\bvol\.)(?<!\bfig\.)(?<!\bref\.)(?P<flat>\d{1,2})(?=\s|$)|"
                          # ... or before the full stop: "... independent of their age1."
                          r"(?<=[a-z]{3})(?P<flat_before>\d{1,2})(?=[.;,](?:\s|$))")
_SUPERSCRIPT = str.maketrans("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079",
                             "0123456789")


# The names one journal goes by, folded and without a leading "the": a writer's "the Journal of
# the American Medical Association" is the references' "JAMA".
JOURNAL_NAMES = [
    {"jama", "journal of the american medical association"},
    {"new england journal of medicine", "nejm", "n engl j med"},
    {"bmj", "british medical journal"},
    {"lancet"},
    {"cmaj", "canadian medical association journal"},
    {"cochrane database of systematic reviews", "cochrane database syst rev"},
]


_DESIGN_WORDS = [(re.compile(rx, re.I), design) for rx, design in DESIGN_WORDS]


def design_named(text: str) -> str | None:
    """The study design a sentence names, if it names one (kb.vocab.DESIGN_WORDS)."""
    return next((design for rx, design in _DESIGN_WORDS if rx.search(text)), None)


def journal_names(name: str) -> set[str]:
    """Every folded form a reference's ``journal`` field may give for the journal ``name``."""
    bare = re.sub(r"^the\s+", "", fold(name).strip())
    group = next((g for g in JOURNAL_NAMES if bare in g), {bare})
    return group | {f"the {g}" for g in group}


def _organisations(text: str):
    for m in _ORG_RE.finditer(text):
        org = re.sub(r"^the\s+", "", m.group("org") or m.group("org_according") or m.group("org_after"),
                     flags=re.I)
        year = m.group("year_before") or m.group("year_after") or m.group("year_according")
        yield InlineCitation(text=m.group(0), start=m.start(), end=m.end(), names=[org], year=year,
                             kind="organisation", acronym=org if org.isupper() else None)


# "According to the National Center for Biotechnology Information, ...": a named source the
# organisations above do not list (the knowledge base will not know it, but the writer named one).
_ACCORDING_RE = re.compile(r"\b[Aa]ccording to (?:the )?(?P<name>[A-Z][\w'.&-]*(?:\s+(?:(?:of|for|and|on|the|in)\s+)*"
                           r"[A-Z][\w'.&-]*){0,7})")


def _according_to(text: str):
    for m in _ACCORDING_RE.finditer(text):
        yield InlineCitation(text=m.group(0), start=m.start(), end=m.end(), names=[m.group("name")],
                             year=None, kind="organisation")


# Bodies the list above does not name, by the shape of their names, when they speak ("The
# American Pregnancy Association recommends ...", "the National Institute of Neurological
# Disorders and Stroke (NINDS) says ..."); not the publisher itself ("Our Spine Center offers").
_BODY = (r"\b(?:[Tt]he\s+)?(?:[A-Z][\w'\u2019&.-]*\s+){1,6}?(?:Association|Society|College|Academy|Institutes?|"
         r"Foundation|Organi[sz]ation|Federation|Council|Agency|Administration|Cent(?:er|re)s?)"
         r"(?:\s+(?:of|for|on)(?:\s+(?:and\s+|the\s+)?[A-Z][\w'\u2019&-]*){1,6})?")
_BODY_RE = re.compile(rf"(?P<body>{_BODY})(?:\s+\((?P<acronym>[A-Z]{{2,8}})\))?(?:'s)?\s+(?:\w+\s+)?"
                      r"(?:says?|said|advises?|advised|recommends?|recommended|states?|stated|suggests?|"
                      r"warns?|notes?|noted|reports?|reported|estimates?|estimated|found|explains?)\b")


_OWN = re.compile(r"\b(?:our|your|my|this|that|these|those|we)\s+$", re.I)


def _bodies(text: str):
    for m in _BODY_RE.finditer(text):
        if _OWN.search(text, max(0, m.start() - 8), m.start()) or \
                re.match(r"(?:our|your|my|this|that|these|those)\b", m.group(0), re.I):
            continue
        name = re.sub(r"^the\s+", "", m.group("body"), flags=re.I)
        yield InlineCitation(text=m.group(0), start=m.start(), end=m.end(), names=[name], year=None,
                             kind="organisation", acronym=m.group("acronym"))


# A journal the list above does not name, by the shape of its name, where the sentence says it
# published something ("published in the Journal of Pain Research", "in BMC Musculoskeletal Disorders").
_ANY_JOURNAL_RE = re.compile(
    r"\b(?i:(?:published|reported|appeared|appearing|featured|writing)\s+in|in\s+the\s+journal)\s+(?P<journal>(?:the\s+)?(?:"
    r"Journal\s+of(?:\s+(?:the|and|&|of))*(?:\s+[A-Z][\w&-]*(?:\s+(?:of|and|&|the))*){1,6}|"
    r"(?:[A-Z][\w&-]*\s+){1,4}Journal(?:\s+of(?:\s+[A-Z][\w&-]*){1,4})?|"
    r"BMC(?:\s+[A-Z][\w&-]*){1,3}|Annals\s+of(?:\s+[A-Z][\w&-]*){1,4}|Archives\s+of(?:\s+[A-Z][\w&-]*){1,4}|"
    # "in the journal Pain Medicine": after "the journal", whatever it is called
    r"(?<=journal\s)[A-Z][\w&-]*(?:\s+(?:of\s+|and\s+|&\s+)?[A-Z][\w&-]*){0,5}))"
    rf"(?:[^.;]{{0,40}}?\b(?P<year>{YEAR})\b)?")


def _any_journal(text: str):
    for m in _ANY_JOURNAL_RE.finditer(text):
        journal = re.sub(r"^the\s+", "", m.group("journal").strip(), flags=re.I)
        start = m.start("journal")
        yield InlineCitation(text=text[start:m.end()], start=start, end=m.end(), names=[journal],
                             year=m.group("year"), kind="journal")


# "Source: NHS", "(Source: Mayo Clinic)", "Sources: ...": a source line a web page gives.
_SOURCE_LINE_RE = re.compile(r"(?:^|(?<=[\s(]))Sources?:\s*(?P<name>[A-Z][^\n;)]{1,80}?)(?=\s*(?:[;)\n]|$))", re.M)


def _source_lines(text: str):
    for m in _SOURCE_LINE_RE.finditer(text):
        yield InlineCitation(text=m.group(0), start=m.start(), end=m.end(), names=[m.group("name").strip()],
                             year=None, kind="organisation")


def _cochrane(text: str):
    for m in _COCHRANE_RE.finditer(text):
        yield InlineCitation(text=m.group(0), start=m.start(), end=m.end(), names=["Cochrane"],
                             year=None, kind="cochrane")


# "A 2018 systematic review in the BMJ": the year the mention gives before the journal's name.
_YEAR_BEFORE = re.compile(rf"\b(?P<year>{YEAR})\s+(?:\w+\s+){{0,2}}?(?:study|trial|review|meta-analysis|"
                          r"analysis|paper|report|survey)\b[^.;]*$", re.I)


def _journals(text: str):
    for m in _JOURNAL_RE.finditer(text):
        journal = re.sub(r"^the\s+", "", m.group("journal"), flags=re.I)
        start = m.start("journal")
        before = _YEAR_BEFORE.search(text, max(0, start - 80), start)
        yield InlineCitation(text=text[start:m.end()], start=start, end=m.end(), names=[journal],
                             year=m.group("year") or (before.group("year") if before else None),
                             kind="journal")


def _titles(text: str):
    for m in _TITLE_RE.finditer(text):
        if len(m.group("title").split()) >= 5:
            yield InlineCitation(text=m.group(0), start=m.start(), end=m.end(),
                                 names=[m.group("title")], year=None, kind="title")


_NOT_A_PERSON = frozenset({"Center", "Centre", "Clinic", "Association", "Institute", "Institutes", "Society",
                           "College", "Academy", "Foundation", "Organization", "Organisation", "Council",
                           "Agency", "Administration", "Medicine", "Health", "Hospital", "University",
                           "Journal", "Review", "Study", "Research", "Service", "Services"})


def _people(text: str):
    for m in _PERSON_RE.finditer(text):
        name = m.group("name") or m.group("said") or m.group("etal") or m.group("bracketed").split()[0]
        if name in ("The", "This", "That", "She", "They", "Our", "Your") or name in _NOT_A_PERSON:
            continue  # "the Spine Center says", "the National Library of Medicine noted": a body
        yield InlineCitation(text=m.group(0), start=m.start(), end=m.end(), names=[name],
                             year=None, kind="person")


def _studies(text: str):
    for m in _STUDY_RE.finditer(text):
        year = _YEAR_RE.search(m.group(0))  # "a 2019 study"
        yield InlineCitation(text=m.group(0), start=m.start(), end=m.end(), names=[],
                             year=year.group(1) if year else None, kind="study")


# A DOI or a PubMed record, as a link or written out ("doi:10.1056/NEJMoa1614292", "PMID: 28328324").
_LINK_RE = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*|\b)(?P<doi>10\.\d{4,9}/[^\s\"<>\]\[]+)|"
                      r"(?:https?://)?(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih\.gov/pubmed)/"
                      r"(?P<pubmed>\d{1,9})/?|\bPMID:?\s*(?P<pmid>\d{1,9})\b", re.I)


def _links(text: str):
    for m in _LINK_RE.finditer(text):
        if m.group("doi"):
            doi = m.group("doi").rstrip(".,;:)")
            if doi.count(")") > doi.count("("):
                doi = doi[:doi.rindex(")")]  # "(https://doi.org/10.1/abc)": the bracket is the writer's
            end = m.start("doi") + len(doi)
            yield InlineCitation(text=text[m.start():end], start=m.start(), end=end, names=[doi],
                                 year=None, kind="link", identifier=f"doi:{doi.lower()}")
        else:
            pmid = m.group("pubmed") or m.group("pmid")
            yield InlineCitation(text=m.group(0), start=m.start(), end=m.end(), names=[pmid],
                                 year=None, kind="link", identifier=f"pmid:{pmid}")


def _footnotes(text: str):
    for m in _FOOTNOTE_RE.finditer(text):
        raw = m.group("n") or m.group("paren") or m.group("single") or m.group("flat") or m.group("flat_before") or \
            m.group("sup").translate(_SUPERSCRIPT)
        for part in re.split(r"\s*[,\u2013-]\s*", raw):
            if part.isdigit():
                yield InlineCitation(text=m.group(0), start=m.start(), end=m.end(), names=[],
                                     year=None, kind="footnote", number=int(part))


_REFERENCE_LINE = re.compile(r"^\s*(?:\[(?P<a>\d{1,3})\]|(?P<b>\d{1,3})[.)])\s+(?P<entry>\S.*)$", re.M)


def reference_list(text: str) -> dict[int, tuple[str, int]]:
    """The draft's own numbered reference list, if it has one: number -> (entry, offset). An
    entry gives a year or a link ("Vroomen PC ... N Engl J Med. 1999"); a numbered line of the
    text itself ("1. Non-Invasive: TENS therapy offers ...") is no reference."""
    return {int(m.group("a") or m.group("b")): (m.group("entry").strip(), m.start("entry"))
            for m in _REFERENCE_LINE.finditer(text)
            if _YEAR_RE.search(m.group("entry")) or next(_links(m.group("entry")), None)}


# --- resolution ---------------------------------------------------------------------------

@dataclass
class RefInfo:
    key: str
    year: int | None
    families: list[str]  # folded family names in author order
    display_authors: str
    title: str
    acronyms: set[str] = field(default_factory=set)
    update_years: set[int] = field(default_factory=set)  # guidelines are cited by update year


@dataclass
class Resolution:
    status: str  # resolved | mismatch | unknown
    key: str | None
    detail: str


NAMED_AT_MOST = 200  # references under one name read in full to resolve a citation; past it,
NEAREST_SHOWN = 5  # ... the few nearest the cited year


class RefIndex:
    """References by first-author family name (and organisation acronym), read on demand
    through the indexed ref_names table: a knowledge base of 300,000 references is not
    loaded to resolve the ten citations of a draft."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._infos: dict[str, RefInfo] = {}
        self._names: dict[str, list[RefInfo]] = {}

    def _load(self, keys: list[str]) -> list[RefInfo]:
        missing = sorted(set(k for k in keys if k not in self._infos))
        for i in range(0, len(missing), 500):
            batch = missing[i:i + 500]
            rows = self.conn.execute(
                "select r.key, r.year, r.authors, r.title, json_extract(r.fields, '$.updated'), "
                "a.family_key from refs r left join ref_authors a on a.ref_key = r.key "
                f"where r.key in ({','.join('?' * len(batch))}) order by r.key, a.position", batch)
            for key, year, authors, title, updated, family_key in rows:
                info = self._infos.get(key)
                if info is None:
                    info = self._infos[key] = RefInfo(key, year, [], authors or "", title or "")
                    info.update_years = {int(y[:4]) for y in _YEAR_RE.findall(str(updated or ""))}
                if family_key:
                    info.families.append(family_key)
        return [self._infos[k] for k in keys if k in self._infos]

    def _named(self, names: list[str], year: int | None = None) -> list[RefInfo]:
        """References found under the first name, then under the others (an acronym),
        each list in key order; only those from ``year`` when it is given."""
        found: list[RefInfo] = []
        for name in names:
            if (name, year) not in self._names:
                sql = "select n.ref_key from ref_names n "
                if year is None:
                    rows = self.conn.execute(sql + "where n.name = ? order by n.ref_key", (name,))
                else:
                    rows = self.conn.execute(sql + "where n.name = ? and n.year = ? "
                                             "order by n.ref_key", (name, year))
                self._names[(name, year)] = self._load([k for (k,) in rows])
            found += [r for r in self._names[(name, year)] if r not in found]
        return found

    def _named_near(self, names: list[str], year: int | None) -> list[RefInfo]:
        """``_named(names)``; but for a name that hundreds of references share (a common surname
        in a large knowledge base), only the few nearest ``year``: loading thousands to report
        a wrong year took a second a citation."""
        if year is None or sum(self.conn.execute("select count(*) from ref_names where name = ?",
                                                 (n,)).fetchone()[0] for n in names) <= NAMED_AT_MOST:
            return self._named(names)
        keys = []
        for name in names:
            keys += [k for (k,) in self.conn.execute(
                "select ref_key from ref_names where name = ? order by abs(coalesce(year, 0) - ?), "
                "ref_key limit ?", (name, year, NEAREST_SHOWN)) if k not in keys]
        return self._load(keys)

    def _named_in_year(self, names: list[str], cite: InlineCitation,
                       prefer: frozenset[str]) -> list[RefInfo] | Resolution:
        """``_named(names, year)``; but when hundreds of references share the name and year (a
        common surname in a large knowledge base), only those the citation can tell apart: linked
        to the claims the sentence resembles, or with a co-author it names. If none is, the
        citation is ambiguous, and saying so beats picking one of hundreds."""
        year = cite.year_number
        count = sum(self.conn.execute("select count(*) from ref_names where name = ? and year = ?",
                                      (n, year)).fetchone()[0] for n in names)
        if count <= NAMED_AT_MOST:
            return self._named(names, year)
        others = sorted({fold(n) for n in cite.names[1:]})
        linked = sorted(prefer)
        keys = []
        for name in names:
            keys += [k for (k,) in self.conn.execute(
                "select n.ref_key from ref_names n where n.name = ? and n.year = ? and (n.ref_key in "
                f"({','.join('?' * len(linked)) or 'null'}) or n.ref_key in (select a.ref_key from "
                f"ref_authors a where a.family_key in ({','.join('?' * len(others)) or 'null'}))) "
                "order by n.ref_key limit ?", (name, year, *linked, *others, NEAREST_SHOWN))
                if k not in keys]
        if keys:
            return self._load(keys)
        return Resolution("unknown", None, f"{count} references by {cite.names[0]} from {year} in the "
                          "knowledge base, none linked to the claims this sentence resembles: name a "
                          "co-author or the title")

    def _by_author_and_year(self, family: str, year: int | None) -> list[RefInfo]:
        keys = [k for (k,) in self.conn.execute(
            "select distinct a.ref_key from ref_authors a join refs r on r.key = a.ref_key "
            "where a.family_key = ? and r.year = ? order by a.ref_key", (family, year))]
        return self._load(keys)

    def resolve(self, cite: InlineCitation, prefer: frozenset[str] = frozenset(),
                references: dict[int, tuple[str, int]] | None = None,
                context: tuple[str, ...] = (), nearby: frozenset[str] = frozenset()) -> Resolution:
        """Resolve one citation. ``prefer``: keys linked to the claims the sentence may be
        making; among equally plausible candidates, those are the likely intent.
        ``references``: the draft's own numbered reference list, for footnotes. ``context``:
        the studies the draft names elsewhere, nearest first: "the study, published in JAMA"
        is most likely the JAMA study the draft names, not any JAMA study the claims cite.
        ``nearby``: keys linked to the claims of the sentences around it, used when exactly one
        of the studies the mention could be is among them."""
        if cite.kind == "footnote":
            return self._footnote(cite, prefer, references or {})
        if cite.kind == "link":
            return self._link(cite)
        if cite.kind == "title":
            return self._title(cite)
        if cite.kind in ("organisation", "cochrane", "journal"):
            return self._source(cite, prefer, context, nearby)
        if cite.kind == "person":
            found = [r.key for r in self._named([fold(cite.names[0])])]
            return self._choose(cite, found, prefer, cite.names[0], context, nearby) if found else \
                Resolution("unknown", None, f"no study by {cite.names[0]} in the knowledge base")
        if cite.kind == "study":
            # "the study found": the study the draft names nearest to it, else the one study
            # linked to the claims it may be making, if there is one; "a 2019 study" only a
            # study from 2019
            if cite.year_number:
                def of_year(key: str) -> bool:
                    return any(r.year == cite.year_number for r in self._load([key]))
                context = tuple(k for k in context if of_year(k))
                prefer = frozenset(k for k in prefer if of_year(k))
            if context:
                return self._choose(cite, [context[0]], frozenset(), "the study the draft names nearby")
            if len(prefer) == 1:
                return self._choose(cite, sorted(prefer), prefer, "a study")
            if cite.year and not prefer:
                return Resolution("unknown", None, f"no study from {cite.year} that the draft names or "
                                  "the claims cite")
            return Resolution("unknown", None, "names no study the knowledge base can look up")
        return self._author_year(cite, prefer)

    def _choose(self, cite: InlineCitation, found: list[str], prefer: frozenset[str],
                what: str, context: tuple[str, ...] = (),
                nearby: frozenset[str] = frozenset()) -> Resolution:
        if cite.design and len(found) > 1:
            # "the trial, published in JAMA": of the journal's studies, its trials
            found = [k for k in found if self._design(k) == cite.design] or found
        named = set(found)
        linked = [k for k in context if k in named] or [k for k in found if k in prefer]
        if not linked and len(named & nearby) == 1:
            linked = sorted(named & nearby)
        if cite.year_number:
            dated = [k for k in (linked or found) if self._load([k])[0].year == cite.year_number]
            linked = dated or linked
        pick = linked[0] if linked else found[0] if len(found) == 1 else None
        if pick is None and cite.kind == "organisation":
            # "NICE advises": its guideline, when it has exactly one
            guidelines = [k for k in found if self._design(k) == "clinical guideline"]
            pick = guidelines[0] if len(guidelines) == 1 else None
        if pick is None and not found:
            return Resolution("unknown", None, f"{what}: nothing from it in the knowledge base")
        if pick is None:
            shown = ", ".join(found[:4]) + (" ..." if len(found) > 4 else "")
            return Resolution("unknown", None, f"{what}: {len(found)} references in the knowledge base "
                              f"({shown or 'none'}); none is linked to the claims this sentence resembles")
        ref = self._load([pick])[0]
        return Resolution("resolved", pick, f"{what}: {ref.display_authors} ({ref.year}). {ref.title}")

    def _design(self, key: str) -> str | None:
        row = self.conn.execute("select design from refs where key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _source(self, cite: InlineCitation, prefer: frozenset[str],
                context: tuple[str, ...] = (), nearby: frozenset[str] = frozenset()) -> Resolution:
        name = cite.names[0]
        if cite.kind == "organisation":
            found = [r.key for r in self._named([fold(name)] + ([cite.acronym.lower()] if cite.acronym else []))]
            what = name
        else:
            if cite.kind == "cochrane":
                found = [k for (k,) in self.conn.execute(
                    "select key from refs where lower(journal) like '%cochrane%' order by key limit 200")]
            else:
                names = sorted(journal_names(name))
                found = [k for (k,) in self.conn.execute(  # (an index on lower(journal): schema)
                    f"select key from refs where lower(journal) in ({','.join('?' * len(names))}) "
                    "order by key limit 200", names)]
            what = "a Cochrane review" if cite.kind == "cochrane" else f"the journal {name}"
        return self._choose(cite, found, prefer, what, context, nearby)

    def _title(self, cite: InlineCitation) -> Resolution:
        wanted = set(re.findall(r"[a-z0-9]+", fold(cite.names[0])))
        best, best_share = None, 0.0
        query = " OR ".join(f'"{w}"' for w in sorted(wanted) if len(w) > 3)
        if query:
            for key, title in self.conn.execute(
                    "select r.key, r.title from refs_fts join refs r on r.rowid = refs_fts.rowid "
                    "where refs_fts match ? order by rank limit 20", (f"title : ({query})",)):
                have = set(re.findall(r"[a-z0-9]+", fold(title or "")))
                share = len(wanted & have) / max(len(wanted | have), 1)
                if share > best_share:
                    best, best_share = key, share
        if best and best_share >= 0.8:
            return Resolution("resolved", best, f"the title of {best}")
        if best and best_share >= 0.5:
            return Resolution("mismatch", best, f"a title close to that of {best} (not the same)")
        return Resolution("unknown", None, "no study with this title in the knowledge base")

    def _link(self, cite: InlineCitation) -> Resolution:
        kind, value = cite.identifier.split(":", 1)
        # (indexes on lower(doi) and pmid: schema.EXPRESSION_INDEXES, FACET_INDEXES)
        sql = "select key from refs where lower(doi) = ?" if kind == "doi" else \
            "select key from refs where pmid = ?"
        row = self.conn.execute(sql, (value,)).fetchone()
        label = "DOI" if kind == "doi" else "PMID"
        if row is None:
            return Resolution("unknown", None, f"{label} {cite.names[0]} is not in the knowledge base: "
                              "what it says of this sentence cannot be checked")
        ref = self._load([row[0]])[0]
        return Resolution("resolved", row[0], f"{label} {cite.names[0]}: {ref.display_authors} "
                          f"({ref.year}). {ref.title}")

    def _footnote(self, cite: InlineCitation, prefer: frozenset[str],
                  references: dict[int, tuple[str, int]]) -> Resolution:
        entry = references.get(cite.number)
        if entry is None:
            return Resolution("unknown", None, f"footnote {cite.number}: the draft has no numbered "
                              "reference list to look it up in")
        text, offset = entry
        link = next(_links(text), None)
        if link:  # the entry's DOI or PubMed record says which study it is
            found = self._link(link)
            if found.status == "resolved":
                return Resolution(found.status, found.key, f"footnote {cite.number}: {found.detail}")
        inner = [c for c in find_citations(text) if c.kind == "author-year"]
        if not inner:
            # A reference-list entry, e.g. Vancouver: "Vroomen PC, de Krom MC, ... N Engl J Med. 1999."
            author = re.match(r"^\s*(?P<family>(?:(?:de|van|von|der|den|da|di|le|la|du|del)\s+)*"
                              r"[A-Z][\w'\u2019-]+)(?:,?\s+[A-Z]{1,3}\b|,)", text)
            year = _YEAR_RE.search(text)
            if author and year:
                inner = [InlineCitation(text, offset, offset + len(text), [author.group("family")],
                                        year.group(1))]
        if inner:
            found = self._author_year(inner[0], prefer)
            return Resolution(found.status, found.key, f"footnote {cite.number} ({text[:80]}): {found.detail}")
        title = self._title(InlineCitation(text, offset, offset + len(text), [text], None, kind="title"))
        return Resolution(title.status, title.key, f"footnote {cite.number}: {title.detail}")

    def _author_year(self, cite: InlineCitation, prefer: frozenset[str] = frozenset()) -> Resolution:
        first = fold(cite.names[0])
        names = [first] + ([cite.acronym.lower()] if cite.acronym else [])
        # Usually a reference by that name from that year exists: read only those.
        same_year = self._named_in_year(names, cite, prefer)
        if isinstance(same_year, Resolution):
            return same_year
        if same_year:
            return self._pick(cite, same_year)
        candidates = self._named_near(names, cite.year_number)
        if not candidates:
            # The first name may not be first author of the real paper (wrong order).
            year_refs = self._by_author_and_year(first, cite.year_number)
            if year_refs:
                ref = year_refs[0]
                return Resolution("mismatch", ref.key, f"{cite.names[0]} is an author of {ref.key} "
                                  f"({ref.display_authors}, {ref.year}) but not its first author")
            return Resolution("unknown", None, f"no reference by {cite.names[0]} in the knowledge base")
        updated = [r for r in candidates if cite.year_number in r.update_years]
        if updated:
            ref = updated[0]
            return Resolution("resolved", ref.key, f"{ref.display_authors} ({ref.year}, updated "
                              f"{cite.year_number}). {ref.title}")
        nearest = min(candidates, key=lambda r: (r.key not in prefer,
                                                 abs((r.year or 0) - cite.year_number), r.key))
        others = ", ".join(f"{r.key} ({r.year})" for r in candidates[:5])
        return Resolution("mismatch", nearest.key,
                          f"wrong year: no {cite.names[0]} reference from {cite.year}; "
                          f"the knowledge base has {others}")

    def _pick(self, cite: InlineCitation, same_year: list[RefInfo]) -> Resolution:
        ref = same_year[0]
        if len(same_year) > 1:
            ref = max(same_year, key=lambda r: sum(fold(n) in r.families for n in cite.names))
        missing = [n for n in cite.names[1:] if fold(n) not in ref.families]
        if missing and len(ref.families) > 0 and len(ref.families[0].split()) < 3:
            return Resolution("mismatch", ref.key,
                              f"wrong co-author(s): {', '.join(missing)} not among the authors of "
                              f"{ref.key} ({ref.display_authors})")
        return Resolution("resolved", ref.key, f"{ref.display_authors} ({ref.year}). {ref.title}")
