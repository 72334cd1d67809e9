"""Rendering a check report: terminal (rich), Markdown, JSON. HTML is the Datasette template."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from ..vocab import CITATION_TONE, TONE_DISPLAY, VERDICT_DISPLAY

VERDICT_STYLE = {v: d["terminal"] for v, d in VERDICT_DISPLAY.items()}
CITATION_STYLE = {s: TONE_DISPLAY[tone]["terminal"] for s, tone in CITATION_TONE.items()}


def to_json(report: dict) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)


def to_terminal(report: dict, console: Console, show_all: bool = False) -> None:
    for s in report["sentences"]:
        if not (show_all or s["matches"] or s["citations"] or s["flags"]):
            continue
        console.print(Text(f"[{s['index'] + 1}] ", style="bold") + Text(s["text"]))
        for rank, m in enumerate(s["matches"]):
            style = VERDICT_STYLE.get(m["verdict"], "")
            certainty = f", {m['certainty']} certainty" if m["certainty"] else ""
            lead = "    known claim: " if rank == 0 else "    also: "
            console.print(f"{lead}[{style}]{m['verdict'].upper()}[/]{escape(certainty)}  "
                          f"{escape(m['statement'])}  [dim]({m['claim_id']}, score {m['score']:.2f})[/]")
            if rank:
                continue  # the best match in full, the others in a line each
            console.print(f"      [dim]why matched: {escape(m['reason'])}[/]")
            console.print(f"      {escape(m['reasoning'])}")
            for e in m["evidence"][:2]:
                cited = e["citation"] or e["ref_key"]
                links = " ".join(u for u in e["links"].values() if u not in cited)
                console.print(f"      [cyan]{e['stance']}[/] ({e['directness']}): "
                              f"{escape(cited)} {escape(links)}")
        for c in s["citations"]:
            style = CITATION_STYLE.get(c["status"], "")
            line = f"    citation [{style}]{c['status']}[/] {escape(c['text'])}: {escape(c['detail'])}"
            if c["supports_claim"]:
                line += f"  [dim](for the matched claim: {c['supports_claim']})[/]"
            console.print(line)
            if c["known_check"]:
                k = c["known_check"]
                console.print(f"      [dim]seen before in {k['article_id']}: {k['status']}: "
                              f"{escape(k['reason'])}[/]")
        for f in s["flags"]:
            console.print(f"    [bold red]! {f['code']}[/]: {escape(f['message'])}")
        console.print()
    sm = report["summary"]
    console.print("[bold]Summary[/]")
    console.print(f"  {sm['sentences']} sentences, {sm['sentences_matched']} matched a known claim")
    if sm["claims_by_verdict"]:
        console.print("  verdicts: " + ", ".join(f"{k} {v}" for k, v in sm["claims_by_verdict"].items()))
    if sm["citations_by_status"]:
        console.print("  citations: " + ", ".join(f"{k} {v}" for k, v in sm["citations_by_status"].items()))
    if sm["flags"]:
        console.print("  flags: " + ", ".join(f"{k} {v}" for k, v in sm["flags"].items()))
    verdict = ("[bold red]needs attention[/]: " + ", ".join(sm["failing_flags"])
               if sm["needs_attention"] else "[bold green]nothing that fails the check[/]")
    console.print(f"  {verdict}")


def to_markdown(report: dict, text: str) -> str:
    """The draft with each flagged or matched sentence followed by an editor's note."""
    out, cursor = [], 0
    for s in report["sentences"]:
        notes = []
        for m in s["matches"][:1]:
            certainty = f", {m['certainty']} certainty" if m["certainty"] else ""
            notes.append(f"**{m['verdict']}**{certainty}: {m['statement']} (`{m['claim_id']}`). "
                         f"{m['reasoning']}")
            for e in m["evidence"][:1]:
                notes.append(f"Evidence ({e['stance']}, {e['directness']}): {e['citation'] or e['ref_key']}")
        for c in s["citations"]:
            notes.append(f"Citation {c['text']}: **{c['status']}**. {c['detail']}")
        for f in s["flags"]:
            notes.append(f"\u26a0 {f['code']}: {f['message']}")
        if not notes:
            continue
        out.append(text[cursor:s["end"]])
        cursor = s["end"]
        out.append("\n\n> " + "\n>\n> ".join(n.replace("\n", " ") for n in notes) + "\n")
    out.append(text[cursor:])
    sm = report["summary"]
    out.append(f"\n\n---\n\n**Check summary**: {sm['sentences']} sentences, {sm['sentences_matched']} "
               f"matched known claims; flags: "
               + (", ".join(f"{k} {v}" for k, v in sm["flags"].items()) or "none") + "\n")
    return "".join(out)
