"""Builds that are killed, fail or run at the same time never damage the served database."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from kb.site.browser import serving
from kb.build import build


def _build_process(root, db, *options):
    return subprocess.Popen([sys.executable, "-m", "kb.cli", "build", "--root", str(root),
                             "--db", str(db), *(options or ["--full"])],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _claims(db) -> int:
    return sqlite3.connect(db).execute("select count(*) from claims").fetchone()[0]


@pytest.fixture
def slow_to_build(tmp_path):
    """A generated knowledge base of 4,000 claims: its build writes for a few seconds, so the kill
    lands while it writes (the repository's own builds in about a second, which a loaded machine
    can miss)."""
    from kb.generate import generate
    root = tmp_path / "kb"
    generate(root, 4000)
    return root


@pytest.mark.parametrize("mode", ["--full", "--incremental"])
def test_killed_build_leaves_the_database_intact_and_served(slow_to_build, mode):
    repo_copy = slow_to_build
    db = repo_copy / "sciatica.db"
    build(repo_copy, db)
    before = db.read_bytes()
    with serving(repo_copy, db) as url:
        if mode == "--incremental":  # an edit the next build updates the database from
            claims = sorted((repo_copy / "claims").glob("claims-*.yaml"))[0]
            claims.write_text(claims.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        proc = _build_process(repo_copy, db, *([mode] if mode == "--full" else ["--timings"]))
        deadline = time.monotonic() + 60
        while not list(repo_copy.glob(".sciatica.db.*.tmp")):  # wait until it is writing
            assert proc.poll() is None and time.monotonic() < deadline, "build ended too soon"
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert db.read_bytes() == before
        with urllib.request.urlopen(url + "/sciatica/claims.json?_size=1") as r:
            assert json.load(r)["filtered_table_rows_count"] == _claims(db) == 4000
    assert list(repo_copy.glob(".sciatica.db.*.tmp"))  # the killed build's file is still there...
    build(repo_copy, db)
    assert not list(repo_copy.glob(".sciatica.db.*.tmp"))  # ...until the next build removes it
    assert sqlite3.connect(db).execute("pragma integrity_check").fetchone()[0] == "ok"


def test_the_temporary_file_exists_from_before_the_write_until_the_rename(tmp_path):
    """A build killed at any moment leaves its temporary file for the next build to remove: the
    file never disappears between its creation and the rename (a killed-build CI run once saw it
    come and go)."""
    from kb.build import atomic

    db = tmp_path / "sciatica.db"
    seen = []

    def write(tmp):
        seen.append(tmp.exists())
        sqlite3.connect(tmp).execute("create table t (x)").connection.commit()
        return "done"

    assert atomic._replace(db, write) == "done"
    assert seen == [True] and sqlite3.connect(db).execute("select count(*) from t").fetchone()[0] == 0
    assert not list(tmp_path.glob(".sciatica.db.*.tmp"))


def test_failed_validation_keeps_the_served_database(repo_copy):
    db = repo_copy / "sciatica.db"
    build(repo_copy, db)
    before = db.read_bytes()
    claims = repo_copy / "claims" / "claims.yaml"
    claims.write_text(claims.read_text().replace("verdict: supported", "verdict: true", 1))
    result = subprocess.run([sys.executable, "-m", "kb.cli", "build", "--root", str(repo_copy),
                             "--db", str(db)], capture_output=True, text=True)
    assert result.returncode == 1 and "field 'verdict' must be text, not bool" in result.stderr
    assert db.read_bytes() == before


def test_concurrent_builds_do_not_corrupt_the_database(repo_copy):
    db = repo_copy / "sciatica.db"
    procs = [_build_process(repo_copy, db) for _ in range(3)]
    outputs = [p.communicate(timeout=300)[0].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert conn.execute("select count(*) from claims").fetchone()[0] > 50
    assert not list(repo_copy.glob(".sciatica.db.*.tmp"))
    assert os.path.getsize(db) > 100_000


def test_stopping_kb_serve_stops_the_server(repo_copy):
    """SIGTERM to `kb serve` (as a test fixture, a script or systemd sends it) must not leave
    Datasette running on the port."""
    db = repo_copy / "sciatica.db"
    build(repo_copy, db)
    with serving(repo_copy, db) as url:
        urllib.request.urlopen(url + "/-/versions.json", timeout=5).read()
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=1).read()
        except OSError:
            break  # nothing answers: the server stopped with kb serve
        assert time.monotonic() < deadline, f"a server still answers on {url} after kb serve stopped"
        time.sleep(0.2)


def test_a_served_site_stops_when_what_started_it_is_killed(repo_copy):
    """`serving` (tests, benchmarks, screenshots) starts `kb serve`; if the process that started
    it is killed outright, the server goes too rather than hold its port."""
    db = repo_copy / "sciatica.db"
    build(repo_copy, db)
    script = ("import sys, time; from pathlib import Path; from kb.site.browser import serving\n"
              f"with serving(Path({str(repo_copy)!r}), Path({str(db)!r})) as url:\n"
              "    print(url, flush=True); time.sleep(600)\n")
    starter = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    url = starter.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:")
    urllib.request.urlopen(url + "/-/versions.json", timeout=5).read()
    starter.kill()
    starter.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/-/versions.json", timeout=1).read()
        except OSError:
            return  # refused: the server is gone
        time.sleep(0.2)
    raise AssertionError(f"the server at {url} outlived the process that started it")
