"""The Retraction Watch database (as Crossref publishes it, a CSV) matched to references.bib.

``import_notices()`` is pure: the CSV's bytes, the references and the current
claims/retractions.yaml (its text, or None) in; the new file's text and what was done out.
``kb retractions import`` reads and writes the files. A row matches a reference by its
original paper's DOI (lowercased, any https://doi.org/ prefix removed) and, failing that, by
its PubMed ID (0 means none). ``ref_status()`` is what the notices of one reference make of
its status; the build applies it where references.bib gives none.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

import yaml

from .. import vocab
from ..provenance import safe_url, strip_doi_prefix
from .model import Notice, Reference
from .records import parse_notices
from .yamlfile import parse_yaml

RETRACTIONS_FILE = "claims/retractions.yaml"
COLUMNS = ("Record ID", "Title", "Subject", "Institution", "Journal", "Publisher", "Country",
           "Author", "URLS", "ArticleType", "RetractionDate", "RetractionDOI",
           "RetractionPubMedID", "OriginalPaperDate", "OriginalPaperDOI", "OriginalPaperPubMedID",
           "RetractionNature", "Reason", "Paywalled", "Notes")
HEADER = ("# Retraction Watch notices about references in references.bib, written by\n"
          "# `kb retractions import` (docs/retractions.md). A re-import replaces the notice with\n"
          "# the same ref and record_id and keeps the others.\n")

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?)?$", re.I)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.]+Z?)?$")


class RetractionsError(ValueError):
    """The CSV or the current claims/retractions.yaml cannot be used; the message says why."""


def bare_doi(value: str | None) -> str | None:
    """A DOI trimmed, any https://doi.org/ or doi: prefix removed; None if it is not one
    ("unavailable", empty)."""
    doi = strip_doi_prefix(value or "")
    return doi if doi.startswith("10.") and "/" in doi else None


def normalise_doi(value: str | None) -> str | None:
    """A DOI as compared: ``bare_doi`` lowercased (DOIs are case-insensitive)."""
    doi = bare_doi(value)
    return doi.lower() if doi else None


def normalise_pmid(value: str | None) -> str | None:
    """A PubMed ID without leading zeros; None for empty, non-digits or 0 (Retraction Watch's
    "none")."""
    value = (value or "").strip()
    return str(int(value)) if value.isdigit() and int(value) else None


def normalise_date(value: str | None) -> str | None:
    """A date as YYYY-MM-DD, from m/d/YYYY with an optional time ("3/15/2021 0:00") or ISO;
    None if empty or not a real date."""
    value = (value or "").strip()
    us, iso = _US_DATE.match(value), _ISO_DATE.match(value)
    try:
        if us:
            return date(int(us[3]), int(us[1]), int(us[2])).isoformat()
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3])).isoformat()
    except ValueError:
        pass
    return None


def split_list(value: str | None) -> list[str]:
    """A ";"-separated field as its items (Retraction Watch marks each reason with a "+")."""
    return [item.strip().lstrip("+").strip() for item in (value or "").split(";")
            if item.strip().lstrip("+").strip()]


def _decode_line(raw: bytes) -> tuple[str, bool]:
    """One line of the CSV as text, and whether it had to be repaired: UTF-8, with each byte
    that is not UTF-8 read as Windows-1252 (U+FFFD where that has no character)."""
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    parts, rest = [], raw
    while rest:
        try:
            parts.append(rest.decode("utf-8"))
            break
        except UnicodeDecodeError as exc:
            parts.append(rest[:exc.start].decode("utf-8"))
            parts.append(rest[exc.start:exc.start + 1].decode("cp1252", errors="replace"))
            rest = rest[exc.start + 1:]
    return "".join(parts), True


def read_csv(data: bytes) -> tuple[list[dict[str, str]], int]:
    """The CSV's rows (column name -> text) and how many of its lines were not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = [_decode_line(raw) for raw in data.splitlines(keepends=True)]
    text = "".join(line for line, _ in lines)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise RetractionsError(f"not a Retraction Watch CSV: no column {', '.join(missing)} "
                                   f"(the header has: {', '.join(header)[:200] or 'nothing'})")
        reader.fieldnames = header
        rows = [{k: (v or "").strip() for k, v in row.items() if isinstance(k, str) and
                 isinstance(v, str)} for row in reader]
    except csv.Error as exc:
        raise RetractionsError(f"the CSV cannot be read (line {reader.line_num}): {exc}") from None
    return rows, sum(bad for _, bad in lines)


def notice_url(row: dict[str, str]) -> str | None:
    """The notice: its DOI as a https://doi.org/ address, else the first web address in URLS."""
    doi = bare_doi(row.get("RetractionDOI"))
    if doi:
        return f"https://doi.org/{doi}"
    return next((u for u in split_list(row.get("URLS")) if safe_url(u)), None)


@dataclass
class ImportSummary:
    rows: int = 0
    bad_lines: int = 0
    by_doi: int = 0
    by_pmid: int = 0
    unknown_nature: int = 0
    notices: int = 0  # in the file written
    new: int = 0
    changed: int = 0

    def line(self, path: str = RETRACTIONS_FILE) -> str:
        bad = f"{self.bad_lines} line{'s' if self.bad_lines != 1 else ''} not UTF-8 (bytes read as " \
              f"Windows-1252)"
        skipped = f"; {self.unknown_nature} matched with an unknown RetractionNature, skipped" \
            if self.unknown_nature else ""
        done = f"wrote {self.notices} notices to {path} ({self.new} new, {self.changed} changed)" \
            if self.new or self.changed else f"{path} unchanged ({self.notices} notices)"
        return (f"read {self.rows} rows, {bad}; matched {self.by_doi} by DOI, {self.by_pmid} by "
                f"PMID{skipped}; {done}")


def match_rows(rows: list[dict[str, str]], refs: list[Reference],
               summary: ImportSummary) -> list[Notice]:
    """The notices of the rows that match a reference: by DOI first, then by PMID."""
    by_doi, by_pmid = {}, {}
    for ref in refs:
        if normalise_doi(ref.get("doi")):
            by_doi.setdefault(normalise_doi(ref.get("doi")), ref.key)
        if normalise_pmid(ref.get("pmid")):
            by_pmid.setdefault(normalise_pmid(ref.get("pmid")), ref.key)
    notices = []
    for row in rows:
        key, matched_by = by_doi.get(normalise_doi(row.get("OriginalPaperDOI"))), "doi"
        if key is None:
            key, matched_by = by_pmid.get(normalise_pmid(row.get("OriginalPaperPubMedID"))), "pmid"
        if key is None:
            continue
        nature = vocab.RETRACTION_NATURE_NAMES.get(" ".join(row.get("RetractionNature", "").lower().split()))
        if nature is None or not row.get("Record ID"):
            summary.unknown_nature += 1
            continue
        summary.by_doi += matched_by == "doi"
        summary.by_pmid += matched_by == "pmid"
        notices.append(Notice(key, row["Record ID"], nature, normalise_date(row.get("RetractionDate")),
                              notice_url(row), split_list(row.get("Reason")), matched_by))
    return notices


def _entry(n: Notice) -> dict:
    return {"ref": n.ref, "record_id": n.record_id, "nature": n.nature, "date": n.date,
            "notice_url": n.notice_url, "reasons": list(n.reasons), "matched_by": n.matched_by}


def render_notices(notices: list[Notice]) -> str:
    """claims/retractions.yaml's text: every notice, sorted by ref, date and record id."""
    entries = sorted((_entry(n) for n in notices),
                     key=lambda e: (e["ref"], e["date"] or "", e["record_id"]))
    return HEADER + yaml.safe_dump({"notices": entries}, allow_unicode=True, sort_keys=False,
                                   default_flow_style=False, width=10**6)


def import_notices(csv_data: bytes, refs: list[Reference],
                   current: bytes | None) -> tuple[str, ImportSummary]:
    """The new claims/retractions.yaml (from the CSV's matches and the notices ``current``
    holds that they do not replace) and what the import did."""
    summary = ImportSummary()
    rows, summary.bad_lines = read_csv(csv_data)
    summary.rows = len(rows)
    kept: dict[tuple[str, str], Notice] = {}
    if current is not None:
        data, problems = parse_yaml(current, RETRACTIONS_FILE)
        old, more = parse_notices(data, RETRACTIONS_FILE) if data is not None else ([], [])
        problems += more
        if problems:
            raise RetractionsError(f"{problems[0]} (fix {RETRACTIONS_FILE} or delete it, then "
                                   "import again)")
        kept = {(n.ref, n.record_id): n for n in old}
    for notice in match_rows(rows, refs, summary):
        key = (notice.ref, notice.record_id)
        previous = kept.get(key)
        if previous is None:
            summary.new += 1
        elif _entry(previous) != _entry(notice):
            summary.changed += 1
        kept[key] = notice
    summary.notices = len(kept)
    return render_notices(list(kept.values())), summary


def ref_status(notices: list[Notice]) -> tuple[str, str] | None:
    """The status (and its note) the notices of one reference give it, if any: retracted when
    its latest retraction or reinstatement is a retraction, else corrected after a correction."""
    ordered = sorted(notices, key=lambda n: (n.date or "", n.record_id))
    decisive = [n for n in ordered if n.nature in ("retraction", "reinstatement")]
    if decisive and decisive[-1].nature == "retraction":
        return vocab.RETRACTION_NATURE_STATUS["retraction"], _note("Retracted", decisive[-1])
    corrections = [n for n in ordered if n.nature == "correction"]
    if corrections:
        return vocab.RETRACTION_NATURE_STATUS["correction"], _note("Corrected", corrections[-1])
    return None


def _note(what: str, n: Notice) -> str:
    when = f" on {n.date}" if n.date else ""
    where = f": {n.notice_url}" if n.notice_url else ""
    return f"{what}{when} (Retraction Watch record {n.record_id}){where}"
