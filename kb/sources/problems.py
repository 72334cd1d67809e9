"""Problems found in the source files, reported as ``file:line: message``."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def cannot_read(display: str, exc: OSError) -> Problem:
    """A source file that could not be read at all (missing, a directory, no permission)."""
    return Problem(display, 0, f"cannot read file: {exc.strerror or exc}")


# What a source file that cannot be parsed would have defined, by kind (``Suppressed.counts``).
_FOLLOWERS = {
    "topic": "unknown topic ids the unreadable {file} would define",
    "claim": "unknown claim ids the unreadable {file} would define",
    "ref": "unknown reference keys the unreadable {file} would define",
    "article": "claims without an appearance the unreadable {file} would record",
}


@dataclass(frozen=True)
class Suppressed:
    """Source files that could not be parsed, and what followed from their absence.

    Their own problems (``causes`` of them) head the list; the problems that only follow from
    what they would have defined (an unknown claim id in every article quoting claims.yaml) are
    not listed, only counted by kind in ``counts``."""

    files: int = 0
    causes: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        n = sum(self.counts.values())
        it, file = ("it", "file") if self.files == 1 else ("them", "files")
        what = "; ".join(_FOLLOWERS[kind].format(file=file) for kind in _FOLLOWERS if kind in self.counts)
        return (f"… and {n} problem{'s' if n != 1 else ''} that follow{'s' if n == 1 else ''} from "
                f"{it} ({what}) {'are' if n != 1 else 'is'} not shown")


def problem_lines(problems: list[Problem], suppressed: Suppressed | None = None) -> list[str]:
    """Each problem as ``file:line: message``; after the causes, how many were not shown."""
    lines = [str(p) for p in problems]
    if suppressed and suppressed.counts:
        lines.insert(suppressed.causes, str(suppressed))
    return lines


class ValidationFailed(Exception):
    """Raised when the sources have problems; carries every problem found (causes first, as
    ``SourceReader.finish`` orders them) and what was not listed because it followed from them."""

    def __init__(self, problems: list[Problem], suppressed: Suppressed | None = None):
        self.problems = list(problems)
        self.suppressed = suppressed or Suppressed()
        super().__init__("\n".join(problem_lines(self.problems, self.suppressed)))
