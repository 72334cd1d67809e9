#!/usr/bin/env python3
"""Fill in (or correct) the start/end offsets of appearances in article files.

Authors write an appearance's verbatim ``quote`` and run this script: it finds
the quote in the article text and writes ``start``/``end`` lines. A quote that
occurs more than once takes the occurrence at or after the current ``start``
(so set ``start`` near the right place to choose). A quote that does not occur
is reported and left alone; ``kb validate`` will fail on it.

    python scripts/fill_offsets.py claims/articles/*.yaml
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.sources.yamlfile import load_yaml  # noqa: E402


def fill(path: Path) -> int:
    data, problems = load_yaml(path, str(path))
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    inserts: dict[int, str] = {}
    failures = 0
    for ap in data.get("appearances") or []:
        quote = ap.get("quote")
        if not isinstance(quote, str):
            continue
        hint = ap.get("start") if isinstance(ap.get("start"), int) else 0
        start = text.find(quote, hint)
        if start < 0:
            start = text.find(quote)
        if start < 0:
            print(f"{path}:{ap.line}: quote not found in {path.with_suffix('.txt').name}: "
                  f"{quote[:60]!r}", file=sys.stderr)
            failures += 1
            continue
        end = start + len(quote)
        for key, value in (("start", start), ("end", end)):
            if key in ap:
                i = ap.key_lines[key] - 1
                lines[i] = re.sub(rf"^(\s*(?:- )?{key}:\s*).*$", rf"\g<1>{value}", lines[i].rstrip("\n")) + "\n"
        if "start" not in ap:
            i = ap.key_lines["claim"] - 1
            indent = re.match(r"^(\s*)(- )?", lines[i])
            pad = indent.group(1) + ("  " if indent.group(2) else "")
            inserts[i] = f"{pad}start: {start}\n{pad}end: {end}\n"
    for i in sorted(inserts, reverse=True):
        lines.insert(i + 1, inserts[i])
    path.write_text("".join(lines), encoding="utf-8")
    return failures


if __name__ == "__main__":
    sys.exit(1 if sum(fill(Path(p)) for p in sys.argv[1:]) else 0)
