"""Step 3 of the check: what a sentence says about a candidate claim (kb.vocab.SENTENCE_STANCES).

Matching finds claims a sentence resembles; a sentence that resembles a claim may say its
opposite ("lying in bed won't speed recovery" against "rest calms inflammation"). Stance reads
both texts along a few dimensions that health claims turn on, each with two poles:

- effect: benefit (helps, relieves, effective) / none (ineffective, no better than, does little)
  / harm (worse, harmful); a negator before a benefit or harm word makes it none;
- frequency: common / rare; severity: serious / harmless; need: needed / unnecessary;
  amount: increases / reduces; place (where a nerve runs): through a muscle / past it
  ("beneath", "over"). A negator before a pole word ("not common") flips it.

Where the sentence and the claim both take a value on a dimension, a different value is a
denial; the same values everywhere are an assertion. Where they share no dimension, the parity
of their negations decides ("does not" against no negation). Myth framing ("Myth:", "a common
misconception") turns what the sentence reports into a denial; "contrary to popular belief, X"
states X. A sentence that shares only the claim's subject and takes no position is ``topic``.
Every result carries the cue that decided, in the writer's words.

``strength`` compares certainty: absolutes ("always", "proves", "cures") against hedges ("may",
"can", "some"), for the verdict step.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ..text import normalise, stems

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|%")
NEGATORS = {"not", "no", "never", "none", "nothing", "neither", "nor", "cannot", "hardly",
            "without", "little", "lack", "lacks", "fails", "failed", "fail", "rarely", "seldom"}
# Adverbs of frequency qualify what follows ("rarely needed", "usually improves"); only an
# adjective used as the predicate ("bulges are common") states a frequency as the position.
_ADVERBS = {"rarely", "seldom", "often", "usually", "commonly", "frequently", "typically",
            "infrequently", "most", "many", "few", "everyone", "majority", "minority"}
# (quantifiers too: "not everyone needs surgery" says how many, not that surgery is common)

_NT = re.compile(r"n't$")

# Multi-word phrases read as one pole word before single words are looked at.
PHRASES = [
    (re.compile(r"\bno (?:more|less) (?:effective|helpful|useful|beneficial)\b|\bno better\b|"
                r"\bno (?:real |significant |clear |added |extra )?(?:benefit|difference|effect|"
                r"improvement)\b|\b(?:do|does|did|doing) (?:very )?little\b|\blittle or no\b|"
                r"\bno evidence (?:that|of|for)\b|\bas (?:effective|good) as\b|\bthe same (?:as|results?)\b|"
                r"\bnot (?:any )?(?:faster|quicker|better)\b|\bno faster\b|\bno quicker\b", re.I),
     ("effect", "none")),
    # Where a nerve runs, in anatomy claims: through a muscle, or past it (beneath, over ...).
    (re.compile(r"\b(?:runs?|running|passes|passing|lies|sits)\s+(?:\w+ly\s+)?"
                r"(?:through|inside|within)\b", re.I), ("place", "through")),
    (re.compile(r"\b(?:runs?|running|passes|passing|lies|sits)\s+(?:\w+ly\s+)?"
                r"(?:beneath|under|underneath|below|behind|alongside|over|above)\b", re.I),
     ("place", "past")),
    # ("Call 111 and ask for an ambulance if ...", "alert your GP ... immediately": what to do
    # at once is said to be serious)
    (re.compile(r"\bmedical emergency\b|\bcall (?:999|911|111|112|000)\b|\burgent(?:ly)?\b|\bambulance\b|"
                r"\ba ?& ?e\b|\bemergency (?:department|room)\b|\bimmediate medical\b|"
                r"\b(?:alert|contact|see|call|tell|phone|seek)\b[^.;:]{0,50}?\bimmediately\b", re.I),
     ("severity", "serious")),
    (re.compile(r"\b(?:advises?|advised|recommends?|recommended|warns?|argues?) against\b|"
                r"\bagainst (?:offering|using|the use of|giving)\b|\b(?:do )?not (?:to )?offer\b|\bdon'?t offer\b|\bnot (?:be )?routinely\b|\bnot recommended\b|"
                r"\brecommend(?:s|ed)? against\b|\bno need\b|\bnot needed\b|\bnot necessary\b|"
                r"\bshould not be (?:offered|used|given)\b|"
                r"\b(?:important|best|careful|sure|advisable|wise|better) not to\b", re.I),
     ("need", "unnecessary")),
]
POLES = {
    "effect": {
        "benefit": {"help", "helps", "helped", "helpful", "helping", "effective", "effectively",
                    "relieve", "relieves", "relieved", "relief", "ease", "eases", "eased", "improve",
                    "improves", "improved", "improvement", "benefit", "benefits", "beneficial", "work",
                    "works", "worked", "heal", "heals", "cure", "cures", "cured", "speed", "speeds",
                    "faster", "quicker", "better", "best", "recommended", "recommend", "recommends",
                    "useful", "reduce", "reduces", "reduced", "calm", "calms", "soothe", "soothes",
                    "alleviate", "alleviates", "resolve", "resolves", "supports", "effectiveness",
                    "clears", "cleared"},
        "none": {"ineffective", "useless", "pointless", "unhelpful", "futile", "placebo"},
        "harm": {"worse", "worsen", "worsens", "worsening", "worsened", "aggravate", "aggravates",
                 "aggravated", "intensified", "intensifies", "exaggerated", "triggers", "triggered",
                 "provokes", "provoked", "flare", "flares", "harm",
                 "harms", "harmful", "hinder", "hinders", "delay", "delays", "weaken", "weakens",
                 "weakened", "prolong", "prolongs", "prolonging", "slows"},
    },
    "frequency": {
        "common": {"common", "commonly", "frequent", "frequently", "often", "usual", "usually",
                   "most", "majority", "many", "typical", "typically", "widespread", "everyone"},
        "rare": {"rare", "rarely", "uncommon", "unusual", "seldom", "few", "minority", "infrequent"},
    },
    "severity": {
        "serious": {"serious", "dangerous", "emergency", "severe", "life-threatening", "urgent",
                    "alarming", "risky", "permanent"},
        "harmless": {"harmless", "benign", "safe", "minor", "trivial", "nothing"},
    },
    "need": {
        "needed": {"need", "needs", "needed", "necessary", "essential", "required", "vital"},
        "unnecessary": {"unnecessary", "needless", "optional", "avoid", "avoided"},
    },
    "amount": {
        "increases": {"increase", "increases", "increased", "raise", "raises", "higher", "greater",
                      "more"},
        "decreases": {"decrease", "decreases", "decreased", "lower", "lowers", "less", "fewer"},
    },
}
_POLE_OF = {w: (dim, pole) for dim, poles in POLES.items() for pole, ws in poles.items() for w in ws}
# A negator before a pole word turns it into this pole.
_NEGATED = {("effect", "benefit"): "none", ("effect", "harm"): "none", ("effect", "none"): "benefit",
            ("frequency", "common"): "rare", ("frequency", "rare"): "common",
            ("severity", "serious"): "harmless", ("severity", "harmless"): "serious",
            ("need", "needed"): "unnecessary", ("need", "unnecessary"): "needed",
            ("amount", "increases"): "decreases", ("amount", "decreases"): "increases"}
# Advice is a position on need: "Book a scan" says a scan is needed, "Avoid bed rest" that it is not.
IMPERATIVE = re.compile(r"^(?:[a-z]+: )?(?:please )?(?P<verb>try not to|try to avoid|try and avoid|"
                        r"book|get|have|ask for|take|use|try|see|go|start|"
                        r"keep|stay|remain|do|make sure|rest|apply|wear(?! and tear)|sleep|lie|sit|walk|stretch|"
                        r"exercise|consider|avoid|stop|don'?t|do not|never|skip|limit|resist)\b", re.I)
_AVOID = {"avoid", "stop", "don't", "dont", "do not", "never", "skip", "limit", "resist", "try not to",
          "try to avoid", "try and avoid"}
# What follows an advice verb that makes it the subject of a statement instead
_DECLARATIVE = re.compile(r"(?:\s+[a-z-]+)?\s+(?:is|are|was|were|can|could|may|might|will|does|has|helps|calms|"
                          r"relieves|reduces|improves|works|eases|speeds|makes|causes|leads|increases|"
                          r"prevents|gives|strengthens|stretches|compresses)\b")
# ("Contrary to popular belief, X" states X as the fact: it frames the opposite as the myth, and
# says X, so it is no myth framing of what the sentence says)
MYTH = re.compile(r"\bmyths?\b|\bmisconceptions?\b|"
                  r"\bit'?s not true\b|\bis (?:not true|false|untrue|wrong)\b|\bdebunk|"
                  r"\bold wives'?\b|\bmisbelief\b|\bmistaken(?:ly)? belie|"
                  r"\bunfortunately\b[^.]{0,40}\bcommon (?:recommendation|advice|belief|practice)\b", re.I)
# What counts as a position: a pole word, a negator, or myth framing.
ABSOLUTES = re.compile(r"\b(?:always|all (?:people|patients|cases|sufferers|types|forms)|every (?:case|"
                       r"time|patient|person|one)|everyone|guarantee[sd]?|proven|proves?|"
                       r"definitely|certainly|cures?|completely|permanently|100 ?%|only way|"
                       r"the (?:best|only)|(?:caused|due|comes?)\s+only|only (?:due to|caused|by|from))\b", re.I)
HEDGES = re.compile(r"\b(?:may|might|can|could|some|sometimes|possibly|perhaps|suggests?|"
                    r"likely|unlikely|probably|often|usually|tends? to|in some|a few|help to)\b",
                    re.I)


@dataclass(frozen=True)
class Stance:
    stance: str  # asserts | denies | myth | topic
    cue: str  # what decided, in the words of the texts
    clear: bool = True  # False when nothing but shared words says the sentence asserts it
    # The claim takes a position (helps, is common ...) that the sentence neither states nor
    # contradicts: it may make the claim in other words, which only a close match can tell.
    unstated: bool = False
    # The sentence takes both poles of the deciding dimension, in different clauses ("may provide
    # some relief …, will make it worse"): it neither clearly agrees nor clearly disagrees.
    both_ways: bool = False
    # The sentence's absolute ("always caused by") is what it calls a myth: it is not how
    # certainly the sentence says what it asserts.
    absolute_is_myth: bool = False


@dataclass(frozen=True)
class Reading:
    """What a text says along each dimension, the negators not used up by a pole word, and the
    words behind each value (for the cue). ``core``: the dimensions the text is *about* (its
    position), as against qualifiers: an effect, a need or a severity always is; a frequency or
    an amount only when it is the predicate ("bulges are common", not "commonly brings")."""
    values: dict[str, tuple[str, str]]  # dimension -> (pole, the words that gave it)
    # (negator, stems it negates, stems of its clause, stems of its clause after it)
    negations: list[tuple[str, set[str], set[str], set[str]]]
    myth: str | None
    core: set[str]
    flipped: frozenset = frozenset()  # dimensions whose value a negator turned ("not … most")
    # (dimension, negation) of each negative phrase ("a scan is not needed"): a negation for the
    # parity of negations when the other text takes no value on that dimension
    phrase_negations: tuple = ()
    # (dimension, stems of what is compared) of a comparison "… less than …": the amount of
    # that thing, which is a position on the claim only if the claim speaks of it
    compared: tuple = ()
    # dimensions on which the text takes both poles, in different clauses: what it says there
    # depends on which clause is meant
    mixed: frozenset = frozenset()
    # frequency said of a population that has something ("many people of all ages have disc
    # changes"): says the thing is common, as a predicate would, where the other text says so
    quantified: frozenset = frozenset()


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


@lru_cache(maxsize=4096)  # a candidate claim's statement is read again for every sentence
def read(text: str) -> Reading:
    # Writers' synonyms first ("clears up by itself", "pain meds"), as matching reads them.
    low = normalise(text.replace("\u2019", "'")).lower()
    # "a set of symptoms rather than a diagnosis" balances "a symptom, not a diagnosis", as
    # "without" does a "not" (one word, so that the two count as one negation)
    low = _RATHER_THAN.sub("ratherthan", low)
    values: dict[str, tuple[str, str]] = {}
    consumed: list[tuple[int, int]] = []
    phrase_negations = []
    clause_of: dict[str, int] = {}  # dimension -> the clause (counted from 0) its value is in
    for rx, (dim, pole) in PHRASES:
        for m in rx.finditer(low):
            if dim not in values:
                clause_of[dim] = len(_CLAUSE_END.findall(low, 0, m.start()))
            values.setdefault(dim, (pole, m.group(0)))
            consumed.append(m.span())
            if pole in _NEGATIVE_POLES:
                # A negative phrase ("a scan is not needed", "no better than") negates what
                # stands just before it as well: for the parity of negations, it is one.
                lead = low[:m.start()].rsplit(",", 1)[-1].rsplit(";", 1)[-1].rsplit(".", 1)[-1]
                scope = set(stems(lead)[-2:]) | set(stems(m.group(0)))
                phrase_negations.append((dim, (m.group(0), scope, scope, scope)))
    words = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(low)]
    negations, used, core, flipped = [], set(), {d for d in values if d in _ALWAYS_CORE}, set()
    compared, mixed, quantified = [], set(), set()
    for i, (w, start, end) in enumerate(words):
        if any(s <= start < e for s, e in consumed):
            continue
        pole = _POLE_OF.get(w)
        if pole is None:
            continue
        if _EXAMPLE.search(low[:start].rsplit(",", 1)[-1]):
            continue  # "a deficit such as worsening weakness": an example, not the position
        if _CONDITIONAL.search(_CLAUSE_END.split(low[:start])[-1]) or \
                (w.startswith("help") and _TO_KNOW.match(low, end)) or \
                (w == "work" and _AT_WORK.search(low, 0, start)) or \
                (w in ("best", "better") and _OF_EVIDENCE.match(low, end)) or \
                (w.startswith("flare") and _FLARE_NOUN.search(low, 0, start)) or \
                (_POLE_OF[w][0] == "severity" and _WHICH_CASES.search(low, 0, start)):
            # "know whether pregabalin works", "if the pain doesn't improve", "evidence to help
            # doctors decide": a question or a condition, no position
            continue
        dim, value = pole
        word = w
        # A negator among the three words before flips it ("won't speed", "not common").
        relative = False
        for j in range(max(0, i - 3), i):
            nw = words[j][0]
            if (nw in NEGATORS or _NT.search(nw)) and \
                    not any(s <= words[j][1] < e for s, e in consumed):
                if _RELATIVE.search(low[:words[j][1]]):
                    relative = True  # "a herniation that has not improved": a condition
                    used.add(j)
                    break
                value = _NEGATED[(dim, value)]
                used.add(j)
                w = f"{nw} \u2026 {w}" if j < i - 1 else f"{nw} {w}"
                break
        if relative:
            continue
        clause_no = len(_CLAUSE_END.findall(low, 0, start))
        if dim in values and values[dim][0] != value and clause_of.get(dim, clause_no) != clause_no:
            mixed.add(dim)  # "resting may provide some relief, prolonged inactivity will make it worse"
        if dim not in values:
            values[dim] = (value, w)
            clause_of[dim] = clause_no
            if dim == "amount" and _THAN.match(low, end):
                # "their healing will be less than …": the amount of the healing
                subject = _CLAUSE_END.split(low[:start])[-1]
                compared.append((dim, frozenset(stems(subject))))
            if w != word:
                flipped.add(dim)
            before = [x[0] for x in words[max(0, i - 3):i]]
            if dim in _ALWAYS_CORE or (any(b in _COPULA for b in before) and word not in _ADVERBS):
                core.add(dim)
            elif dim == "frequency" and _POPULATION_HAS.match(low, end):
                quantified.add(dim)
    for j, (w, start, end) in enumerate(words):
        if j in used or any(s <= start < e for s, e in consumed):
            continue
        if w in (NEGATORS | _BALANCERS) - {"little", "lack", "lacks", "fails", "failed", "fail"} \
                or _NT.search(w):
            if _CONDITIONAL.search(low[:start].rsplit(",", 1)[-1].rsplit(".", 1)[-1]) or \
                    _RELATIVE.search(low[:start]):
                continue  # "if the symptoms do not respond", "pain that hasn't responded": a condition
            if w == "no" and _NEED_BEFORE.search(low, 0, start):
                # "need no further procedure": that it is unnecessary, a position on need, not a
                # negation of what follows (a sentence about the procedure does not gainsay it)
                values["need"] = ("unnecessary", "need no")
                continue
            negations.append((w, _scope(low[end:]), *_clause(low, start, end)))
    imperative = IMPERATIVE.match(low.strip())
    if imperative and _DECLARATIVE.match(low.strip(), imperative.end()):
        imperative = None  # "Exercise therapy helps …", "Rest calms …": a subject, not advice
    if imperative and "need" not in values:
        verb = imperative.group("verb")
        values["need"] = ("unnecessary" if verb in _AVOID else "needed", verb)
        if verb in _AVOID and negations and negations[0][0] in ("don't", "dont", "not", "never"):
            negations.pop(0)  # the advice's own negation is its pole
    myth = MYTH.search(low)
    if imperative:
        core.add("need")
    return Reading(values, negations, myth.group(0) if myth else None, core, frozenset(flipped),
                   tuple(phrase_negations), tuple(compared), frozenset(mixed), frozenset(quantified))


_ALWAYS_CORE = {"effect", "need", "severity", "place"}
_POPULATION_HAS = re.compile(r"\s+(?:of\s+(?:the\s+)?)?(?:people|adults|patients|individuals|women|men|"
                             r"sufferers|americans|britons)\b[^,;:.]{0,30}?\s(?:have|has|had|show|shows|"
                             r"develop|develops|experience|experiences|live with)\b")
_RATHER_THAN = re.compile(r"\brather than\b|\binstead of\b")
# Words that negate everything else ("only", "without") balance a negation but never make one.
_BALANCERS = {"without", "only", "solely", "exclusively", "ratherthan"}
# (and "it is not clear how effective …": a question, no position on the effect)
_CONDITIONAL = re.compile(r"\b(?:if|unless|until|whether)\b|\b(?:clear|known|certain|sure) how\b")
# A relative clause right before a negator ("a herniation that has not improved", "pain that
# hasn't responded"): it describes which cases are meant, not what the text asserts.
_RELATIVE = re.compile(r"\b(?:that|which|who)\s+(?:(?:has|have|had|does|do|did|is|are|was|were)\s+)?"
                       r"(?:(?:been|yet|still)\s+)?$")
_NEGATIVE_POLES = {"none", "unnecessary"}
_NEGATIVE_TURN = {"none", "unnecessary", "decreases", "rare", "harmless"}  # what a negated pole word turns to
# A minority the sentence speaks of ("for a small portion of people", "in some cases")
_MINORITY = re.compile(r"\b(?:(?:a )?small (?:portion|number|proportion|percentage|minority|group)|a minority|"
                       r"a few (?:people|patients|cases)|some (?:people|patients|cases|women|men)|"
                       r"in (?:rare|some|a few) cases|occasionally)\b", re.I)


def _clause_of(sentence: str, words: str) -> str:
    """The clause of ``sentence`` that holds the last of ``words`` (the text itself if not found)."""
    low = sentence.lower()
    at = low.find(words.split()[-1])
    if at < 0:
        return sentence
    before = [m.end() for m in _CLAUSE_END.finditer(low, 0, at)]
    start = before[-2] if len(before) > 1 else 0  # the clause before too: "for a few people, runs ..."
    after = _CLAUSE_END.search(low, at)
    return sentence[start:after.start() if after else len(sentence)]


_NEED_BEFORE = re.compile(r"\b(?:need|needs|needed|require|requires|required)\s+$")
# "the best current evidence suggests ...": how good the evidence is, not what a treatment does
_OF_EVIDENCE = re.compile(r"(?:\s+(?:current|available|quality|recent))*\s+(?:evidence|research|studies|data)\b")
_EXAMPLE = re.compile(r"\b(?:such as|e\.g\.|for example|for instance|including)\b(?:\s+\S+){0,3}\s*$")


# (a dash between words ends one too: "surgery if unresolving- these are likely to improve ...")
_CLAUSE_END = re.compile(r"[,;:.!?\u2013\u2014]|\bbut\b|\bhowever\b|\bwhereas\b|(?<=\w)-\s|\s-\s")
_THAN = re.compile(r"\s+than\b")
# "stay at work", "back to work", "time off work", "physically demanding work": the workplace,
# not a treatment that works
_AT_WORK = re.compile(r"\b(?:at|off|from|your|my|their|his|her|(?:back|return|returning|go|going|get)\s+to|"
                      r"demanding|manual|physical|heavy|desk|office|shift)\s+$")
# "with severe symptoms", "in severe cases": which cases are meant, not how serious sciatica is
_WHICH_CASES = re.compile(r"\b(?:with|in|for|of|during)\s+(?:very\s+|more\s+|most\s+)?$")
# "during the initial flare-up", "a flare of pain": the episode, not what makes it worse
_FLARE_NOUN = re.compile(r"\b(?:a|an|the|this|that|each|every|any|during|initial(?:ly)?|acute|first|next|"
                         r"sudden|painful|severe)\s+(?:[a-z]+\s+)?$")
# "help" whose object is someone knowing or deciding something: no effect on the condition
_TO_KNOW = re.compile(r"(?:\s+[a-z']+){0,4}?\s+(?:know|decide|understand|choose|tell|identify|determine|"
                      r"work out|find out)\b")


def _clause(low: str, start: int, end: int) -> tuple[set[str], set[str]]:
    """Stems of the clause the negator at low[start:end] stands in, and of its part after it."""
    before = list(_CLAUSE_END.finditer(low, 0, start))
    after = _CLAUSE_END.search(low, end)
    stop = after.start() if after else len(low)
    return set(stems(low[before[-1].end() if before else 0:stop])), set(stems(low[end:stop]))


def _scope(after: str) -> set[str]:
    """Stems of the first three content words after a negator, within its clause: what it
    negates ("not a disease, but a symptom" negates the disease, not the symptom)."""
    end = _CLAUSE_END.search(after)
    return set(stems(after[:end.start()] if end else after)[:3])
_COPULA = {"is", "are", "be", "was", "were", "been", "being", "remain", "remains", "become",
           "becomes", "seem", "seems", "isn't", "aren't", "wasn't", "very", "quite", "fairly",
           "relatively", "extremely", "so", "not"}


# Advice about a treatment is a position on its effect: what guidelines say not to offer, or a
# writer says to avoid, is held to do no good; what should be done, to help.
_NEED_AS_EFFECT = {"unnecessary": "none", "needed": "benefit"}
# A possibility, not a frequency ("can worsen"): narrower than HEDGES, which also counts "often"
_POSSIBLY = re.compile(r"\b(?:can|could|may|might|sometimes)\b", re.I)


def stance(sentence: str, claim: str, shares_content: bool = True,
           treatment: bool = True) -> Stance:
    """The sentence's stance towards the claim statement. ``shares_content``: the sentence shares
    a content word with the claim beyond its subject (from the matching step); ``treatment``:
    the claim is about a treatment's effect, so advice for or against it is a position on it."""
    sentence = _focus(sentence, claim)
    s, c = read(sentence), read(claim)
    values = dict(s.values)
    advice = values.get("need") if "need" not in c.values else None
    if advice and not IMPERATIVE.fullmatch(advice[1]):
        advice = None  # "without the need for medication" is no advice to avoid anything
    if advice and advice[0] == "unnecessary" and values.get("effect", ("",))[0] == "benefit":
        # "avoid sitting for long to relieve the pain": the relief is the avoiding's, so what is
        # avoided does harm
        values["effect"] = ("harm", f"{advice[1]} \u2026 {values['effect'][1]}")
    if advice and advice[0] == "unnecessary" and "effect" not in values \
            and c.values.get("effect", ("",))[0] == "harm":
        # what a writer says to avoid is held to do harm ("Avoid bed rest" against "bed rest
        # makes sciatica worse"), whatever the claim's type. (Advice to do something is not read
        # as saying the claim's subject does no harm: "take ibuprofen" says nothing of bed rest.)
        values["effect"] = ("harm", advice[1])
    if advice and advice[0] == "unnecessary" and "amount" not in values \
            and c.values.get("amount", ("",))[0] == "increases":
        # "Try not to lift anything too heavy" against "heavy lifting increases the risk"
        values["amount"] = ("increases", advice[1])
    if treatment and "effect" in c.values and "effect" not in values and "need" in values \
            and "need" not in c.values:
        pole, words = values["need"]
        values["effect"] = (_NEED_AS_EFFECT[pole], words)
    conflicts, agreements, resemblance, both_ways = [], [], False, False
    negated = _negation_difference(s, c, sentence, claim)
    spoken_of = set(stems(claim)) - IN_EVERY_CLAIM
    for dim, (pole, words) in values.items():
        if dim not in c.values:
            continue
        if any(d == dim and not subject & spoken_of for d, subject in s.compared):
            continue  # "healing will be less than …" says nothing of the claim's risk
        cpole, cwords = c.values[dim]
        claim_position = dim in c.core or dim in _ALWAYS_CORE
        s_core = s.core | (s.quantified & c.core)
        if dim in s.flipped and dim not in c.flipped and words.split()[-1] == cwords \
                and pole != cpole:
            # The claim's own qualifier negated ("not the most common cause" against "the most
            # common cause"): a denial, whether or not the qualifier is the position.
            conflicts.append(f"\u201c{words}\u201d against the claim's \u201c{cwords}\u201d")
            continue
        if not (claim_position or dim in s_core):
            continue  # two qualifiers ("rarely", "most") say nothing of either position
        if cpole == pole:
            # Agreeing on the claim's position counts; "a common cause" does not say that
            # sciatica "is common".
            if claim_position and (dim in s_core or dim in _ALWAYS_CORE or dim not in c.core):
                agreements.append(f"\u201c{words}\u201d, as the claim's \u201c{cwords}\u201d")
        elif {pole, cpole} == {"none", "harm"}:
            # No effect against harm: the sentence neither says nor denies that it harms.
            return Stance("topic", f"\u201c{words}\u201d is neither the claim's \u201c{cwords}\u201d "
                                   "nor its opposite")
        elif {pole, cpole} == {"benefit", "harm"} and cpole == "harm" and _POSSIBLY.search(claim):
            # "Stretches can be beneficial" does not deny that stretching "can worsen" sciatica:
            # what may harm some may help others.
            return Stance("topic", f"\u201c{words}\u201d and the claim's \u201c{cwords}\u201d "
                                   "(a possibility) can both be true")
        elif claim_position and dim in c.core and dim not in s_core and dim not in _ALWAYS_CORE:
            continue  # "a rare cause" is not "sciatica is not common"
        elif _MINORITY.search(_clause_of(sentence, words)) and not _MINORITY.search(claim):
            # "for a small portion of people, runs directly through the muscle" against "runs
            # directly beneath it": what holds for a few does not deny what holds for most
            return Stance("topic", f"\u201c{words}\u201d is said of a few, the claim's "
                                   f"\u201c{cwords}\u201d of most: both can be true")
        else:
            conflicts.append(f"\u201c{words}\u201d against the claim's \u201c{cwords}\u201d")
        both_ways = both_ways or dim in s.mixed
    if (conflicts or agreements) and both_ways:
        # the sentence takes both poles ("may provide some relief …, will make … worse"): which
        # one answers the claim is not clear; after a concession ("Although …, ") the main
        # clause is the likelier
        cue = (conflicts or agreements)[0]
        concession = _CONCESSION.match(sentence)
        main = stance(sentence[concession.end():], claim, shares_content, treatment) if concession else None
        if main and main.stance in ("asserts", "denies"):
            return Stance(main.stance, f"{main.cue}, after the concession \u201c{concession.group(0).strip(' ,')}\u201d",
                          clear=False, both_ways=True)
        return Stance("denies" if conflicts else "asserts",
                      f"{cue}; but the sentence also says the opposite elsewhere", clear=False,
                      both_ways=True)
    if conflicts:
        polarity, cue = -1, conflicts[0]
    elif agreements and not negated:
        polarity, cue = 1, agreements[0]
    elif negated:
        polarity, cue = -1, negated
        if not (s.myth and not c.myth):
            # Only the claim says "no": the sentence leaves the negation out, which may be a
            # denial or a paraphrase ("few need surgery" for "most do not need surgery").
            return Stance("denies", cue, clear=False)
    elif c.core:
        # The claim takes a position (are common, helps, is needed...) the sentence does not state.
        cpole, cwords = c.values[sorted(c.core)[0]]
        return Stance("topic", f"does not say whether it is \u201c{cwords}\u201d", unstated=True)
    elif (turned := next(((dim, w) for dim, (pole, w) in values.items() if dim in s.flipped
                          and dim not in c.values and pole in _NEGATIVE_TURN), None)):
        # "isn't necessarily more likely to occur during pregnancy" against "pregnancy can cause
        # sciatica": the negation is used up by a word the claim does not have, but it still
        # takes back what the sentence shares with the claim
        return Stance("denies", f"\u201c{turned[1]}\u201d in the sentence, which the claim does not "
                                "say either way", clear=False)
    elif shares_content or values or s.negations:
        polarity, cue, resemblance = 1, "says it without negation or an opposite word", True
        if not (s.myth and not c.myth):
            return Stance("asserts", cue, clear=False)
    else:
        return Stance("topic", "shares only the subject; takes no position on it")
    if s.myth and not c.myth:
        absolute, claim_absolute = strength(sentence), strength(claim)
        if absolute[0] > 0 and claim_absolute[0] <= 0:
            if _SOLE_CAUSE.search(sentence) and _OTHER_CAUSES.search(claim):
                # ... but a myth of the one cause says there are others, as the claim does
                return Stance("asserts", f"calls \u201c{absolute[1]}\u201d a myth: there are other "
                                         "causes, as the claim says", absolute_is_myth=True)
            # "Myth: sciatica is always caused by a herniated disc": the myth is the absolute,
            # which the claim ("the most common cause") does not say either.
            return Stance("topic", f"calls \u201c{absolute[1]}\u201d a myth, which the claim does not say")
        if polarity > 0:
            # A myth of what the sentence only resembles ("Myth: sciatica requires surgery" for
            # "try manipulation before surgery") is no clearer than the resemblance.
            return Stance("myth", f"myth framing \u201c{s.myth}\u201d", clear=not resemblance)
        polarity, cue = 1, f"calls the opposite a myth (\u201c{s.myth}\u201d; {cue})"
    if polarity > 0 and s.negations and not negated and not c.negations:
        # A negation the reading could not place ("it isn't necessarily more likely") may turn
        # what the sentence says: an agreement beside it is not clear.
        return Stance("asserts", f"{cue}; but \u201c{s.negations[0][0]}\u201d in the sentence may turn it",
                      clear=False)
    return Stance("asserts" if polarity > 0 else "denies", cue)


# "always caused by", "caused only by": one cause for every case; a claim naming causes besides it
_SOLE_CAUSE = re.compile(r"\b(?:always|only|solely)\s+(?:\w+\s+){0,2}?(?:caused|due|comes?|results?)\b|"
                         r"\b(?:caused|due|comes?)\s+only\b|\bthe only cause\b", re.I)
_OTHER_CAUSES = re.compile(r"\bbesides\b|\bother (?:causes|conditions)\b|\b(?:several|many|different) causes\b",
                           re.I)
_CONCESSION = re.compile(r"^\s*(?:although|though|even though|while|whilst|despite)\b[^,;]*,\s*", re.I)
_CONTRAST = re.compile(r",?\s*\b(?:but|whereas|while|however)\b,?\s*|;\s*", re.I)
IN_EVERY_CLAIM = {"sciatica", "sciatic", "pain", "peopl", "patient"}  # stems all the claims share


def _focus(sentence: str, claim: str) -> str:
    """The one contrasted clause of ``sentence`` that speaks of the claim, when only one does:
    in "bed rest does not cure it, but walking helps sciatica" the claim that walking helps is
    read against "walking helps sciatica", not against the negation about bed rest."""
    clauses = [c for c in _CONTRAST.split(sentence) if c.strip()]
    if len(clauses) < 2:
        return sentence
    wanted = set(stems(claim)) - IN_EVERY_CLAIM
    speaking = [c for c in clauses if set(stems(c)) & wanted]
    return speaking[0] if len(speaking) == 1 else sentence


def _negation_difference(s: Reading, c: Reading, sentence: str, claim: str) -> str | None:
    """The cue of a negation that makes the sentence say the opposite of the claim, if any: a
    negation in one text whose words the other text states without it. A negation of something
    the other text does not mention ("not a diagnosis", against a sentence about pain) is not
    a denial, only a part the sentence leaves out. Nor is a negation of words the sentence also
    states without it, in a clause that shares nothing else with the claim ("the most common
    identified cause ..., but in some cases there is no obvious cause"); "sitting does not cause
    sciatica, but lifting does" still denies that sitting causes it."""
    sentence_list, claim_stems = stems(sentence), set(stems(claim))
    sentence_stems, said = set(sentence_list), Counter(sentence_list)
    s_negations = [*s.negations, *(n for dim, n in s.phrase_negations if dim not in c.values)]
    c_negations = [*c.negations, *(n for dim, n in c.phrase_negations if dim not in s.values)]
    # (a negation whose clause shares only "sciatica" with the claim, as "it's not always
    # possible to prevent sciatica", negates nothing the claim says; "sitting does not cause
    # sciatica" names the claim's subject before the negator)
    s_neg = [(w, sc) for w, sc, clause, after in s_negations
             if sc & claim_stems and ((sc | (clause - after)) & claim_stems) - IN_EVERY_CLAIM and not (
                 all(said[t] > 1 for t in sc & claim_stems) and not (clause - sc) & claim_stems)]
    # The claim's negation counts only when the sentence speaks of what it negates, to the end of
    # its clause: "not approved for sciatica" is not gainsaid by "approved for shingles".
    c_neg = [(w, sc) for w, sc, _, negated in c_negations
             if sc & sentence_stems and (negated - sc) <= sentence_stems]
    if (len(s_neg) - len(c_neg)) % 2 == 0:
        return None
    # "without surgery" balances a "do not need surgery", and "approved only for X" a "not
    # approved for sciatica", but alone neither denies a sentence that mentions surgery or approval.
    strict = [n for n in s_neg if n[0] not in _BALANCERS], [n for n in c_neg if n[0] not in _BALANCERS]
    if (len(strict[0]) - len(strict[1])) % 2 == 0:
        return None
    s_neg, c_neg = strict
    if len(s_neg) > len(c_neg):
        return f"negation \u201c{s_neg[0][0]}\u201d in the sentence"
    return f"the claim's \u201c{c_neg[0][0]}\u201d, which the sentence does not say"


def strength(text: str) -> tuple[int, str | None]:
    """+1 with the word for an absolute ("always", "proves"), -1 for a hedge ("may"), else 0. A
    negated absolute ("not always", "not the only cause", "isn't a cure") is a hedge."""
    absolute = ABSOLUTES.search(text)
    if absolute:
        before = _words(text[:absolute.start()])[-2:]
        negator = next((w for w in before if w in NEGATORS or _NT.search(w)), None)
        if negator is None:
            return 1, absolute.group(0)
        return -1, f"{negator} {absolute.group(0)}" if before[-1] == negator else \
            f"{negator} \u2026 {absolute.group(0)}"
    hedge = HEDGES.search(text)
    if hedge:
        return -1, hedge.group(0)
    return 0, None
