"""Reading BibTeX with bibtexparser 2.

``parse_bibtex()`` is pure: bytes in, references and problems out. Every block
that bibtexparser could not parse, every duplicate key and every undecodable
byte becomes a ``Problem`` naming the file and line, never a silently dropped
entry.
"""

from __future__ import annotations

import codecs
import logging
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser import middlewares as mw
from bibtexparser import model
from pylatexenc.latex2text import LatexNodes2Text

from .problems import Problem

# bibtexparser logs each failed block; we report them as Problems instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)


def _MIDDLEWARE():
    # Appended to the default stack (which expands @string macros and removes enclosing).
    # Names are split before LaTeX decoding so that a braced corporate author such as
    # {National Institute for Health and Care Excellence} stays one name; the decoder
    # leaves split names alone, so _names() decodes their parts.
    return [mw.SeparateCoAuthors(), mw.SplitNameParts(), mw.LatexDecodingMiddleware()]


_latex = LatexNodes2Text()


def _decode(text: str) -> str:
    try:
        return _latex.latex_to_text(text)
    except Exception:  # malformed LaTeX: keep the text, minus grouping braces
        return _strip_braces(text)


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
    raw: str = ""

    def get(self, name: str) -> str | None:
        value = self.fields.get(name)
        return value if value not in (None, "") else None


def decode_bibtex_bytes(data: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """Decode a .bib file: UTF-8 (BOM allowed) or UTF-16 with a BOM. Nothing is guessed."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            return None, [Problem(display, 1, f"invalid UTF-16: {exc.reason}")]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            Problem(
                display,
                line,
                f"byte 0x{data[exc.start]:02x} is not valid UTF-8; "
                "save the file as UTF-8 (it may be Latin-1)",
            )
        ]


def _names(names: list) -> list[Author]:
    authors = []
    for parts in names:
        family = _decode(" ".join(parts.von + parts.last)).strip()
        given = _decode(" ".join(parts.first + parts.jr)).strip()
        authors.append(Author(family=family, given=given))
    return authors


def _strip_braces(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def _field_values(entry: model.Entry) -> dict[str, str]:
    values = {}
    for f in entry.fields:
        value = f.value
        if isinstance(value, list):  # names already split
            continue
        values[f.key.lower()] = str(value)
    return values


def _problem_for_failed(block: model.ParsingFailedBlock, display: str) -> Problem:
    line = (block.start_line or 0) + 1
    if isinstance(block, model.DuplicateBlockKeyBlock):
        prev = block.previous_block.start_line
        where = f" (first defined on line {prev + 1})" if prev is not None else ""
        what = "@string macro" if isinstance(block.previous_block, model.String) else "citation key"
        return Problem(display, line, f"duplicate {what} {block.key!r}{where}")
    if isinstance(block, model.DuplicateFieldKeyBlock):
        keys = ", ".join(sorted(block.duplicate_keys))
        return Problem(display, line, f"entry has the field(s) {keys} more than once")
    if isinstance(block, model.MiddlewareErrorBlock):
        return Problem(display, line, f"cannot interpret entry: {block.error}")
    reason = getattr(block.error, "abort_reason", None) or str(block.error) or "syntax error"
    first = (block.raw or "").strip().splitlines()[:1]
    snippet = f" in block starting {first[0][:60]!r}" if first else ""
    return Problem(display, line, f"cannot parse BibTeX: {reason.strip()}{snippet}")


def parse_bibtex(data: bytes, display: str) -> tuple[list[Reference], list[Problem]]:
    """Parse BibTeX bytes into references; problems name ``display`` and a line."""
    text, problems = decode_bibtex_bytes(data, display)
    if text is None:
        return [], problems

    try:
        library = bibtexparser.parse_string(text, append_middleware=_MIDDLEWARE())
    except Exception as exc:  # bibtexparser raises on states it cannot recover from
        return [], problems + [Problem(display, 0, f"BibTeX parser gave up: {exc}")]
    problems += [_problem_for_failed(b, display) for b in library.failed_blocks]

    refs = []
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        author_field = entry.fields_dict.get("author")
        authors = _names(author_field.value) if author_field is not None else []
        refs.append(
            Reference(
                key=entry.key,
                entry_type=entry.entry_type.lower(),
                line=line,
                fields={k: _strip_braces(v).strip() for k, v in _field_values(entry).items()},
                authors=authors,
                raw=entry.raw or "",
            )
        )
    return refs, problems
