"""The site in a real browser: Playwright driving Debian's chromium against `kb serve`."""

import os
from pathlib import Path

import pytest

from kb.site.browser import CHROMIUM, launch, serving
from tests.conftest import CLAIMS, REPO, write_kb

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run must apt-get install chromium")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)",
                allow_module_level=True)
playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serving(REPO, tmp_path_factory.mktemp("site") / "sciatica.db") as url:
        yield url


@pytest.fixture
def page(browser):
    page = browser.new_page()
    yield page
    page.close()


def test_editor_journey(site, page):
    # Search, narrow by a verdict facet, open a claim and see its evidence.
    page.goto(site + "/sciatica/claims?_search=bed+rest")
    assert page.locator("table.rows-and-columns tbody tr").count() >= 3
    page.click(".facet-info[data-column=verdict] a:has-text('contradicted')")
    page.wait_for_url("**verdict=contradicted**")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() >= 1
    assert all("contradicted" in t for t in rows.all_inner_texts())
    page.goto(site + "/sciatica/claims/bed-rest-worsens-sciatica")
    assert page.locator("h1").inner_text() == "Bed rest (prolonged rest or inactivity) makes sciatica worse."
    assert page.locator(".kb-badge.contradicted").first.is_visible()
    evidence = page.locator("table.kb-evidence tbody tr")
    assert evidence.count() >= 2
    assert "contradicts" in evidence.first.inner_text()
    # Follow a reference to its page.
    evidence.first.locator("a").first.click()
    page.wait_for_url("**/sciatica/refs/**")
    assert "BibTeX" in page.content() and page.locator("pre.kb-bibtex").inner_text().startswith("@")
    assert page.locator("text=Claims it bears on").is_visible()


def test_search_box_ranks_across_claims_quotes_and_studies(site, page):
    page.goto(site + "/")
    page.fill("input[name=q]", "bed rest")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/-/search?q=bed+rest")
    kinds = page.locator("ol.kb-results li strong").all_inner_texts()
    assert {"claim", "quote", "study"} <= set(kinds)


def test_article_page_marks_its_claims(site, page):
    page.goto(site + "/sciatica/articles/physio-sciatica-blog")
    assert page.locator("text=Scorecard").is_visible()
    marks = page.locator(".kb-article-text mark a")
    assert marks.count() >= 40
    marks.first.click()
    page.wait_for_url("**/sciatica/claims/**")


def test_check_form(site, page):
    page.goto(site + "/-/check")
    page.fill("textarea[name=draft]",
              "Staying in bed for a week makes sciatica worse (Smith and Jones, 2019).")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".kb-sentence.flagged").count() == 1
    assert "citation-unresolved" in page.locator(".kb-sentence").inner_text()
    page.locator(".kb-sentence a[href*='/sciatica/claims/']").first.click()
    page.wait_for_url("**/sciatica/claims/**")


def test_claim_page_embeds_claim_review(site, page):
    import json
    page.goto(site + "/sciatica/claims/bed-rest-no-better-than-staying-active")
    data = json.loads(page.locator("script[type='application/ld+json']").inner_text())
    assert data["@type"] == "ClaimReview"
    assert data["reviewRating"]["ratingValue"] == 5 and data["reviewRating"]["alternateName"] == "Supported"
    assert data["claimReviewed"] == "For sciatica, bed rest is no more effective than staying active."


def test_html_in_claims_renders_inert(tmp_path, browser):
    evil = '<script>window.__kb_xss = 1</script><img src=x onerror="window.__kb_xss = 2"> works'
    root = write_kb(tmp_path / "kb", **{"claims/claims.yaml": CLAIMS.replace(
        "statement: Bed rest makes sciatica worse.", f"statement: '{evil}'").replace(
        "reasoning: Bed rest does not help, but it was not shown to make sciatica worse.",
        "reasoning: '</script><script>window.__kb_xss = 3</script>'")})
    with serving(root, root / "sciatica.db") as url:
        page = browser.new_page()
        for path in ("/sciatica/claims/bed-rest-worsens-sciatica", "/sciatica/claims",
                     "/sciatica/articles/demo-article", "/-/search?q=works"):
            page.goto(url + path)
            assert page.evaluate("window.__kb_xss") is None, path
        page.goto(url + "/sciatica/claims/bed-rest-worsens-sciatica")
        assert page.locator("h1").inner_text() == evil
        page.close()


def test_a_comment_opener_in_a_claim_does_not_blank_its_page(tmp_path, browser):
    """Issue 15 item 8: `<!--<script>` in a statement once made the browser read the rest of
    the page as script data (JSON-LD escaped only `</`); now `<`, `>` and `&` are escaped."""
    import json

    evil = "Bed rest <!--<script> & more makes sciatica worse."
    root = write_kb(tmp_path / "kb", **{"claims/claims.yaml": CLAIMS.replace(
        "statement: Bed rest makes sciatica worse.", f"statement: '{evil}'")})
    with serving(root, root / "sciatica.db") as url:
        page = browser.new_page()
        page.goto(url + "/sciatica/claims/bed-rest-worsens-sciatica")
        assert page.locator("h1").inner_text() == evil
        assert page.locator("h2", has_text="Where it appears").count() == 1  # the rest of the page is there
        data = json.loads(page.locator("script[type='application/ld+json']").inner_text())
        assert data["claimReviewed"] == evil
        page.close()
