"""Coverage report: what the knowledge base holds for each article."""

from __future__ import annotations

from collections import Counter

from .. import vocab
from ..provenance import source_kind
from .reader import Project


def coverage(project: Project) -> dict:
    """Per article: appearances, distinct quoted passages, claims by verdict, citations by status;
    and references by verification status and design."""
    claims = {c.id: c for c in project.claims}
    articles = []
    for article in sorted(project.articles, key=lambda a: a.id):
        claim_ids = {ap.claim for ap in article.appearances}
        articles.append({
            "article": article.id,
            "title": article.title,
            "commercial_interests": [ci.kind for ci in article.commercial_interests],
            "appearances": len(article.appearances),
            "passages": len({(ap.start, ap.end) for ap in article.appearances}),
            "claims": len(claim_ids),
            "claims_by_verdict": dict(Counter(claims[c].verdict for c in claim_ids if c in claims)),
            "citations_by_status": dict(Counter(
                ap.citation.status for ap in article.appearances if ap.citation)),
        })
    return {
        "articles": articles,
        "claims_by_verdict": dict(Counter(c.verdict for c in project.claims)),
        "references_by_verification": dict(Counter(r.get("verification") for r in project.refs)),
        "references_by_design": dict(Counter(r.get("design") for r in project.refs)),
        "references_by_source": dict(Counter(source_kind(r.get("verified-url")) for r in project.refs)),
        "references_with_doi_or_pmid": sum(1 for r in project.refs if r.get("doi") or r.get("pmid")),
        "totals": {"articles": len(project.articles), "claims": len(project.claims),
                   "appearances": sum(a["appearances"] for a in articles),
                   "references": len(project.refs)},
    }


def _row(cells, widths):
    return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                     for i, (c, w) in enumerate(zip(cells, widths)))


def format_report(report: dict) -> str:
    verdicts = list(vocab.VERDICTS)
    statuses = list(vocab.CITATION_STATUSES)
    short = {"mostly-supported": "mostly", "not-checkable": "n/c", "inaccurate-metadata": "inacc-meta", "wrong-authors": "wrong-auth",
             "does-not-support": "not-support", "cannot-be-found": "not-found"}
    lines = []
    first = max([24, *(len(a["article"]) for a in report["articles"])])
    head = ["article", "quotes", "passages", "claims", *[short.get(v, v) for v in verdicts]]
    widths = [first, 6, 8, 6, *[max(len(short.get(v, v)), 4) for v in verdicts]]
    lines.append("Appearances and the verdicts of the claims each article makes")
    lines.append(_row(head, widths))
    for a in report["articles"]:
        lines.append(_row([a["article"], a["appearances"], a["passages"], a["claims"],
                           *[a["claims_by_verdict"].get(v, 0) for v in verdicts]], widths))
    lines.append("")
    lines.append("Citations the articles give, by accuracy")
    head = ["article", "cited", *[short.get(s, s) for s in statuses]]
    widths = [first, 6, *[max(len(short.get(s, s)), 4) for s in statuses]]
    lines.append(_row(head, widths))
    for a in report["articles"]:
        counts = a["citations_by_status"]
        lines.append(_row([a["article"], sum(counts.values()),
                           *[counts.get(s, 0) for s in statuses]], widths))
    lines.append("")
    lines.append("Commercial interests: " + "; ".join(
        f"{a['article']}: {', '.join(a['commercial_interests']) or 'none recorded'}"
        for a in report["articles"]))
    lines.append("")
    t = report["totals"]
    lines.append(f"Knowledge base: {t['claims']} claims, {t['appearances']} appearances in "
                 f"{t['articles']} articles, {t['references']} references")
    lines.append("Claims by verdict: " + ", ".join(
        f"{v} {report['claims_by_verdict'].get(v, 0)}" for v in verdicts))
    lines.append("References by verification: " + ", ".join(
        f"{v} {report['references_by_verification'].get(v, 0)}" for v in vocab.VERIFICATION_STATUSES))
    lines.append("References by where they were read: " + ", ".join(
        f"{k} {report['references_by_source'].get(k, 0)}" for k in vocab.SOURCE_KINDS)
        + f"; with a DOI or PMID: {report['references_with_doi_or_pmid']} of {t['references']}")
    lines.append("References by design: " + ", ".join(
        f"{d} {n}" for d, n in sorted(report["references_by_design"].items(), key=lambda x: -x[1])))
    return "\n".join(lines)
