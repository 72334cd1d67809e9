"""Reading only the source files that changed, checked against what the rest already hold.

An incremental build (kb.build.incremental) rereads the claims and article files that changed
since the database was built, and answers every cross-file question about the others (is this
reference key known, is this claim defined elsewhere, does it appear in an article) from the
database, through ``Known``. The checks themselves are ``SourceReader``'s, run on the changed
files, plus the two that a change can break in files it does not touch: a claim removed that an
unchanged article still quotes, and a claim whose only appearances were in a changed article.

It is a gate, not the report: on any problem the build falls back to a full read, which
reports every problem exactly as ``kb validate`` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Protocol

from .problems import Problem
from .reader import ARTICLES_DIR, CLAIMS_DIR, SourceReader


class Known(Protocol):
    """What the unchanged files hold (the database built from them answers)."""

    def has_ref(self, key: str) -> bool: ...

    def claim_where(self, claim_id: str) -> tuple[str, int] | None:
        """The file and line defining the claim, or None."""

    def claims_in(self, files: Iterable[str]) -> set[str]:
        """The ids of the claims defined in those claims files."""

    def appearing(self, claim_ids: Iterable[str], not_in: Iterable[str]) -> set[str]:
        """Those of ``claim_ids`` quoted in an article whose file is not in ``not_in``."""

    def quoted_in(self, claim_ids: Iterable[str], not_in: Iterable[str]) -> list[tuple[str, str, int]]:
        """(claim id, file, line) of each appearance of ``claim_ids`` in an article not in ``not_in``."""

    def quoted_only_in(self, articles: Iterable[str]) -> list[tuple[str, str, int]]:
        """(claim id, file, line) of each claim quoted in those article files and in no other."""

    def articles_besides(self, articles: Iterable[str]) -> int:
        """How many article files there are besides those."""


class _KnownRefs:
    """``in`` for reference keys, asked of the database."""

    def __init__(self, known: Known):
        self.known = known

    def __contains__(self, key: str) -> bool:
        return self.known.has_ref(key)


class PartialReader(SourceReader):
    """``SourceReader`` over the changed files only. ``claims_files`` and ``article_files``:
    the changed (or added) files to read, as paths relative to the root; ``removed_*``: the
    files that are gone. The topics file and the .bib are unchanged (else the build is full)."""

    def __init__(self, root: Path, known: Known, claims_files: list[str], article_files: list[str],
                 removed_claims_files: list[str] = (), removed_article_files: list[str] = ()):
        super().__init__(root)
        self.known = known
        self._ref_keys = _KnownRefs(known)
        self._changed_claims = sorted(claims_files)
        self._changed_articles = sorted(article_files)
        self._claims_gone = set(claims_files) | set(removed_claims_files)
        self._articles_gone = set(article_files) | set(removed_article_files)
        self._elsewhere_appearing: set[str] = set()

    def _claims_paths(self) -> list[Path]:
        return [self.root / rel for rel in self._changed_claims]

    def _article_paths(self) -> list[Path]:
        return [self.root / rel for rel in self._changed_articles]

    def _defined_elsewhere(self, claim_id: str) -> tuple[str, int] | None:
        where = self.known.claim_where(claim_id)
        return where if where and where[0] not in self._claims_gone else None

    def _appears(self, claim_id: str) -> bool:
        if super()._appears(claim_id):
            return True
        if self._defined_elsewhere(claim_id):
            self._elsewhere_appearing.add(claim_id)
            return True
        return False

    def _appears_elsewhere(self, claim_id: str) -> bool:
        return claim_id in self._appearing_in_unchanged

    def _no_articles(self) -> bool:
        return not self._article_ids and not self.known.articles_besides(self._articles_gone)

    def finish(self) -> list[Problem]:
        new_ids = set(self._claim_index)
        self._appearing_in_unchanged = self.known.appearing(new_ids, self._articles_gone)
        # A claim removed from a changed claims file that an unchanged article still quotes.
        removed = self.known.claims_in(self._claims_gone) - new_ids
        for claim_id, file, line in self.known.quoted_in(removed, self._articles_gone):
            self._follows("claim", Problem(file, line, f"unknown claim id {claim_id!r}"))
        # A claim of an unchanged file whose appearances were all in the changed articles.
        for claim_id, file, line in self.known.quoted_only_in(self._articles_gone):
            if file not in self._claims_gone and claim_id not in self._elsewhere_appearing:
                self._follows("article", Problem(file, line,
                                                 f"claim {claim_id} has no appearance in any article"))
        return super().finish()


def is_claims_file(rel: str) -> bool:
    return rel.startswith(f"{CLAIMS_DIR}/") and rel.count("/") == 1 and rel.endswith(".yaml") \
        and (rel == f"{CLAIMS_DIR}/claims.yaml" or rel.startswith(f"{CLAIMS_DIR}/claims-"))


def is_article_file(rel: str) -> bool:
    return rel.startswith(f"{ARTICLES_DIR}/") and rel.count("/") == 2 and rel.endswith((".yaml", ".txt"))
