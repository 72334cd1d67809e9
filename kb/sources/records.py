"""Pure parsers for the YAML source formats under ``claims/``.

Each ``parse_*()`` takes already-loaded YAML (``LineDict`` mappings that know
their line numbers) and the file's display path, and returns model objects
plus a list of problems. Cross-file checks (does a key resolve? does a quote
occur at its offsets?) live in ``kb.sources.reader``.
"""

from __future__ import annotations

import re
from datetime import date

from .. import vocab
from ..provenance import safe_url
from .model import (Appearance, Article, CitationCheck, Claim, CommercialInterest, EvidenceLink,
                    Notice, Topic)
from .problems import Problem
from .yamlfile import LineDict

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RECOMMENDATION_RE = re.compile(r"^\d+(?:\.\d+){1,3}(?: \[\d{4}(?:, amended \d{4})?\])?$")


class _Fields:
    """Reads fields from one mapping, collecting problems instead of raising."""

    def __init__(self, data: LineDict, display: str, what: str, problems: list[Problem]):
        self.data, self.display, self.what, self.problems = data, display, what, problems

    def _add(self, key: str | None, message: str) -> None:
        line = self.data.line_of(key) if key else self.data.line
        self.problems.append(Problem(self.display, line, f"{self.what}: {message}"))

    def unknown(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self._add(key, f"unknown field {key!r} (allowed: {', '.join(sorted(allowed))})")

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self._add(None if key not in self.data else key, f"missing required field {key!r}")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self._add(key, f"field {key!r} must be text, not {type(value).__name__}")
            return None
        return value.strip() if key not in ("quote", "as_written") else value

    def ident(self, key: str) -> str | None:
        value = self.text(key)
        if value is not None and not ID_RE.match(value):
            self._add(key, f"{key} {value!r} must be lowercase letters, digits and hyphens")
            return None
        return value

    def choice(self, key: str, allowed: dict, required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and value not in allowed:
            self._add(key, f"{key} {value!r} is not one of: {', '.join(allowed)}")
            return None
        return value

    def integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self._add(key if key in self.data else None, f"{key} must be a non-negative integer")
            return None
        return value

    def items(self, key: str, required: bool = True) -> list:
        value = self.data.get(key)
        if value is None:
            if required:
                self._add(None, f"missing required field {key!r}")
            return []
        if not isinstance(value, list):
            self._add(key, f"field {key!r} must be a list")
            return []
        return value


def _mappings(items: list, display: str, what: str, problems: list[Problem], parent_line: int):
    for item in items:
        if isinstance(item, LineDict):
            yield item
        else:
            problems.append(
                Problem(display, parent_line, f"each {what} must be a mapping, got {item!r:.40}")
            )


def _top_list(data: object, display: str, key: str, problems: list[Problem]) -> list:
    if not isinstance(data, LineDict) or not isinstance(data.get(key), list):
        problems.append(Problem(display, 1, f"file must be a mapping with a list under {key!r}"))
        return []
    return data[key]


def parse_topics(data: object, display: str) -> tuple[list[Topic], list[Problem]]:
    problems: list[Problem] = []
    topics = []
    for item in _mappings(_top_list(data, display, "topics", problems), display, "topic", problems, 1):
        f = _Fields(item, display, "topic", problems)
        f.unknown({"id", "label", "description", "aliases", "near"})
        tid, label = f.ident("id"), f.text("label")
        aliases = f.items("aliases", required=False)
        if not all(isinstance(a, str) and a.strip() for a in aliases):
            f._add("aliases", "aliases must be a list of non-empty strings")
            aliases = []
        near = f.items("near", required=False)
        if not all(isinstance(n, str) and n.strip() for n in near):
            f._add("near", "near must be a list of topic ids")
            near = []
        if tid and label:
            topics.append(
                Topic(tid, label, f.text("description", False) or "",
                      [a.strip() for a in aliases], display, item.line, [n.strip() for n in near],
                      item.line_of("near") if "near" in item else item.line)
            )
    return topics, problems


def parse_claims(data: object, display: str) -> tuple[list[Claim], list[Problem]]:
    problems: list[Problem] = []
    claims = []
    default_reviewed = None
    if isinstance(data, LineDict):
        top = _Fields(data, display, "claims file", problems)
        top.unknown({"claims", "reviewed"})
        default_reviewed = top.text("reviewed", required=False)
        if default_reviewed and not DATE_RE.match(default_reviewed):
            top._add("reviewed", "reviewed must be a date, YYYY-MM-DD")
    for item in _mappings(_top_list(data, display, "claims", problems), display, "claim", problems, 1):
        f = _Fields(item, display, f"claim {item.get('id', '?')}", problems)
        f.unknown({"id", "statement", "type", "topics", "verdict", "certainty", "reasoning",
                   "searched_for", "evidence", "reviewed", "verdict_note"})
        verdict_note = f.text("verdict_note", required=False)
        reviewed = f.text("reviewed", required=False) or default_reviewed
        if reviewed and not DATE_RE.match(reviewed):
            f._add("reviewed", "reviewed must be a date, YYYY-MM-DD")
        cid, statement = f.ident("id"), f.text("statement")
        ctype = f.choice("type", vocab.CLAIM_TYPES)
        verdict = f.choice("verdict", vocab.VERDICTS)
        certainty = f.choice("certainty", vocab.CERTAINTIES, required=verdict != "not-checkable")
        reasoning = f.text("reasoning")
        searched_for = f.text("searched_for", required=False)
        topics = f.items("topics")
        if not topics:
            f._add("topics", "a claim needs at least one topic")
        elif not all(isinstance(t, str) for t in topics):
            f._add("topics", "topics must be a list of topic ids")
            topics = []
        evidence = []
        for ev in _mappings(f.items("evidence", required=False), display, "evidence link",
                            problems, item.line):
            ef = _Fields(ev, display, f"claim {cid} evidence", problems)
            ef.unknown({"ref", "stance", "directness", "finding", "recommendation"})
            ref, stance = ef.text("ref"), ef.choice("stance", vocab.STANCES)
            directness, finding = ef.choice("directness", vocab.DIRECTNESS), ef.text("finding")
            recommendation = ef.text("recommendation", required=False)
            if recommendation and not RECOMMENDATION_RE.match(recommendation):
                ef._add("recommendation", "recommendation must be its number as read, with the year "
                                          "in brackets if shown: 1.1.4 [2016]")
            if ref and stance and directness and finding:
                evidence.append(EvidenceLink(ref, stance, directness, finding, display, ev.line,
                                             recommendation))
        if verdict in vocab.VERDICTS_NEEDING_EVIDENCE and not evidence:
            f._add(None, f"verdict {verdict!r} needs at least one evidence link")
        if verdict and evidence and not verdict_note:
            for message in _verdict_against_stances(verdict, {e.stance for e in evidence}):
                f._add("verdict", f"{message} (or explain why in verdict_note)")
        if verdict == "unsupported" and not evidence and not searched_for:
            f._add(None, "an unsupported claim with no evidence must say what was searched for "
                         "(searched_for)")
        if cid:  # kept even when invalid, so that references to its id do not cascade
            claims.append(Claim(cid, statement, ctype, list(topics), verdict, certainty, reasoning,
                                searched_for, evidence, display, item.line, reviewed, verdict_note))
    return claims, problems


def _verdict_against_stances(verdict: str, stances: set[str]) -> list[str]:
    """What a verdict says must agree with the stances of its evidence."""
    problems = []
    if stances == {"contradicts"} and verdict in ("supported", "mostly-supported", "overstated",
                                                 "unsupported"):
        problems.append(f"verdict {verdict!r} but every evidence link contradicts the claim")
    if verdict == "contradicted" and "contradicts" not in stances:
        problems.append("verdict 'contradicted' needs at least one contradicting evidence link")
    if verdict in ("supported", "mostly-supported") and "supports" not in stances:
        problems.append(f"verdict {verdict!r} needs at least one supporting evidence link")
    return problems


def _parse_citation(value: object, display: str, line: int, problems: list[Problem]):
    if value is None:
        return None
    if not isinstance(value, LineDict):
        problems.append(Problem(display, line, "citation must be a mapping or null"))
        return None
    f = _Fields(value, display, "citation", problems)
    f.unknown({"as_written", "key", "status", "reason"})
    as_written, status, reason = f.text("as_written"), f.choice("status", vocab.CITATION_STATUSES), \
        f.text("reason")
    key = f.text("key", required=False)
    if status == "cannot-be-found" and key:
        f._add("key", "a citation that cannot be found must have key: null")
    if status and status != "cannot-be-found" and not key:
        f._add("status", f"status {status!r} needs the key of the study it resolves to")
    if as_written and status and reason:
        return CitationCheck(as_written, key, status, reason, value.line)
    return None


def parse_article(data: object, display: str) -> tuple[Article | None, list[Problem]]:
    problems: list[Problem] = []
    if not isinstance(data, LineDict):
        return None, [Problem(display, 1, "article file must be a mapping")]
    f = _Fields(data, display, "article", problems)
    f.unknown({"id", "title", "publisher", "author", "published", "url", "seed_file", "capture",
               "text_sha256", "commercial_interests", "notes", "appearances"})
    capture = f.choice("capture", vocab.CAPTURES, required=False) or "full"
    aid, title, publisher = f.ident("id"), f.text("title"), f.text("publisher")
    published = f.text("published", required=False)
    if published and not DATE_RE.match(published):
        f._add("published", f"published {published!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
    url = f.text("url")
    if url and url != "unknown" and not safe_url(url):
        f._add("url", "url must be an http(s) address or the word 'unknown'")
    sha = f.text("text_sha256")
    if sha and not SHA256_RE.match(sha):
        f._add("text_sha256", "text_sha256 must be 64 lowercase hex digits")
    interests = []
    for ci in _mappings(f.items("commercial_interests"), display, "commercial interest", problems,
                        data.line):
        cf = _Fields(ci, display, "commercial interest", problems)
        cf.unknown({"kind", "detail"})
        kind, detail = cf.choice("kind", vocab.COMMERCIAL_INTERESTS), cf.text("detail")
        if kind and detail:
            interests.append(CommercialInterest(kind, detail))
    appearances = []
    for ap in _mappings(f.items("appearances"), display, "appearance", problems, data.line):
        af = _Fields(ap, display, "appearance", problems)
        af.unknown({"claim", "quote", "start", "end", "citation", "note"})
        claim, quote = af.ident("claim"), af.text("quote")
        start, end = af.integer("start"), af.integer("end")
        citation = _parse_citation(ap.get("citation"), display, ap.line_of("citation"), problems)
        if start is not None and end is not None and end <= start:
            af._add("end", f"end ({end}) must be greater than start ({start})")
        elif claim and quote and start is not None and end is not None and \
                ("citation" not in ap or ap["citation"] is None or citation):
            appearances.append(Appearance(claim, quote, start, end, citation,
                                          af.text("note", False), display, ap.line, aid or ""))
    if not (aid and title and publisher and url and sha):
        return None, problems
    return Article(aid, title, publisher, f.text("author", False), published, url,
                   f.text("seed_file", False), sha, interests, f.text("notes", False),
                   appearances, display, data.line, capture=capture), problems


def _is_day(value: str) -> bool:
    """A real calendar date written YYYY-MM-DD."""
    if not DAY_RE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def parse_notices(data: object, display: str) -> tuple[list[Notice], list[Problem]]:
    """claims/retractions.yaml: the Retraction Watch notices `kb retractions import` matched
    to references (whether each ref key exists is checked in ``kb.sources.reader``)."""
    problems: list[Problem] = []
    notices = []
    for item in _mappings(_top_list(data, display, "notices", problems), display, "notice",
                          problems, 1):
        f = _Fields(item, display, f"notice {item.get('record_id', '?')}", problems)
        f.unknown({"ref", "record_id", "nature", "date", "notice_url", "reasons", "matched_by"})
        ref, record_id = f.text("ref"), f.text("record_id")
        nature = f.choice("nature", vocab.RETRACTION_NATURES)
        matched_by = f.choice("matched_by", vocab.RETRACTION_MATCHES)
        day = f.text("date", required=False)
        if day and not _is_day(day):
            f._add("date", f"date {day!r} must be a date, YYYY-MM-DD")
            day = None
        url = f.text("notice_url", required=False)
        if url and not safe_url(url):
            f._add("notice_url", f"notice_url {url!r} must be an http(s) address")
            url = None
        reasons = f.items("reasons", required=False)
        if not all(isinstance(r, str) and r.strip() for r in reasons):
            f._add("reasons", "reasons must be a list of non-empty strings")
            reasons = []
        if ref and record_id and nature and matched_by:
            notices.append(Notice(ref, record_id, nature, day, url, [r.strip() for r in reasons],
                                  matched_by, display, item.line))
    return notices, problems
