"""Fact-check a draft against the knowledge base: the one pipeline behind `kb check`, the
`/-/check` page and `/-/check.json`.

For each sentence, in order (each step a module of its own):

1. roles       what the sentence is: only assertions are checked (a list item with its lead-in);
2. candidates  the known claims it resembles (lexical, over statements, quotes and findings);
3. stance      what it says about each: asserts, denies, calls it a myth, or only shares its topic;
4. verdict     what the evidence says about the sentence (claim verdict x stance), and whether its
               figures agree with the knowledge base's;
5. citations   the sources it gives, resolved, and whether the knowledge base records them as
               supporting what the sentence says;
6. report      flags, the fix for each, and the summary (kb.check.report).

The result is a plain dict whose shape is documented in docs/check-json.md.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time

from .. import vocab
from ..cite_format import DEFAULT_STYLE
from ..db import rows as _rows
from ..references import stored_or_formatted
from ..text import SYNONYMS, fold, normalise, stems, tokens, topic_token
from ..vocab import DESIGN_RANK
from . import figures as figs
from .candidates import Candidates
from .citations import RefIndex, design_named, find_citations, reference_list
from .draft import split_sentences
from .report import CLAIM_LIKE, attention, sentence_flags, summary
from .roles import reader_letters, reference_list_start, role, study_result, with_context
from .stance import IN_EVERY_CLAIM, read, stance, strength
from .verdict import FLAG_OF, sentence_verdict

SCHEMA_VERSION = 2
FLAGS = vocab.CHECK_FLAGS
DEFAULT_FAIL_ON = vocab.DEFAULT_FAIL_ON
MAX_MATCHES = 3
EVIDENCE_SHOWN = 3
TOPIC_PENALTY = 0.85  # a candidate the sentence only shares a subject with ranks below a clear one
# A sentence whose stance rests on shared words alone (no agreeing or opposing word, no
# negation) is taken to make the claim only when it shares this much of its wording.
PLAIN_MATCH = 0.35
# A sentence that says neither the claim's position (helps, is common ...) nor its opposite
# is taken to make the claim in other words only when it shares this much of its wording.
UNSTATED_MATCH = 0.45
GREEN_MATCH = 0.5  # ... and is shown as consistent with the evidence only from this much
# A word that says the same ("common", as the claim's "common") earns a green badge only on a claim
# that shares this much of the sentence's wording: on the tuning half, greens below it were more
# often on the wrong claim (8) than the right one (5).
GREEN_CLEAR_MATCH = 0.4
PLAIN_RANK = 0.9  # a claim the sentence is seen to assert by a word ranks above one by shared words only
# ... and a reading a rule has weakened (the claim's position left unsaid, its subject never
# named) ranks below a plain one: on the tuning half, precision 0.583 to 0.592, recall 0.521 to 0.529.
WEAK_RANK = 0.9
SOURCE_CARRIES = 4  # a source named in a sentence covers the next few that report it
CITED_BONUS = 1.25  # a candidate whose evidence includes the study the sentence cites ranks higher
# Topic aliases that qualify a subject rather than name it: "the common causes of sciatica"
# are about causes, not about how common sciatica is.
_QUALIFYING_ALIASES = frozenset({"common"})
# Citations that identify one study; the others ("the study", "in JAMA", "Dr Vroomen") are
# resolved in the light of those (a person's name identifies when it is the only match).
IDENTIFYING = ("author-year", "footnote", "title", "person", "link")
PUBLISHING = ("journal", "cochrane")  # what publishes studies: "the study" may be the one it resolved to
CONTEXT_SENTENCES = 8  # "the study" is the study the draft names within this many sentences
_DIRECTNESS_RANK = {"direct": 0, "partial": 1, "indirect": 2}
_STANCE_RANK = {"supports": 0, "contradicts": 0, "mixed": 1, "context": 2}
_FLIP = {"supports": "contradicts", "contradicts": "supports"}

__all__ = ["CLAIM_LIKE", "Checker", "DEFAULT_FAIL_ON", "FLAGS", "SCHEMA_VERSION"]


class Checker:
    """Holds what checking needs from one knowledge-base database connection."""

    def __init__(self, conn: sqlite3.Connection, style: str = DEFAULT_STYLE):
        self.conn = conn
        self.style = style
        self.candidates = Candidates(conn)
        self.refs = RefIndex(conn)
        self.known_checks: dict[str, list[dict]] = {}
        for row in _rows(conn, "select as_written, ref_key, status, reason, claim_id, article_id "
                               "from citation_checks"):
            self.known_checks.setdefault(_citation_key(row["as_written"]), []).append(row)
        self.near: dict[str, set[str]] = {}  # topic token -> the tokens of the topics near it
        if conn.execute("select 1 from sqlite_master where name = 'topic_near'").fetchone():
            # (a database built before schema 8 has none: it checks as it did)
            for topic_id, near_id in conn.execute("select topic_id, near_id from topic_near"):
                self.near.setdefault(topic_token(topic_id), set()).add(topic_token(near_id))

    def check(self, text: str, fail_on: tuple[str, ...] = DEFAULT_FAIL_ON,
              budget_s: float | None = None) -> dict:
        """The report for ``text``. With ``budget_s`` (the site's bound on one request), the
        sentences not reached in that time are left out and the report says so."""
        deadline = None if budget_s is None else time.monotonic() + budget_s
        sentences = split_sentences(text)
        all_cites = find_citations(text)
        references = reference_list(text)
        list_start = reference_list_start(sentences)
        letters = reader_letters(text)
        staged = []
        last_subject = None  # the subject of the assertion before, for a sentence opening with "It"
        for sentence in sentences:
            if deadline is not None and time.monotonic() > deadline:
                break
            cites = [c for c in all_cites if sentence.start <= c.start < sentence.end]
            design = design_named(sentence.text)
            for c in cites:
                c.design = design
            sentence_role, role_cue = role(sentence)
            letter = next((sal for a, b, sal in letters if a <= sentence.start < b), None)
            if letter and sentence_role == "assertion":
                sentence_role, role_cue = "other", f"a reader's letter to the column (\u201c{letter}\u201d)"
            if list_start is not None and sentence.index > list_start:
                sentence_role, role_cue, cites = "navigation", "in the draft's reference list", []
            checked = with_context(sentence)
            plain = _without(checked, sentence, cites)
            if sentence_role == "heading":
                last_subject = None  # a new section: "It" is no longer what came before
            if sentence_role == "assertion":
                plain, read_as, last_subject = _antecedent(plain, last_subject)
                role_cue += read_as
            found = self.candidates.find(plain) if sentence_role == "assertion" else []
            if found and sentence.block == "item" and sentence.lead_in:
                # "Risk factors associated with sciatica include:" + "wearing high heels": the item
                # must share something with the claim itself, not only its lead-in's words
                own = set(tokens(sentence.text, self.candidates.matcher))
                found = [c for c in found if own & set(c.shared)]
            staged.append((sentence, sentence_role, role_cue, plain, cites, found))

        claim_ids = sorted({c.claim_id for *_, found in staged for c in found})
        claims = self._claims(claim_ids)
        formatted_keys = {e["ref_key"] for claim in claims.values() for e in claim["evidence"]}
        resolutions = {}
        prefers = {}
        for sentence, _, _, _, cites, found in staged:
            prefer = prefers[sentence.index] = frozenset().union(
                *(claims[c.claim_id]["linked"] for c in found))
            for c in cites:
                resolutions[(c.start, c.year, c.number)] = self.refs.resolve(c, prefer, references)
        # A narrative mention ("the study, published in JAMA", "Dr Vroomen") is read again in
        # the light of the studies the draft identifies elsewhere, nearest first; then a bare "new
        # research" also by what a journal mention nearby was found to be.
        def resolved(kinds, own_claims_only=False):
            return [(sentence.index, key) for sentence, _, _, _, cites, _ in staged for c in cites
                    if c.kind in kinds and resolutions[(c.start, c.year, c.number)].status == "resolved"
                    and (key := resolutions[(c.start, c.year, c.number)].key)
                    and (not own_claims_only or key in prefers[sentence.index])]

        def reread(kinds, named):
            for sentence, _, _, _, cites, _ in staged:
                for c in cites:
                    if c.kind not in kinds:
                        continue
                    near = sorted(named, key=lambda n: (abs(n[0] - sentence.index), n[0] > sentence.index))
                    context = tuple(dict.fromkeys(
                        k for i, k in near if c.kind != "study" or abs(i - sentence.index) <= CONTEXT_SENTENCES))
                    nearby = frozenset().union(*(p for i, p in prefers.items()
                                                 if abs(i - sentence.index) <= CONTEXT_SENTENCES))
                    if context or nearby:
                        resolutions[(c.start, c.year, c.number)] = self.refs.resolve(
                            c, prefers[sentence.index], references, context, nearby)
        named = resolved(IDENTIFYING)
        reread({"organisation", "cochrane", "journal", "person"}, named)
        # (a journal mention counts only as the study its own sentence's claims cite: one the
        # claims of the sentences around it cite is a guess, not an identification)
        reread({"study"}, named + resolved(PUBLISHING, own_claims_only=True))
        formatted_keys |= {r.key for r in resolutions.values() if r.key}
        formatted = stored_or_formatted(self.conn, sorted(formatted_keys), self.style)

        out = []
        last_source = -SOURCE_CARRIES - 1  # index of the last sentence that named a source
        for sentence, sentence_role, role_cue, plain, cites, found in staged:
            if deadline is not None and time.monotonic() > deadline:
                break
            if sentence_role == "heading":
                last_source = -SOURCE_CARRIES - 1
            # (a journal named alone, "a study in the New England Journal of Medicine", was resolved
            # to the study of that journal the sentence's own candidate claims cite: it cannot in
            # turn say the sentence makes one of them)
            cited_keys = {resolutions[(c.start, c.year, c.number)].key for c in cites
                          if c.kind not in PUBLISHING} - {None}
            # A source the sentence names ("according to the Mayo Clinic") is not its subject.
            named_text = plain
            for c in cites:
                if c.kind in ("organisation", "journal", "person", "cochrane"):
                    named_text = named_text.replace(c.text, " ")
            reading = {"strength": strength(plain)[0], "subject": self._subject_topics(named_text) if found else set(),
                       "figures": figs.figures(plain) if found else [],
                       "topics": self._topics(named_text) if found else set(),
                       "study_result": study_result(plain), "on_its_own": _on_its_own(plain),
                       "lead_in": sentence.lead_in if sentence.block == "item" else None}
            judged = [self._judge(plain, reading, c, claims[c.claim_id], cited_keys, formatted)
                      for c in found]
            judged.sort(key=lambda m: -m.pop("rank_score"))
            clear = {m["claim_id"]: m.pop("clear") for m in judged}
            table = {m["claim_id"]: m.pop("table_verdict") for m in judged}
            # A claim the sentence clearly asserts or denies is a match; one it only shares a
            # subject with is a related claim, shown as such and never given a verdict.
            matches = [m for m in judged if m["stance"] != "topic"][:MAX_MATCHES]
            related = [_related(m) for m in judged if m["stance"] == "topic"][:MAX_MATCHES]
            top = matches[0] if matches else None
            # (a claim contradicted for its figure, "… about 40% of cases", is not one a sentence
            # without a figure makes)
            # (the table's verdict: a clear word on a claim sharing little wording raises no flag of
            # its own, but still withholds the badge)
            against = next((m for m in matches[1:] if table[m["claim_id"]] == "contradicted" and clear[m["claim_id"]]
                            and (m["figures"] or not _DIGIT.search(m["statement"]))), None)
            if top and top["sentence_verdict"] == "consistent" and against:
                # Another claim the sentence may be making is one the evidence contradicts: no
                # green badge until the writer says which one it means.
                top["sentence_verdict"], top["verdict_reason"] = "unsure", (
                    f"it may also say \u201c{against['statement']}\u201d, which the evidence "
                    f"contradicts: check which claim the sentence makes")
            out_cites = [self._citation(c, resolutions[(c.start, c.year, c.number)], judged, top,
                                        claims, formatted) for c in cites]
            record = {
                "index": sentence.index, "text": sentence.text, "start": sentence.start,
                "end": sentence.end, "role": sentence_role, "role_cue": role_cue,
                "context": sentence.lead_in if sentence.block == "item" else None,
                "matches": matches, "related": related, "citations": out_cites,
                "verdict": top["sentence_verdict"] if top else "unsure" if related else None,
                "verdict_reason": top["verdict_reason"] if top else
                related[0]["stance_cue"] if related else None,
            }
            if sentence_role == "assertion" and not top and not related:
                reasons = [why for rx, why in CLAIM_LIKE if rx.search(plain)]
                if reasons:
                    record["verdict"] = "unknown"
                    record["verdict_reason"] = ("it makes a checkable claim ("
                                                + "; ".join(reasons) + ") the knowledge base does not hold")
            # A sentence reporting a study's groups refers back to the study the draft named,
            # as "the study" does.
            carries = CONTEXT_SENTENCES if reading["study_result"] else SOURCE_CARRIES
            sourced = sentence.index - last_source <= carries
            # (an item's own words: an appeal to research in its lead-in is the lead-in's to source)
            own = plain[len(sentence.lead_in) + 1:] if sentence.block == "item" and sentence.lead_in \
                and plain.startswith(sentence.lead_in) else plain
            record["flags"] = sentence_flags(record, own, sourced) if sentence_role == "assertion" else []
            if any(c["names_a_source"] for c in record["citations"]):
                last_source = sentence.index
            out.append(record)
        report = {"schema_version": SCHEMA_VERSION, "sentences": out}
        report["attention"] = attention(out)
        report["summary"] = summary(out, fail_on)
        report["incomplete"] = None if len(out) == len(sentences) else {
            "checked": len(out), "sentences": len(sentences),
            "reason": f"the time allowed for one check ({budget_s:g} s) ran out after {len(out)} of "
                      f"{len(sentences)} sentences; the rest were not checked. Check the draft in "
                      f"parts, or with `kb check`, which has no time limit."}
        return report

    # --- steps 3 and 4 for one candidate ---------------------------------------------------

    def _judge(self, plain: str, reading: dict, cand, claim: dict, cited_keys: set[str],
               formatted: dict[str, str]) -> dict:
        """Steps 3 and 4 for one candidate; ``reading`` holds what is read once per sentence
        (its strength, the topics of its subject)."""
        st = stance(plain, claim["statement"], cand.shares_content,
                    treatment=claim["claim_type"] == "treatment-effect")
        weak = None
        if st.unstated and cand.score >= UNSTATED_MATCH and _names_subject(plain, claim["statement"]) and not (
                # "Common symptoms include:" + "Lower back pain": the claim's "common" is the
                # lead-in's, about the symptoms; the item does not say it in other words
                reading["lead_in"] and read(reading["lead_in"]).values.keys() & read(claim["statement"]).core):
            unsaid = st.cue  # "does not say whether it is “worse”"
            st = type(st)("asserts", f"{st.cue}, but says much of the claim in other words",
                          clear=False)
            weak = "unstated"
        sentence_topics = reading["topics"]
        subject = reading["subject"]
        near = claim["topic_tokens"] | {n for t in claim["topic_tokens"] for n in self.near.get(t, ())}
        if st.stance != "topic" and claim["topics_n"] and (
                (sentence_topics and not sentence_topics & (set(cand.shared) | near))
                or (subject and not subject & near)):
            # The sentence is about something else: "exercise does not help" is not about bed
            # rest, and "cauda equina syndrome is common" is not "sciatica is common", whatever
            # else the wording shares. A topic near the claim's is not something else
            # ("numbness around the genital region" is a symptom and a red flag).
            st = type(st)("topic", "shares wording but not the subject: the sentence is about "
                                   "another topic")
        if st.stance == "asserts" and claim["claim_type"] == "treatment-effect" \
                and reading["on_its_own"] and "on its own" not in normalise(claim["statement"]):
            # "goes away naturally", "without any treatment": what happens with no treatment is
            # not what a treatment does.
            st = type(st)("topic", f"it says this happens {reading['on_its_own']}; the claim is about "
                                   "what a treatment does")
        backing = sorted(k for k in cited_keys if claim["stances"].get(k) == "supports")
        if st.stance == "topic" and backing:
            # Citing a study the knowledge base links as support, on the claim's subject, is
            # taken as making the claim.
            st = type(st)("asserts", f"cites {backing[0]}, which supports the claim")
        if st.stance != "topic" and st.clear and not backing and not set(cand.shared) & claim["topic_tokens"] \
                and not _names_subject(plain, claim["statement"]):
            # "There are many effective treatments for sciatica" does not deny that opioids are
            # not effective: a position on a claim whose subject the sentence neither names nor
            # shares a topic with is at most a resemblance.
            st = type(st)(st.stance, f"{st.cue}; but it never names what the claim is about", clear=False)
            weak = "subject"
        comparator = claim["comparator"] if st.stance != "topic" and not backing else None
        if comparator and not _COMPARES.search(plain) and not set(stems(plain)) & set(stems(comparator)):
            # "talk to your doctor about ... acupuncture, to relieve your symptoms" does not say
            # acupuncture "is more effective than exercise": a claim that compares is made only by
            # a sentence that compares, or names what the claim compares with.
            st = type(st)("topic", f"it makes no comparison; the claim compares with "
                                   f"\u201c{comparator}\u201d")
        claim_figures = claim["statement_figures"]
        if st.stance != "topic" and st.clear and claim_figures and not reading["figures"]:
            # "With proper treatment, most people make a full recovery" is not "most people get
            # relief within 1-4 sessions": a claim whose figures the sentence leaves out is at most
            # resembled.
            st = type(st)(st.stance, f"{st.cue}; but it gives none of the claim's figures "
                                     f"(\u201c{claim_figures[0].words}\u201d)", clear=False)
        if st.stance != "topic" and not st.clear and cand.score < PLAIN_MATCH and not backing:
            st = type(st)("topic", "shares some of its wording, but nothing in the sentence says "
                                   "the same or the opposite")
        verdict, why = sentence_verdict(claim["verdict"], st.stance,
                                        0 if st.absolute_is_myth else reading["strength"], claim["strength"])
        table_verdict = verdict  # before the bars below; another match's doubt rests on it
        if verdict == "consistent" and claim["verdict"] == "overstated" and not st.clear and not backing:
            # A hedge ("will most likely order an MRI") makes a sentence consistent with an
            # overstated claim only if the sentence is seen to make the claim at all.
            verdict, why = "unsure", ("it resembles a claim the evidence finds overstated, hedged; nothing "
                                      "in it says the same for certain: check the wording")
        elif verdict == "consistent" and not backing and (
                cand.score < GREEN_CLEAR_MATCH or (not st.clear and cand.score < GREEN_MATCH)):
            # A green badge needs more than resembling a supported claim: a word that says the
            # same on a claim that shares much of the wording, a cited study that backs it, or
            # most of the claim's wording.
            verdict, why = "unsure", ("it resembles a claim the evidence supports, but nothing in it "
                                      "says the same for certain: check the wording")
        elif verdict in FLAG_OF and not backing and (
                (verdict != "contradicted" and cand.score < GREEN_CLEAR_MATCH)
                or (not st.clear and cand.score < GREEN_MATCH)):
            # The same bar for a red flag as for a green badge: resemblance alone, or a word that
            # says the same ("helps") on a claim that shares little of the wording, does not say
            # the sentence makes a claim the evidence finds overstated or unsupported (on the
            # tuning half the flagged claim was the wrong one 18 times in 22). A clear word against
            # the evidence ("rest can prolong recovery") is still flagged: a false sentence let
            # through costs the writer more than a second look.
            verdict, why = "unsure", (
                f"{st.cue}, but it shares little else of a claim the evidence finds {claim['verdict']}: "
                "check that it makes this claim" if st.clear else
                f"it resembles a claim the evidence finds {claim['verdict']}, but "
                "nothing in it says the same for certain: check the wording")
        if verdict in ("contradicted", "consistent") and weak == "unstated" and not backing:
            # "Standard treatment had been bed rest" says much of "bed rest makes sciatica worse"
            # but not "worse", the part the evidence contradicts: it cannot be false by this claim,
            # nor agree with the evidence on a part it leaves unsaid (on the tuning half both such
            # red flags were wrong, and such green badges on the wrong claim 6 times in 12).
            part = "contradicts" if verdict == "contradicted" else "supports"
            verdict, why = "unsure", (f"it says much of the claim in other words, but {unsaid}, the "
                                      f"part the evidence {part}: check the wording")
        if st.both_ways and (verdict == "consistent" or verdict in FLAG_OF):
            verdict, why = "unsure", ("it says both what the claim says and its opposite, in different "
                                      "clauses: check which one the sentence means")
        result_of = reading["study_result"]
        if result_of and verdict in FLAG_OF and not backing:
            verdict, why = "unsure", (f"it reports one study's results (\u201c{result_of}\u201d), which "
                                      "the claim generalises: check it against that study")
        sentence_figures = reading["figures"]
        agrees, differs = figs.compare(sentence_figures, claim["figures"]) \
            if sentence_figures and not result_of else (None, None)
        rank = cand.rank * (TOPIC_PENALTY if st.stance == "topic" else 1.0 if st.clear else PLAIN_RANK)
        if weak and st.stance != "topic":
            rank *= WEAK_RANK
        if cited_keys & claim["linked"]:
            rank *= CITED_BONUS
        return {
            "claim_id": cand.claim_id, "statement": claim["statement"],
            "claim_verdict": claim["verdict"], "certainty": claim["certainty"],
            "score": cand.score, "reason": self.candidates.reason(plain, cand),
            "stance": st.stance, "stance_cue": st.cue,
            "sentence_verdict": verdict, "verdict_reason": why,
            "figures": [f.words for f in sentence_figures],
            "figure_agrees": agrees, "figure_note": differs,
            "reasoning": claim["reasoning"], "searched_for": claim["searched_for"],
            "evidence": [dict(e, citation=formatted.get(e["ref_key"])) for e in claim["evidence"]],
            "rank_score": rank, "clear": st.clear, "table_verdict": table_verdict,
        }

    def _claims(self, claim_ids: list[str]) -> dict[str, dict]:
        if not claim_ids:
            return {}
        marks = ",".join("?" * len(claim_ids))
        claims = {r["id"]: dict(r, evidence=[]) for r in _rows(
            self.conn, f"select id, statement, claim_type, verdict, certainty, reasoning, searched_for, "
                       f"json_array_length(topics) as topics_n, topics from claims where id in ({marks})",
            claim_ids)}
        for e in _rows(self.conn,
                       "select e.claim_id, e.ref_key, e.stance, e.directness, e.finding, r.design, "
                       "r.year, r.doi, r.pmid, r.url, r.status as ref_status from evidence e "
                       "join refs r on r.key = e.ref_key "
                       f"where e.claim_id in ({marks})", claim_ids):
            claims[e.pop("claim_id")]["evidence"].append(e)
        not_supporting = {}
        for claim_id, key in self.conn.execute(
                f"select claim_id, ref_key from citation_checks where claim_id in ({marks}) "
                "and status = 'does-not-support' and ref_key is not null", claim_ids):
            not_supporting.setdefault(claim_id, set()).add(key)
        for claim_id, claim in claims.items():
            claim["evidence"].sort(key=lambda e: (_STANCE_RANK.get(e["stance"], 3),
                                                  _DIRECTNESS_RANK.get(e["directness"], 3),
                                                  DESIGN_RANK.get(e["design"], 4),
                                                  -(e["year"] or 0), e["ref_key"]))
            claim["stances"] = {e["ref_key"]: e["stance"] for e in claim["evidence"]}
            claim["stances"].update({k: "does-not-support" for k in not_supporting.get(claim_id, ())
                                     if k not in claim["stances"]})
            claim["linked"] = frozenset(claim["stances"])
            claim["topic_tokens"] = {topic_token(t) for t in json.loads(claim.pop("topics") or "[]")}
            claim["strength"] = strength(claim["statement"])[0]
            claim["statement_figures"] = figs.figures(claim["statement"])
            claim["comparator"] = _comparator(claim["statement"])
            claim["figures"] = claim["statement_figures"] + [f for e in claim["evidence"]
                                                             for f in figs.figures(e["finding"])]
            del claim["evidence"][EVIDENCE_SHOWN:]
            for e in claim["evidence"]:
                e["links"] = _links(e)
        return claims

    def _topics(self, text: str) -> set[str]:
        """The topics ``text`` names (a word that only qualifies, "common causes", names none)."""
        return {topic_token(h.topic) for h in self.candidates.matcher.find(text)
                if h.alias not in _QUALIFYING_ALIASES}

    def _subject_topics(self, text: str) -> set[str]:
        """Topics named before the sentence's verb ("Cauda equina syndrome is ..."): its subject.
        A leading clause ("If the sciatic nerve is affected, the pain ...") is not the subject."""
        text = _LEADING_TIME.sub("", _LEADING_CLAUSE.sub("", text, count=1), count=1)
        if _THERE_IS.match(text):
            return set()  # "there was no difference in …": the subject comes after the verb
        m = _VERB.search(text)
        if not m or m.start() == 0 or _THE_CONDITION.match(text[:m.start()]):
            return set()
        return self._topics(text[:m.start()])

    # --- step 5 ------------------------------------------------------------------------------

    def _citation(self, cite, resolution, matches: list[dict], top: dict | None,
                  claims: dict[str, dict], formatted: dict[str, str]) -> dict:
        """The citation resolved, and what the knowledge base records of the cited study for
        every claim the sentence may be making, read in the sentence's direction (a study that
        contradicts a claim supports a sentence that denies it)."""
        for_claims = []
        if resolution.key:
            for m in matches:
                recorded = claims[m["claim_id"]]["stances"].get(resolution.key)
                if recorded is None:
                    continue
                effective = _FLIP.get(recorded, recorded) if m["stance"] in ("denies", "myth") else recorded
                for_claims.append({"claim_id": m["claim_id"], "recorded": recorded,
                                   "for_sentence": effective})
        supports = None
        if resolution.key and top:
            mine = next((f for f in for_claims if f["claim_id"] == top["claim_id"]), None)
            supports = mine["for_sentence"] if mine else "not-linked"
        # A source article's citation written the same way is the same citation when it is an
        # author-year one ("(Vroomen, de Krom and Knottnerus, 2007)"), or names the same study:
        # "the study" or "[1]" in another article is another study.
        known = [{"article_id": k["article_id"], "status": k["status"], "ref_key": k["ref_key"],
                  "claim_id": k["claim_id"], "reason": k["reason"]}
                 for k in self.known_checks.get(_citation_key(cite.text), [])
                 if cite.kind == "author-year" or (resolution.key and k["ref_key"] == resolution.key)][:1]
        ref_status = None
        if resolution.key:
            row = self.conn.execute("select status, status_note, superseded_by from refs where key = ?",
                                    (resolution.key,)).fetchone()
            ref_status = {"status": row[0], "note": row[1], "superseded_by": row[2]} if row and row[0] else None
        # A footnote can only be checked against the draft's own reference list.
        formal = cite.formal and not (cite.kind == "footnote" and "no numbered reference list"
                                      in resolution.detail)
        return {"text": cite.text, "start": cite.start, "end": cite.end, "kind": cite.kind,
                "formal": formal, "names_a_source": cite.names_a_source, "names": cite.names,
                "year": cite.year,
                "status": resolution.status, "key": resolution.key, "detail": resolution.detail,
                "reference": formatted.get(resolution.key), "supports_claim": supports,
                "for_claims": for_claims, "known_check": known[0] if known else None,
                "ref_status": ref_status}


_LEADING_CLAUSE = re.compile(r"^\s*(?:if|when|whenever|although|though|while|because|since|once|"
                             r"after|before|unless|until)\b[^,.;:]*,\s*", re.I)
# "After eight weeks there was …", "Within a year, most …": when, not what the sentence is about
_LEADING_TIME = re.compile(r"^\s*(?:after|within|in|for|over|by|at|during|up to)\s+(?:[\w-]+\s+){0,3}?"
                           r"(?:days?|weeks?|months?|years?)\b,?\s*", re.I)
# "Sciatica or sciatic nerve pain is …": the subject is the condition every claim is about, by its
# names, which say nothing of the topic
_THE_CONDITION = re.compile(r"^\s*(?:sciatica|sciatic (?:nerve )?pain)(?:\s*(?:,|or|\()\s*(?:sciatic )?"
                            r"(?:nerve )?(?:pain|sciatica)\)?)?\s*$", re.I)
_THERE_IS = re.compile(r"^\s*there\s+(?:is|are|was|were|has been|have been|will be)\b", re.I)
_DIGIT = re.compile(r"\d")
_PRONOUN_SUBJECT = re.compile(r"^\s*(?:it|they|this|these)\s+(?=(?:is|are|can|may|will|also|often|usually|"
                              r"helps?|works?|does|do|has|have|should|could|might)\b)", re.I)
_VERB = re.compile(r"\b(?:is|are|was|were|can|could|may|might|will|causes?|affects?|has|have|does|do|"
                   r"makes?|leads?|helps?|occurs?|happens?|means?)\b", re.I)


def _names_subject(sentence: str, claim: str) -> bool:
    """Whether the sentence names what the claim is about (its words before the verb, beyond
    "sciatica"): "NSAIDs relieve sciatica by reducing … inflammation along the sciatic nerve" is
    not said in other words by a sentence about inflammation along the nerve that never names
    NSAIDs."""
    claim, sentence = normalise(claim), normalise(sentence)  # a "scan" names "imaging"
    verb = _VERB.search(claim)
    subject = set(stems(claim[:verb.start()])) - IN_EVERY_CLAIM if verb else set()
    return not subject or bool(subject & set(stems(sentence)))


def _antecedent(plain: str, last_subject: str | None) -> tuple[str, str, str | None]:
    """(the text to check, what the report says of how it was read, the subject a following "It"
    stands for). "It can also help protect your spine", after "Sciatica surgery is …", is read as
    "Sciatica surgery can also help protect your spine"."""
    pronoun = _PRONOUN_SUBJECT.match(plain)
    if pronoun and last_subject:
        read_as = f" (\u201c{pronoun.group(0).strip()}\u201d read as \u201c{last_subject}\u201d)"
        return last_subject + " " + plain[pronoun.end():], read_as, last_subject
    verb = _VERB.search(plain)
    head = plain[:verb.start()].strip() if verb else ""
    short = 0 < len(head.split()) <= 5 and not pronoun and not _LEADING_CLAUSE.match(plain)
    return plain, "", head if short else None


# The writers' words for "on its own" ("naturally", "without any treatment"), as kb.text reads them.
_ON_ITS_OWN = next(rx for rx, canonical in SYNONYMS if canonical == "on its own")


# A claim that compares: what it compares with, and the words that say a sentence compares too.
_THAN = re.compile(r"\b(?:rather than|than|as opposed to)\s+(?P<what>[^.;,()]+)", re.I)
_AGAINST_NOTHING = re.compile(r"\b(?:placebo|sham|dummy|no treatment|usual care)\b", re.I)
_COMPARES = re.compile(r"\b(?:than|rather|instead|compared?|comparison|versus|vs|over|better|best|more|most|less|"
                       r"least|fewer|superior|outperforms?|beats?|faster|quicker|safer)\b", re.I)


def _comparator(statement: str) -> str | None:
    """What a comparative claim compares with ("exercise" in "Acupuncture is more effective than
    exercise"), unless it is a placebo or sham (that comparison is the test of any effect) or the
    claim denies the difference ("bed rest is no more effective than staying active" is made by
    "bed rest does not help")."""
    m = _THAN.search(statement)
    if not m or _AGAINST_NOTHING.search(m.group("what")) or re.search(r"\bno\b|\bnot\b", statement, re.I):
        return None
    return m.group("what").strip()


def _on_its_own(text: str) -> str | None:
    """The words that say the sentence is about what happens with no treatment, if any."""
    m = _ON_ITS_OWN.search(text)
    return m.group(0) if m else None


def _related(m: dict) -> dict:
    return {k: m[k] for k in ("claim_id", "statement", "claim_verdict", "certainty", "score",
                              "reason", "stance", "stance_cue")}


def _without(checked: str, sentence, cites) -> str:
    """The checked text with formal citations blanked out: they are not claim wording."""
    offset = len(checked) - len(sentence.text)  # a lead-in and a space precede an item's text
    plain = checked
    for c in sorted(cites, key=lambda c: -c.start):
        if c.kind in ("author-year", "footnote"):
            s, e = offset + c.start - sentence.start, offset + c.end - sentence.start
            plain = plain[:s] + " " + plain[e:]
    return plain


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
