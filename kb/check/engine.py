"""Fact-check a draft against the knowledge base: the one engine behind `kb check` and `/-/check`.

For each sentence: which claims it makes (FTS5 candidates over normalised claim wording and
article quotes, reranked by an IDF-weighted overlap in which topic aliases count as shared
words), what the evidence says about them, which inline citations it gives and whether they
resolve, and whether it needs a source. The result is a plain dict whose shape is documented
in docs/check-json.md and is what `--format json` prints.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections import Counter

from ..cite_format import DEFAULT_STYLE
from ..db import rows as _rows
from ..references import stored_or_formatted
from .citations import RefIndex, find_citations
from .draft import split_sentences
from ..vocab import DESIGN_RANK
from ..text import AliasMatcher, fold, stem, tokens, topic_token, weight, words

SCHEMA_VERSION = 1
MATCH_THRESHOLD = 0.30  # below this a sentence is reported as matching nothing
MAX_MATCHES = 3
RELATIVE_CUTOFF = 0.6  # further matches must score at least this share of the best one
QUOTE_FACTOR = 0.9  # matching an article quote counts a little less than the statement
CANDIDATES = 40
COMMON_SHARE = 0.25  # tokens in more than this share of claims are not used to find candidates
POSTING_BUDGET = 800  # candidate search reads at most about this many postings (rarest terms first)
AND_TERMS = 5  # when no term is rarer than the budget, candidates must have the rarest few

FLAGS = {
    "contradicted": "makes a claim that the evidence contradicts",
    "unsupported": "makes a claim the knowledge base found no adequate evidence for",
    "overstated": "states a claim more strongly than the evidence allows",
    "unresolved-citation": "cites a study that is not in the knowledge base",
    "citation-mismatch": "cites a real study with the wrong year or authors",
    "citation-does-not-support": "cites a study that does not support the claim made",
    "needs-source": "makes a claim-like statement with no citation and no match in the knowledge base",
    "cites-withdrawn-study": "cites a study that has been retracted or superseded",
}
DEFAULT_FAIL_ON = ("contradicted", "unsupported", "unresolved-citation", "citation-mismatch",
                   "citation-does-not-support", "cites-withdrawn-study")

CLAIM_LIKE = [
    (re.compile(r"\d+(?:\.\d+)?\s*(?:%|percent|per cent)|\b\d+\s+(?:in|out of)\s+\d+\b", re.I),
     "gives a figure"),
    (re.compile(r"\b(?:research|studies|study|evidence|science|scientists|experts|trials?|data|"
                r"doctors)\s+(?:\w+\s+){0,2}(?:shows?|showed|proves?|proven|suggests?|found|finds|"
                r"confirms?|demonstrates?|says)\b|\b(?:clinically|scientifically)\s+proven\b|"
                r"\bstudies\b", re.I), "appeals to research"),
    (re.compile(r"\b(?:causes?|caused|leads? to|results? in|prevents?|cures?|heals?|relieves?|"
                r"reduces?|increases?|worsens?|triggers?|eliminates?|reverses?|fixes|guarantees?)\b|"
                r"\bmakes?\b.{0,40}\b(?:worse|better)\b", re.I), "makes a causal claim"),
    (re.compile(r"\b(?:most|majority of|all|every|always|never|no one)\b.{0,30}\b(?:people|patients|"
                r"cases|sufferers)\b", re.I), "generalises about people"),
]
_DIRECTNESS_RANK = {"direct": 0, "partial": 1, "indirect": 2}
_STANCE_RANK = {"supports": 0, "contradicts": 0, "mixed": 1, "context": 2}


class Checker:
    """Holds what matching needs from one knowledge-base database connection."""

    def __init__(self, conn: sqlite3.Connection, style: str = DEFAULT_STYLE):
        self.conn = conn
        self.style = style
        self.n_claims = conn.execute("select count(*) from claims").fetchone()[0]
        aliases: dict[str, list[str]] = {}
        self.topic_labels: dict[str, str] = {}
        for topic_id, label in conn.execute("select id, label from topics"):
            aliases.setdefault(topic_id, []).append(label)
            self.topic_labels[topic_id] = label
        for topic_id, alias in conn.execute("select topic_id, alias from topic_aliases"):
            aliases.setdefault(topic_id, []).append(alias)
        self.matcher = AliasMatcher(aliases)
        self.refs = RefIndex(conn)
        self.known_checks: dict[str, list[dict]] = {}
        for row in _rows(conn, "select as_written, ref_key, status, reason, claim_id, article_id "
                               "from citation_checks"):
            self.known_checks.setdefault(_citation_key(row["as_written"]), []).append(row)

    # --- matching ---------------------------------------------------------------------------

    def _df(self, toks: set[str]) -> dict[str, int]:
        if not toks:
            return {}
        marks = ",".join("?" * len(toks))
        return dict(self.conn.execute(
            f"select term, doc from claim_terms where term in ({marks})", sorted(toks)))

    def _candidates(self, query: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "select claim_id from claim_search_fts join claim_search on "
            "claim_search.rowid = claim_search_fts.rowid where claim_search_fts match ? "
            "order by rank limit ?", (query, CANDIDATES))]

    def match(self, text: str) -> list[dict]:
        toks = set(tokens(text, self.matcher))
        if not toks or not self.n_claims:
            return []
        df = self._df(toks)
        n = self.n_claims
        weights = {t: weight(t, df.get(t, 0), n) for t in toks}
        known = [t for t in toks if df.get(t)]
        if not known:
            return []
        # Find candidates by the sentence's rarest terms: they decide which claims it can be
        # about, and reading the long posting lists of common terms is what makes a large
        # knowledge base slow. Common terms still count when candidates are scored.
        query_terms, postings = [], 0
        for t in sorted(known, key=lambda t: (df[t], t)):
            if query_terms and (postings + df[t] > POSTING_BUDGET or df[t] > max(COMMON_SHARE * n, 2)):
                break
            query_terms.append(t)
            postings += df[t]
        if df[query_terms[0]] <= POSTING_BUDGET:
            candidates = self._candidates(" OR ".join(f'"{t}"' for t in sorted(query_terms)))
        else:
            # Not one rare term (every word is common in a large knowledge base): ranking
            # every claim that has the rarest word is what would be slow, so require the
            # rarest few together, then fewer if nothing has them all.
            rarest = sorted(known, key=lambda t: (df[t], t))[:AND_TERMS]
            candidates = []
            while rarest and not candidates:
                candidates = self._candidates(" AND ".join(f'"{t}"' for t in rarest))
                rarest = rarest[:-1] if len(rarest) > 2 else []
        if not candidates:
            return []
        marks = ",".join("?" * len(candidates))
        texts: dict[str, list[tuple[str, set[str], float]]] = {}
        for claim_id, source, toks_text, norm in self.conn.execute(
                f"select claim_id, source, tokens, norm from claim_texts where claim_id in ({marks})",
                candidates):
            texts.setdefault(claim_id, []).append((source, set(toks_text.split()), norm))
        total = sum(weights.values())
        scored = []
        for claim_id, claim_texts in texts.items():
            best = (0.0, None, set())
            for source, claim_tokens, norm in claim_texts:
                shared = toks & claim_tokens
                if not shared or not norm:
                    continue
                sim = sum(weights[t] for t in shared) / math.sqrt(total * norm)
                if source != "statement":
                    sim *= QUOTE_FACTOR
                if sim > best[0]:
                    best = (sim, source, shared)
            if best[0] > 0:
                scored.append((round(best[0], 4), claim_id, best[1], best[2]))
        scored.sort(key=lambda s: (-s[0], s[1]))
        if not scored or scored[0][0] < MATCH_THRESHOLD:
            return []
        top = scored[0][0]
        kept = [s for s in scored if s[0] >= max(MATCH_THRESHOLD, RELATIVE_CUTOFF * top)]
        return [{"claim_id": c, "score": s, "source": src, "shared": sh, "weights": weights}
                for s, c, src, sh in kept[:MAX_MATCHES]]

    def _reason(self, text: str, shared: set[str], weights: dict[str, float], source: str) -> str:
        surface: dict[str, str] = {}
        for w in words(text):
            surface.setdefault(stem(w), w)
        hits = {topic_token(h.topic): h for h in self.matcher.find(text)}
        parts = []
        for token in sorted(shared, key=lambda t: (-weights[t], t)):
            if token in hits:
                hit = hits[token]
                label = self.topic_labels.get(hit.topic, hit.topic)
                via = f" via \u201c{hit.alias}\u201d" if fold(hit.alias) != fold(label) else ""
                parts.append(f"topic {label}{via}")
            elif not token.startswith("topic"):
                parts.append(f"\u201c{surface.get(token, token)}\u201d")
        where = "the claim statement" if source == "statement" else f"an article's wording ({source})"
        return f"shares {', '.join(parts[:6])}; closest to {where}"

    # --- report -----------------------------------------------------------------------------

    def check(self, text: str, fail_on: tuple[str, ...] = DEFAULT_FAIL_ON) -> dict:
        sentences = split_sentences(text)
        raw_matches, cites_by_sentence = [], []
        all_cites = find_citations(text)
        for sentence in sentences:
            cites = [c for c in all_cites if sentence.start <= c.start < sentence.end]
            cites_by_sentence.append(cites)
            plain = sentence.text
            for c in sorted(cites, key=lambda c: -c.start):  # citations are not claim wording
                s, e = c.start - sentence.start, c.end - sentence.start
                plain = plain[:s] + " " + plain[e:]
            raw_matches.append((plain, self.match(plain)))

        claim_ids = sorted({m["claim_id"] for _, ms in raw_matches for m in ms})
        claims = self._claims(claim_ids)
        linked = {cid: frozenset(e["ref_key"] for e in claim["evidence_all"])
                  for cid, claim in claims.items()}
        resolutions = {}
        for cites, (_, matches) in zip(cites_by_sentence, raw_matches):
            prefer = frozenset().union(*(linked[m["claim_id"]] for m in matches))
            for c in cites:
                resolutions[(c.start, c.year)] = self.refs.resolve(c, prefer)
        keys = {k for ev in claims.values() for k in (e["ref_key"] for e in ev["evidence"])}
        keys |= {r.key for r in resolutions.values() if r.key}
        formatted = stored_or_formatted(self.conn, sorted(keys), self.style)

        out_sentences = []
        for sentence, (plain, matches), cites in zip(sentences, raw_matches, cites_by_sentence):
            out_matches = []
            for m in matches:
                claim = claims[m["claim_id"]]
                out_matches.append({
                    "claim_id": m["claim_id"], "statement": claim["statement"],
                    "verdict": claim["verdict"], "certainty": claim["certainty"], "score": m["score"],
                    "reason": self._reason(plain, m["shared"], m["weights"], m["source"]),
                    "reasoning": claim["reasoning"],
                    "evidence": [dict(e, citation=formatted.get(e["ref_key"])) for e in claim["evidence"]],
                })
            out_cites = [self._citation_report(c, resolutions[(c.start, c.year)], out_matches,
                                               formatted) for c in cites]
            out_sentences.append({
                "index": sentence.index, "text": sentence.text, "start": sentence.start,
                "end": sentence.end, "matches": out_matches, "citations": out_cites,
                "flags": self._flags(plain, out_matches, out_cites),
            })
        return {"schema_version": SCHEMA_VERSION, "sentences": out_sentences,
                "summary": _summary(out_sentences, fail_on)}

    def _claims(self, claim_ids: list[str]) -> dict[str, dict]:
        if not claim_ids:
            return {}
        marks = ",".join("?" * len(claim_ids))
        claims = {r["id"]: dict(r, evidence=[]) for r in _rows(
            self.conn, f"select id, statement, verdict, certainty, reasoning from claims "
                       f"where id in ({marks})", claim_ids)}
        for e in _rows(self.conn,
                       "select e.claim_id, e.ref_key, e.stance, e.directness, e.finding, r.design, "
                       "r.year, r.doi, r.pmid, r.url, r.status as ref_status from evidence e "
                       "join refs r on r.key = e.ref_key "
                       f"where e.claim_id in ({marks})", claim_ids):
            claims[e.pop("claim_id")]["evidence"].append(e)
        for claim in claims.values():
            claim["evidence"].sort(key=lambda e: (_STANCE_RANK.get(e["stance"], 3),
                                                  _DIRECTNESS_RANK.get(e["directness"], 3),
                                                  DESIGN_RANK.get(e["design"], 4),
                                                  -(e["year"] or 0), e["ref_key"]))
            claim["evidence_all"] = list(claim["evidence"])
            del claim["evidence"][3:]
            for e in claim["evidence"]:
                e["links"] = _links(e)
        return claims

    def _citation_report(self, cite, resolution, matches, formatted) -> dict:
        supports = None
        if resolution.key and matches:
            top = matches[0]
            stances = {e["ref_key"]: e["stance"] for e in top["evidence"]}
            stance = stances.get(resolution.key) or self._stance(top["claim_id"], resolution.key)
            supports = stance or "not-linked"
        known = [
            {"article_id": k["article_id"], "status": k["status"], "ref_key": k["ref_key"],
             "reason": k["reason"]}
            for k in self.known_checks.get(_citation_key(cite.text), [])[:1]]
        ref_status = None
        if resolution.key:
            row = self.conn.execute("select status, status_note from refs where key = ?",
                                    (resolution.key,)).fetchone()
            ref_status = {"status": row[0], "note": row[1]} if row and row[0] else None
        return {"text": cite.text, "start": cite.start, "end": cite.end, "names": cite.names,
                "year": cite.year, "status": resolution.status, "key": resolution.key,
                "detail": resolution.detail, "reference": formatted.get(resolution.key),
                "supports_claim": supports, "known_check": known[0] if known else None,
                "ref_status": ref_status}

    def _stance(self, claim_id: str, ref_key: str) -> str | None:
        row = self.conn.execute("select stance from evidence where claim_id = ? and ref_key = ?",
                                (claim_id, ref_key)).fetchone()
        if row:
            return row[0]
        row = self.conn.execute("select status from citation_checks where claim_id = ? and "
                                "ref_key = ? and status = 'does-not-support'",
                                (claim_id, ref_key)).fetchone()
        return "does-not-support" if row else None

    def _flags(self, plain: str, matches: list[dict], cites: list[dict]) -> list[dict]:
        flags = []
        if matches and matches[0]["verdict"] in ("contradicted", "unsupported", "overstated"):
            verdict = matches[0]["verdict"]
            flags.append({"code": verdict, "message": f"{FLAGS[verdict]}: {matches[0]['statement']}"})
        for c in cites:
            if c["status"] == "unknown":
                flags.append({"code": "unresolved-citation", "message": f"{c['text']}: {c['detail']}"})
            elif c["status"] == "mismatch":
                flags.append({"code": "citation-mismatch", "message": f"{c['text']}: {c['detail']}"})
            if c["ref_status"] and c["ref_status"]["status"] in ("retracted", "superseded"):
                flags.append({"code": "cites-withdrawn-study",
                              "message": f"{c['text']}: {c['key']} is {c['ref_status']['status']}: "
                                         f"{c['ref_status']['note']}"})
            if c["supports_claim"] in ("contradicts", "does-not-support"):
                flags.append({"code": "citation-does-not-support",
                              "message": f"{c['text']}: the knowledge base records that {c['key']} "
                                         f"{'contradicts' if c['supports_claim'] == 'contradicts' else 'does not support'} "
                                         f"this claim"})
        if not cites:
            reasons = [why for rx, why in CLAIM_LIKE if rx.search(plain)]
            if reasons and not matches:
                flags.append({"code": "needs-source",
                              "message": f"{FLAGS['needs-source']} ({'; '.join(reasons)})"})
            elif matches and set(reasons) & {"gives a figure", "appeals to research"}:
                # A figure or "research shows" needs a citation even when it resembles a known
                # claim; and the match may be the claim's opposite, so the writer should check.
                flags.append({"code": "needs-source",
                              "message": "gives a figure or appeals to research without a citation; "
                                         "check that it says what the matched claim says and cite "
                                         "that claim's evidence"})
        return flags


def _citation_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def _links(e: dict) -> dict:
    links = {}
    if e.get("doi"):
        links["doi"] = f"https://doi.org/{e['doi']}"
    if e.get("pmid"):
        links["pubmed"] = f"https://pubmed.ncbi.nlm.nih.gov/{e['pmid']}/"
    if e.get("url"):
        links["url"] = e["url"]
    return links


def _summary(sentences: list[dict], fail_on: tuple[str, ...]) -> dict:
    flags = Counter(f["code"] for s in sentences for f in s["flags"])
    verdicts = Counter(s["matches"][0]["verdict"] for s in sentences if s["matches"])
    citations = Counter(c["status"] for s in sentences for c in s["citations"])
    failing = sorted(code for code in flags if code in fail_on)
    return {
        "sentences": len(sentences),
        "sentences_matched": sum(1 for s in sentences if s["matches"]),
        "claims_by_verdict": dict(sorted(verdicts.items())),
        "citations_by_status": dict(sorted(citations.items())),
        "flags": dict(sorted(flags.items())),
        "fail_on": list(fail_on),
        "needs_attention": bool(failing),
        "failing_flags": failing,
    }
