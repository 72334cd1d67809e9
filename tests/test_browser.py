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
    assert all("contradicted" in t.lower() for t in rows.all_inner_texts())  # the verdict badge
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


_CONTRASTS = """() => {
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; })
      .reduce((acc, c, i) => acc + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {
    for (; el; el = el.parentElement) {
      const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const out = [];
  for (const el of document.querySelectorAll('a, .kb-badge, .kb-meta, .kb-status, .kb-flag, .kb-why, td, th, p, li, h1, h2')) {
    if (!el.offsetParent || !el.textContent.trim()) continue;
    const fg = lum(rgb(getComputedStyle(el).color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    out.push([ratio, el.tagName + '.' + el.className, el.textContent.trim().slice(0, 40)]);
  }
  return out;
}"""


@pytest.mark.parametrize("path", ["/sciatica/claims/bed-rest-no-better-than-staying-active",
                                  "/sciatica/claims/bed-rest-worsens-sciatica",
                                  "/sciatica/articles/physio-sciatica-blog", "/sciatica/refs/hagen2005bedrest",
                                  "/-/search?q=bed+rest", "/-/evidence-map/bed-rest", "/",
                                  "/sciatica/claims"])
def test_rendered_text_meets_wcag_aa(site, page, path):
    """Every visible link, badge and text block against the background it is drawn on (issue 16:
    the contradicted badge was 3.87:1)."""
    page.goto(site + path)
    low = [c for c in page.evaluate(_CONTRASTS) if c[0] < 4.5]
    assert low == [], low[:5]


def test_the_claim_page_on_a_phone_shows_every_evidence_column(site, browser):
    """At phone width the evidence table's Stance and Finding were in a sideways scroller."""
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(site + "/sciatica/claims/bed-rest-no-better-than-staying-active")
    for label in ("Stance", "Finding", "Design", "Directness"):
        cells = page.locator(f"table.kb-evidence td[data-label='{label}']")
        assert cells.count() >= 2, label
        for i in range(cells.count()):
            box = cells.nth(i).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 + 1, (label, box)
    assert page.locator("table.kb-evidence td[data-label='Stance']").first.inner_text() in {
        "supports", "contradicts", "mixed", "context"}
    page.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_claims_table_starts_on_the_first_screen(site, browser, width):
    """The data started ~2,000 px down (3,200 px on a phone), below column descriptions and facets."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(site + "/sciatica/claims?_search=bed+rest")
    top = page.evaluate("document.querySelector('table.rows-and-columns tbody tr').getBoundingClientRect().top")
    assert top < 900, top
    assert page.locator("details.kb-columns dl.column-descriptions").count() == 1  # folded, not lost
    hint = page.locator(".kb-ranked-hint a")
    assert hint.count() == 1 and "/-/search?q=bed%20rest" in hint.get_attribute("href")
    assert page.locator("table.rows-and-columns .kb-badge").count() > 0
    page.close()


def test_the_verdict_bar_is_drawn_to_scale(site, page):
    page.goto(site + "/")
    segments = page.evaluate("""() => [...document.querySelector('.kb-bar').children].map(
        s => [s.className.split(' ')[1], s.getBoundingClientRect().width, Number(s.style.flexGrow)])""")
    total_width = sum(w for _, w, _ in segments)
    total = sum(n for _, _, n in segments)
    assert len(segments) >= 5 and total_width > 300
    for verdict, width, n in segments:
        assert abs(width / total_width - n / total) < 0.01, (verdict, width, n)


def test_the_evidence_map_colours_each_cell_by_its_stance(site, page):
    page.goto(site + "/-/evidence-map/bed-rest")
    cells = page.evaluate("""() => [...document.querySelectorAll('td.cell[title]')].map(
        c => [c.classList[1], getComputedStyle(c).backgroundColor])""")
    assert cells
    colours = {}
    for stance, colour in cells:
        colours.setdefault(stance, set()).add(colour)
    assert all(len(c) == 1 for c in colours.values()) and len({c.pop() for c in colours.values()}) == len(colours)
