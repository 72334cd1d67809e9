"""schema.org ClaimReview for a claim, built from its row and the articles it appears in.

The site embeds it in each claim page and `kb export claimreview` writes it; both call
``claim_review`` on the same data. The verdict-to-rating scale is ``vocab.VERDICT_RATING``.
"""

from __future__ import annotations

import json
import re
import sqlite3

from .db import rows
from .provenance import safe_url
from .vocab import VERDICT_RATING

SITE_NAME = "Sciatica evidence and citation knowledge base"

_APPEARANCES = """
    select ap.claim_id, ap.article_id, ar.title as article_title, ar.publisher,
           ar.url as article_url
    from appearances ap join articles ar on ar.id = ap.article_id
    {where} order by ap.claim_id, ap.article_id, ap.start"""


def claim_review(claim: dict, appearances: list[dict], base_url: str = "") -> dict:
    """ClaimReview for ``claim`` (a claims row); ``appearances`` give the articles, in order."""
    rating_value, label = VERDICT_RATING.get(claim["verdict"], (None, claim["verdict"]))
    rating = {"@type": "Rating", "alternateName": label, "bestRating": 5, "worstRating": 1}
    if rating_value is not None:
        rating["ratingValue"] = rating_value
    seen, works = set(), []
    for ap in appearances:
        if ap["article_id"] in seen:
            continue
        seen.add(ap["article_id"])
        work = {"@type": "CreativeWork", "name": ap["article_title"],
                "publisher": {"@type": "Organization", "name": ap["publisher"]}}
        if safe_url(ap.get("article_url")):
            work["url"] = ap["article_url"]
        works.append(work)
    data = {
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": f"{base_url}/sciatica/claims/{claim['id']}",
        "claimReviewed": claim["statement"],
        "itemReviewed": {"@type": "Claim", "appearance": works,
                         **({"firstAppearance": works[0]} if works else {})},
        "reviewRating": rating,
        "author": {"@type": "Organization", "name": SITE_NAME},
        "reviewBody": claim["reasoning"],
    }
    if claim.get("reviewed"):
        data["datePublished"] = claim["reviewed"]
    return data


def claim_reviews(conn: sqlite3.Connection, claim_id: str | None = None,
                  base_url: str = "") -> list[dict]:
    """ClaimReview for one claim (KeyError if there is none) or for every claim, in id order."""
    where, params = ("where id = ?", (claim_id,)) if claim_id else ("", ())
    claims = rows(conn, f"select * from claims {where} order by id", params)
    if claim_id and not claims:
        raise KeyError(claim_id)
    by_claim: dict[str, list[dict]] = {}
    for ap in rows(conn, _APPEARANCES.format(where="where ap.claim_id = ?" if claim_id else ""), params):
        by_claim.setdefault(ap["claim_id"], []).append(ap)
    return [claim_review(c, by_claim.get(c["id"], []), base_url) for c in claims]


def claimreview_problems(data: dict) -> list[str]:
    """What a ClaimReview lacks of the fields Google documents for fact-check markup
    (developers.google.com/search/docs/appearance/structured-data/factcheck): required
    claimReviewed, reviewRating.alternateName and an absolute url; recommended author.name,
    itemReviewed as a Claim, a rating within its scale and an ISO datePublished."""
    problems = []
    if data.get("@context") != "https://schema.org" or data.get("@type") != "ClaimReview":
        problems.append("not a schema.org ClaimReview")
    if not str(data.get("claimReviewed") or "").strip():
        problems.append("claimReviewed is empty")
    if not safe_url(data.get("url")):
        problems.append(f"url {data.get('url')!r} is not an absolute http(s) URL")
    rating = data.get("reviewRating") or {}
    if not str(rating.get("alternateName") or "").strip():
        problems.append("reviewRating.alternateName is missing")
    value, best, worst = rating.get("ratingValue"), rating.get("bestRating"), rating.get("worstRating")
    if value is not None and not (isinstance(best, int) and isinstance(worst, int) and worst <= value <= best):
        problems.append(f"reviewRating.ratingValue {value!r} is outside worstRating..bestRating")
    if not ((data.get("author") or {}).get("name")):
        problems.append("author.name is missing")
    item = data.get("itemReviewed") or {}
    if item.get("@type") != "Claim":
        problems.append("itemReviewed is not a Claim")
    for work in item.get("appearance") or []:
        if "url" in work and not safe_url(work["url"]):
            problems.append(f"appearance url {work['url']!r} is not an absolute http(s) URL")
    published = data.get("datePublished")
    if published is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(published)):
        problems.append(f"datePublished {published!r} is not an ISO date")
    return problems


def script_json(data: dict) -> str:
    """JSON safe inside a <script> element: "<", ">" and "&" written as \\u escapes, so that
    no "</script>" or "<!--" in a statement can end or blank the element (JSON reads the same)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
