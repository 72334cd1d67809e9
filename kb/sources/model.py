"""The data model of the sources: what a topic, claim, evidence link, article, appearance,
citation check and reference are once parsed (plain dataclasses that remember file and line)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Topic:
    id: str
    label: str
    description: str
    aliases: list[str]
    file: str
    line: int
    # topics a sentence on this one may well be about too ("numbness in the groin" is a symptom
    # and a red flag): the check does not read a claim on either as being about another subject
    near: list[str] = field(default_factory=list)
    near_line: int = 0  # where `near` is written, for problems


@dataclass
class EvidenceLink:
    ref: str
    stance: str
    directness: str
    finding: str
    file: str
    line: int
    recommendation: str | None = None  # a guideline's recommendation number as read: 1.1.4 [2016]


@dataclass
class Claim:
    id: str
    statement: str
    claim_type: str
    topics: list[str]
    verdict: str
    certainty: str | None
    reasoning: str
    searched_for: str | None
    evidence: list[EvidenceLink]
    file: str
    line: int
    reviewed: str | None = None  # date the verdict was last reviewed (YYYY-MM-DD)
    verdict_note: str | None = None  # why the verdict departs from the stances of its evidence


@dataclass
class CitationCheck:
    as_written: str
    key: str | None
    status: str
    reason: str
    line: int
    start: int = -1  # offset of as_written in the article, filled by validation


@dataclass
class Appearance:
    claim: str
    quote: str
    start: int
    end: int
    citation: CitationCheck | None
    note: str | None
    file: str
    line: int
    article: str = ""

    @property
    def id(self) -> str:
        return f"{self.article}/{self.claim}@{self.start}"


@dataclass
class CommercialInterest:
    kind: str
    detail: str


@dataclass
class Article:
    id: str
    title: str
    publisher: str
    author: str | None
    published: str | None
    url: str
    seed_file: str | None
    text_sha256: str
    commercial_interests: list[CommercialInterest]
    notes: str | None
    appearances: list[Appearance]
    file: str
    line: int
    text: str = ""
    text_file: str = ""
    capture: str = "full"  # full | excerpt: the stored copy is only the page's opening


@dataclass
class Author:
    family: str
    given: str

    @property
    def display(self) -> str:
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass
class Reference:
    key: str
    entry_type: str
    line: int
    fields: dict[str, str]  # @string macros expanded, LaTeX decoded, for display
    authors: list[Author] = field(default_factory=list)
    raw: str = ""  # the entry's text exactly as in the file
    bibtex_fields: dict[str, str] = field(default_factory=dict)  # macros expanded, LaTeX kept

    def get(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value if value not in (None, "") else None


@dataclass
class Notice:
    """A Retraction Watch notice about a reference (claims/retractions.yaml)."""

    ref: str
    record_id: str
    nature: str  # a key of vocab.RETRACTION_NATURES
    date: str | None  # YYYY-MM-DD
    notice_url: str | None
    reasons: list[str]
    matched_by: str  # a key of vocab.RETRACTION_MATCHES
    file: str = ""
    line: int = 0
