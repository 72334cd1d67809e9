"""Bytes to text for every file the project reads: one decoder, one way of naming a bad byte.

Source files, article texts, BibTeX and drafts are UTF-8 (a byte-order mark allowed) or UTF-16
with a byte-order mark. Nothing else is guessed here; a caller that must accept more (a draft
pasted from Word) catches ``NotUTF8`` and decides what to do.
"""

from __future__ import annotations

import codecs


class NotUTF8(ValueError):
    """Undecodable input; ``line`` is the 1-based line of the first bad byte."""

    def __init__(self, line: int, message: str):
        self.line = line
        super().__init__(message)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM allowed) or UTF-16 with a BOM, else ``NotUTF8`` naming the line and byte."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise NotUTF8(1, f"starts with a UTF-16 byte-order mark but is not valid UTF-16 "
                             f"({exc.reason})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NotUTF8(line, f"byte 0x{data[exc.start]:02x} is not valid UTF-8; save the file as "
                            "UTF-8 (it may be Latin-1 or Windows-1252)") from None
