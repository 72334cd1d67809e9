"""User text is escaped on every page: claim text, quotes, BibTeX fields, the check form's input."""

import hashlib
import re

import pytest

from kb.build import build
from kb.site.settings import datasette_args
from tests.conftest import BIB, CLAIMS, article_yaml, site_for, write_kb

PAYLOAD = "<script>alert('xss')</script>"
ATTR = '" onmouseover="alert(1)" x="'
LONG = "sciatica " * 20_000  # 180,000 characters


@pytest.fixture
def ds(tmp_path):
    text = (f"Bed rest is one of the worst things you can do for sciatica.\n"
            f"A Cochrane review found bed rest no better than staying active (Hagen et al., 2005).\n"
            f"Disc bulges on MRI are common in people without pain. {PAYLOAD}{ATTR}\n")
    sha = hashlib.sha256(text.encode()).hexdigest()
    root = write_kb(
        tmp_path / "kb",
        **{"claims/claims.yaml": CLAIMS.replace(
            "statement: Bed rest makes sciatica worse.",
            f"statement: \"Bed rest makes sciatica worse {PAYLOAD} {ATTR.replace(chr(34), chr(92) + chr(34))}\"")
            .replace("reasoning: Bed rest does not help, but it was not shown to make sciatica worse.",
                     f"reasoning: \"{LONG.strip()}\""),
           "references.bib": BIB.replace("title = {The updated {C}ochrane review of bed rest",
                                         "title = {<script>alert('bib')</script> The updated review of bed rest"),
           "claims/articles/demo-article.txt": text,
           "claims/articles/demo-article.yaml": article_yaml(text, sha)
           .replace('quote: "Disc bulges on MRI are common in people without pain."',
                    'quote: "Disc bulges on MRI are common in people without pain. '
                    + PAYLOAD.replace('"', '\\"') + ATTR.replace('"', '\\"') + '"')
           .replace("end: 199", f"end: {len(text) - 1}")})
    db = root / "sciatica.db"
    build(root, db)
    return site_for(db)


@pytest.mark.parametrize("path", [
    "/sciatica/claims/bed-rest-worsens-sciatica", "/sciatica/claims", "/sciatica/claims?_search=bed",
    "/sciatica/articles/demo-article", "/sciatica/refs/hagen2005bedrest", "/sciatica/refs",
    "/-/search?q=bed", "/-/search?q=" + PAYLOAD, "/sciatica/appearances",
])
async def test_pages_escape_user_text(ds, path):
    response = await ds.client.get(path, follow_redirects=True)  # a table search is redirected to its ranked page
    assert response.status_code == 200
    html = response.text
    assert "alert('xss')</script>" not in html and "alert('bib')</script>" not in html
    assert 'onmouseover="alert(1)"' not in html
    assert "&lt;script&gt;" in html or "\\u003cscript" in html or path.endswith("/sciatica/refs") \
        or "%3Cscript" in html or "search?q=" in path


async def test_check_form_input_is_escaped(ds):
    form = await ds.client.get("/-/check")
    token = re.search(r'name="csrftoken" value="([^"]+)"', form.text).group(1)
    draft = f"Bed rest makes sciatica worse {PAYLOAD}{ATTR} (Smith, 2001)."
    response = await ds.client.post("/-/check", data={"csrftoken": token, "draft": draft},
                                    cookies={"ds_csrftoken": form.cookies["ds_csrftoken"]})
    assert response.status_code == 200
    assert "alert('xss')</script>" not in response.text
    assert 'onmouseover="alert(1)"' not in response.text and "&lt;script&gt;" in response.text


async def test_the_site_is_read_only(ds):
    for method, path in (("post", "/sciatica/claims"), ("post", "/sciatica/-/create"),
                         ("post", "/sciatica/claims/bed-rest-worsens-sciatica/-/delete")):
        response = await getattr(ds.client, method)(path, data={})
        assert response.status_code == 405, path
    assert ds.get_database("sciatica").is_mutable is False


def test_serve_bounds_queries_and_results():
    args = datasette_args("x.db", "127.0.0.1", 8001)
    settings = {args[i + 1]: args[i + 2] for i, a in enumerate(args) if a == "--setting"}
    assert settings["sql_time_limit_ms"] == "2000" and settings["max_returned_rows"] == "1000"
    assert "--immutable" in args


async def test_oversized_post_is_refused(ds):
    response = await ds.client.post("/-/check", content=b"x" * 3_000_000,
                                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


async def test_the_checker_answers_only_get_and_post(tmp_path):
    from kb.build import build
    from tests.conftest import site_for, write_kb

    root = write_kb(tmp_path / "kb")
    build(root, root / "sciatica.db")
    ds = site_for(root / "sciatica.db")
    for method in ("PUT", "DELETE", "PATCH"):
        response = await ds.client.request(method, "/-/check")
        assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD, POST"
    assert (await ds.client.get("/-/check")).status_code == 200


async def test_a_sql_value_cannot_grow_without_bound(tmp_path):
    """printf('%.*c', 999999999, 'x') ran 30 s past the time limit and took gigabytes: SQLite's
    length limit makes it an error at once."""
    from kb.build import build
    from tests.conftest import site_for, write_kb

    root = write_kb(tmp_path / "kb")
    build(root, root / "sciatica.db")
    ds = site_for(root / "sciatica.db")
    for sql in ("select printf('%.*c', 999999999, 'x') as x", "select zeroblob(1000000000) as x",
                "select length(randomblob(1000000000)) as x"):
        response = await ds.client.get("/sciatica.json", params={"sql": sql})
        # an error ("string or blob too big"), or printf's NULL: never the giant value
        assert len(response.content) < 10_000, sql
        assert ("too big" in response.text and response.status_code == 400) or \
            response.json()["rows"] == [[None]], response.text[:200]
    ok = await ds.client.get("/sciatica.json", params={"sql": "select printf('%.*c', 1000, 'x') as x"})
    assert ok.status_code == 200
