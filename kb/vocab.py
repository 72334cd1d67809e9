"""Controlled vocabularies: every allowed value, with what it means.

These dictionaries are the single definition of each scale. Validation checks
values against them, the build writes them to lookup tables (so Datasette can
show what a verdict means), and the README documents them.
"""

VERDICTS = {
    "supported": "The best available evidence supports the claim as stated.",
    "mostly-supported": "Broadly right, but a detail, figure or qualifier is imprecise.",
    "overstated": (
        "Has a basis in evidence but is stated more strongly, more generally or with more "
        "certainty than the evidence allows (lacks context)."
    ),
    "unsupported": (
        "No adequate evidence was found for it either way; the record says what was searched for."
    ),
    "contradicted": "The best available evidence says otherwise.",
    "not-checkable": "Opinion, a vague statement or a promise that no study could test as worded.",
}

# How each verdict is shown, everywhere (site badges and CSS, terminal report, ClaimReview):
# Okabe-Ito colours, distinguishable with colour-vision deficiency, and a symbol and a word on
# every badge so that colour is never the only cue; text on each badge meets WCAG AA (4.5:1,
# tested: white on the contradicted orange was 3.87:1). `rating` is ClaimReview's ratingValue (1..5;
# not-checkable has none); `underline` and `tint` mark a passage making the claim in article
# text; `terminal` is the rich style of the terminal report.
VERDICT_DISPLAY = {
    "supported": {"label": "Supported", "symbol": "\u2714", "background": "#0072B2",
                  "color": "#fff", "underline": "#0072B2", "tint": "#e3f1fb", "rating": 5, "terminal": "green"},
    "mostly-supported": {"label": "Mostly supported", "symbol": "\u2248", "background": "#56B4E9",
                         "color": "#000", "underline": "#0072B2", "tint": "#e3f1fb", "rating": 4, "terminal": "green"},
    "overstated": {"label": "Overstated", "symbol": "\u25b2", "background": "#E69F00",
                   "color": "#000", "underline": "#E69F00", "tint": "#fff1d6", "rating": 3, "terminal": "yellow"},
    "unsupported": {"label": "Unsupported", "symbol": "?", "background": "#CC79A7",
                    "color": "#000", "underline": "#CC79A7", "tint": "#f8e6f0", "rating": 2, "terminal": "magenta"},
    "contradicted": {"label": "Contradicted", "symbol": "\u2718", "background": "#D55E00",
                     "color": "#000", "underline": "#D55E00", "tint": "#fbe3d6", "rating": 1, "terminal": "red"},
    "not-checkable": {"label": "Not checkable", "symbol": "\u2013", "background": "#BBBBBB",
                      "color": "#000", "underline": "#999", "tint": "#fff6d6", "rating": None, "terminal": "dim"},
}
# What a facet is called on the table pages (the default was the column name and the facet's
# type: "topics (link)", "verdict (counted)").
FACET_TITLES = {"verdict": "Verdict", "topics": "Topic", "articles": "Article", "claim_type": "Claim type",
                "certainty": "Certainty", "year": "Year", "design": "Study design", "journal": "Journal",
                "verification": "Verification", "verified_source": "Where it was read",
                "article_id": "Article", "claim_id": "Claim", "status": "Status", "stance": "Stance",
                "directness": "Directness", "publisher": "Publisher", "capture": "Capture"}
# ClaimReview reviewRating for each verdict: (ratingValue on 1..5 or None, label). README documents it.
VERDICT_RATING = {v: (d["rating"], d["label"]) for v, d in VERDICT_DISPLAY.items()}
# Verdicts that assert something about the evidence, so need at least one evidence link.
VERDICTS_NEEDING_EVIDENCE = ("supported", "mostly-supported", "overstated", "contradicted")

# GRADE certainty of the body of evidence behind the verdict.
CERTAINTIES = {
    "high": "Further research is very unlikely to change confidence in the estimate (GRADE high).",
    "moderate": "Further research is likely to have an important impact on confidence (GRADE moderate).",
    "low": "Further research is very likely to change the estimate (GRADE low).",
    "very-low": "Any estimate is very uncertain (GRADE very low).",
}

CLAIM_TYPES = {
    "definition": "What sciatica (or a related term) is.",
    "anatomy": "A statement about body structures (nerve course, muscles).",
    "prevalence": "How common something is, often with a figure.",
    "cause": "What causes sciatica or its symptoms.",
    "risk-factor": "What raises the chance of sciatica or a flare-up.",
    "mechanism": "How something works in the body.",
    "prognosis": "Natural course, recovery time, recurrence.",
    "treatment-effect": "Whether a treatment, activity or service helps or harms.",
    "diagnosis-imaging": "How sciatica is diagnosed; what scans show and mean.",
    "red-flag": "Signs that need urgent medical attention.",
}

STANCES = {
    "supports": "The study's finding supports the claim.",
    "contradicts": "The study's finding contradicts the claim.",
    "mixed": "The study's findings partly support and partly contradict the claim.",
    "context": "The study gives context (definitions, populations, limits) without taking a side.",
}

# How a study's stance is drawn in the evidence map (a symbol as well as a colour; text on
# each background meets WCAG AA).
STANCE_DISPLAY = {
    "supports": {"symbol": "+", "background": "#0072B2", "color": "#fff", "label": "supports"},
    "contradicts": {"symbol": "\u2212", "background": "#D55E00", "color": "#000", "label": "contradicts"},
    "mixed": {"symbol": "\u00b1", "background": "#E69F00", "color": "#000", "label": "mixed"},
    "context": {"symbol": "\u00b7", "background": "#DDDDDD", "color": "#000", "label": "context"},
}

DIRECTNESS = {
    "direct": "Population, exposure and outcome match the claim (e.g. people with sciatica).",
    "partial": "Partly matches: a mixed population, a related intervention or a surrogate outcome.",
    "indirect": "Evidence about something else (e.g. acute low back pain) applied to the claim.",
}

CITATION_STATUSES = {
    "accurate": "The citation resolves to a real study whose metadata and findings match.",
    "inaccurate-metadata": (
        "A real study, cited with a minor error: a wrong year, a misspelt name or the wrong journal."
    ),
    "wrong-authors": (
        "No study by these authors matches: the citation does not exist as written. The key is the "
        "study it most probably means, if one was found."
    ),
    "does-not-support": "The study is real but does not say what the article attributes to it.",
    "cannot-be-found": "No study matching the citation could be found.",
}

STUDY_DESIGNS = {
    "systematic review": "A systematic review, with or without meta-analysis.",
    "randomised controlled trial": "A randomised controlled trial.",
    "cohort study": "A prospective or retrospective cohort study.",
    "cross-sectional study": "A survey or imaging study at one point in time.",
    "case-control study": "A case-control study.",
    "clinical guideline": "A guideline from a professional or national body.",
    "narrative review": "A non-systematic review or clinical overview.",
    "anatomical study": "A cadaveric or anatomical study.",
    "laboratory study": "An experimental study in the laboratory.",
    "theoretical paper": "A paper proposing a theory or model.",
    "other": "Any other kind of publication.",
}

# How a writer names a design ("a randomised trial", "a meta-analysis"): read by `kb check` to
# tell which of a journal's or an author's studies a narrative mention means.
DESIGN_WORDS = [
    (r"\brandomi[sz]ed(?: controlled| clinical)? trials?\b|\bRCTs?\b", "randomised controlled trial"),
    (r"\bsystematic reviews?\b|\bmeta-?analys[ie]s\b|\bCochrane reviews?\b", "systematic review"),
    (r"\bcohort stud(?:y|ies)\b|\bobservational stud(?:y|ies)\b", "cohort study"),
    (r"\bguidelines?\b|\bguidance\b", "clinical guideline"),
]

VERIFICATION_STATUSES = {
    "verified": "Title, authors, journal and year were read on the page in verified-url.",
    "partial": "The study was confirmed but some fields could not be; the note says which.",
    "unverified": "The study could not be confirmed on a stored public page.",
}

COMMERCIAL_INTERESTS = {
    "sells-treatment": "The publisher sells the treatment or service the article recommends.",
    "affiliate-link": "The article links to products through an affiliate or referral link.",
    "product-promotion": "The article promotes products without a visible affiliate link.",
    "lead-capture": "The article offers a download or call in exchange for contact details.",
    "none-visible": "No commercial interest is visible in the text.",
}

# The hierarchy of evidence used to pick the best evidence to show first (lower is stronger):
# guidelines and systematic reviews, then trials, then cohorts, then the rest.
DESIGN_RANK = {"clinical guideline": 0, "systematic review": 0, "randomised controlled trial": 1,
               "cohort study": 2, "narrative review": 3, "cross-sectional study": 3,
               "case-control study": 3, "anatomical study": 3}

# How a citation status (from the articles' records, or from resolving a draft's citation in
# `kb check`) is shown: good, warning or problem (site colours; terminal styles).
CITATION_TONE = {"accurate": "good", "inaccurate-metadata": "warning", "wrong-authors": "problem",
                 "does-not-support": "problem",
                 "cannot-be-found": "problem", "resolved": "good", "mismatch": "warning",
                 "unknown": "problem"}
TONE_DISPLAY = {"good": {"color": "#005A8C", "terminal": "green"},
                "warning": {"color": "#8A5A00", "terminal": "yellow"},
                "problem": {"color": "#A33F00", "terminal": "red"}}

# Where a reference's verified-url is (kb/provenance.py classes it by host).
# The only URL schemes a source may give and the site will make a link of: a `javascript:` or
# `data:` URL in a .bib `url` field would run script when clicked (kb.provenance.safe_url).
URL_SCHEMES = ("https", "http")

SOURCE_KINDS = {
    "canonical": "The canonical record: PubMed, PMC, the DOI landing page, the publisher, Cochrane or NICE.",
    "repository": "A copy in an author's institutional repository or research portal.",
    "index": "A copy of the record in a bibliographic index or aggregator.",
    "document-sharing": "A copy on a document-sharing site (Scribd and the like).",
    "mirror": "A copy on an unnamed mirror (a bare IP address).",
    "other": "A copy on another site (a blog, a clinic, a news page).",
}

# How much of an article's page the recorded text is (`capture` in an article file).
CAPTURES = {
    "full": "The whole text of the page as captured.",
    "excerpt": "Only the opening of the page was stored; quotes are within it.",
}

# Optional `status` of a reference (absent means current).
REF_STATUSES = {
    "retracted": "The study was retracted; nothing should rely on it.",
    "superseded": "A newer version replaces it (superseded-by names the reference that does).",
    "corrected": "A correction was published; the note says what changed.",
}

# Fields required on every reference in references.bib; a fully verified one also needs these.
REQUIRED_REF_FIELDS = ("title", "design", "verification")
REQUIRED_VERIFIED_FIELDS = ("year",)

# --- kb check: what a draft's sentence is, says and gets --------------------------------------

# The role of a sentence in a draft: only assertions are matched to claims and flagged.
SENTENCE_ROLES = {
    "assertion": "A checkable statement, including advice that implies one (\"avoid bed rest\").",
    "heading": "A title or section heading.",
    "question": "A question (\"What causes sciatica?\").",
    "lead-in": "A line introducing a list (\"Common triggers include:\"); its items carry it.",
    "navigation": "Page furniture: menus, bylines, dates, \"read more\", sharing links.",
    "analogy": "A comparison that explains rather than asserts (\"think of the disc as a jam doughnut\").",
    "call-to-action": "Marketing or contact copy (\"Book an appointment today\").",
    "study-design": "Describes how a study was done, not what it found.",
    "other": "Anecdote, greeting or opinion with nothing to check.",
}

# What a sentence says about a known claim.
SENTENCE_STANCES = {
    "asserts": "Says what the claim says (possibly hedged).",
    "denies": "Says the opposite of the claim, or that it is false.",
    "myth": "Presents the claim as a myth or misconception (a denial).",
    "topic": "Only shares the claim's subject; it neither asserts nor denies it.",
}

# The sentence's verdict: the claim's verdict combined with the sentence's stance
# (kb/check/verdict.py holds the table, docs/check-json.md documents it). Only `consistent`
# shows a green badge.
SENTENCE_VERDICTS = {
    "consistent": "What the sentence says agrees with the evidence.",
    "overstated": "The sentence says more, or more certainly, than the evidence allows.",
    "unsupported": "The sentence says something no adequate evidence backs.",
    "contradicted": "The evidence says the opposite of what the sentence says.",
    "not-checkable": "The sentence makes a claim no study could test as worded.",
    "unsure": "The sentence resembles a known claim, but what it says about it is unclear: check the wording.",
    "unknown": "A checkable statement the knowledge base holds no claim for.",
}
SENTENCE_VERDICT_DISPLAY = {
    "consistent": {"label": "Consistent with the evidence", "symbol": "\u2714", "tone": "good"},
    "overstated": {"label": "Overstated", "symbol": "\u25b2", "tone": "warning"},
    "unsupported": {"label": "Unsupported", "symbol": "?", "tone": "warning"},
    "contradicted": {"label": "Contradicted", "symbol": "\u2718", "tone": "problem"},
    "not-checkable": {"label": "Not checkable", "symbol": "\u2013", "tone": "neutral"},
    "unsure": {"label": "Related claim: check wording", "symbol": "\u2026", "tone": "neutral"},
    "unknown": {"label": "Not in the knowledge base", "symbol": "\u2205", "tone": "neutral"},
}

# What `kb check` flags, and what it says about each. The labelled evaluation set uses the same
# codes (tests/data/real_articles/README.md).
CHECK_FLAGS = {
    "contradicted": "the evidence says the opposite of what the sentence says",
    "overstated": "the sentence says more, or more certainly, than the evidence allows",
    "unsupported": "no adequate evidence backs what the sentence says",
    "figure-differs": "the sentence's figure disagrees with the knowledge base's",
    "needs-source": "a figure or an appeal to research with no citation",
    "citation-unresolved": "the citation matches no study in the knowledge base",
    "citation-mismatch": "the citation names a real study with the wrong year or authors",
    "citation-not-supporting": "the cited study does not support what the sentence says",
    "citation-withdrawn": "the cited study has been retracted or superseded",
}
# Codes of schema version 1, still accepted by --fail-on.
CHECK_FLAG_ALIASES = {"unresolved-citation": "citation-unresolved",
                      "citation-does-not-support": "citation-not-supporting",
                      "cites-withdrawn-study": "citation-withdrawn"}
DEFAULT_FAIL_ON = ("contradicted", "overstated", "unsupported", "figure-differs",
                   "citation-unresolved", "citation-mismatch", "citation-not-supporting",
                   "citation-withdrawn")

# Wording that matches the certainty of the evidence (GRADE's guidance for plain-language
# statements): what a writer should say for a finding of each certainty.
GRADE_WORDING = {
    "high": "say it plainly (\"X reduces Y\")",
    "moderate": "say \"probably\" (\"X probably reduces Y\")",
    "low": "say \"may\" (\"X may reduce Y\")",
    "very-low": "say \"it is uncertain whether\" (\"it is uncertain whether X reduces Y\")",
}

# --- Retraction Watch notices (`kb retractions import`, claims/retractions.yaml) ---------------

# What a notice about a published study is (Retraction Watch's RetractionNature).
RETRACTION_NATURES = {
    "retraction": "The study was retracted: nothing should rely on it.",
    "correction": "A correction was published: the study stands as corrected.",
    "expression-of-concern": "The journal expressed concern about the study: treat it with caution.",
    "reinstatement": "An earlier retraction was reversed: the study stands again.",
}
# RetractionNature as the Retraction Watch CSV writes it (compared lowercased) -> the value above.
RETRACTION_NATURE_NAMES = {"retraction": "retraction", "correction": "correction",
                           "expression of concern": "expression-of-concern",
                           "reinstatement": "reinstatement"}
# The reference status a notice gives a study whose references.bib entry gives none (a
# reinstatement after a retraction undoes it; an expression of concern is recorded only).
RETRACTION_NATURE_STATUS = {"retraction": "retracted", "correction": "corrected"}
# How a notice was matched to a reference of references.bib.
RETRACTION_MATCHES = {
    "doi": "The paper's DOI (lowercased, https://doi.org/ prefix removed) equals the reference's doi.",
    "pmid": "The paper had no matching DOI; its PubMed ID equals the reference's pmid.",
}
