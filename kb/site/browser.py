"""Running the site for browser tests and screenshots: `kb serve` in the background and
Debian's chromium under Playwright (no browser download: executable_path is the system one)."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from .check_worker import die_with_parent

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags chromium tries to reach Google on a closed network.
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(root: Path, db_path: Path, timeout: float = 60.0):
    """Run `kb serve` for ``root`` on a free port; yield its base URL; stop it afterwards."""
    with serving_process(root, db_path, timeout) as (url, _):
        yield url


@contextlib.contextmanager
def serving_process(root: Path, db_path: Path, timeout: float = 60.0):
    """As ``serving``, yielding (base URL, the server's process): `kb serve` execs Datasette,
    so the process is the server itself (its memory can be read from /proc)."""
    port = free_port()
    # Output goes to a file, not a pipe: an undrained pipe fills up with the access log and
    # then blocks the server mid-request.
    log = tempfile.TemporaryFile(mode="w+")
    # The server stops with whatever started it, even if that is killed (a test run, a benchmark).
    proc = subprocess.Popen(
        [sys.executable, "-m", "kb.cli", "serve", "--root", str(root), "--db", str(db_path),
         "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, text=True,
        preexec_fn=lambda: die_with_parent(signal.SIGTERM))
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(url + "/-/versions.json", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"kb serve did not start on {url}: {log.read()[-2000:]}")
                time.sleep(0.3)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
