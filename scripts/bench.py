#!/usr/bin/env python3
"""The scale benchmark: generate a synthetic knowledge base of N claims, then time parsing
references.bib (ours against bibtexparser and pybtex), `kb build` against a raw-SQLite floor,
`kb serve` page by page, and `kb check` on a 2,000-word draft. Prints each figure beside its
floor or target; asserts nothing. Results also go to WORKDIR/bench-N.json.

    python scripts/bench.py --claims 100000 [--workdir /tmp/kb-bench] [--repeats 20] [--skip-serve]
                            [--skip-build] [--skip-parse]

Needs the `bench` extra (pybtex, psutil): pip install -e '.[bench]'. Timings are wall-clock on
a shared machine: compare the ratios printed by one run rather than absolute times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import bibtexparser  # noqa: E402
import httpx  # noqa: E402
import psutil  # noqa: E402
import pybtex.database  # noqa: E402
import pybtex.errors  # noqa: E402
import yaml  # noqa: E402
from bibtexparser.middlewares import LatexDecodingMiddleware  # noqa: E402
from bibtexparser.splitter import Splitter  # noqa: E402

from kb.sources.bibtex import parse_bibtex  # noqa: E402
from kb.site.browser import serving  # noqa: E402
from kb.check import Checker  # noqa: E402

KB_CLI = [sys.executable, "-m", "kb.cli"]
WORD = "sciatica"  # the commonest word of the synthetic wording: in most claims
SPECIFIC = "bladder"  # a typical search word: in about 2% of claims
ROWS: list[tuple[str, str, str, str]] = []  # the final table: step, figure, floor/target, ratio


def row(step: str, figure: str, floor: str = "", ratio: str = "") -> None:
    ROWS.append((step, figure, floor, ratio))


def mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.1f} MB"


def ensure_data(workdir: Path, n: int) -> dict:
    """Generate WORKDIR/kb-N unless it exists; report file sizes (whatever the layout)."""
    kb = workdir / f"kb-{n}"
    if not kb.exists():
        subprocess.run([sys.executable, str(REPO / "scripts" / "generate_kb.py"), str(kb),
                        "--claims", str(n)], check=True, stdout=subprocess.DEVNULL)
    files = [p for p in kb.rglob("*") if p.is_file()]
    claims = [p for p in files if "claims" in p.relative_to(kb).parts[:1]]
    sizes = {"bib_bytes": (kb / "references.bib").stat().st_size,
             "claims_dir_bytes": sum(p.stat().st_size for p in claims), "claims_dir_files": len(claims)}
    print(f"data: {kb}: references.bib {mb(sizes['bib_bytes'])}, claims/ {mb(sizes['claims_dir_bytes'])} "
          f"in {len(claims):,} files")
    return sizes


def head_entries(text: str, limit: int) -> tuple[str, bool]:
    """The text up to the (limit+1)-th entry (the @string macros at the top stay)."""
    starts = [m.start() for m in re.finditer(r"^@(?!string\b)\w+\s*\{", text, re.MULTILINE | re.IGNORECASE)]
    return (text[:starts[limit]], True) if len(starts) > limit else (text, False)


def bench_parse(kb: Path, sample: int) -> dict:
    """Entries/s for our parser, bibtexparser's bare splitter, bibtexparser with LaTeX decoding
    and pybtex, on the same references.bib (the slow two on the first SAMPLE entries)."""
    data = (kb / "references.bib").read_bytes()
    text = data.decode("utf-8")
    part, cut = head_entries(text, sample)
    pybtex.errors.set_strict_mode(False)
    runs = {
        "ours (kb.sources.bibtex.parse_bibtex)": (lambda: len(parse_bibtex(data, "references.bib")[0]), False),
        "bibtexparser Splitter.split": (lambda: len(Splitter(text).split().entries), False),
        "bibtexparser + LatexDecoding": (lambda: len(bibtexparser.parse_string(
            part, append_middleware=[LatexDecodingMiddleware()]).entries), cut),
        "pybtex parse_string": (lambda: len(pybtex.database.parse_string(part, "bibtex").entries), cut),
    }
    out = {}
    for name, (fn, sampled) in runs.items():
        t0 = time.perf_counter()
        n = fn()
        seconds = time.perf_counter() - t0
        out[name] = {"entries": n, "seconds": seconds, "per_s": n / seconds, "sampled": sampled}
        print(f"parse: {name:<30} {n:>8,} entries in {seconds:7.2f} s = {n / seconds:>9,.0f}/s"
              + ("  (sample)" if sampled else ""))
    ours, split = out["ours (kb.sources.bibtex.parse_bibtex)"], out["bibtexparser Splitter.split"]
    print(f"parse: ours / bare splitter = {ours['per_s'] / split['per_s']:.2f} of its speed")
    row("parse bib", f"ours {ours['per_s']:,.0f} entries/s", f"splitter {split['per_s']:,.0f}/s",
        f"{ours['per_s'] / split['per_s']:.2f} of its speed")
    for name, r in list(out.items())[2:]:
        row("", f"{name} {r['per_s']:,.0f}/s" + (" (sample)" if r["sampled"] else ""), "",
            f"ours {ours['per_s'] / r['per_s']:.1f}x its speed")
    return out


def run_measured(cmd: list[str]) -> tuple[float, int | None, subprocess.CompletedProcess]:
    """(wall seconds, peak RSS bytes or None, result), under /usr/bin/time -v when present."""
    timefile = Path(f"/tmp/bench-time-{os.getpid()}.txt")
    wrap = ["/usr/bin/time", "-v", "-o", str(timefile)] if Path("/usr/bin/time").exists() else []
    t0 = time.perf_counter()
    result = subprocess.run(wrap + cmd, capture_output=True, text=True, check=False)
    seconds, peak = time.perf_counter() - t0, None
    if wrap and timefile.exists():
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timefile.read_text())
        peak = int(m.group(1)) * 1024 if m else None
        timefile.unlink()
    return seconds, peak, result


def floor_build(db: Path, out: Path) -> float:
    """Seconds to rewrite db's ordinary tables, indexes and FTS tables with raw sqlite3."""
    src = sqlite3.connect(db)
    master = src.execute("select type, name, tbl_name, sql from sqlite_master").fetchall()
    virtual = {name: sql for kind, name, _, sql in master
               if kind == "table" and sql and sql.upper().startswith("CREATE VIRTUAL TABLE")}

    def skipped(name: str) -> bool:
        return (name.startswith("sqlite_") or "_fts" in name or name.endswith("_vocab")
                or name in virtual or any(name.startswith(v + "_") for v in virtual))

    tables = [(name, sql) for kind, name, _, sql in master if kind == "table" and not skipped(name)]
    indexes = [sql for kind, _, tbl, sql in master if kind == "index" and sql and not skipped(tbl)]
    views = [sql for kind, *_, sql in master if kind == "view"]
    rows = {name: src.execute(f'select * from "{name}"').fetchall() for name, _ in tables}
    fts_rows = {}  # FTS tables that hold their own content: copy their rows
    for name, sql in virtual.items():
        if "fts5(" in sql.lower().replace(" ", "") and "content=" not in sql.lower().replace(" ", ""):
            cols = [r[1] for r in src.execute(f'pragma table_info("{name}")')]
            fts_rows[name] = (cols, src.execute(f'select rowid, * from "{name}"').fetchall())
    src.close()
    out.unlink(missing_ok=True)
    dst = sqlite3.connect(out, isolation_level=None)
    t0 = time.perf_counter()
    dst.execute("begin")
    for name, sql in tables:
        dst.execute(sql)
        if rows[name]:
            marks = ", ".join("?" * len(rows[name][0]))
            dst.executemany(f'insert into "{name}" values ({marks})', rows[name])
    for sql in indexes + views:
        dst.execute(sql)
    fts = [n for n, s in virtual.items() if "fts5vocab" not in s.lower()]
    for name in fts + [n for n in virtual if n not in fts]:  # vocab tables after their FTS
        dst.execute(virtual[name])
        if name in fts_rows:
            cols, content = fts_rows[name]
            dst.executemany(f'insert into "{name}"(rowid, {", ".join(cols)}) values '
                            f'({", ".join("?" * (len(cols) + 1))})', content)
        elif name in fts:
            dst.execute(f"insert into \"{name}\"(\"{name}\") values('rebuild')")
    dst.execute("commit")
    seconds = time.perf_counter() - t0
    dst.close()
    print(f"floor: {len(tables)} tables ({sum(map(len, rows.values())):,} rows), {len(indexes)} indexes, "
          f"{len(fts)} FTS tables ({', '.join(fts)}), {len(virtual) - len(fts)} fts5vocab"
          + (f"; FTS copied row by row: {', '.join(fts_rows)}" if fts_rows else ""))
    return seconds


def bench_build(kb: Path, db: Path) -> dict:
    db.unlink(missing_ok=True)
    validate_s, _, v = run_measured(KB_CLI + ["validate", "--root", str(kb)])
    build_s, peak, b = run_measured(KB_CLI + ["build", "--root", str(kb), "--db", str(db), "--timings"])
    if b.returncode != 0:
        sys.exit(f"kb build failed:\n{b.stderr[-3000:]}")
    stages = [line.strip() for line in b.stderr.splitlines() if re.match(r"^\s+[\d.]+ s  ", line)]
    print("build stages:\n  " + "\n  ".join(stages))
    floor_s = floor_build(db, db.parent / "floor.db")
    conn = sqlite3.connect(db)
    counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("claims", "refs", "articles", "appearances", "evidence")}
    conn.close()
    r = {"validate_s": validate_s, "validate_ok": v.returncode == 0, "build_s": build_s,
         "build_peak_rss": peak, "floor_s": floor_s, "db_bytes": db.stat().st_size, "counts": counts}
    print(f"data: {', '.join(f'{v:,} {k}' for k, v in counts.items())}")
    print(f"build: kb validate {validate_s:.1f} s (exit {v.returncode}); kb build {build_s:.1f} s, "
          f"peak RSS {mb(peak or 0)}; floor {floor_s:.1f} s; db {mb(r['db_bytes'])}")
    row("kb validate", f"{validate_s:.1f} s", "(part of build)", f"{validate_s / build_s:.0%} of build")
    row("kb build", f"{build_s:.1f} s", f"<= 3x floor {floor_s:.1f} s", f"{build_s / floor_s:.1f}x")
    row("", f"peak RSS {mb(peak or 0)}", "< 1 GB", f"{(peak or 0) / 1e9:.2f}")
    row("", f"db {mb(r['db_bytes'])}")
    return r


def bench_incremental(kb: Path, db: Path) -> dict:
    """`kb build` after a one-file edit, on a copy of the built database: one article's title,
    then one claim's statement in a 10,000-claim file; each edit is undone afterwards (and the
    undo timed too), so the generated knowledge base is left as it was."""
    work = db.parent / "incremental.db"
    shutil.copyfile(db, work)
    articles = sorted((kb / "claims" / "articles").glob("*.yaml"))
    claims_files = sorted((kb / "claims").glob("claims-*.yaml"))
    article, claims = articles[len(articles) // 2], claims_files[len(claims_files) // 2]
    out = {}
    for name, path, old, new in (
            ("one article edited", article, 'title: "Synthetic', 'title: "Edited synthetic'),
            ("one claim edited (10,000-claim file)", claims, "statement: \"Claim ", "statement: \"Edited claim ")):
        original = path.read_text(encoding="utf-8")
        try:
            path.write_text(original.replace(old, new, 1), encoding="utf-8")
            edit_s, _, r = run_measured(KB_CLI + ["build", "--root", str(kb), "--db", str(work)])
        finally:
            path.write_text(original, encoding="utf-8")
        undo_s, _, u = run_measured(KB_CLI + ["build", "--root", str(kb), "--db", str(work)])
        said = r.stdout.strip().split("; ", 1)[-1]
        out[name] = {"edit_s": edit_s, "undo_s": undo_s, "said": said,
                     "exit": [r.returncode, u.returncode]}
        print(f"incremental: {name}: {edit_s:.1f} s, undone {undo_s:.1f} s (exit {r.returncode}, "
              f"{u.returncode}): {said}")
        limit = 5 if "article" in name else None
        row("kb build (incremental)" if len(out) == 1 else "", f"{name}: {edit_s:.1f} s (undo {undo_s:.1f} s)",
            "<= 5 s at 100k, <= 30 s at 1M" if limit else "", "")
    work.unlink()
    return out


def make_draft(db: Path, n_words: int = 2000, seed: int = 1) -> str:
    """Claim statements from the KB, filler sentences and author-year citations, about n_words."""
    rng = random.Random(seed)
    conn = sqlite3.connect(db)
    statements = [re.sub(r"^Claim \d+: ", "", s) for (s,) in
                  conn.execute("select statement from claims order by id")]
    cites = [f"({a} et al., {y})" for a, y in conn.execute(
        "select first_author, year from refs where first_author is not null and year is not null "
        "order by key limit 500")]
    conn.close()
    fillers = ["Many readers ask what this means for them in practice.",
               "Talk to your doctor before changing your treatment plan.",
               "Everyone is different, and recovery can take a while.",
               "Here is what we found when we looked at the research."]
    sentences, count = [], 0
    while count < n_words:
        sentence = rng.choice(statements) if rng.random() < 0.6 else rng.choice(fillers)
        if cites and rng.random() < 0.1:
            sentence = sentence[:-1] + f" {rng.choice(cites + ['(Nobody et al., 1999)'])}."
        sentences.append(sentence)
        count += len(sentence.split())
    paragraphs = [" ".join(sentences[i:i + 6]) for i in range(0, len(sentences), 6)]
    return "# A draft about sciatica\n\n" + "\n\n".join(paragraphs) + "\n"


def latency(http: httpx.Client, paths: list[str], post: dict | None = None) -> dict:
    """Warm once, then request each path in turn; median and p95 ms, and status codes."""
    send = (lambda p: http.post(p, data=post)) if post else http.get
    send(paths[0])
    times, statuses = [], {}
    for p in paths:
        t0 = time.perf_counter()
        code = send(p).status_code
        times.append((time.perf_counter() - t0) * 1e3)
        statuses[code] = statuses.get(code, 0) + 1
    times.sort()
    return {"median_ms": statistics.median(times), "p95_ms": times[max(0, round(0.95 * len(times)) - 1)],
            "statuses": statuses}


def bench_serve(kb: Path, db: Path, draft: str, repeats: int) -> dict:
    conn = sqlite3.connect(db)
    ids = [i for (i,) in conn.execute("select id from claims order by id")]
    conn.close()
    claim_ids = random.Random(1).sample(ids, min(repeats, len(ids)))
    out: dict = {}
    with serving(kb, db, timeout=600) as url, httpx.Client(base_url=url, timeout=300, follow_redirects=True) as http:
        server = [p for p in psutil.Process().children(recursive=True)
                  if "datasette" in " ".join(p.cmdline())]
        form = http.get("/-/check")  # the csrftoken cookie stays in the client's jar
        token = re.search(r'name="csrftoken" value="([^"]+)"', form.text).group(1)
        pages = {
            "claims table (facets)": ["/sciatica/claims"] * repeats,
            "claims.json search": [f"/sciatica/claims.json?_search={SPECIFIC}"] * repeats,
            "claims page + search": [f"/sciatica/claims?_search={SPECIFIC}"] * repeats,
            "claims page + common-word search": [f"/sciatica/claims?_search={WORD}"] * repeats,
            "claim page": [f"/sciatica/claims/{i}" for i in claim_ids],
            "/-/search": [f"/-/search?q={SPECIFIC}"] * repeats,
            "/-/search common word": [f"/-/search?q={WORD}"] * repeats,
        }
        targets = {"claims page + search": (200, "<= 200 ms median (at 1M)"),
                   "claims page + common-word search": (1000, "<= 1 s, or facets shown skipped"),
                   "claim page": (50, "<= 50 ms"), "/-/search": (100, "<= 100 ms"),
                   "/-/search common word": (500, "<= 500 ms"),
                   "POST /-/check (2,000 words)": (1000 if len(ids) <= 100_000 else 2000,
                                                  "<= 1 s at 100k, <= 2 s at 1M")}
        for name, paths in [*pages.items(), ("POST /-/check (2,000 words)", ["/-/check"] * repeats)]:
            r = out[name] = latency(http, paths, {"csrftoken": token, "draft": draft}
                                    if name.startswith("POST") else None)
            print(f"serve: {name:<28} median {r['median_ms']:7.0f} ms  p95 {r['p95_ms']:7.0f} ms  "
                  f"statuses {r['statuses']}")
            limit, text = targets.get(name, (None, ""))
            row("serve" if len(out) == 1 else "", f"{name}: {r['median_ms']:.0f} ms (p95 {r['p95_ms']:.0f})",
                text, f"{r['median_ms'] / limit:.2f}" if limit else "")
        meta = yaml.safe_load((REPO / "kb" / "site" / "metadata.yaml").read_text())
        wanted = set()  # facet names: the column, or for a link facet the table it counts
        for f in meta["databases"]["sciatica"]["tables"]["claims"]["facets"]:
            config = f if isinstance(f, str) else next(iter(f.values()))
            wanted.add(config["counts"].split(".")[0] if isinstance(config, dict) else config)
        timeouts = {}
        for label, query in (("default", ""), ("search", f"?_search={SPECIFIC}"),
                             ("common-word search", f"?_search={WORD}")):
            # Datasette 0.65 puts facets_timed_out in the HTML page's context only; the JSON
            # just leaves the timed-out facets out of facet_results.
            html = http.get(f"/sciatica/claims{query}").text
            m = re.search(r"These facets timed out: ([^<]*)</p>", html)
            shown = set(http.get(f"/sciatica/claims.json{query}").json().get("facet_results", {}))
            timeouts[label] = {"html": m.group(1).split(", ") if m else [],
                               "missing_from_json": sorted(wanted - shown)}
            print(f"serve: facets timed out on the {label} claims page: "
                  f"{', '.join(timeouts[label]['html']) or 'none'} (missing from the JSON: "
                  f"{', '.join(timeouts[label]['missing_from_json']) or 'none'})")
        out["facets_timed_out"] = timeouts
        hwm = None
        if server:
            m = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{server[0].pid}/status").read_text())
            hwm = int(m.group(1)) * 1024 if m else None
        out["server_vmhwm"] = hwm
        print(f"serve: datasette peak memory (VmHWM) {mb(hwm or 0)}")
    row("", "facets timed out: " + "; ".join(f"{k} {', '.join(v['html']) or 'none'}"
                                             for k, v in timeouts.items()), "none")
    row("", f"server VmHWM {mb(hwm or 0)}")
    return out


def bench_check(db: Path, draft_file: Path, draft: str) -> dict:
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        report = Checker(conn).check(draft)
        conn.close()
        times.append(time.perf_counter() - t0)
    in_process = statistics.median(times)
    cli_s, _, result = run_measured(KB_CLI + ["check", "--db", str(db), str(draft_file)])
    summary = report["summary"]
    print(f"check: {len(draft.split()):,} words, {summary['sentences']} sentences, "
          f"{summary.get('sentences_matched', '?')} matched: in-process {in_process:.2f} s (median of 3), "
          f"kb check subprocess {cli_s:.2f} s (exit {result.returncode})")
    n = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("select count(*) from claims").fetchone()[0]
    limit = 1.0 if n <= 100_000 else 2.0
    row("kb check", f"in-process {in_process:.2f} s", f"<= {limit:g} s (command)", f"{in_process / limit:.2f}")
    row("", f"command {cli_s:.2f} s", f"<= {limit:g} s at {n:,}", f"{cli_s / limit:.2f}")
    return {"in_process_s": in_process, "subprocess_s": cli_s, "exit": result.returncode,
            "words": len(draft.split()), "summary": summary}


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text()
    return {"nproc": os.cpu_count(), "mem_total_kb": int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1)),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "datasette": version("datasette"), "bibtexparser": version("bibtexparser"),
            "pybtex": version("pybtex"), "loadavg": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/kb-bench"))
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--parse-sample", type=int, default=5_000,
                        help="entries for the slow parsers (bibtexparser + LaTeX decoding, pybtex)")
    parser.add_argument("--skip-serve", action="store_true")
    parser.add_argument("--skip-parse", action="store_true",
                        help="parse rates do not depend on size: measure them at 100k, not again at 1M")
    parser.add_argument("--skip-incremental", action="store_true",
                        help="no incremental builds (a database from an older schema rebuilds in full)")
    parser.add_argument("--skip-build", action="store_true",
                        help="reuse WORKDIR/build-N/sciatica.db (e.g. built and timed separately at 1M)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    kb = args.workdir / f"kb-{args.claims}"
    db = args.workdir / f"build-{args.claims}" / "sciatica.db"  # Datasette names it after the file
    db.parent.mkdir(exist_ok=True)
    facts = machine()
    print("machine:", ", ".join(f"{k} {v}" for k, v in facts.items()))
    results = {"claims": args.claims, "machine": facts, "data": ensure_data(args.workdir, args.claims)}
    if not args.skip_parse:
        results["parse"] = bench_parse(kb, args.parse_sample)
    if args.skip_build and db.exists():
        results["build"] = {"skipped": True, "floor_s": floor_build(db, db.parent / "floor.db")}
        row("kb build", "not run (--skip-build)", f"floor {results['build']['floor_s']:.1f} s")
    else:
        results["build"] = bench_build(kb, db)
    if not args.skip_incremental:
        results["incremental"] = bench_incremental(kb, db)
    draft = make_draft(db)
    draft_file = args.workdir / f"draft-{args.claims}.md"
    draft_file.write_text(draft, encoding="utf-8")
    if not args.skip_serve:
        results["serve"] = bench_serve(kb, db, draft, args.repeats)
    results["check"] = bench_check(db, draft_file, draft)

    print(f"\n{args.claims:,} claims; {facts['nproc']} cores, {facts['mem_total_kb'] / 2**20:.1f} GiB, "
          f"Python {facts['python']}, SQLite {facts['sqlite']}, Datasette {facts['datasette']}")
    widths = [max(len(r[i]) for r in ROWS + [("step", "figure", "floor/target", "ratio")]) for i in range(4)]
    for r in [("step", "figure", "floor/target", "ratio"), tuple("-" * w for w in widths), *ROWS]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    out = args.workdir / f"bench-{args.claims}.json"
    results["loadavg_at_end"] = os.getloadavg()
    print(f"load average at start {facts['loadavg']}, at end "
          f"{' '.join(f'{x:.1f}' for x in results['loadavg_at_end'])} (on {facts['nproc']} cores)")
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nresults written to {out}")


if __name__ == "__main__":
    main()
