"""Load every source file of a knowledge base and check it as a whole.

``load_project(root)`` reads ``claims/`` and ``references.bib``, runs the pure
parsers, then the cross-file checks: unique ids, every key resolves, every
quote occurs verbatim at its offsets, every claim appears somewhere, every
reference records where it was verified. It never raises on bad input: all
problems come back in ``Project.problems``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .. import vocab
from ..provenance import safe_url
from .bibtex import parse_bibtex_chunks
from .model import Article, Claim, Notice, Reference, Topic
from ..textfile import NotUTF8, decode_text
from .problems import Problem, Suppressed, cannot_read
from .records import parse_article, parse_claims, parse_notices, parse_topics
from .retractions import RETRACTIONS_FILE
from .yamlfile import parse_yaml

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
    notices: list[Notice] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    suppressed: Suppressed = field(default_factory=Suppressed)

    @property
    def ok(self) -> bool:
        return not self.problems


def claims_files(root: Path) -> list[Path]:
    """claims/claims.yaml, then any claims/claims-*.yaml (a large knowledge base splits its
    claims across files, e.g. by subject), in name order."""
    extra = sorted((Path(root) / CLAIMS_DIR).glob("claims-*.yaml"))
    return [Path(root) / CLAIMS_FILE, *extra] if (Path(root) / CLAIMS_FILE).exists() or not extra \
        else extra


def article_files(root: Path) -> list[Path]:
    """claims/articles/*.yaml, in name order (each names its text, the .txt beside it)."""
    articles = Path(root) / ARTICLES_DIR
    return sorted(articles.glob("*.yaml")) if articles.is_dir() else []


def input_files(root: Path) -> list[Path]:
    """Every file the database is built from: what ``SourceReader`` reads, in a stable order."""
    files = [root / BIB_FILE, root / TOPICS_FILE, *claims_files(root), root / RETRACTIONS_FILE]
    for path in article_files(root):
        files += [path, path.with_suffix(".txt")]
    return files


RACY_NS = 2_000_000_000


def _read_noted(path: Path, rel: str, tokens: dict[str, str],
                stats: dict[str, tuple[int, int]] | None = None) -> bytes:
    """``path``'s bytes, noting under ``rel`` in ``tokens`` what the inputs digest takes of them:
    their sha256, or why there are none; and in ``stats`` the file's size and modification time,
    taken before the read (so that a change during the read shows as a changed time). Raises
    OSError as ``read_bytes`` does."""
    try:
        if stats is not None:
            st = os.stat(path)
            # A file changed in the last moments may change again within the same clock tick,
            # keeping its size and time: its stat is not trusted later (git's "racy" rule).
            racy = time.time_ns() - st.st_mtime_ns < RACY_NS
            stats[rel] = (None, None) if racy else (st.st_size, st.st_mtime_ns)
        data = path.read_bytes()
    except OSError as exc:
        tokens[rel] = "<missing>" if isinstance(exc, FileNotFoundError) else \
            f"<unreadable: {exc.strerror}>"
        raise
    tokens[rel] = hashlib.sha256(data).hexdigest()
    return data


def digest_of(tokens: dict[str, str]) -> str:
    """One hash of every input file's name and token, in name order."""
    digest = hashlib.sha256()
    for rel in sorted(tokens):
        digest.update(f"{rel}\0{tokens[rel]}\0".encode())
    return digest.hexdigest()


def input_tokens(root: Path, known: dict[str, tuple[str, int, int]] | None = None,
                 stats: dict[str, tuple[int, int]] | None = None) -> dict[str, str]:
    """Each input file's sha256 as it is now (or why there is none), by its path from the root:
    what a build records of the files it read (``SourceReader.tokens``). ``known``: path ->
    (sha256, size, mtime_ns) recorded by a build; a file whose size and modification time are
    still those is not read again (as git trusts its index). ``stats`` receives each file's."""
    tokens: dict[str, str] = {}
    stats = {} if stats is None else stats
    prefix = len(str(Path(root) / "_")) - 1  # what root / name puts before name ("" for ".")
    for path in input_files(Path(root)):
        rel = str(path)[prefix:].replace(os.sep, "/")
        recorded = (known or {}).get(rel)
        if recorded:
            try:
                st = os.stat(path)
            except OSError:
                st = None
            if st is not None and (st.st_size, st.st_mtime_ns) == recorded[1:]:
                tokens[rel] = recorded[0]
                stats[rel] = recorded[1:]
                continue
        with contextlib.suppress(OSError):
            _read_noted(path, rel, tokens, stats)
    return tokens


def inputs_digest(root: Path) -> str:
    """A hash of every input file's name and bytes as they are now: a database is stale when
    this differs from the digest of the bytes its build read (``SourceReader.inputs_digest``)."""
    return digest_of(input_tokens(root))


class SourceReader:
    """Reads and checks the sources one file (or one chunk of the .bib) at a time.

    Stages run in order: ``topics``, then ``refs()``, ``notices()``, ``claims()`` and
    ``articles()`` as generators, then ``finish()``. Each yields parsed objects already checked against what
    came before, and keeps only compact indexes (ids, keys, line numbers) between stages,
    so memory stays bounded however large the knowledge base: the build writes each batch
    to SQLite and drops it. Problems accumulate in ``problems``; nothing raises.

    A file that cannot be parsed defines nothing, so every id it would have defined is unknown
    wherever it is used: those problems are counted, not listed (the stages run in order, so
    which files failed is known before any use is checked), and ``finish()`` puts the failed
    files' own problems first. Each file's bytes are hashed as they are read:
    ``inputs_digest()`` is what the database built from them is marked with.
    """

    def __init__(self, root: Path):
        self.root = Path(root)
        self.problems: list[Problem] = []
        self.counts = Counter()
        self.topics: list[Topic] = []
        self._ref_keys: set[str] = set()
        self._superseded_by: list[tuple[str, int, str]] = []
        self._claim_index: dict[str, int] = {}  # claim id -> position in the arrays below
        self._claim_where: list[tuple[str, int]] = []
        self._appeared = bytearray()
        self._article_ids: dict[str, tuple[str, int]] = {}
        self._tokens: dict[str, str] = {}  # file -> sha256 of its bytes as read (_read_noted)
        self._stats: dict[str, tuple[int, int]] = {}  # file -> (size, mtime_ns) before the read
        self._unreadable: dict[str, set[str]] = {}  # kind of id -> files of it that failed
        self._suppressed = Counter()  # kind of id -> problems not listed, as they follow from it
        self.suppressed = Suppressed()  # set by finish()
        self._read_topics()

    # --- reading, and what follows from a file that cannot be read ---------------------------

    def _read(self, path: Path, rel: str, kind: str) -> bytes | None:
        """One input file's bytes (hashed for the digest as read); None if it cannot be read,
        a problem kept and the file, defining ids of ``kind``, noted as failed."""
        try:
            return _read_noted(path, rel, self._tokens, self._stats)
        except OSError as exc:
            self.problems.append(cannot_read(rel, exc))
            self._failed(kind, rel)
            return None

    @property
    def tokens(self) -> dict[str, str]:
        """Each file read, with the sha256 of its bytes as read (or why it could not be)."""
        return dict(self._tokens)

    @property
    def stats(self) -> dict[str, tuple[int, int]]:
        """Each file read, with its (size, mtime_ns) as it was just before the read."""
        return dict(self._stats)

    def inputs_digest(self) -> str:
        """The digest of every file read, of its bytes as they were read (``inputs_digest``'s
        form: a database built from them is stale once the files differ)."""
        return digest_of(self._tokens)

    def _failed(self, kind: str, rel: str) -> None:
        self._unreadable.setdefault(kind, set()).add(rel)

    def _follows(self, kind: str, problem: Problem) -> None:
        """Keep ``problem``, unless a file defining ids of ``kind`` failed: then only count it."""
        if kind in self._unreadable:
            self._suppressed[kind] += 1
        else:
            self.problems.append(problem)

    # --- topics (small: held in full) -------------------------------------------------------

    def _parse(self, path: Path, rel: str, parse, kind: str):
        """Load one YAML file (defining ids of ``kind``) and run its pure parser; problems are
        kept, None on failure."""
        raw = self._read(path, rel, kind)
        if raw is None:
            return None
        data, errs = parse_yaml(raw, rel)
        self.problems += errs
        if data is None:
            self._failed(kind, rel)
            return None
        parsed, errs = parse(data, rel)
        self.problems += errs
        return parsed

    def _read_topics(self) -> None:
        self.topics = self._parse(self.root / TOPICS_FILE, TOPICS_FILE, parse_topics, "topic") or []
        self.counts["topics"] = len(self.topics)
        _duplicates(self.topics, lambda t: t.id, "topic id", self.problems)
        alias_owner: dict[str, str] = {}
        for topic in self.topics:
            for alias in [topic.label, *topic.aliases]:
                owner = alias_owner.setdefault(alias.lower(), topic.id)
                if owner != topic.id:
                    self.problems.append(Problem(topic.file, topic.line, f"alias {alias!r} is used by "
                                                                         f"topics {owner!r} and {topic.id!r}"))
        self._topic_ids = {t.id for t in self.topics}
        for topic in self.topics:
            for other in topic.near:
                if other not in self._topic_ids or other == topic.id:
                    self.problems.append(Problem(topic.file, topic.near_line, f"topic {topic.id}: near names "
                                                 f"{'itself' if other == topic.id else 'unknown topic ' + repr(other)}"))

    # --- references --------------------------------------------------------------------------

    def refs(self) -> Iterator[list[Reference]]:
        data = [self._read(self.root / BIB_FILE, BIB_FILE, "ref")]
        if data[0] is None:
            return
        first_line: dict[str, int] = {}
        for refs, errs in parse_bibtex_chunks(data.pop(), BIB_FILE):  # the parser frees the bytes
            self.problems += errs
            kept = []
            for ref in refs:
                if ref.key in first_line:  # within a chunk bibtexparser reports these itself
                    self.problems.append(Problem(BIB_FILE, ref.line, f"duplicate citation key "
                                                 f"{ref.key!r} (first defined on line {first_line[ref.key]})"))
                    continue
                first_line[ref.key] = ref.line
                kept.append(ref)
            _check_references(kept, self.problems)
            for ref in kept:
                if ref.get("superseded-by"):
                    self._superseded_by.append((ref.key, ref.line, ref.get("superseded-by")))
            self.counts["references"] += len(kept)
            yield kept
        self._ref_keys = set(first_line)
        if not first_line and any(p.file == BIB_FILE for p in self.problems):
            self._failed("ref", BIB_FILE)  # nothing in it could be read
        for key, line, target in self._superseded_by:
            if target not in self._ref_keys:
                self.problems.append(Problem(BIB_FILE, line, f"{key}: superseded-by {target!r} is "
                                                             f"not a key in {BIB_FILE}"))

    # --- Retraction Watch notices (optional; small: held in full) ----------------------------

    def notices(self) -> Iterator[list[Notice]]:
        """claims/retractions.yaml's notices, if the file exists (its absence is digested too,
        so adding it makes a database stale), each ref key checked against references.bib."""
        path = self.root / RETRACTIONS_FILE
        if not path.exists():
            with contextlib.suppress(OSError):
                _read_noted(path, RETRACTIONS_FILE, self._tokens, self._stats)
            return
        notices = self._parse(path, RETRACTIONS_FILE, parse_notices, "notice") or []
        seen: dict[tuple[str, str], int] = {}
        kept = []
        for notice in notices:
            first = seen.setdefault((notice.ref, notice.record_id), notice.line)
            if first != notice.line:
                self.problems.append(Problem(notice.file, notice.line, f"duplicate notice: record "
                                             f"{notice.record_id} for {notice.ref} (first on line {first})"))
                continue
            if notice.ref not in self._ref_keys:
                self._follows("ref", Problem(notice.file, notice.line, f"notice {notice.record_id}: "
                                             f"unknown reference key {notice.ref!r} (not in {BIB_FILE})"))
                continue
            kept.append(notice)
        self.counts["notices"] = len(kept)
        yield kept

    # --- claims ------------------------------------------------------------------------------

    def claims(self) -> Iterator[list[Claim]]:
        """One list per claims file (claims/claims.yaml, then claims/claims-*.yaml in order)."""
        problems = self.problems
        for path in self._claims_paths():
            rel = f"{CLAIMS_DIR}/{path.name}"
            claims = self._parse(path, rel, parse_claims, "claim") or []
            for claim in claims:
                elsewhere = self._defined_elsewhere(claim.id)
                if claim.id in self._claim_index or elsewhere:
                    first_file, first_line = elsewhere or self._claim_where[self._claim_index[claim.id]]
                    problems.append(Problem(claim.file, claim.line, f"duplicate claim id {claim.id!r} "
                                                                    f"(first defined in {first_file}:{first_line})"))
                    continue
                self._claim_index[claim.id] = len(self._claim_where)
                self._claim_where.append((claim.file, claim.line))
                for tid in claim.topics:
                    if tid not in self._topic_ids:
                        self._follows("topic", Problem(claim.file, claim.line,
                                                       f"claim {claim.id}: unknown topic {tid!r}"))
                for ev in claim.evidence:
                    if ev.ref not in self._ref_keys:
                        self._follows("ref", Problem(ev.file, ev.line, f"claim {claim.id}: unknown "
                                                     f"reference key {ev.ref!r} (not in {BIB_FILE})"))
                _duplicates(claim.evidence, lambda e: e.ref, f"evidence link in claim {claim.id} to",
                            problems)
            self.counts["claims"] += len(claims)
            yield claims
        self._appeared = bytearray(len(self._claim_where))

    # --- articles ----------------------------------------------------------------------------

    def articles(self) -> Iterator[Article]:
        problems = self.problems
        for path in self._article_paths():
            rel = f"{ARTICLES_DIR}/{path.name}"
            article = self._parse(path, rel, parse_article, "article")
            if article is None:
                continue
            if article.id in self._article_ids:
                first = self._article_ids[article.id]
                problems.append(Problem(rel, article.line, f"duplicate article id {article.id!r} "
                                                           f"(first defined in {first[0]}:{first[1]})"))
                continue
            self._article_ids[article.id] = (rel, article.line)
            try:
                text = _read_noted(path.with_suffix(".txt"), f"{ARTICLES_DIR}/{path.stem}.txt",
                                   self._tokens, self._stats)
            except OSError:
                text = None
            _attach_text(article, text, rel, problems)
            self._check_article(article)
            self.counts["articles"] += 1
            self.counts["appearances"] += len(article.appearances)
            yield article
        if self._no_articles() and not any(p.file.startswith(ARTICLES_DIR) for p in problems):
            problems.append(Problem(ARTICLES_DIR, 0, "no article files (*.yaml) found"))

    def _check_article(self, article: Article) -> None:
        problems = self.problems
        _duplicates(article.appearances, lambda a: a.id, "appearance", problems)
        for ap in article.appearances:
            if not self._appears(ap.claim):
                self._follows("claim", Problem(ap.file, ap.line, f"unknown claim id {ap.claim!r}"))
            if article.text:
                _check_quote(article, ap, problems)
            cite = ap.citation
            if cite is not None:
                if cite.key and cite.key not in self._ref_keys:
                    self._follows("ref", Problem(ap.file, cite.line, f"citation {cite.as_written!r}: "
                                                 f"unknown reference key {cite.key!r} (not in {BIB_FILE})"))
                if article.text:
                    found = article.text.find(cite.as_written, ap.start, ap.end + CITATION_WINDOW)
                    if found < 0:
                        problems.append(Problem(ap.file, cite.line,
                                                f"citation {cite.as_written!r} does not occur in "
                                                f"{article.text_file} at or just after its quote"))
                    cite.start = found

    # --- what a partial read (kb.sources.partial) answers from the files it does not read ----

    def _claims_paths(self) -> list[Path]:
        return claims_files(self.root)

    def _article_paths(self) -> list[Path]:
        return article_files(self.root)

    def _defined_elsewhere(self, claim_id: str) -> tuple[str, int] | None:
        """Where a claim of that id is defined in a file not being read (none: all are read)."""
        return None

    def _appears(self, claim_id: str) -> bool:
        """Note that a claim appears in an article; False if no such claim is known."""
        index = self._claim_index.get(claim_id)
        if index is None:
            return False
        self._appeared[index] = 1
        return True

    def _appears_elsewhere(self, claim_id: str) -> bool:
        """Whether a claim appears in an article not being read (none: all are read)."""
        return False

    def _no_articles(self) -> bool:
        return not self._article_ids

    # --- after everything --------------------------------------------------------------------

    def finish(self) -> list[Problem]:
        """The checks that need every file read; returns all problems, sorted, those of the
        files that could not be parsed first (``suppressed`` says what followed from them)."""
        for claim_id, index in self._claim_index.items():
            if not self._appeared[index] and not self._appears_elsewhere(claim_id):
                file, line = self._claim_where[index]
                self._follows("article", Problem(file, line,
                                                 f"claim {claim_id} has no appearance in any article"))
        failed = set().union(*self._unreadable.values())
        self.problems = sorted(set(self.problems), key=lambda p: (p.file not in failed, p))
        self.suppressed = Suppressed(len(failed), sum(p.file in failed for p in self.problems),
                                     dict(self._suppressed))
        return self.problems


def load_project(root: Path) -> Project:
    """Every source in memory at once: for the repository's own knowledge base, reports and
    tests. The build streams through ``SourceReader`` instead."""
    reader = SourceReader(root)
    project = Project(root=Path(root), topics=reader.topics)
    for refs in reader.refs():
        project.refs += refs
    for notices in reader.notices():
        project.notices += notices
    for claims in reader.claims():
        project.claims += claims
    project.articles = list(reader.articles())
    project.problems = reader.finish()
    project.suppressed = reader.suppressed
    return project


# Every page that shows an article renders its text, and a JSON page of the articles table
# holds up to 100 of them: the longest real capture is under 10,000 characters.
MAX_ARTICLE_CHARS = 200_000


def _attach_text(article: Article, data: bytes | None, rel: str, problems: list[Problem]) -> None:
    """Check the article text's bytes (None: it could not be read) and attach its text."""
    text_rel = f"{ARTICLES_DIR}/{Path(rel).stem}.txt"
    if Path(rel).stem != article.id:
        problems.append(Problem(rel, article.line, f"article id {article.id!r} must match the "
                                                   f"file name {Path(rel).stem!r}"))
    if data is None:
        problems.append(Problem(rel, article.line, f"article text {text_rel} is missing"))
        return
    actual = hashlib.sha256(data).hexdigest()
    if actual != article.text_sha256:
        problems.append(Problem(rel, article.line,
                                f"{text_rel} has changed: its sha256 is {actual}, not the recorded "
                                "text_sha256 (article texts are verbatim copies; do not edit them)"))
    try:
        article.text = decode_text(data)
        article.text_file = text_rel
    except NotUTF8 as exc:
        problems.append(Problem(text_rel, exc.line, f"article text: {exc}"))
        return
    if len(article.text) > MAX_ARTICLE_CHARS:
        problems.append(Problem(text_rel, 1, f"article text is {len(article.text):,} characters; the limit "
                                             f"is {MAX_ARTICLE_CHARS:,} (a web article's text is a few "
                                             f"thousand): record the article's own text, not a whole site"))


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
        for name in ("verified-url", "url"):
            if ref.get(name) and not safe_url(ref.get(name)):
                bad(f"{name} {ref.get(name)!r} is not a web address ({' or '.join(vocab.URL_SCHEMES)}, "
                    f"with a host and no spaces): the site would not link it")
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


def _duplicates(items, key, label: str, problems: list[Problem]) -> None:
    counts = Counter(key(i) for i in items)
    for item in items:
        if counts[key(item)] > 1:
            problems.append(Problem(item.file, item.line, f"duplicate {label} {key(item)!r}"))


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
