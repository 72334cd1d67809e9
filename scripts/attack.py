#!/usr/bin/env python3
"""Replay issue 15's attacks against a `kb serve` of the real knowledge base on 127.0.0.1 and
print, for each, what it cost (seconds, the server's memory) and whether a normal page stayed
under 200 ms meanwhile (a probe fetches a claim page every 50 ms during each attack).

    .venv/bin/python scripts/attack.py [--only NAME ...]

Bounded: it starts its own server on a free loopback port (and stops it), every attack has a
fixed size and a time limit, and the whole run takes about two minutes. Prints figures; asserts
nothing. Timings are wall-clock on a shared machine: compare within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb.site.browser import serving_process  # noqa: E402

PROBE = "/sciatica/claims/bed-rest-no-better-than-staying-active"
PROBE_EVERY = 0.05
FAST_MS = 200
ARTICLE = (REPO / "claims/articles/garrett-sciatica-relief.txt").read_text(encoding="utf-8")


def memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process, in kB."""
    status = Path(f"/proc/{pid}/status").read_text()
    get = lambda name: int(re.search(rf"^{name}:\s+(\d+)", status, re.M).group(1))  # noqa: E731
    return get("VmRSS"), get("VmHWM")


def worker_peak_kb(pid: int) -> int:
    """The largest VmHWM among the server's child processes (the check worker)."""
    peaks = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                peaks.append(memory_kb(int(child))[1])
            except (OSError, AttributeError):
                continue
    return max(peaks, default=0)


# --- the attacks: each returns a short description of what the server answered -------------

async def missing_urls(http: httpx.AsyncClient, base: str) -> str:
    """Ten clients asking for URLs that do not exist, for 5 s (each 404 once printed a rich traceback)."""
    paths = ["/.env", "/a/b/c", "/wp-login.php", "/sciatica/nope", "/sciatica/claims/nope", "/-/x"]
    statuses: dict[int, int] = {}
    until = time.monotonic() + 5

    async def one(i: int):
        async with httpx.AsyncClient(base_url=base, timeout=30) as c:
            while time.monotonic() < until:
                r = await c.get(paths[i % len(paths)] + f"?{i}")
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                i += 7

    await asyncio.gather(*(one(i) for i in range(10)))
    return f"{sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}"


async def _sql(http, sql: str) -> str:
    r = await http.get("/sciatica.json", params={"sql": sql, "_shape": "array"})
    return f"HTTP {r.status_code}, {len(r.content):,} bytes"


async def printf_bomb(http, base):
    """One SQL call asking for a 1 GB string (once: 30 s and 5.9 GB)."""
    return await _sql(http, "select printf('%.*c', 999999999, 'x')")


async def zeroblob_bomb(http, base):
    return await _sql(http, "select length(zeroblob(999999999))")


async def randomblob_bomb(http, base):
    return await _sql(http, "select hex(randomblob(500000000))")


async def megabyte_draft(http, base):
    """A ~1 MB draft to /-/check.json (once: 72 s of CPU in the sentence splitter)."""
    try:
        r = await http.post("/-/check.json", json={"draft": (ARTICLE + "\n\n") * 110})
    except httpx.HTTPError as exc:  # refused before the upload ended: the server closed it
        return f"connection closed by the server ({type(exc).__name__})"
    return f"HTTP {r.status_code}: {r.text[:60]}"


async def longest_allowed_draft(http, base):
    """The longest draft the site accepts, of real article text: checked within the time budget."""
    text = ((ARTICLE + "\n\n") * 12)[:100_000]
    r = await http.post("/-/check.json", json={"draft": text})
    data = r.json()
    done = data.get("incomplete") or {"checked": len(data.get("sentences", [])), "sentences": len(data.get("sentences", []))}
    return f"HTTP {r.status_code}, {done['checked']} of {done['sentences']} sentences checked"


async def full_stops_draft(http, base):
    """99 KB of "a. a. a." (pysbd's worst case: 160 s before the splitter's bounded pieces)."""
    r = await http.post("/-/check.json", json={"draft": "a. " * 33_000})
    data = r.json()
    return f"HTTP {r.status_code}, {len(data.get('sentences', []))} sentences" + (
        ", incomplete" if data.get("incomplete") else "")


async def four_drafts_at_once(http, base):
    """Four clients posting the longest draft together: one is checked at a time, the rest wait
    (or are told the checker is busy)."""
    text = ((ARTICLE + "\n\n") * 12)[:100_000]
    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        rs = await asyncio.gather(*(c.post("/-/check.json", json={"draft": text}) for _ in range(4)))
    return "statuses " + ", ".join(str(r.status_code) for r in rs)


async def chunked_upload(http, base):
    """A 200 MB chunked upload with no Content-Length (once: accepted, 1.3 GB of memory)."""
    async def body():
        for _ in range(2000):
            yield b"x" * 100_000
    try:
        r = await http.post("/-/check.json", content=body(), headers={"content-type": "text/plain"})
        return f"HTTP {r.status_code}"
    except httpx.HTTPError as exc:  # the server may close the connection mid-upload
        return f"connection closed by the server ({type(exc).__name__})"


async def aborted_uploads(http, base):
    """200 uploads that announce 2 MB, send 100 KB and hang up (once: the server froze ~80 s)."""
    host, port = base.split("//")[1].split(":")

    async def one():
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"POST /-/check.json HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: 900000\r\n\r\n" + b"x" * 100_000)
        await writer.drain()
        writer.close()

    for batch in range(10):
        await asyncio.gather(*(one() for _ in range(20)))
    return "200 sent and dropped"


async def other_methods(http, base):
    """PUT, DELETE, TRACE, PATCH on /-/check (once: 200 OK)."""
    out = []
    for method in ("PUT", "DELETE", "TRACE", "PATCH"):
        r = await http.request(method, "/-/check")
        out.append(f"{method} {r.status_code}")
    return ", ".join(out)


async def slow_body(http, base):
    """A body trickled in a byte every 2 s (holds a connection): cut off after the 30 s limit."""
    host, port = base.split("//")[1].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /-/check.json HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                 b"Content-Length: 1000\r\n\r\n")
    t0 = time.monotonic()
    status = "no answer within 40 s"
    while time.monotonic() - t0 < 40:
        writer.write(b"a")
        try:
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), 2)
        except asyncio.TimeoutError:
            continue
        except OSError:
            status = "connection closed"
            break
        if line:
            status = f"{line.decode().strip()} after {time.monotonic() - t0:.0f} s"
            break
    writer.close()
    return status


ATTACKS = {f.__name__: f for f in (missing_urls, printf_bomb, zeroblob_bomb, randomblob_bomb,
                                     megabyte_draft, longest_allowed_draft, full_stops_draft,
                                     four_drafts_at_once, chunked_upload, aborted_uploads,
                                     other_methods, slow_body)}


async def probe(base: str, stop: asyncio.Event, times: list[float]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=60) as c:
        while not stop.is_set():
            t0 = time.perf_counter()
            r = await c.get(PROBE)
            if r.status_code == 200:
                times.append(time.perf_counter() - t0)
            await asyncio.sleep(PROBE_EVERY)


async def run(base: str, pid: int, names: list[str]) -> None:
    print(f"{'attack':24} {'answer':58} {'s':>6} {'RSS MB':>7} {'peak MB':>8} {'worker':>7} "
          f"{'probe p50':>9} {'p95':>5} {'max':>6} {'under 200 ms':>12}")
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        for name in names:
            await http.get(PROBE)
            rss0, _ = memory_kb(pid)
            stop, times = asyncio.Event(), []
            watcher = asyncio.create_task(probe(base, stop, times))
            t0 = time.perf_counter()
            try:
                answer = await asyncio.wait_for(ATTACKS[name](http, base), 120)
            except Exception as exc:  # noqa: BLE001 - report it and go on to the next attack
                answer = f"{type(exc).__name__}: {exc}"[:58]
            spent = time.perf_counter() - t0
            await asyncio.sleep(0.5)  # the probe also sees the moments after
            stop.set()
            await watcher
            rss, hwm = memory_kb(pid)
            times = times or [float("nan")]
            p95 = sorted(times)[int(0.95 * (len(times) - 1))]
            ok = "yes" if p95 * 1000 < FAST_MS else "no"
            answer = " ".join(answer.split())
            print(f"{name:24} {answer[:58]:58} {spent:6.1f} {rss / 1024:7.0f} {hwm / 1024:8.0f} "
                  f"{worker_peak_kb(pid) / 1024:7.0f} "
                  f"{statistics.median(times) * 1000:9.0f} {p95 * 1000:5.0f} {max(times) * 1000:6.0f} "
                  f"{ok:>12}  (RSS before {rss0 / 1024:.0f} MB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=sorted(ATTACKS), help="run only these attacks")
    args = parser.parse_args()
    names = args.only or list(ATTACKS)
    with tempfile.TemporaryDirectory() as tmp, serving_process(REPO, Path(tmp) / "sciatica.db") as (url, proc):
        asyncio.run(run(url, proc.pid, names))
        print(f"probe: {PROBE} every {PROBE_EVERY * 1000:.0f} ms during each attack; 'under 200 ms' is its p95; "
              "RSS and peak: the server process; worker: the check worker's peak")


if __name__ == "__main__":
    main()
