"""Rendering a check report: terminal (rich), Markdown, JSON. HTML is the Datasette template.

The terminal report fits what a writer reads first on one screen: the sentences that need
attention, one line each with the fix; ``details`` adds every checked sentence's matches,
evidence and citations.
"""

from __future__ import annotations

import json
import re

from rich.console import Console
from rich.markup import escape

from ..vocab import CITATION_TONE, SENTENCE_VERDICT_DISPLAY, TONE_DISPLAY, VERDICT_DISPLAY

VERDICT_STYLE = {v: d["terminal"] for v, d in VERDICT_DISPLAY.items()}
CITATION_STYLE = {s: TONE_DISPLAY[tone]["terminal"] for s, tone in CITATION_TONE.items()}
SENTENCE_STYLE = {v: {"good": "green", "warning": "yellow", "problem": "red"}.get(d["tone"], "dim")
                  for v, d in SENTENCE_VERDICT_DISPLAY.items()}


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def _badge(verdict: str | None) -> str:
    d = SENTENCE_VERDICT_DISPLAY.get(verdict or "")
    if not d:
        return ""
    return f"[{SENTENCE_STYLE[verdict]}]{d['symbol']} {d['label'].upper()}[/]"


def to_terminal(report: dict, console: Console, show_all: bool = False) -> None:
    sm = report["summary"]
    counts = ", ".join(f"{k} {v}" for k, v in sm["flags"].items()) or "no flags"
    console.print(f"[bold]{sm['sentences']} sentences, {sm['assertions']} checkable; "
                  f"{len(report['attention'])} flagged[/] ({escape(counts)})")
    if report["attention"]:
        console.print("\n[bold]Needs attention[/]")
    else:
        console.print()
    by_index = {s["index"]: s for s in report["sentences"]}
    for item in report["attention"]:
        s = by_index[item["index"]]
        console.print(f" [bold][{item['index'] + 1}][/] \u201c{escape(_short(s['text']))}\u201d")
        if item["claim"]:
            how = {"asserts": "says", "denies": "denies", "myth": "calls a myth",
                   "topic": "is related to"}.get(item["stance"] or "topic", "is related to")
            console.print(f"     {_badge(item['verdict'])} \u2014 {how} \u201c{escape(_short(item['claim'], 90))}\u201d "
                          f"[dim]({item['claim_verdict']}; cue: {escape(item['cue'] or '')})[/]")
        for f in s["flags"]:
            console.print(f"     [bold red]! {f['code']}[/]: {escape(_short(f['message'], 140))}")
        console.print(f"     [cyan]fix[/]: {escape(item['fix'])}")
    to_check = [i + 1 for i in sm["to_check"]]
    consistent = [s["index"] + 1 for s in report["sentences"] if s["verdict"] == "consistent"]
    unknown = [s["index"] + 1 for s in report["sentences"] if s["verdict"] == "unknown"]
    console.print()
    if consistent:
        console.print(f"[green]Consistent with the evidence[/]: sentences {', '.join(map(str, consistent))}")
    if to_check:
        console.print(f"[yellow]Related claims, check the wording[/]: sentences {', '.join(map(str, to_check))}")
    if unknown:
        console.print(f"[dim]Checkable but not in the knowledge base[/]: sentences "
                      f"{', '.join(map(str, unknown))}")
    if show_all:
        console.print("\n[bold]Details[/]")
        for s in report["sentences"]:
            _details(s, console)
    else:
        console.print("[dim]--details shows every sentence's matches, evidence and citations[/]")
    verdict = ("[bold red]fails the check[/]: " + ", ".join(sm["failing_flags"])
               if sm["needs_attention"] else "[bold green]nothing that fails the check[/]")
    console.print(verdict)


def _details(s: dict, console: Console) -> None:
    if s["role"] != "assertion" and not s["citations"]:
        return
    console.print(f"[bold][{s['index'] + 1}][/] {escape(s['text'])}  [dim]({s['role']})[/]")
    if s["context"]:
        console.print(f"    [dim]in the list \u201c{escape(s['context'])}\u201d[/]")
    if s["verdict"]:
        console.print(f"    {_badge(s['verdict'])}: {escape(s['verdict_reason'] or '')}")
    for rank, m in enumerate(s["matches"]):
        style = VERDICT_STYLE.get(m["claim_verdict"], "")
        lead = "    claim: " if rank == 0 else "    also: "
        certainty = f", {m['certainty']} certainty" if m["certainty"] else ""
        console.print(f"{lead}[{style}]{m['claim_verdict']}[/]{escape(certainty)} "
                      f"{escape(m['statement'])} [dim]({m['claim_id']}, score {m['score']:.2f}; "
                      f"{m['stance']}: {escape(m['stance_cue'])})[/]")
        if rank == 0:
            for e in m["evidence"][:2]:
                cited = e["citation"] or e["ref_key"]
                console.print(f"      [cyan]{e['stance']}[/] ({e['directness']}): {escape(cited)}")
    for r in s.get("related", []):
        console.print(f"    related: {escape(r['statement'])} [dim]({r['claim_id']}; {escape(r['stance_cue'])})[/]")
    for c in s["citations"]:
        style = CITATION_STYLE.get(c["status"], "")
        console.print(f"    citation [{style}]{c['status']}[/] ({c['kind']}) {escape(c['text'])}: "
                      f"{escape(c['detail'])}")
    console.print()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Text safe inside a Markdown paragraph: no emphasis, links, HTML or line breaks."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def to_markdown(report: dict, text: str) -> str:
    """The draft with an editor's note after each sentence that needs attention.

    Each note is a blockquote set off by blank lines, so that it never absorbs the text after
    it (a paragraph continued after a note starts a new paragraph)."""
    out, cursor = [], 0
    attention = {a["index"]: a for a in report["attention"]}
    for s in report["sentences"]:
        item = attention.get(s["index"])
        if item is None:
            continue
        notes = []
        if item["claim"]:
            label = item["verdict_label"] or ""
            notes.append(f"**{_md(label)}**: the sentence {_md(item['stance'] or 'relates to')} "
                         f"\u201c{_md(item['claim'])}\u201d (`{item['claim_id']}`, "
                         f"{_md(item['claim_verdict'])}; cue: {_md(item['cue'])}).")
        for f in s["flags"]:
            notes.append(f"\u26a0 {f['code']}: {_md(f['message'])}")
        notes.append(f"Fix: {_md(item['fix'])}")
        out.append(text[cursor:s["end"]])
        cursor = s["end"]
        while cursor < len(text) and text[cursor] in " \t":
            cursor += 1  # the rest of the line starts a new paragraph after the note
        out.append("\n\n" + "\n>\n".join(f"> {n}" for n in notes) + "\n\n")
        if cursor < len(text) and text[cursor] == "\n":
            cursor += 1
    out.append(text[cursor:])
    sm = report["summary"]
    out.append(f"\n\n---\n\n**Check summary**: {sm['sentences']} sentences, {sm['assertions']} "
               f"checkable, {len(report['attention'])} flagged; flags: "
               + (", ".join(f"{k} {v}" for k, v in sm["flags"].items()) or "none") + "\n")
    return "".join(out)
