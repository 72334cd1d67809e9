#!/usr/bin/env python3
"""Save screenshots of the site's key pages for review (desktop and phone widths).

    .venv/bin/python scripts/screenshots.py [--out build/screenshots]

Builds the knowledge base into a temporary folder, runs `kb serve`, and drives Debian's
chromium with Playwright (apt-get install chromium).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from playwright.sync_api import sync_playwright  # noqa: E402

from kb.site.browser import launch, serving  # noqa: E402

PAGES = {
    "home": "/",
    "claims-faceted": "/sciatica/claims?verdict=overstated",
    "claim": "/sciatica/claims/bed-rest-worsens-sciatica",
    "article": "/sciatica/articles/physio-sciatica-blog",
    "reference": "/sciatica/refs/dahm2010bedrest",
    "search": "/-/search?q=bed+rest",
    "check": "/-/check",
}
DRAFT = ("Staying in bed for a week makes sciatica worse (Hagen et al., 2005). "
         "Research shows 80% of people need surgery. A scan is rarely needed at first.")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=REPO / "build" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, serving(REPO, Path(tmp) / "sciatica.db") as url, \
            sync_playwright() as p:
        browser = launch(p)
        for width, suffix in ((1280, ""), (390, "-phone")):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in PAGES.items():
                page.goto(url + path)
                page.screenshot(path=str(args.out / f"{name}{suffix}.png"), full_page=True)
            page.goto(url + "/-/check")
            page.fill("textarea[name=draft]", DRAFT)
            page.click("input[type=submit]")
            page.wait_for_load_state()
            page.screenshot(path=str(args.out / f"check-report{suffix}.png"), full_page=True)
            page.close()
        browser.close()
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
