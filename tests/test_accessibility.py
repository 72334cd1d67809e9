"""Colours meet WCAG AA (4.5:1 for text), from the vocabularies and the templates (issue 16,
item 2); the browser tests check what a real page renders."""

import re
from pathlib import Path

import pytest

from kb import vocab
from kb.site.settings import TEMPLATES

AA = 4.5


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_contrast_formula():
    assert contrast("#000", "#fff") == pytest.approx(21)
    assert contrast("#fff", "#D55E00") == pytest.approx(3.87, abs=0.01)  # the measurement


@pytest.mark.parametrize("verdict", sorted(vocab.VERDICT_DISPLAY))
def test_every_badge_is_readable(verdict):
    d = vocab.VERDICT_DISPLAY[verdict]
    assert contrast(d["color"], d["background"]) >= AA, verdict


@pytest.mark.parametrize("tone", sorted(vocab.TONE_DISPLAY))
def test_every_tone_colour_is_readable_on_white_and_on_every_tint(tone):
    colour = vocab.TONE_DISPLAY[tone]["color"]
    assert contrast(colour, "#ffffff") >= AA
    for d in vocab.VERDICT_DISPLAY.values():
        assert contrast(colour, d["tint"]) >= AA, (tone, d["tint"])


def test_every_text_colour_written_in_a_template_is_readable_on_white():
    found = []
    for path in sorted(Path(TEMPLATES).glob("*.html")):
        for m in re.finditer(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3})\b", path.read_text()):
            found.append((path.name, m.group(1)))
    assert found
    assert [(name, c, round(contrast(c, "#fff"), 2)) for name, c in found if contrast(c, "#fff") < AA] == []
