"""Figures in a sentence, normalised so that they can be compared with a claim's.

Writers give the same figure many ways: "90%", "90 percent", "nine in ten", "nine out of ten",
"eighty-seven percent", "one in six", "half"; durations as "4 to 6 weeks", "4-6 weeks", "six
weeks", "a few months". ``figures(text)`` returns each as a range in a common unit (percent, or
weeks for durations) with the words it came from; ``compare`` says whether a sentence's figure
lies within (or near) any figure of the same unit that the claim or its evidence gives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "ones": {"zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5,
             "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
             "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
             "eighteen": 18, "nineteen": 19},
    "tens": {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
             "eighty": 80, "ninety": 90},
}
_NUMBER_WORD = (r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three|"
                r"four|five|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|"
                r"ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|"
                r"a hundred|one hundred|hundred)")
NUM = rf"(?:\d+(?:[.,]\d+)?|{_NUMBER_WORD})"
_PERCENT_WORD = r"(?:%|percent\b|per cent\b)"
# A range's hyphen only stands between digits: in "eighty-seven" it belongs to the number.
_RANGE_SEP = r"(?:\s+(?:to|and)\s+|\s*\u2013\s*|(?<=\d)\s*-\s*(?=\d))"
_PERCENT = re.compile(rf"\b(?P<a>{NUM})(?:\s*{_PERCENT_WORD})?{_RANGE_SEP}(?P<b>{NUM})\s*{_PERCENT_WORD}|"
                      rf"\b(?P<one>{NUM})\s*{_PERCENT_WORD}", re.I)
_RATIO = re.compile(rf"\b(?P<a>{NUM})\s+(?:in|out of)\s+(?:every\s+)?(?P<b>{NUM})\b", re.I)
_FRACTION = {"half": 50.0, "a third": 33.3, "one third": 33.3, "two thirds": 66.7, "a quarter": 25.0,
             "three quarters": 75.0, "a fifth": 20.0, "one fifth": 20.0}
_FRACTION_RE = re.compile(r"\b(?:about |around |nearly |roughly |over |more than |almost )?"
                          r"(?P<f>two thirds|three quarters|a third|one third|a quarter|a fifth|one fifth|half)"
                          r"\s+(?:of\b)",
                          re.I)
_DURATION = re.compile(rf"\b(?P<a>{NUM}|a few|several|a couple of|an?)(?:(?:{_RANGE_SEP}|\s+or\s+)"
                       rf"(?P<b>{NUM}))?\s*(?P<unit>days?|weeks?|months?|years?)\b", re.I)
_WEEKS = {"day": 1 / 7, "week": 1.0, "month": 4.35, "year": 52.0}
_VAGUE = {"a few": (2, 4), "several": (3, 7), "a couple of": (2, 2), "a": (1, 1), "an": (1, 1)}


@dataclass(frozen=True)
class Figure:
    unit: str  # percent | weeks
    low: float
    high: float
    words: str

    def near(self, other: "Figure") -> bool:
        """Whether the two ranges overlap once widened: by 2 percentage points or a twentieth
        (percent), by a quarter (durations)."""
        def widen(f):
            if f.unit == "percent":
                return f.low - max(2.0, f.low * 0.05), f.high + max(2.0, f.high * 0.05)
            return f.low * 0.75, f.high * 1.25
        lo, hi = widen(self)
        olo, ohi = widen(other)
        return lo <= ohi and olo <= hi


def number(text: str) -> float | None:
    text = text.lower().strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        pass
    if text in ("hundred", "a hundred", "one hundred"):
        return 100.0
    parts = re.split(r"[- ]", text)
    total = 0
    for part in parts:
        if part in _UNITS["ones"]:
            total += _UNITS["ones"][part]
        elif part in _UNITS["tens"]:
            total += _UNITS["tens"][part]
        else:
            return None
    return float(total)


def figures(text: str) -> list[Figure]:
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def add(span, figure):
        if not any(s < span[1] and span[0] < e for s, e in taken):
            taken.append(span)
            found.append(figure)

    for m in _PERCENT.finditer(text):
        if m.group("one"):
            v = number(m.group("one"))
            if v is not None:
                add(m.span(), Figure("percent", v, v, m.group(0)))
        else:
            a, b = number(m.group("a")), number(m.group("b"))
            if a is not None and b is not None:
                add(m.span(), Figure("percent", min(a, b), max(a, b), m.group(0)))
    for m in _RATIO.finditer(text):
        a, b = number(m.group("a")), number(m.group("b"))
        if a is not None and b and a <= b and not re.match(r"\s*(?:days?|weeks?|months?|years?)",
                                                            text[m.end():]):
            v = round(100 * a / b, 1)
            add(m.span(), Figure("percent", v, v, m.group(0)))
    for m in _FRACTION_RE.finditer(text):
        v = _FRACTION[m.group("f").lower()]
        add(m.span(), Figure("percent", v, v, m.group(0).strip()))
    for m in _DURATION.finditer(text):
        unit = _WEEKS[m.group("unit").lower().rstrip("s")]
        a = m.group("a").lower()
        if a in _VAGUE:
            low, high = _VAGUE[a]
        else:
            low = number(a)
            high = number(m.group("b")) if m.group("b") else low
        if low is None or high is None:
            continue
        add(m.span(), Figure("weeks", round(min(low, high) * unit, 2), round(max(low, high) * unit, 2),
                             m.group(0)))
    return found


def compare(sentence: list[Figure], claim: list[Figure]) -> tuple[bool | None, str | None]:
    """(agrees, explanation): True when each of the sentence's figures is near one of the
    claim's of the same unit, False when a percentage is near none of them, None when nothing
    compares."""
    verdict: bool | None = None
    for f in sentence:
        same_unit = [c for c in claim if c.unit == f.unit]
        if not same_unit:
            continue
        if any(f.near(c) for c in same_unit):
            verdict = True if verdict is None else verdict
        elif f.unit == "percent":
            # A duration in a sentence often measures something else than the claim's ("bed rest
            # for a week" against "improves within six weeks"): only percentages are held to differ.
            shown = ", ".join(dict.fromkeys(c.words for c in same_unit))
            return False, f"\u201c{f.words}\u201d, where the knowledge base has {shown}"
    return verdict, None
