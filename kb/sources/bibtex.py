"""Reading BibTeX with bibtexparser 2.

``parse_bibtex()`` is pure: bytes in, references and problems out. Every block
that bibtexparser could not parse, every duplicate key and every undecodable
byte becomes a ``Problem`` naming the file and line, never a silently dropped
entry.
"""

from __future__ import annotations

import bisect
import logging
import re
import unicodedata
from functools import lru_cache
from typing import Iterator

import bibtexparser
from bibtexparser import model
from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
from pylatexenc.latex2text import LatexNodes2Text

from ..cite_format import BIBTEX_OTHERS, one_line
from ..textfile import NotUTF8, decode_text
from .model import Author, Reference
from .problems import Problem

# bibtexparser logs each failed block; we report them as Problems instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

_latex = LatexNodes2Text()
# Only these need LaTeX decoding; anything else is already plain text (the fast path), so a
# value whose only markup is a bare & or % keeps it (pylatexenc reads a tabular column, a comment).
_NEEDS_DECODING = re.compile(r"[\\{}~$]|--|``|''|[!?]`")


_ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
            "=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306",
            "H": "\u030b", "r": "\u030a", "k": "\u0328"}
_LETTERS = {"ss": "\u00df", "o": "\u00f8", "O": "\u00d8", "ae": "\u00e6", "AE": "\u00c6",
            "oe": "\u0153", "OE": "\u0152", "aa": "\u00e5", "AA": "\u00c5", "l": "\u0142",
            "L": "\u0141", "i": "\u0131", "j": "\u0237"}
# Spaces after a control word (\ss, \i, \c), as pylatexenc reads them: the name ends where
# letters end, and the whitespace after it is swallowed up to a paragraph break (two newlines
# in a row), which stays. After {} or a control symbol (\', \&) whitespace is text. ([^\W\d_]
# holds every str.isalpha letter and a few more, so an odd character after a control word
# leaves it undecoded, for pylatexenc.)
_END = r"(?![^\W\d_])"
_SKIPPED = r"(?:\n(?!\n)|(?!\n)\s)*"
_DOTLESS = rf"\\[ij]{_END}"
_ARG = rf"(?:\{{\s*({_DOTLESS}|[A-Za-z])\s*\}}|({_DOTLESS}){_SKIPPED}|([A-Za-z]))"
# One left-to-right pass (so that a decoded letter never joins the next control word's name):
# an accent with its letter, a special letter, an escaped symbol.
_TOKEN_RE = re.compile(rf"\\(['`^\"~=.]){_SKIPPED}{_ARG}|\\([cvuHrk]){_END}{_SKIPPED}{_ARG}"
                       rf"|\\(ss|ae|AE|oe|OE|aa|AA|[oOlLij]){_END}{_SKIPPED}|\\([&%$_#{{}}])")
# Escaped braces and dollars hide in private-use characters until grouping braces are removed.
_ESCAPED = {"{": "\ue000", "}": "\ue001", "$": "\ue002"}
# TeX quotes (``...'', !` and ?`), comments (an unescaped %) and anything else unusual: the
# full decoder.
_LEAVE_TO_PYLATEXENC = re.compile(r"``|''|[!?]`|(?<!\\)%")


def _decoded(m: re.Match) -> str:
    if m.group(9):
        return _LETTERS[m.group(9)]
    if m.group(10):
        return _ESCAPED.get(m.group(10), m.group(10))
    mark = m.group(1) or m.group(5)
    base = next(b for b in m.group(2, 3, 4, 6, 7, 8) if b)
    # a dotless i or j under the accent ({\'\i}) is accented as i or j, composed as pylatexenc does
    return unicodedata.normalize("NFC", base[-1] + _ACCENTS[mark])


def _fast_latex(text: str) -> str | None:
    """The common LaTeX of bibliographies (accents, special letters, escaped symbols, dashes,
    ties, grouping braces) decoded directly; None when anything else is left, so that the
    full decoder handles it. Gives the same text as pylatexenc, spaces included (tested)."""
    if _LEAVE_TO_PYLATEXENC.search(text):
        return None
    out = _TOKEN_RE.sub(_decoded, text)
    if "\\" in out or "$" in out:
        return None
    # dashes before braces go: a brace between two hyphens ends a ligature, as in TeX
    out = out.replace("---", "\u2014").replace("--", "\u2013").replace("~", "\u00a0")
    out = out.replace("{", "").replace("}", "")
    return out.replace("\ue000", "{").replace("\ue001", "}").replace("\ue002", "$")


@lru_cache(maxsize=100_000)
def decode_latex(text: str) -> str:
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


def decode_bibtex_bytes(data: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """Decode a .bib file: UTF-8 (BOM allowed) or UTF-16 with a BOM. Nothing is guessed."""
    try:
        return decode_text(data), []
    except NotUTF8 as exc:
        return None, [Problem(display, exc.line, str(exc))]


def _names(value: str) -> list[Author]:
    """The named people of a BibTeX name list; a bare ``others`` is not one of them
    (kb.cite_format.names_truncated() says the list was cut short, from the field as written)."""
    authors = []
    for name in split_multiple_persons_names(value):
        if name == BIBTEX_OTHERS:
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        family = one_line(decode_latex(" ".join(parts.von + parts.last)))
        given = one_line(decode_latex(" ".join(parts.first + parts.jr)))
        authors.append(Author(family=family, given=given))
    return authors


def _strip_braces(text: str) -> str:
    return text.replace("{", "").replace("}", "")


def _field_values(entry: model.Entry) -> dict[str, str]:
    return {f.key.lower(): str(f.value) for f in entry.fields}


def _problem_for_failed(block: model.ParsingFailedBlock, display: str,
                        file_line=lambda local: local + 1, starts=None) -> Problem:
    starts = starts or {}
    line = file_line(starts.get(id(block), block.start_line or 0))
    if isinstance(block, model.DuplicateBlockKeyBlock):
        prev = starts.get(id(block.previous_block), block.previous_block.start_line)
        where = f" (first defined on line {file_line(prev)})" if prev is not None else ""
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


# Entries per chunk when parsing a large file: bounds memory (bibtexparser holds a whole
# library of blocks) without changing results for files smaller than this.
CHUNK_ENTRIES = 2000
_ENTRY_START = re.compile(r"^[ \t]*@", re.M)


def _chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """(first line number - 1, text) pieces of a .bib, cut only before an ``@`` that starts a
    line at brace depth zero, so no entry is ever split."""
    start, start_line, line, depth, entries, pos = 0, 0, 0, 0, 0, 0
    for m in _ENTRY_START.finditer(text):
        segment = text[pos:m.start()]
        depth += segment.count("{") - segment.count("}") - segment.count("\\{") + \
            segment.count("\\}")
        line += segment.count("\n")
        pos = m.start()
        if depth <= 0:
            depth = 0
            entries += 1
            if entries > size:
                yield start_line, text[start:pos]
                start, start_line, entries = pos, line, 1
    yield start_line, text[start:]


def parse_bibtex(data: bytes, display: str) -> tuple[list[Reference], list[Problem]]:
    """Parse BibTeX bytes into references; problems name ``display`` and a line."""
    refs, problems = [], []
    for chunk_refs, chunk_problems in parse_bibtex_chunks(data, display):
        refs += chunk_refs
        problems += chunk_problems
    keys: dict[str, int] = {}
    unique = []
    for ref in refs:  # across chunks (bibtexparser catches duplicates within one)
        if ref.key in keys:
            problems.append(Problem(display, ref.line, f"duplicate citation key {ref.key!r} "
                                                       f"(first defined on line {keys[ref.key]})"))
        else:
            keys[ref.key] = ref.line
            unique.append(ref)
    return unique, problems


def parse_bibtex_chunks(data: bytes, display: str, size: int = CHUNK_ENTRIES,
                        ) -> Iterator[tuple[list[Reference], list[Problem]]]:
    """Parse BibTeX bytes a chunk of entries at a time, yielding (references, problems).

    @string macros defined in earlier chunks are carried into later ones (BibTeX defines
    them before use). Duplicate keys across chunks are left to the caller."""
    text, problems = decode_bibtex_bytes(data, display)
    del data  # a large file is held once, as text, while its chunks are parsed
    if text is None:
        yield [], problems
        return
    if problems:
        yield [], problems
    strings = ""  # every @string block seen so far, prepended to the next chunk
    carried: list[tuple[int, int]] = []  # (line in the prefix, line in the file) of each

    for first_line, chunk in _chunks(text, size):
        prefix_lines = strings.count("\n")

        def file_line(local: int, prefix_lines=prefix_lines, first_line=first_line,
                      carried=list(carried)) -> int:
            if local >= prefix_lines:
                return local - prefix_lines + first_line + 1
            at, orig = carried[bisect.bisect_right(carried, (local, 1 << 62)) - 1]
            return orig + (local - at) + 1

        refs, chunk_problems, library, starts = _parse_text(strings + chunk, display, file_line,
                                                            prefix_lines)
        yield refs, chunk_problems
        for block in library.strings:
            if starts[id(block)] >= prefix_lines:
                carried.append((strings.count("\n"), file_line(starts[id(block)]) - 1))
                strings += block.raw + "\n"


def _start_lines(text: str, library) -> dict[int, int]:
    """0-based start line of each block, by id(). bibtexparser's own count drifts by a line
    here and there in long files (seen in tugboat.bib); each block's raw text, found in
    order, gives the exact line instead."""
    starts = {id(b): b.start_line or 0 for b in library.blocks}
    cursor, line = 0, 0
    for block in library.blocks:
        raw = block.raw
        if not raw:
            continue
        pos = text.find(raw, cursor)
        if pos < 0:
            continue
        line += text.count("\n", cursor, pos)
        cursor = pos
        starts[id(block)] = line
    return starts


def _parse_text(text: str, display: str, file_line=lambda local: local + 1, skip_lines: int = 0):
    """Parse one piece of a .bib; ``file_line`` maps bibtexparser's 0-based line to the file's
    line. Blocks that start in the first ``skip_lines`` lines (carried @string macros) are
    not reported again."""
    problems: list[Problem] = []
    try:
        library = bibtexparser.parse_string(text)  # default stack: macros expanded, enclosing removed
    except Exception as exc:  # bibtexparser raises on states it cannot recover from
        return [], [Problem(display, 0, f"BibTeX parser gave up: {exc}")], bibtexparser.Library(), {}
    starts = _start_lines(text, library)
    for block in library.failed_blocks:
        if starts.get(id(block), 0) >= skip_lines:
            problems.append(_problem_for_failed(block, display, file_line, starts))

    refs = []
    for entry in library.entries:
        line = file_line(starts.get(id(entry), 0))
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
            fields={k: one_line(decode_latex(v)) for k, v in values.items()},
            authors=authors, raw=entry.raw or "", bibtex_fields=values))
    return refs, problems, library, starts
