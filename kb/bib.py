"""Reading BibTeX with bibtexparser 2.

``parse_bibtex()`` is pure: bytes in, references and problems out. Every block
that bibtexparser could not parse, every duplicate key and every undecodable
byte becomes a ``Problem`` naming the file and line, never a silently dropped
entry.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from pylatexenc.latex2text import LatexNodes2Text

from .problems import Problem

# bibtexparser logs each failed block; we report them as Problems instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

_latex = LatexNodes2Text()
# Only these need LaTeX decoding; anything else is already plain text (the fast path).
_NEEDS_DECODING = re.compile(r"[\\{}~$]|--")


_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
            "=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306",
            "H": "\u030b", "r": "\u030a", "k": "\u0328"}
_LETTERS = {"ss": "\u00df", "o": "\u00f8", "O": "\u00d8", "ae": "\u00e6", "AE": "\u00c6",
            "oe": "\u0153", "OE": "\u0152", "aa": "\u00e5", "AA": "\u00c5", "l": "\u0142",
            "L": "\u0141", "i": "\u0131", "j": "\u0237"}
_ACCENT_RE = re.compile(r"\\(['`^\"~=.])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))"
                        r"|\\([cvuHrk])(?:\s*\{\s*(\\?[A-Za-z])\s*\}|\s+([A-Za-z]))")
_LETTER_RE = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|[oOlLij])(?![A-Za-z])(?:\{\})?\s?")
_ESCAPED_RE = re.compile(r"\\([&%$_#{}])")
# TeX quotes (``...''), comments (an unescaped %) and anything else unusual: the full decoder.
_LEAVE_TO_PYLATEXENC = re.compile(r"``|''|(?<!\\)%")


def _fast_latex(text: str) -> str | None:
    """The common LaTeX of bibliographies (accents, special letters, escaped symbols, dashes,
    ties, grouping braces) decoded directly; None when anything else is left, so that the
    full decoder handles it. Gives the same text as pylatexenc (tested)."""
    if _LEAVE_TO_PYLATEXENC.search(text):
        return None

    def accent(m: re.Match) -> str:
        mark = m.group(1) or m.group(4)
        base = m.group(2) or m.group(3) or m.group(5) or m.group(6)
        if base.startswith("\\"):  # a dotless i or j under the accent: {\'\i}
            base = {"\\i": "i", "\\j": "j"}.get(base, base)
        return base + _ACCENTS[mark]

    out = _ACCENT_RE.sub(accent, text)
    out = _LETTER_RE.sub(lambda m: _LETTERS[m.group(1)], out)
    # Escaped symbols become themselves; escaped braces hide in private-use characters so that
    # removing grouping braces leaves them.
    out = _ESCAPED_RE.sub(lambda m: {"{": "\ue000", "}": "\ue001", "$": "\ue002"}.get(m.group(1),
                                                                                  m.group(1)), out)
    if "\\" in out or "$" in out:
        return None
    out = out.replace("{", "").replace("}", "")
    out = out.replace("\ue000", "{").replace("\ue001", "}").replace("\ue002", "$")
    out = out.replace("---", "\u2014").replace("--", "\u2013").replace("~", "\u00a0")
    return unicodedata.normalize("NFC", out)


@lru_cache(maxsize=100_000)
def _decode(text: str) -> str:
    """LaTeX to Unicode for display. bibtexparser's LatexDecodingMiddleware decodes every field
    of every entry and dominates parse time; decoding only what needs it, the common cases
    directly and the rest with pylatexenc, is many times faster."""
    if not _NEEDS_DECODING.search(text):
        return text
    fast = _fast_latex(text)
    if fast is not None:
        return fast
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
    raw: str = ""  # the entry's text exactly as in the file
    bibtex_fields: dict[str, str] = field(default_factory=dict)  # macros expanded, LaTeX kept

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


def _names(value: str) -> list[Author]:
    authors = []
    for name in split_multiple_persons_names(value):
        parts = parse_single_name_into_parts(name, strict=False)
        family = _decode(" ".join(parts.von + parts.last)).strip()
        given = _decode(" ".join(parts.first + parts.jr)).strip()
        authors.append(Author(family=family, given=given))
    return authors


def _strip_braces(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def _field_values(entry: model.Entry) -> dict[str, str]:
    return {f.key.lower(): str(f.value) for f in entry.fields}


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
        library = bibtexparser.parse_string(text)  # default stack: macros expanded, enclosing removed
    except Exception as exc:  # bibtexparser raises on states it cannot recover from
        return [], problems + [Problem(display, 0, f"BibTeX parser gave up: {exc}")]
    problems += [_problem_for_failed(b, display) for b in library.failed_blocks]

    refs = []
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        if not entry.key.strip():
            problems.append(Problem(display, line, f"@{entry.entry_type} entry has no citation key"))
            continue
        values = _field_values(entry)
        try:
            authors = _names(values["author"]) if "author" in values else []
        except Exception as exc:  # an unparseable name list: report it, keep the rest
            problems.append(Problem(display, line, f"{entry.key}: cannot split author names: {exc}"))
            authors = []
        refs.append(Reference(
            key=entry.key, entry_type=entry.entry_type.lower(), line=line,
            fields={k: _decode(v).strip() for k, v in values.items()},
            authors=authors, raw=entry.raw or "", bibtex_fields=values))
    return refs, problems
