"""Step 2 of the check: the known claims a sentence may be making, best first.

The build stores each claim's statement, every article quote that makes it and every evidence
finding about it as normalised tokens (kb.text: Snowball stems, writers' synonyms, topic
aliases as one token each), with an FTS5 index over them and each term's document frequency
(each text's weight norm is computed here from those, when a candidate's texts are first
read, so that an edit to one claim leaves every other text as it was). A sentence's rarest terms find
candidates through FTS5, reading at most about POSTING_BUDGET postings (when every word is
common, claims holding its rarest few words together); candidates are scored by IDF-weighted
overlap (cosine over token sets, a shared topic counting double), best of the claim's texts, and
ranked by that score weighed by the claim's bm25 over all its texts together.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

from ..text import CORE_SOURCE, AliasMatcher, fold, stem, text_norm, tokens, topic_token, weight, words

MATCH_THRESHOLD = 0.30  # below this a sentence is reported as matching nothing
MAX_CANDIDATES = 8  # (5 before the bm25 weighting: it ranks some that pass the cutoff lower)
RELATIVE_CUTOFF = 0.6  # further candidates must score at least this share of the best one
QUOTE_FACTOR = 0.9  # an article quote counts a little less than the statement
FINDING_FACTOR = 0.6  # an evidence finding (study wording) counts less than the statement
CANDIDATES = 20  # claims FTS5 returns for scoring (bm25 order): fewer lose "cauda equina ... is common"
COMMON_SHARE = 0.25  # tokens in more than this share of claims are not used to find candidates
POSTING_BUDGET = 800  # candidate search reads at most about this many postings (rarest terms first)
AND_TERMS = 5  # when no term is rarer than the budget, candidates must have the rarest few
SINGLE_TERM_POSTINGS = POSTING_BUDGET  # a sentence whose one known word is commoner finds none
TEXT_CACHE = 20_000  # claims whose texts a checker keeps parsed


def similarity(shared: float, sentence_total: float, claim_total: float) -> float:
    """Cosine over weighted token sets: the shared weight over the geometric mean of both totals."""
    return shared / math.sqrt(sentence_total * claim_total)


@dataclass
class Candidate:
    claim_id: str
    score: float
    source: str  # statement | an appearance id | finding:<ref key>
    shared: set[str]
    weights: dict[str, float]
    rank: float  # the score weighed by the claim's bm25 (relative to the best candidate's)

    @property
    def shares_content(self) -> bool:
        """Whether it shares a content word, not only topic tokens."""
        return any(not t.startswith("topic") for t in self.shared)


class Candidates:
    """What matching needs from one database connection (read once, then per sentence)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.n_claims = conn.execute("select count(*) from claims").fetchone()[0]
        aliases: dict[str, list[str]] = {}
        self.topic_labels: dict[str, str] = {}
        for topic_id, label in conn.execute("select id, label from topics"):
            aliases.setdefault(topic_id, []).append(label)
            self.topic_labels[topic_id] = label
        for topic_id, alias in conn.execute("select topic_id, alias from topic_aliases"):
            aliases.setdefault(topic_id, []).append(alias)
        self.matcher = AliasMatcher(aliases)
        self._text_cache: dict[str, list[tuple[str, frozenset[str], float]]] = {}
        self._weights: dict[str, float] = {}

    def _df(self, toks: set[str]) -> dict[str, int]:
        if not toks:
            return {}
        marks = ",".join("?" * len(toks))
        return dict(self.conn.execute(
            f"select term, doc from claim_terms where term in ({marks})", sorted(toks)))

    def _search(self, query: str) -> dict[str, float]:
        """The best claims for ``query``, each with its bm25 relative to the best one's (1.0)."""
        # Ranked on the index alone, then the few best rows joined (joining first read the row
        # of every match).
        rows = self.conn.execute(
            "select s.claim_id, x.score from (select rowid, bm25(claim_search_fts) as score from "
            "claim_search_fts where claim_search_fts match ? order by score, rowid limit ?) x "
            "join claim_search s on s.rowid = x.rowid order by x.score, x.rowid",
            (query, CANDIDATES)).fetchall()
        best = rows[0][1] if rows else 0.0
        return {c: (r / best if best else 1.0) for c, r in rows}

    def _texts(self, claim_ids: list[str]) -> dict[str, list[tuple[str, frozenset[str], float]]]:
        """Each claim's texts as (source, token set, weight norm), read once per checker: a
        draft's sentences keep meeting the same claims. Bounded, so a long-lived checker on a
        large knowledge base does not hold it all."""
        missing = [c for c in claim_ids if c not in self._text_cache]
        if missing:
            if len(self._text_cache) + len(missing) > TEXT_CACHE:
                self._text_cache.clear()
                self._weights.clear()
            marks = ",".join("?" * len(missing))
            rows = [(claim_id, source, frozenset(toks.split())) for claim_id, source, toks in self.conn.execute(
                f"select claim_id, source, tokens from claim_texts where claim_id in ({marks})", missing)]
            weights = self._weights_of({t for _, _, toks in rows for t in toks})
            for claim_id in missing:
                self._text_cache[claim_id] = []
            for claim_id, source, toks in rows:
                self._text_cache[claim_id].append((source, toks, text_norm(toks, weights, self.n_claims)))
        return {c: self._text_cache[c] for c in claim_ids}

    def _weights_of(self, terms: set[str]) -> dict[str, float]:
        """The weight of each term (from its document frequency), looked up once per checker."""
        unknown = sorted(terms - self._weights.keys())
        for i in range(0, len(unknown), 500):
            batch = unknown[i:i + 500]
            found = dict(self.conn.execute(
                f"select term, doc from claim_terms where term in ({','.join('?' * len(batch))})", batch))
            for t in batch:
                self._weights[t] = weight(t, found.get(t, 0), self.n_claims)
        return self._weights

    def find(self, text: str) -> list[Candidate]:
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
            found = self._search(" OR ".join(f'"{t}"' for t in sorted(query_terms)))
        else:
            # Not one rare term (every word is common in a large knowledge base): ranking
            # every claim that has the rarest word is what would be slow, so require the
            # rarest few together, then fewer if nothing has them all.
            rarest = sorted(known, key=lambda t: (df[t], t))[:AND_TERMS]
            if len(rarest) == 1 and df[rarest[0]] > SINGLE_TERM_POSTINGS:
                # One word, and one that thousands of claims hold ("sciatica" at a million
                # claims): it cannot tell which claim the sentence makes, and ranking every
                # claim that holds it took seconds.
                return []
            found = {}
            while rarest and not found:
                found = self._search(" AND ".join(f'"{t}"' for t in rarest))
                rarest = rarest[:-1] if len(rarest) > 2 else []
        if not found:
            return []
        texts = self._texts(list(found))
        total = sum(weights.values())
        scored = []
        for claim_id, claim_texts in texts.items():
            best = (0.0, None, set())
            for source, claim_tokens, norm in claim_texts:
                shared = toks & claim_tokens
                if not shared or not norm:
                    continue
                sim = similarity(sum(weights[t] for t in shared), total, norm)
                if source.startswith("finding:"):
                    sim *= FINDING_FACTOR
                elif source not in ("statement", CORE_SOURCE):
                    sim *= QUOTE_FACTOR
                if sim > best[0]:
                    best = (sim, source, shared)
            if best[0] > 0:
                # Ranked by the best text's overlap weighed by how well the claim's texts
                # together match (bm25 over all of them, relative to the best claim's): a claim
                # that one text happens to resemble ranks below one whose statement, quotes and
                # findings all do. The score (what thresholds read) stays the overlap.
                scored.append((round(best[0], 4), claim_id, best[1], best[2],
                               round(best[0] * found[claim_id], 4)))
        scored = sorted((s for s in scored if s[0] >= MATCH_THRESHOLD), key=lambda s: (-s[4], s[1]))
        if not scored:
            return []
        top = max(s[0] for s in scored)
        kept = [s for s in scored if s[0] >= RELATIVE_CUTOFF * top]
        return [Candidate(c, s, src, sh, weights, r) for s, c, src, sh, r in kept[:MAX_CANDIDATES]]

    def reason(self, text: str, candidate: Candidate) -> str:
        """Why it matched, in the sentence's own words ("shares topic Bed rest via ...")."""
        surface: dict[str, str] = {}
        for w in words(text):
            surface.setdefault(stem(w), w)
        hits = {topic_token(h.topic): h for h in self.matcher.find(text)}
        parts = []
        for token in sorted(candidate.shared, key=lambda t: (-candidate.weights[t], t)):
            if token in hits:
                hit = hits[token]
                label = self.topic_labels.get(hit.topic, hit.topic)
                via = f" via \u201c{hit.alias}\u201d" if fold(hit.alias) != fold(label) else ""
                parts.append(f"topic {label}{via}")
            elif not token.startswith("topic"):
                parts.append(f"\u201c{surface.get(token, token)}\u201d")
        source = candidate.source
        where = ("the claim statement" if source == "statement" else
                 f"the evidence finding of {source.split(':', 1)[1]}" if source.startswith("finding:")
                 else f"an article's wording ({source})")
        return f"shares {', '.join(parts[:6])}; closest to {where}"
