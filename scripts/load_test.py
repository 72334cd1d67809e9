#!/usr/bin/env python3
"""A bounded load test of `kb serve` on 127.0.0.1: N concurrent clients for T seconds across
table, facet, search, row, JSON and check pages. Prints requests served, errors and latency
percentiles. Only ever talks to the loopback server it starts (or --url on 127.0.0.1).

    .venv/bin/python scripts/load_test.py [--clients 50] [--seconds 30] [--root DIR --db FILE]

With --root and --db it serves that knowledge base (e.g. the 1M-claim one scripts/bench.py
generates) and asks for its own rows: the middle claim, article and reference by id, a topic, and
a search for a word from the middle claim. A check refused because another is running (503 with
Retry-After: the check form's back-pressure) is counted as shed, not as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb.site.browser import serving  # noqa: E402

GETS = {
    "table": "/sciatica/claims",
    "facets": "/sciatica/claims?verdict=overstated&_facet=claim_type",
    "topic-facet": "/sciatica/claims?_through=%7B%22table%22%3A%22claim_topics%22%2C%22column%22%3A%22topic_id%22%2C%22value%22%3A%22bed-rest%22%7D",
    "fts": "/sciatica/claims?_search=bed+rest",
    "search": "/-/search?q=disc+herniation",
    "claim": "/sciatica/claims/bed-rest-worsens-sciatica",
    "article": "/sciatica/articles/physio-sciatica-blog",
    "ref": "/sciatica/refs/dahm2010bedrest",
    "json": "/sciatica/refs.json?_shape=array&design=systematic+review",
    "csv": "/sciatica/appearances.csv",
    "canned": "/sciatica/citations_that_do_not_check_out",
    "check-form": "/-/check",
}
DRAFT = ("Staying in bed for a week makes sciatica worse (Hagen et al., 2005). A scan is rarely "
         "needed at first. Research shows 80% of people need surgery. Massage relieves sciatica "
         "(Smith and Jones, 2019). ") * 5


def pages_for(db: Path) -> dict[str, str]:
    """The same kinds of page as GETS, for the rows ``db`` holds."""
    import sqlite3
    from urllib.parse import quote
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)

    def middle(table: str, column: str) -> str:
        n = conn.execute(f"select count(*) from [{table}]").fetchone()[0]
        return conn.execute(f"select [{column}] from [{table}] order by [{column}] limit 1 offset ?",
                            (n // 2,)).fetchone()[0]

    claim, article, ref, topic = (middle("claims", "id"), middle("articles", "id"),
                                  middle("refs", "key"), middle("topics", "id"))
    statement = conn.execute("select statement from claims where id = ?", (claim,)).fetchone()[0]
    word = max(re.findall(r"[A-Za-z]{5,}", statement) or ["sciatica"], key=len)
    conn.close()
    through = quote(f'{{"table":"claim_topics","column":"topic_id","value":"{topic}"}}')
    return {**GETS, "topic-facet": f"/sciatica/claims?_through={through}",
            "fts": f"/sciatica/claims?_search={word}", "search": f"/-/search?q={word}",
            "claim": f"/sciatica/claims/{quote(claim)}", "article": f"/sciatica/articles/{quote(article)}",
            "ref": f"/sciatica/refs/{quote(ref)}",
            "csv": f"/sciatica/appearances.csv?article_id={quote(article)}"}


async def client(base: str, until: float, seq: int, latencies, statuses, errors, shed):
    kinds = list(GETS) + ["check-post"]
    async with httpx.AsyncClient(base_url=base, timeout=120, follow_redirects=True,
                                 limits=httpx.Limits(max_connections=1)) as http:
        form = await http.get("/-/check")
        token = re.search(r'name="csrftoken" value="([^"]+)"', form.text).group(1)
        i = seq
        while time.monotonic() < until:
            kind = kinds[i % len(kinds)]
            i += 1
            t0 = time.perf_counter()
            try:
                if kind == "check-post":
                    r = await http.post("/-/check", data={"csrftoken": token, "draft": DRAFT})
                else:
                    r = await http.get(GETS[kind])
                statuses[r.status_code] += 1
                if kind == "check-post" and r.status_code == 503 and r.headers.get("retry-after"):
                    shed.append(kind)
                    continue
                if r.status_code != 200:
                    errors.append(f"{kind}: HTTP {r.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{kind}: {type(exc).__name__}")
                continue
            latencies[kind].append(time.perf_counter() - t0)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


async def run(base: str, clients: int, seconds: float):
    latencies, statuses, errors, shed = defaultdict(list), Counter(), [], []
    until = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(*(client(base, until, n, latencies, statuses, errors, shed)
                           for n in range(clients)))
    elapsed = time.monotonic() - started
    total = sum(len(v) for v in latencies.values())
    print(f"{clients} clients for {seconds:.0f} s against {base}: {total} requests answered in "
          f"{elapsed:.1f} s ({total / elapsed:.0f}/s), errors {len(errors)}, checks shed (503, "
          f"Retry-After) {len(shed)}, statuses {dict(statuses)}")
    print(f"{'page':<12} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    every = [x for v in latencies.values() for x in v]
    for kind, values in [*sorted(latencies.items()), ("all", every)]:
        if values:
            print(f"{kind:<12} {len(values):>6} {statistics.median(values) * 1e3:>8.0f} "
                  f"{pct(values, 95) * 1e3:>8.0f} {pct(values, 99) * 1e3:>8.0f} {max(values) * 1e3:>8.0f}")
    for error in Counter(errors).most_common(10):
        print("error:", error)
    return len(errors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--url", help="an already running server on 127.0.0.1 (default: start one)")
    parser.add_argument("--root", type=Path, help="serve this knowledge base (with --db)")
    parser.add_argument("--db", type=Path, help="... from this built database (named sciatica.db)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 0 < args.seconds <= 120:
        parser.error("keep the burst bounded: 1-200 clients, at most 120 seconds")
    if args.url:
        if not re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?$", args.url):
            parser.error("--url must be a loopback address")
        sys.exit(1 if asyncio.run(run(args.url, args.clients, args.seconds)) else 0)
    if args.root and args.db:
        GETS.update(pages_for(args.db))
        with serving(args.root, args.db, timeout=600) as url:
            failures = asyncio.run(run(url, args.clients, args.seconds))
        sys.exit(1 if failures else 0)
    with tempfile.TemporaryDirectory() as tmp, serving(REPO, Path(tmp) / "sciatica.db") as url:
        failures = asyncio.run(run(url, args.clients, args.seconds))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
