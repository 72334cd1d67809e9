"""Text normalisation shared by the build (indexing claims) and `kb check` (matching drafts).

Both sides must turn text into the same tokens, so this is the only place that does it:
lowercase, accents folded, stop words dropped, Snowball-stemmed, and topic aliases
("staying in bed", "slipped disc", "a scan") replaced by one token per topic so that a
writer's paraphrase and the knowledge base's wording meet on the same token.
"""

from __future__ import annotations

import math
import re
try:  # the regular-expression parser (re._parser from Python 3.11)
    import re._constants as _sre
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as _sre
    import sre_parse as _sre_parse
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

# Snowball stemmers keep state while stemming, so each thread needs its own (Datasette runs
# the /-/check engine in several threads at once).
_local = threading.local()
_WORD_RE = re.compile(r"[A-Za-z0-9]+(?:[.,][0-9]+)?%?")

STOPWORDS = frozenset("""
a about above after again against all also am an and any are aren as at be because been before being
below between both but by can could did do does doing don down during each either else ever every few
for from further had has have having he her here hers herself him himself his how i if in into is it
its itself just least less let like may me might more most much must my myself neither no nor not of
off on once one only or other ought our ours ourselves out over own per quite rather same shall she
should so some such than that the their theirs them themselves then there these they this those
through thus to too under until up upon us very via was we were what when where whether which while
who whom whose why will with within without would yet you your yours yourself yourselves
often usually many people person someone something sometimes always really actually just well even
get gets got getting make makes made may might can could one two
""".split())
# Words kept although they look like stop words: they carry a claim's direction.
KEEP = frozenset({"no", "not", "worse", "better", "more", "less", "most", "never", "without"})
STOPWORDS = STOPWORDS - KEEP


def _strip_accents(text: str) -> str:
    if text.isascii():  # nothing to fold (NFKD leaves ASCII as it is); most text, and fast
        return text
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Lowercase, fold accents and typographic quotes to ASCII-ish text."""
    return _strip_accents(text).replace("\u2019", "'").replace("\u2018", "'").lower()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if word.isdigit():  # Snowball leaves numbers as they are; skip its slow pure-Python pass
        return word
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def words(text: str) -> list[str]:
    """Surface words (folded), without stop-word removal."""
    return _WORD_RE.findall(fold(text))


# The words writers use for the same thing, brought to one wording before stemming, on both
# sides (the build indexing claims, `kb check` reading drafts): "clear up by itself" and "pass
# on its own", "pain meds" and "painkillers", "nine in ten" and "90%". Topic-specific phrases
# belong in claims/topics.yaml as aliases; these are the general ones.
SYNONYMS = [(re.compile(rx, re.I), canonical) for rx, canonical in [
    (r"\b(?:nine|9) (?:in|out of) (?:every )?(?:ten|10)\b", "90%"),
    (r"\b(?:eight|8) (?:in|out of) (?:every )?(?:ten|10)\b", "80%"),
    (r"\b(?:seven|7) (?:in|out of) (?:every )?(?:ten|10)\b", "70%"),
    (r"\b(?:one|1) (?:in|out of) (?:every )?(?:ten|10)\b", "10%"),
    (r"\b(?:half|50 ?%) of\b", "50% of"),
    (r"\b(?:a|one) fifth\b|\bone (?:in|out of) five\b", "20%"),
    (r"\b(?:a|one) quarter\b|\bone (?:in|out of) four\b", "25%"),
    (r"\b(?:a|one) third\b|\bone (?:in|out of) three\b", "33%"),
    (r"\btwo thirds\b|\btwo (?:in|out of) three\b", "67%"),
    (r"\bpain ?(?:meds|medications?|medicines?|pills|relievers?|killers?)\b|\banalgesics?\b",
     "painkillers"),
    (r"\banti-?inflammator(?:y|ies) (?:drugs?|medications?|medicines?|tablets?)\b|\bnsaids?\b",
     "anti-inflammatories"),
    (r"\b(?:goes|go|going|went) away\b|\bclears? up\b|\bcleared up\b|\bsettles?(?: down)?\b|"
     r"\bsubsides?\b|\bdissipates?\b|\bpass(?:es)?(?= (?:on (?:its|their) own|by (?:it|them)sel|without))|\bresolves?\b|\bresolved\b|\bresolution\b", "improves"),
    (r"\b(?:by|of) (?:it|them)sel(?:f|ves)\b|\bon (?:its|their) own\b|\bwithout (?:any |the need for (?:any )?)?treatment\b|"
     r"\bnaturally\b|\bspontaneously\b", "on its own"),
    (r"\b(?:gets?|got|getting) better\b|\brecover(?:s|ed|y|ing)?\b|\bimprov(?:e|es|ed|ing|ement)\b",
     "improves"),
    (r"\bineffective\b|\bno (?:more|less) effective\b|\bnot (?:be )?effective\b|\bno better\b|"
     r"\b(?:does|do|did|may|might|will|would|can)(?: not|n'?t) (?:necessar(?:il)?y )?(?:help|work|speed)\b|"
     r"\bwon'?t (?:help|work|speed)\b|\bno (?:faster|quicker)\b|\bnot (?:any )?(?:faster|quicker)\b|"
     r"\bdid little\b|\bdoes little\b|\bdo little\b|\bno (?:real |significant |clear )?benefit\b|"
     r"\blittle or no (?:benefit|effect|difference)\b|\bno difference\b|"
     r"\b(?:is|are) not the (?:answer|solution)\b|\b(?:isn|aren)['\u2019]?t the (?:answer|solution)\b", "no more effective"),
    (r"\b(?:keep|keeping|stay|staying|remain|remaining) (?:active|mobile|moving)\b|\bup and about\b|"
     r"\bnormal (?:daily )?activit(?:y|ies)\b|\bkeep(?:ing)? (?:on )?moving\b", "staying active"),
    (r"\b(?:lying|lie|lay|stay(?:ing|ed)?|rest(?:ing)?) (?:down )?in bed\b|\bbed-?bound\b|"
     r"\bbedrest\b", "bed rest"),
    (r"\b(?:scans?|mri scans?|x-?rays?|ct scans?|imaging tests?)\b", "imaging"),
    (r"\bpins and needles\b|\bprickling\b|\bpricking\b", "tingling"),
    (r"\bdisks?\b", "disc"),
    (r"\bbilateral(?:ly)?\b|\bboth (?:of (?:your|the) |your |the )?legs\b", "bilateral"),  # ("both" is a stop word)
    (r"\bas soon as\b[^.,;]{0,30}?\bstart(?:s|ed)?\b|\bright away\b|\bstraight away\b|"
     r"\bat (?:the )?(?:first|start|onset)\b|\bat first\b", "early"),
    # (a bulge is not a herniation: "bulging" keeps its own word)
    (r"\bslipped\b|\bruptured\b|\bprolapsed\b|\bslip(?= dis[ck]s?\b)", "herniated"),
    (r"\bcommonest\b", "most common"),
    # Brand and class names for the drugs the claims name by their generic or class name.
    (r"\bneurontin\b", "gabapentin"), (r"\blyrica\b", "pregabalin"),
    (r"\b(?:anti-?convulsants?|anti-?seizure|anti-?epileptics?)\b(?: (?:drugs?|medications?|medicines?))?",
     "antiepileptic drugs"),
    (r"\bacetaminophen\b|\btylenol\b", "paracetamol"),
    (r"\badvil\b|\bmotrin\b|\bnurofen\b", "ibuprofen"), (r"\baleve\b", "naproxen"),
    (r"\bheight\b|\btaller\b", "tall"),  # "increasing risk with height": being tall
    # "stretch" of a nerve is not the exercise: "painful stretching of the nerve", "the nerve ...
    # stretches out into the feet"
    (r"\bstretch(?:ing|es|ed)? (?:of|on) the (?:sciatic )?nerves?\b", "nerve tension"),
    (r"\bstretch(?:es|ed)? out (?:in ?to|to|down|through|along)\b", "extends to"),
    (r"\b(?:loss of|lose|losing|losing control of|difficulty controlling) (?:power|strength)\b|"
     r"\bdecrease in power\b", "weakness"),
]]


def normalise_reference(text: str) -> str:
    """``normalise`` as its definition: every synonym pattern applied in turn."""
    for rx, canonical in SYNONYMS:
        text = rx.sub(canonical, text)
    return text


def _required(items) -> list[frozenset[str]]:
    """Sets of lowercase strings such that every match of the parsed pattern ``items`` contains
    one string of each set (a necessary condition, read off the pattern's literals)."""
    found, run = [], []

    def flush():
        if run:
            found.append(frozenset(["".join(run)]))
            run.clear()

    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av).lower())
            continue
        flush()
        if op is _sre.SUBPATTERN:
            found += _required(av[3])
        elif op is _sre.BRANCH:
            alternatives = [_best(_required(b)) for b in av[1]]
            if all(alternatives):
                found.append(frozenset().union(*alternatives))
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:
            found += _required(av[2])
    flush()
    return [f for f in found if f and all(f)]


def _best(sets: list[frozenset[str]]) -> frozenset[str] | None:
    """The most telling set: the one whose shortest string is longest."""
    return max(sets, key=lambda f: (min(map(len, f)), -len(f)), default=None)


def _gate(rx: re.Pattern) -> tuple[frozenset[str], ...]:
    sets = sorted(_required(_sre_parse.parse(rx.pattern, rx.flags)),
                  key=lambda f: (-min(map(len, f)), len(f)))
    return tuple(sets[:2])


# Each pattern with the strings one of which (per set) any match must contain: most texts hold
# none of most synonyms, and a substring test is far cheaper than a regex scan. The gate is only
# used on ASCII text (case folding is then plain lowercasing); tests/test_text.py holds
# ``normalise`` equal to ``normalise_reference`` on every real text and on generated ones.
_GATED = [(rx, canonical, _gate(rx)) for rx, canonical in SYNONYMS]
# Every gate string is a bit: a text's gate strings are looked for once (a substring test each)
# and each pattern's gate is then two integer tests, instead of a Python loop over its strings
# per pattern (normalise was most of a full build's tokenising time: 58 to 17 us a text).
_GATE_STRINGS = tuple(sorted({s for _, _, gate in _GATED for strings in gate for s in strings}))
_GATE_BITS = tuple((s, 1 << i) for i, s in enumerate(_GATE_STRINGS))
_GATE_MASKS = [(rx, canonical, *(([sum(bit for t, bit in _GATE_BITS if t in strings) for strings in gate]
                                  * 2)[:2] if gate else (0, 0)))
               for rx, canonical, gate in _GATED]


def _present(low: str) -> int:
    """The bits of the gate strings that occur in ``low``."""
    mask = 0
    for s, bit in _GATE_BITS:
        if s in low:
            mask |= bit
    return mask


@lru_cache(maxsize=8192)  # `kb check` reads each candidate claim's statement once per sentence
def normalise(text: str) -> str:
    """``text`` with writers' synonyms replaced by one wording each (see SYNONYMS)."""
    plain = text.isascii()
    present = _present(text.lower()) if plain else 0
    for rx, canonical, first, second in _GATE_MASKS:
        if plain and first and not (present & first and present & second):
            continue
        changed = rx.sub(canonical, text)
        if changed != text:
            text = changed
            plain = text.isascii()
            present = _present(text.lower()) if plain else 0
    return text


def _terms(text: str) -> list[tuple[str, str]]:
    """(lowercased word, term) pairs. Acronyms written in capitals are kept unstemmed, so
    "TENS" stays "tens" and does not become the number "ten"."""
    out = []
    for w in _WORD_RE.findall(_strip_accents(normalise(text))):
        low = w.lower()
        out.append((low, low if len(w) > 1 and w.isupper() else stem(low)))
    return out


@lru_cache(maxsize=8192)
def stems(text: str) -> tuple[str, ...]:
    """Stemmed content words, in order."""
    return tuple(t for w, t in _terms(text) if w not in STOPWORDS)


def topic_token(topic_id: str) -> str:
    # One alphanumeric token, so FTS5's unicode61 tokenizer keeps it whole.
    return "topic" + re.sub(r"[^a-z0-9]", "", topic_id)


@dataclass(frozen=True)
class AliasHit:
    topic: str
    alias: str
    start: int = 0  # word positions of the match
    end: int = 0


class AliasMatcher:
    """Finds topic aliases in text by their stem sequences (longest first)."""

    def __init__(self, aliases: dict[str, list[str]]):
        # aliases: topic id -> phrases (its label and the words writers use for it)
        patterns = []
        for topic, phrases in aliases.items():
            for phrase in phrases:
                seq = tuple(t for _, t in _terms(phrase))
                if seq:
                    patterns.append((seq, topic, phrase))
        patterns.sort(key=lambda p: -len(p[0]))
        self._by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for seq, topic, phrase in patterns:
            self._by_first.setdefault(seq[0], []).append((seq, topic, phrase))

    def find(self, text: str, terms: list[tuple[str, str]] | None = None) -> list[AliasHit]:
        # Aliases match on all words (stop words included: "staying in bed").
        seq = [t for _, t in (terms if terms is not None else _terms(text))]
        hits = []
        for i, token in enumerate(seq):
            for pattern, topic, phrase in self._by_first.get(token, ()):
                if tuple(seq[i:i + len(pattern)]) == pattern:
                    hits.append(AliasHit(topic, phrase, i, i + len(pattern)))
        return hits


# A claim statement's qualifiers: brackets and the cases it singles out ("especially when caused
# by muscle tension", "such as ibuprofen"). Matching reads the statement with and without them.
_QUALIFIERS = re.compile(r"\s*\([^)]*\)|,?\s+(?:especially|particularly|in particular|such as|including|"
                         r"e\.g\.|for example)\b[^.;]*")
CORE_SOURCE = "statement:core"  # its source name among a claim's matching texts


def statement_core(statement: str) -> str:
    """``statement`` without its qualifiers; the statement itself when it has none."""
    core = _QUALIFIERS.sub("", statement).strip()
    return core if core and core != statement.strip() else statement


def tokens(text: str, matcher: AliasMatcher, extra_topics: tuple[str, ...] = ()) -> list[str]:
    """Content terms plus one token per topic whose alias occurs (or that is given).

    The words of a matched multi-word alias give way to the topic token, so "comes back"
    counts as recurrence rather than as "back"; a one-word alias ("CBD", "massage") is a
    distinctive word in itself and is kept beside its topic token."""
    terms = _terms(text)
    hits = matcher.find(text, terms)
    covered = {i for h in hits if h.end - h.start > 1 for i in range(h.start, h.end)}
    content = [t for i, (w, t) in enumerate(terms) if i not in covered and w not in STOPWORDS]
    topics = {h.topic for h in hits} | set(extra_topics)
    return content + sorted(topic_token(t) for t in topics)


TOPIC_BOOST = 2.0  # a shared topic (alias) counts twice as much as a shared word of equal rarity


def idf(df: int, n: int) -> float:
    """Inverse document frequency over claims; an unseen token gets the weight of a unique one."""
    return math.log(1 + n / max(df, 1))


def weight(token: str, df: int, n: int) -> float:
    return idf(df, n) * (TOPIC_BOOST if token.startswith("topic") else 1.0)


def text_norm(tokens, weights: dict[str, float], n: int) -> float:
    """A matching text's weight norm: the sum of its distinct tokens' weights (``weights``: by
    term, from their document frequency among ``n`` claims; an unseen token counts as unique).
    math.fsum, so that the sum is the same whatever order the set gives the tokens in."""
    return round(math.fsum(weights[t] if t in weights else weight(t, 1, n) for t in set(tokens)), 6)


# --- the names a reference is cited under ---------------------------------------------------
# Shared by the build (which writes them to ref_names) and `kb check` (which looks them up).

ACRONYM_RE = re.compile(r"\(([A-Z]{2,})\)")
_CONNECTIVES = ("for", "and", "of", "the", "in", "on", "&")


def _org_initials(name: str) -> str:
    return "".join(w[0] for w in name.split() if w.lower() not in _CONNECTIVES).upper()


def lookup_names(families: list[str], fields: dict[str, str]) -> list[str]:
    """The names a reference is found under when a draft cites it: its first author's folded
    family name, and any organisation acronym ("(NICE)" in a field, or an organisation's
    initials). Written to the ref_names table at build time."""
    acronyms = {a for value in fields.values() for a in ACRONYM_RE.findall(value)}
    names = set()
    if families:
        names.add(families[0])
        if len(families[0].split()) >= 3:  # organisation: also by its initials
            acronyms.add(_org_initials(families[0]))
    names |= {a.lower() for a in acronyms}
    return sorted(names)
