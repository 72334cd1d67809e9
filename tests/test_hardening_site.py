"""One anonymous client cannot hurt the others (issue 15): cheap error pages, bodies counted as
they arrive, a bounded check, safe links. Each test failed before its fix."""

import asyncio
import json
import sqlite3

import pytest

from kb.build import build
from kb.check import Checker
from kb.check import draft as draft_module
from kb.check.draft import split_sentences
from kb.provenance import safe_url
from tests.conftest import BIB, REPO, site_for, write_kb


@pytest.fixture
def ds(mini_kb):
    db_path = mini_kb / "sciatica.db"
    build(mini_kb, db_path)
    return site_for(db_path)


def _served(name: str):
    """The plugin module as Datasette loaded it from the plugins folder (not kb.site.plugins.<name>,
    a second copy that settings changed in a test would not reach)."""
    from datasette.plugins import pm

    (module,) = [p for p in pm.get_plugins() if getattr(p, "__file__", "").endswith(f"plugins/{name}.py")]
    return module


@pytest.fixture
def check_page(ds):
    return _served("check_page")


@pytest.fixture
def read_only_guard(ds):
    return _served("read_only_guard")


# --- item 1: error pages -----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/.env", "/a/b/c", "/wp-login.php", "/sciatica/nope/x/y", "/-/nope"])
async def test_unrouted_paths_are_plain_404s_without_a_traceback(ds, path, capfd):
    # Before: Datasette's handler asked rich for a traceback outside an except block, rich
    # raised, and the answer was a 500 (in-process: the exception escaped).
    response = await ds.client.get(path)
    assert response.status_code == 404
    err = capfd.readouterr().err
    assert "Traceback" not in err and "locals" not in err


async def test_a_server_error_is_logged_in_one_line_and_its_text_is_not_shown(ds, capfd):
    from datasette.utils.asgi import Request

    from kb.site.plugins.error_pages import SERVER_ERROR, handle_exception

    try:
        raise RuntimeError("secret /home/kb/path and select * from claims")
    except RuntimeError as exc:
        error = exc
    request = Request.fake("/sciatica/claims")
    response = await handle_exception(ds, request, error)()
    assert response.status == 500
    assert "secret" not in response.body and SERVER_ERROR in response.body
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "RuntimeError" in err[0] and "/sciatica/claims" in err[0]


def test_the_default_rich_traceback_handler_is_not_registered(ds):
    from datasette.plugins import pm

    assert not pm.has_plugin("datasette.handle_exception")
    hooks = [impl.plugin_name for impl in pm.hook.handle_exception.get_hookimpls()]
    assert len(hooks) == 1 and hooks[0].endswith("error_pages.py")


# --- item 4: the body is counted as it arrives -------------------------------------------------

async def _asgi(ds, method: str, path: str, chunks, headers=(), delay: float = 0.0):
    """Send a request straight to the ASGI app; returns (status, body, how many chunks were read)."""
    sent = {"n": 0}
    chunks = list(chunks)

    async def receive():
        if delay:
            await asyncio.sleep(delay)
        if sent["n"] < len(chunks):
            sent["n"] += 1
            return {"type": "http.request", "body": chunks[sent["n"] - 1],
                    "more_body": sent["n"] < len(chunks)}
        await asyncio.sleep(3600)  # no more body: a real server would wait for the client

    out = {"status": None, "body": b""}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"] = message["status"]
        elif message["type"] == "http.response.body":
            out["body"] += message.get("body", b"")

    scope = {"type": "http", "http_version": "1.1", "method": method, "path": path, "raw_path": path.encode(),
             "query_string": b"", "headers": [(b"host", b"localhost"), *headers], "scheme": "http",
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "root_path": ""}
    await asyncio.wait_for(ds.app()(scope, receive, send), 30)
    return out["status"], out["body"], sent["n"]


async def test_a_chunked_upload_is_refused_once_it_passes_the_limit(ds, read_only_guard):
    # No Content-Length (chunked): before, the whole body was read and the check page echoed it.
    chunk = b"x" * 100_000
    n = 1000  # 100 MB offered
    status, body, read = await _asgi(ds, "POST", "/-/check.json", [chunk] * n,
                                     [(b"content-type", b"text/plain")])
    assert status == 413
    assert read <= read_only_guard.MAX_BODY_BYTES // len(chunk) + 1  # stopped reading at the limit


async def test_a_body_that_trickles_in_is_refused(ds, read_only_guard, monkeypatch):
    monkeypatch.setattr(read_only_guard, "BODY_SECONDS", 0.3)
    status, _, _ = await _asgi(ds, "POST", "/-/check.json", [b"a"] * 100,
                               [(b"content-type", b"text/plain")], delay=0.05)
    assert status == 408


async def test_a_body_under_the_limit_still_reaches_the_checker(ds):
    text = "Bed rest is no better than staying active for sciatica.".encode()
    status, body, _ = await _asgi(ds, "POST", "/-/check.json", [text[:20], text[20:]],
                                  [(b"content-type", b"text/plain")])
    assert status == 200 and json.loads(body)["summary"]["sentences"] == 1


# --- item 3: one check is bounded --------------------------------------------------------------

async def test_the_site_refuses_a_draft_longer_than_its_limit_and_says_why(ds, check_page):
    draft = "Bed rest helps. " * (check_page.MAX_DRAFT_CHARS // 16 + 1)
    response = await ds.client.post("/-/check.json", json={"draft": draft})
    assert response.status_code == 400
    error = response.json()["error"]
    assert "too long to check here" in error and f"{check_page.MAX_DRAFT_CHARS:,}" in error and "words" in error


async def test_a_check_waits_its_turn_then_is_told_the_checker_is_busy(ds, check_page, monkeypatch):
    monkeypatch.setattr(check_page, "WAIT_S", 0.2)
    loop = asyncio.get_running_loop()
    slot = check_page._slots.setdefault(loop, [asyncio.Semaphore(check_page.CHECKS_AT_ONCE), 0])
    for _ in range(check_page.CHECKS_AT_ONCE):
        await slot[0].acquire()  # every slot taken by checks still running
    try:
        response = await ds.client.post("/-/check.json", json={"draft": "Bed rest helps sciatica."})
        assert response.status_code == 503 and response.headers["retry-after"]
        assert "busy" in response.json()["error"]
    finally:
        for _ in range(check_page.CHECKS_AT_ONCE):
            slot[0].release()
    response = await ds.client.post("/-/check.json", json={"draft": "Bed rest helps sciatica."})
    assert response.status_code == 200


def test_a_check_with_a_spent_time_budget_says_what_it_did_not_reach(repo_db):
    conn = sqlite3.connect(repo_db)
    text = "Bed rest helps sciatica. Most sciatica gets better within weeks. An MRI is always needed."
    full = Checker(conn).check(text)
    assert full["incomplete"] is None and len(full["sentences"]) == 3
    cut = Checker(conn).check(text, budget_s=0.0)
    assert cut["incomplete"]["sentences"] == 3 and cut["incomplete"]["checked"] < 3
    assert len(cut["sentences"]) == cut["incomplete"]["checked"]
    assert "not checked" in cut["incomplete"]["reason"]


async def test_an_incomplete_check_is_never_shown_as_passing(ds, check_page, monkeypatch):
    monkeypatch.setattr(check_page, "CHECK_BUDGET_S", 0.0)
    response = await ds.client.post("/-/check", data={"draft": "Bed rest helps sciatica. It is rare."})
    html = response.text
    assert "Not fully checked" in html and "Nothing fails the check" not in html


def test_the_sentence_splitter_never_gives_pysbd_a_long_block(monkeypatch):
    # pysbd's time grows with the square of a block dense with full stops ("a. a. a. ...": 90 KB
    # took 160 s); it is given bounded pieces.
    import pysbd

    seen = []
    real = pysbd.Segmenter.segment

    def segment(self, text):
        seen.append(len(text))
        return real(self, text)

    monkeypatch.setattr(pysbd.Segmenter, "segment", segment)
    monkeypatch.setattr(draft_module._local, "segmenter", None, raising=False)
    for text in ["a. " * 5000, "1.2.3. " * 2000, "word " * 5000, "Smith et al. (2020) " * 1000]:
        seen.clear()
        sentences = split_sentences(text)
        assert sentences and max(seen) <= draft_module.SEGMENT_CHARS
        # nothing lost: the sentences cover every word
        assert " ".join(s.text for s in sentences).split() == text.split()


@pytest.mark.parametrize("seam", ["said Dr. Smith today", "e.g. Ibuprofen helps", "the U.S. Food agency",
                                  "are: 1. Direct damage", "this. 1. Understanding it",
                                  "drugs. (1, 2) Doctors", "(walking, climbing stairs.) Pain"])
def test_a_piece_is_never_cut_where_pysbd_would_not_end_a_sentence(monkeypatch, seam):
    """Wherever the 600-character piece boundary falls near an abbreviation, a list number, a
    footnote or a bracket, the sentences are pysbd's on the whole paragraph."""
    for pad in range(0, 90, 3):
        text = ("This is a sentence about back pain and the sciatic nerve. " * 9 + "x" * pad
                + f" then {seam} at the clinic and it was fine. More text follows here. " * 3)
        bounded = [(s.start, s.end) for s in split_sentences(text)]
        with monkeypatch.context() as m:
            m.setattr(draft_module, "SEGMENT_CHARS", 10**9)
            whole = [(s.start, s.end) for s in split_sentences(text)]
        assert bounded == whole, (seam, pad)


def test_bounded_pieces_split_real_articles_as_pysbd_does_whole(monkeypatch):
    """The pieces change nothing on real text: every labelled real article and every source
    article splits the same with and without them."""
    import yaml

    texts = [yaml.safe_load(p.read_text(encoding="utf-8"))["text"]
             for p in sorted((REPO / "tests/data/real_articles").glob("*.yaml")) if p.name != "split.yaml"]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "claims/articles").glob("*.txt"))]
    assert len(texts) > 50
    bounded = [[(s.start, s.end) for s in split_sentences(t)] for t in texts]
    monkeypatch.setattr(draft_module, "SEGMENT_CHARS", 10**9)
    whole = [[(s.start, s.end) for s in split_sentences(t)] for t in texts]
    assert bounded == whole


# --- item 7: one allow-list of URL schemes -----------------------------------------------------

@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
                                 "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>",
                                 "vbscript:x", "//evil.example/x", "https:///nohost", "file:///etc/passwd",
                                 "https://ok.example/\nx", ""])
def test_unsafe_urls_are_refused(url):
    assert safe_url(url) is None


@pytest.mark.parametrize("url", ["https://pubmed.ncbi.nlm.nih.gov/123/", "http://example.org/a?b=c#d",
                                 "HTTPS://doi.org/10.1000/x"])
def test_web_urls_pass(url):
    assert safe_url(url) == url


async def test_a_javascript_url_in_the_database_is_shown_but_never_linked(tmp_path):
    # Validation refuses such a url now (below); the pages must not trust the database either.
    root = write_kb(tmp_path / "kb")
    build(root, root / "sciatica.db")
    conn = sqlite3.connect(root / "sciatica.db")
    bad = "javascript:alert(document.cookie)"
    conn.execute("update refs set url = ?, verified_url = ? where key = 'hagen2005bedrest'", (bad, bad))
    conn.execute("update articles set url = ?", (bad,))
    conn.commit()
    conn.close()
    ds = site_for(root / "sciatica.db")
    article = (await ds.client.get("/sciatica/articles/demo-article")).text
    assert bad in article and 'href="javascript:' not in article.lower()
    html = (await ds.client.get("/sciatica/refs/hagen2005bedrest")).text
    assert "javascript:alert" in html  # shown, as text
    assert 'href="javascript:' not in html.replace(" ", "").lower()
    claim = (await ds.client.get("/sciatica/claims")).text  # the claims table renders too
    assert 'href="javascript:' not in claim.lower()


def test_every_url_the_knowledge_base_holds_passes_the_allow_list(repo_db):
    """The allow-list is not so strict that the real data loses its links."""
    conn = sqlite3.connect(repo_db)
    urls = [u for (u,) in conn.execute(
        "select url from articles where url != 'unknown' union all "
        "select verified_url from refs where verified_url is not null")]
    assert urls and [u for u in urls if safe_url(u) is None] == []


# --- item 6: what an article page renders is bounded -------------------------------------------

def test_an_article_text_over_the_limit_is_a_problem_naming_its_file(tmp_path):
    import hashlib

    from kb.sources import load_project
    from kb.sources.reader import MAX_ARTICLE_CHARS
    from tests.conftest import ARTICLE_TEXT, article_yaml

    # A 50 MB article once rendered whole (~950 MB for one request); under the site's SQLite
    # length limit it would now break the articles table instead.
    text = ARTICLE_TEXT + "Filler that is not part of any article. " * (MAX_ARTICLE_CHARS // 40)
    sha = hashlib.sha256(text.encode()).hexdigest()
    root = write_kb(tmp_path / "kb", **{"claims/articles/demo-article.txt": text,
                                        "claims/articles/demo-article.yaml": article_yaml(text, sha)})
    problems = [str(p) for p in load_project(root).problems]
    assert any(p.startswith("claims/articles/demo-article.txt:1:") and f"{MAX_ARTICLE_CHARS:,}" in p
               for p in problems), problems


def test_validation_names_a_url_the_site_would_not_link(tmp_path):
    from kb.sources import load_project

    bib = BIB.replace("@article{hagen2005bedrest,", "@article{hagen2005bedrest,\n  url = {javascript:alert(1)},")
    problems = [str(p) for p in load_project(write_kb(tmp_path / "kb", **{"references.bib": bib})).problems]
    assert any("hagen2005bedrest: url 'javascript:alert(1)' is not a web address" in p for p in problems), problems


# --- item 2: one SQL function call is bounded --------------------------------------------------

async def test_printf_is_null_at_once_for_a_repeat_count_over_the_value_limit(ds, monkeypatch):
    # printf('%.*c', 999999999, 'x') looped for ~6 s after the length limit before returning
    # NULL, holding one of Datasette's three database threads. Now SQLite's printf is not even
    # called for it.
    from kb.site.plugins import sqlite_tuning

    class Untouchable:
        def execute(self, *args):
            raise AssertionError("SQLite's printf was called")

    monkeypatch.setattr(sqlite_tuning._plain, "conn", Untouchable(), raising=False)
    for args in (("%.*c", 999999999, "x"), ("%!.*c", 999999999, "x"), ("%.999999999c", "x"),
                 ("%*d", -999999999, 1), ("%s %.*c", "a", 10**12, "x")):
        assert sqlite_tuning.bounded_printf(*args) is None, args
    for sql in ("select printf('%.*c', 999999999, 'x') as x", "select format('%!.*c', 999999999, 'x') as x"):
        response = await ds.client.get("/sciatica.json", params={"sql": sql})
        assert response.status_code == 200 and response.json()["rows"] == [[None]], sql
    ok = await ds.client.get("/sciatica.json", params={"sql": "select printf('%.*c', 1000, 'x') as x"})
    assert ok.status_code == 200 and ok.json()["rows"] == [["x" * 1000]]


@pytest.mark.parametrize("args", [("%d items", 3), ("%5.2f|%-6s|%%|%c", 3.14159, "ab", "xyz"), ("%q", "it's"),
                                  ("%Q", None), ("%w", 'a"b'), ("%,d", 1234567), ("%x %o %e %g", 255, 8, 1.5, 2.5),
                                  ("%s", None), ("no conversions",), ("%", ), ("%z", 1), ("%.*s", 2, "abcdef"),
                                  (42,), (None,), ("%s %s", "only one")])
def test_bounded_printf_is_sqlites_printf(args):
    from kb.site.plugins.sqlite_tuning import bounded_printf

    marks = ", ".join("?" for _ in args)
    expected = sqlite3.connect(":memory:").execute(f"select printf({marks})", args).fetchone()[0]
    assert bounded_printf(*args) == expected


# --- item 3: the check runs in a worker process that dies with the server ----------------------

def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = open(f"/proc/{pid}/status").read() if os.path.exists(f"/proc/{pid}/status") else ""
    return "State:\tZ" not in status


async def test_the_site_checks_in_a_worker_process_and_replaces_a_dead_one(ds):
    import os
    import signal

    from kb.site import check_worker

    response = await ds.client.post("/-/check.json", json={"draft": "Bed rest helps sciatica."})
    assert response.status_code == 200
    (pid,) = check_worker.worker_pids()
    assert pid != os.getpid()
    os.kill(pid, signal.SIGKILL)  # a worker that dies costs that one request ...
    for _ in range(100):
        if not _alive(pid):
            break
        await asyncio.sleep(0.05)
    response = await ds.client.post("/-/check.json", json={"draft": "Bed rest helps sciatica."})
    if response.status_code != 200:  # the pool noticed the death on this request
        assert response.status_code == 400 and "did not finish" in response.json()["error"]
        response = await ds.client.post("/-/check.json", json={"draft": "Bed rest helps sciatica."})
    assert response.status_code == 200  # ... and the next one gets a new worker
    assert check_worker.worker_pids() and check_worker.worker_pids() != [pid]


def test_the_check_worker_dies_with_its_parent(repo_db, tmp_path):
    import subprocess
    import sys
    import time

    script = (
        "import asyncio, sys, time\n"
        "from kb.site import check_worker\n"
        f"asyncio.run(check_worker.check({str(repo_db)!r}, 'Bed rest helps sciatica.', 5))\n"
        "print(check_worker.worker_pids()[0], flush=True)\n"
        "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())
        assert _alive(worker)
    finally:
        parent.kill()  # SIGKILL: no atexit, no pool shutdown
        parent.wait()
    deadline = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker)
