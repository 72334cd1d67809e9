"""Inline author-year citations in a draft: finding them and resolving them to references.

Handles the forms writers use: parenthetical "(Hagen et al., 2005)", "(Smith and Jones 2001)",
"(Vroomen, de Krom and Knottnerus, 2007)", several in one bracket "(Smith, 2001; Jones, 2003)",
organisations "(National Institute for Health and Care Excellence (NICE), 2020)" or "(NICE, 2020)",
and narrative "Hagen et al. (2005) found ...".
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass, field

from ..text import ACRONYM_RE, fold

YEAR = r"(?:19|20)\d{2}[a-z]?"
_PAREN_RE = re.compile(r"\(((?:[^()]|\([^()]*\))*?\b" + YEAR + r"\b(?:[^()]|\([^()]*\))*?)\)")
_SURNAME = r"(?:(?:de|van|von|der|den|da|di|le|la|du|del)\s+)*[A-Z][\w'\u2019\-]+"
_NARRATIVE_RE = re.compile(
    r"(?P<names>" + _SURNAME + r"(?:\s+et\s+al\.?|(?:\s*,\s*" + _SURNAME + r")*\s+(?:and|&)\s+"
    + _SURNAME + r")?)\s+\((?P<years>" + YEAR + r"(?:\s*[,;]\s*" + YEAR + r")*)\)")
_YEAR_RE = re.compile(r"\b(" + YEAR + r")\b")
_LEADING = re.compile(r"^(?:e\.g\.,?|see(?: also)?|cf\.|for example,?|as reviewed in)\s+", re.I)


@dataclass
class InlineCitation:
    text: str  # the citation as written (one author-year unit)
    start: int
    end: int
    names: list[str]
    year: str
    et_al: bool = False
    acronym: str | None = None

    @property
    def year_number(self) -> int:
        return int(self.year[:4])


def _split_names(names: str) -> tuple[list[str], bool]:
    et_al = bool(re.search(r"\bet\s+al\b\.?", names))
    names = re.sub(r"\bet\s+al\b\.?", "", names)
    parts = [p.strip(" ,.") for p in re.split(r",|\s+and\s+|\s*&\s*", names)]
    return [p for p in parts if p], et_al


def _parse_unit(unit: str, start: int) -> list[InlineCitation]:
    """One ';'-separated unit of a parenthetical citation, e.g. 'Hagen et al., 2005'."""
    stripped = _LEADING.sub("", unit.strip())
    offset = start + unit.find(stripped) if stripped else start
    years = list(_YEAR_RE.finditer(stripped))
    if not years or not stripped[:1].isupper():
        return []
    names_text = stripped[: years[0].start()].strip(" ,")
    if not names_text or len(names_text) > 160:
        return []
    acronym_match = ACRONYM_RE.search(names_text)
    acronym = acronym_match.group(1) if acronym_match else None
    names_plain = ACRONYM_RE.sub("", names_text).strip(" ,")
    names, et_al = _split_names(names_plain)
    if len(names_plain.split()) >= 4 and not et_al and "," not in names_plain:
        names = [names_plain]  # an organisation: "National Institute for Health and Care Excellence"
    if not names:
        return []
    text = stripped.rstrip(" ,;")
    return [InlineCitation(text=text, start=offset, end=offset + len(text), names=names,
                           year=y.group(1), et_al=et_al, acronym=acronym) for y in years]


def find_citations(text: str) -> list[InlineCitation]:
    """Every author-year citation in ``text``, in order, with offsets."""
    found: list[InlineCitation] = []
    taken: list[tuple[int, int]] = []
    for match in _PAREN_RE.finditer(text):
        body_start = match.start(1)
        pos = 0
        for unit in match.group(1).split(";"):
            found += _parse_unit(unit, body_start + pos)
            pos += len(unit) + 1
        taken.append(match.span())
    for match in _NARRATIVE_RE.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        names, et_al = _split_names(match.group("names"))
        for y in _YEAR_RE.finditer(match.group("years")):
            found.append(InlineCitation(text=match.group(0), start=match.start(), end=match.end(),
                                        names=names, year=y.group(1), et_al=et_al))
    return sorted(found, key=lambda c: (c.start, c.year))


# --- resolution ---------------------------------------------------------------------------

@dataclass
class RefInfo:
    key: str
    year: int | None
    families: list[str]  # folded family names in author order
    display_authors: str
    title: str
    acronyms: set[str] = field(default_factory=set)
    update_years: set[int] = field(default_factory=set)  # guidelines are cited by update year


@dataclass
class Resolution:
    status: str  # resolved | mismatch | unknown
    key: str | None
    detail: str


class RefIndex:
    """References by first-author family name (and organisation acronym), read on demand
    through the indexed ref_names table: a knowledge base of 300,000 references is not
    loaded to resolve the ten citations of a draft."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._infos: dict[str, RefInfo] = {}
        self._names: dict[str, list[RefInfo]] = {}

    def _load(self, keys: list[str]) -> list[RefInfo]:
        missing = sorted(set(k for k in keys if k not in self._infos))
        for i in range(0, len(missing), 500):
            batch = missing[i:i + 500]
            rows = self.conn.execute(
                "select r.key, r.year, r.authors, r.title, r.fields, a.family_key from refs r "
                "left join ref_authors a on a.ref_key = r.key "
                f"where r.key in ({','.join('?' * len(batch))}) order by r.key, a.position", batch)
            for key, year, authors, title, fields, family_key in rows:
                info = self._infos.get(key)
                if info is None:
                    info = self._infos[key] = RefInfo(key, year, [], authors or "", title or "")
                    values = json.loads(fields or "{}")
                    info.update_years = {int(y[:4]) for y in _YEAR_RE.findall(values.get("updated", ""))}
                if family_key:
                    info.families.append(family_key)
        return [self._infos[k] for k in keys if k in self._infos]

    def _named(self, names: list[str], year: int | None = None) -> list[RefInfo]:
        """References found under the first name, then under the others (an acronym),
        each list in key order; only those from ``year`` when it is given."""
        found: list[RefInfo] = []
        for name in names:
            if (name, year) not in self._names:
                sql = "select n.ref_key from ref_names n "
                if year is None:
                    rows = self.conn.execute(sql + "where n.name = ? order by n.ref_key", (name,))
                else:
                    rows = self.conn.execute(sql + "where n.name = ? and n.year = ? "
                                             "order by n.ref_key", (name, year))
                self._names[(name, year)] = self._load([k for (k,) in rows])
            found += [r for r in self._names[(name, year)] if r not in found]
        return found

    def _by_author_and_year(self, family: str, year: int | None) -> list[RefInfo]:
        keys = [k for (k,) in self.conn.execute(
            "select distinct a.ref_key from ref_authors a join refs r on r.key = a.ref_key "
            "where a.family_key = ? and r.year = ? order by a.ref_key", (family, year))]
        return self._load(keys)

    def resolve(self, cite: InlineCitation, prefer: frozenset[str] = frozenset()) -> Resolution:
        """Resolve one citation. ``prefer``: keys already linked to the claim the sentence
        makes; among equally plausible wrong-year candidates, those are the likely intent."""
        first = fold(cite.names[0])
        names = [first] + ([cite.acronym.lower()] if cite.acronym else [])
        # Usually a reference by that name from that year exists: read only those.
        same_year = self._named(names, cite.year_number)
        if same_year:
            return self._pick(cite, same_year)
        candidates = self._named(names)
        if not candidates:
            # The first name may not be first author of the real paper (wrong order).
            year_refs = self._by_author_and_year(first, cite.year_number)
            if year_refs:
                ref = year_refs[0]
                return Resolution("mismatch", ref.key, f"{cite.names[0]} is an author of {ref.key} "
                                  f"({ref.display_authors}, {ref.year}) but not its first author")
            return Resolution("unknown", None, f"no reference by {cite.names[0]} in the knowledge base")
        updated = [r for r in candidates if cite.year_number in r.update_years]
        if updated:
            ref = updated[0]
            return Resolution("resolved", ref.key, f"{ref.display_authors} ({ref.year}, updated "
                              f"{cite.year_number}). {ref.title}")
        nearest = min(candidates, key=lambda r: (r.key not in prefer,
                                                 abs((r.year or 0) - cite.year_number), r.key))
        others = ", ".join(f"{r.key} ({r.year})" for r in candidates[:5])
        return Resolution("mismatch", nearest.key,
                          f"wrong year: no {cite.names[0]} reference from {cite.year}; "
                          f"the knowledge base has {others}")

    def _pick(self, cite: InlineCitation, same_year: list[RefInfo]) -> Resolution:
        ref = same_year[0]
        if len(same_year) > 1:
            ref = max(same_year, key=lambda r: sum(fold(n) in r.families for n in cite.names))
        missing = [n for n in cite.names[1:] if fold(n) not in ref.families]
        if missing and len(ref.families) > 0 and len(ref.families[0].split()) < 3:
            return Resolution("mismatch", ref.key,
                              f"wrong co-author(s): {', '.join(missing)} not among the authors of "
                              f"{ref.key} ({ref.display_authors})")
        return Resolution("resolved", ref.key, f"{ref.display_authors} ({ref.year}). {ref.title}")
