"""Load every source file of a knowledge base and check it as a whole.

``load_project(root)`` reads ``claims/`` and ``references.bib``, runs the pure
parsers, then the cross-file checks: unique ids, every key resolves, every
quote occurs verbatim at its offsets, every claim appears somewhere, every
reference records where it was verified. It never raises on bad input: all
problems come back in ``Project.problems``.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import vocab
from .bib import Reference, parse_bibtex
from .problems import Problem
from .sources import Article, Claim, Topic, parse_article, parse_claims, parse_topics
from .yamlfile import load_yaml

CLAIMS_DIR = "claims"
BIB_FILE = "references.bib"
TOPICS_FILE = f"{CLAIMS_DIR}/topics.yaml"
CLAIMS_FILE = f"{CLAIMS_DIR}/claims.yaml"
ARTICLES_DIR = f"{CLAIMS_DIR}/articles"

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^\d{1,9}$")
YEAR_RE = re.compile(r"^\d{4}$")
# How far past a quote's end an article's citation may sit (it often closes the sentence).
CITATION_WINDOW = 200


@dataclass
class Project:
    root: Path
    topics: list[Topic] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    refs: list[Reference] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def input_files(root: Path) -> list[Path]:
    """Every file the database is built from, in a stable order."""
    files = [root / BIB_FILE, root / TOPICS_FILE, root / CLAIMS_FILE]
    articles = root / ARTICLES_DIR
    if articles.is_dir():
        files += sorted(p for p in articles.iterdir() if p.suffix in (".yaml", ".txt"))
    return files


def inputs_digest(root: Path) -> str:
    """A hash of every input file's name and bytes: the database is stale when it changes."""
    digest = hashlib.sha256()
    for path in input_files(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def load_project(root: Path) -> Project:
    root = Path(root)
    project = Project(root=root)
    problems = project.problems

    for rel, parse, attr in ((TOPICS_FILE, parse_topics, "topics"),
                             (CLAIMS_FILE, parse_claims, "claims")):
        data, errs = load_yaml(root / rel, rel)
        problems += errs
        if data is not None:
            items, errs = parse(data, rel)
            setattr(project, attr, items)
            problems += errs

    bib_path = root / BIB_FILE
    try:
        refs, errs = parse_bibtex(bib_path.read_bytes(), BIB_FILE)
        project.refs = refs
        problems += errs
    except OSError as exc:
        problems.append(Problem(BIB_FILE, 0, f"cannot read file: {exc.strerror}"))

    articles_dir = root / ARTICLES_DIR
    for path in sorted(articles_dir.glob("*.yaml")) if articles_dir.is_dir() else []:
        rel = f"{ARTICLES_DIR}/{path.name}"
        data, errs = load_yaml(path, rel)
        problems += errs
        if data is None:
            continue
        article, errs = parse_article(data, rel)
        problems += errs
        if article is not None:
            _attach_text(article, path.with_suffix(".txt"), rel, problems)
            project.articles.append(article)
    if not project.articles and not any(p.file.startswith(ARTICLES_DIR) for p in problems):
        problems.append(Problem(ARTICLES_DIR, 0, "no article files (*.yaml) found"))

    _check_references(project.refs, problems)
    _check_superseded_by(project.refs, problems)
    _check_cross_references(project, problems)
    project.problems = sorted(set(problems))
    return project


def _attach_text(article: Article, text_path: Path, rel: str, problems: list[Problem]) -> None:
    text_rel = f"{ARTICLES_DIR}/{text_path.name}"
    if text_path.stem != article.id:
        problems.append(Problem(rel, article.line, f"article id {article.id!r} must match the "
                                                   f"file name {Path(rel).stem!r}"))
    try:
        data = text_path.read_bytes()
    except OSError:
        problems.append(Problem(rel, article.line, f"article text {text_rel} is missing"))
        return
    actual = hashlib.sha256(data).hexdigest()
    if actual != article.text_sha256:
        problems.append(Problem(rel, article.line,
                                f"{text_rel} has changed: its sha256 is {actual}, not the recorded "
                                "text_sha256 (article texts are verbatim copies; do not edit them)"))
    try:
        article.text = data.decode("utf-8")
        article.text_file = text_rel
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(Problem(text_rel, line, "article text is not valid UTF-8"))


def _check_references(refs: list[Reference], problems: list[Problem]) -> None:
    for ref in refs:
        def bad(message: str) -> None:
            problems.append(Problem(BIB_FILE, ref.line, f"{ref.key}: {message}"))

        for name in vocab.REQUIRED_REF_FIELDS:
            if not ref.get(name):
                bad(f"missing required field {name!r}")
        if ref.get("design") and ref.get("design") not in vocab.STUDY_DESIGNS:
            bad(f"design {ref.get('design')!r} is not one of: {', '.join(vocab.STUDY_DESIGNS)}")
        status = ref.get("verification")
        if status == "verified":
            for name in vocab.REQUIRED_VERIFIED_FIELDS:
                if not ref.get(name):
                    bad(f"a verified reference needs {name!r} (or mark it partial and say why)")
            if not ref.authors and ref.entry_type == "article":
                bad("a verified article needs an author field (or mark it partial and say why)")
        if status and status not in vocab.VERIFICATION_STATUSES:
            bad(f"verification {status!r} is not one of: {', '.join(vocab.VERIFICATION_STATUSES)}")
        url = ref.get("verified-url")
        if status in ("verified", "partial") and not url:
            bad(f"verification {status!r} needs a verified-url saying where it was checked")
        if url and not url.startswith(("https://", "http://")):
            bad(f"verified-url {url!r} is not an http(s) address")
        if status == "unverified" and not ref.get("verification-note"):
            bad("an unverified reference needs a verification-note saying what could not be checked")
        if ref.get("year") and not YEAR_RE.match(ref.get("year")):
            bad(f"year {ref.get('year')!r} must be four digits")
        if ref.get("doi") and not DOI_RE.match(ref.get("doi")):
            bad(f"doi {ref.get('doi')!r} does not look like a DOI (10.NNNN/...)")
        ref_status = ref.get("status")
        if ref_status and ref_status not in vocab.REF_STATUSES:
            bad(f"status {ref_status!r} is not one of: {', '.join(vocab.REF_STATUSES)}")
        if ref_status and not ref.get("status-note"):
            bad(f"a {ref_status} reference needs a status-note (what happened, where it is recorded)")
        if ref_status == "superseded" and not ref.get("superseded-by"):
            bad("a superseded reference needs superseded-by (the key of the reference replacing it)")
        if ref.get("pmid") and not PMID_RE.match(ref.get("pmid")):
            bad(f"pmid {ref.get('pmid')!r} must be digits only")


def _check_superseded_by(refs: list[Reference], problems: list[Problem]) -> None:
    keys = {r.key for r in refs}
    for ref in refs:
        target = ref.get("superseded-by")
        if target and target not in keys:
            problems.append(Problem(BIB_FILE, ref.line, f"{ref.key}: superseded-by {target!r} is not a "
                                                        f"key in {BIB_FILE}"))


def _duplicates(items, key, label: str, problems: list[Problem]) -> None:
    counts = Counter(key(i) for i in items)
    for item in items:
        if counts[key(item)] > 1:
            problems.append(Problem(item.file, item.line, f"duplicate {label} {key(item)!r}"))


def _check_cross_references(project: Project, problems: list[Problem]) -> None:
    topic_ids = {t.id for t in project.topics}
    claim_ids = {c.id for c in project.claims}
    ref_keys = {r.key for r in project.refs}

    _duplicates(project.topics, lambda t: t.id, "topic id", problems)
    _duplicates(project.claims, lambda c: c.id, "claim id", problems)
    _duplicates(project.articles, lambda a: a.id, "article id", problems)
    alias_owner: dict[str, str] = {}
    for topic in project.topics:
        for alias in [topic.label, *topic.aliases]:
            owner = alias_owner.setdefault(alias.lower(), topic.id)
            if owner != topic.id:
                problems.append(Problem(topic.file, topic.line,
                                        f"alias {alias!r} is used by topics {owner!r} and {topic.id!r}"))

    for claim in project.claims:
        for tid in claim.topics:
            if tid not in topic_ids:
                problems.append(Problem(claim.file, claim.line,
                                        f"claim {claim.id}: unknown topic {tid!r}"))
        for ev in claim.evidence:
            if ev.ref not in ref_keys:
                problems.append(Problem(ev.file, ev.line, f"claim {claim.id}: unknown reference "
                                                          f"key {ev.ref!r} (not in {BIB_FILE})"))
        _duplicates(claim.evidence, lambda e: e.ref, f"evidence link in claim {claim.id} to",
                    problems)

    appeared = set()
    for article in project.articles:
        _duplicates(article.appearances, lambda a: a.id, "appearance", problems)
        for ap in article.appearances:
            appeared.add(ap.claim)
            where = Problem(ap.file, ap.line, "")
            if ap.claim not in claim_ids:
                problems.append(Problem(where.file, where.line, f"unknown claim id {ap.claim!r}"))
            if article.text:
                _check_quote(article, ap, problems)
            cite = ap.citation
            if cite is not None:
                if cite.key and cite.key not in ref_keys:
                    problems.append(Problem(ap.file, cite.line, f"citation {cite.as_written!r}: "
                                            f"unknown reference key {cite.key!r} (not in {BIB_FILE})"))
                if article.text:
                    found = article.text.find(cite.as_written, ap.start,
                                              ap.end + CITATION_WINDOW)
                    if found < 0:
                        problems.append(Problem(ap.file, cite.line,
                                                f"citation {cite.as_written!r} does not occur in "
                                                f"{article.text_file} at or just after its quote"))
                    cite.start = found

    for claim in project.claims:
        if claim.id not in appeared:
            problems.append(Problem(claim.file, claim.line,
                                    f"claim {claim.id} has no appearance in any article"))


def _check_quote(article: Article, ap, problems: list[Problem]) -> None:
    if ap.end > len(article.text):
        problems.append(Problem(ap.file, ap.line, f"offsets {ap.start}-{ap.end} of claim {ap.claim} are "
                                                  f"outside {article.text_file} ({len(article.text)} "
                                                  "characters)"))
        return
    actual = article.text[ap.start:ap.end]
    if actual == ap.quote:
        return
    elsewhere = article.text.find(ap.quote)
    if elsewhere >= 0:
        hint = f"it occurs at start: {elsewhere}, end: {elsewhere + len(ap.quote)}"
    else:
        hint = "it does not occur anywhere in the article text (quotes must be verbatim)"
    problems.append(Problem(ap.file, ap.line, f"quote for claim {ap.claim} is not at "
                                              f"{ap.start}-{ap.end} of {article.text_file}; {hint}"))
