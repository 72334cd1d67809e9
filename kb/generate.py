"""Write a synthetic knowledge base of N claims in the project's own source formats.

    .venv/bin/python scripts/generate_kb.py OUT_DIR --claims 100000 [--seed 1]

(the script calls ``main`` here; tests import ``generate``).

Deterministic for a given N and seed. Realistic shapes: Zipf-distributed wording, 1-5 topics
per claim out of a few hundred, each claim quoted in 1-3 articles (articles of about 40
quotes), 1-3 evidence links, references about a third of claims with LaTeX accents and
@string macros, and some claims sharing wording; claims in files of 10,000. Files are streamed out, so memory stays flat as N grows. The result passes
`kb validate` and builds with `kb build --root OUT_DIR`.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
from pathlib import Path

from . import vocab

WORDS = ("sciatica nerve root disc herniation bed rest exercise walking massage injection steroid "
         "surgery imaging scan posture sitting stenosis piriformis leg pain numbness weakness "
         "recovery weeks months recurrence stretching physiotherapy inflammation compression "
         "spine lumbar buttock thigh calf foot cough sneeze lifting sleep stress heat tens "
         "gabapentin pregabalin opioid paracetamol ibuprofen traction manipulation yoga pilates "
         "core glutes hamstring dermatome reflex bladder bowel saddle emergency guideline trial "
         "cohort review prevalence adults older pregnancy obesity smoking vibration driving").split()
FAMILIES = ["M{\\\"u}ller", "Garc{\\'\\i}a", "Koes", "van der Berg", "O'Brien", "Nov{\\'a}k",
            "{\\O}stergaard", "Smith", "de Vries", "Jensen", "Dupr{\\'e}", "Kowalski", "Nguyen"]
GIVEN = ["Anna", "J. Andr{\\'e}", "Marc", "Li", "S{\\o}ren", "Chris G.", "Bart W.", "Ines"]
JOURNALS = {"spine": "Spine", "bmj": "BMJ", "ejspine": "European Spine Journal",
            "pain": "Pain", "nejm": "New England Journal of Medicine"}
VERDICTS = list(vocab.VERDICTS)
VERDICT_STANCE = {"supported": "supports", "mostly-supported": "supports", "contradicted": "contradicts",
                  "overstated": "mixed"}
CERTAINTIES = list(vocab.CERTAINTIES)
TYPES = list(vocab.CLAIM_TYPES)
DESIGNS = [d for d in vocab.STUDY_DESIGNS if d != "other"]
QUOTES_PER_ARTICLE = 40
CLAIMS_PER_FILE = 10_000


def yq(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _pseudo_words(n: int) -> list[str]:
    """n distinct made-up words from syllables, in a fixed order."""
    onsets, vowels, codas = "b c d f g h k l m n p r s t v z br cl dr fl gr pl st tr".split(), \
        "a e i o u ia eo ou".split(), ["", "n", "r", "s", "l", "x", "m", "nt", "st"]
    out, seen = [], set(WORDS)
    for a in onsets:
        for v in vowels:
            for b in onsets:
                for w in vowels:
                    for c in codas:
                        word = a + v + b + w + c
                        if word not in seen:
                            seen.add(word)
                            out.append(word)
                            if len(out) == n:
                                return out
    return out


# Claim wording follows Zipf's law over the real terms (most frequent) and 6,000 made-up words,
# as text does: a few words are in a tenth of all claims, most in a handful. (With only the 90
# real terms every word is in over 10% of claims, which no real knowledge base looks like.)
VOCABULARY = list(WORDS) + _pseudo_words(6000)
ZIPF_WEIGHTS = list(itertools.accumulate(1 / rank for rank in range(1, len(VOCABULARY) + 1)))


def statement(rng: random.Random, i: int) -> str:
    words = rng.choices(VOCABULARY, cum_weights=ZIPF_WEIGHTS, k=rng.randint(6, 14))
    return f"Claim {i}: " + " ".join(words).capitalize() + "."


def generate(out: Path, n: int, seed: int = 1, n_topics: int = 300) -> dict:
    rng = random.Random(seed)
    (out / "claims" / "articles").mkdir(parents=True, exist_ok=True)
    n_refs = max(1, n // 3)

    with (out / "claims" / "topics.yaml").open("w", encoding="utf-8") as f:
        f.write("topics:\n")
        for t in range(n_topics):
            f.write(f"  - id: topic-{t:04d}\n    label: {yq(f'Topic {t} ' + WORDS[t % len(WORDS)])}\n"
                    f"    description: Synthetic topic {t}.\n"
                    f"    aliases: [{yq(f'alias {t} ' + WORDS[(t * 7) % len(WORDS)])}]\n")

    with (out / "references.bib").open("w", encoding="utf-8") as f:
        for key, name in JOURNALS.items():
            f.write(f"@string{{{key} = {{{name}}}}}\n")
        for r in range(n_refs):
            authors = " and ".join(f"{rng.choice(FAMILIES)}, {rng.choice(GIVEN)}"
                                   for _ in range(rng.randint(1, 8)))
            year = rng.randint(1990, 2025)
            f.write(f"\n@article{{ref{r:07d},\n  author = {{{authors}}},\n"
                    f"  title = {{{' '.join(rng.choice(WORDS) for _ in range(8)).capitalize()} "
                    f"in {{MRI}} and {{\\'e}}tudes}},\n"
                    f"  journal = {rng.choice(list(JOURNALS))},\n  year = {{{year}}},\n"
                    f"  volume = {{{rng.randint(1, 400)}}},\n  pages = {{{r % 900 + 1}--{r % 900 + 9}}},\n"
                    f"  doi = {{10.5555/synthetic.{r}}},\n  design = {{{rng.choice(DESIGNS)}}},\n"
                    f"  verified-url = {{https://example.org/synthetic/{r}}},\n"
                    f"  verification = {{verified}}\n}}\n")

    # Claims, with each claim's quotes assigned to articles as we go (streamed).
    article_lines: list[str] = []
    article_text: list[str] = []
    article_offset = 0
    n_articles = 0
    n_appearances = 0

    def flush_article():
        nonlocal article_lines, article_text, article_offset, n_articles
        if not article_lines:
            return
        aid = f"article-{n_articles:06d}"
        text = "".join(article_text)
        base = out / "claims" / "articles" / aid
        base.with_suffix(".txt").write_text(text, encoding="utf-8")
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        base.with_suffix(".yaml").write_text(
            f"id: {aid}\ntitle: {yq(f'Synthetic article {n_articles}')}\npublisher: Synthetic\n"
            f"author: null\npublished: null\nurl: unknown\ntext_sha256: {sha}\n"
            f"commercial_interests:\n  - kind: none-visible\n    detail: Synthetic.\n"
            f"appearances:\n" + "".join(article_lines), encoding="utf-8")
        n_articles += 1
        article_lines, article_text, article_offset = [], [], 0

    f = None
    try:
        previous = None
        for i in range(n):
            if i % CLAIMS_PER_FILE == 0:  # claims split across files, as a large KB would be
                if f:
                    f.close()
                f = (out / "claims" / f"claims-{i // CLAIMS_PER_FILE:05d}.yaml").open(
                    "w", encoding="utf-8")
                f.write("reviewed: 2026-11-25\nclaims:\n")
            text = statement(rng, i)
            if previous and rng.random() < 0.1:  # some claims share wording
                text = f"Claim {i}: " + previous.split(": ", 1)[1]
            previous = text
            verdict = rng.choice(VERDICTS)
            topics = ", ".join(f"topic-{t:04d}" for t in sorted(rng.sample(range(n_topics),
                                                                            rng.randint(1, 5))))
            f.write(f"  - id: claim-{i:07d}\n    statement: {yq(text)}\n    type: {rng.choice(TYPES)}\n"
                    f"    topics: [{topics}]\n    verdict: {verdict}\n")
            if verdict != "not-checkable":
                f.write(f"    certainty: {rng.choice(CERTAINTIES)}\n")
            f.write("    reasoning: Synthetic reasoning for benchmarking.\n")
            if verdict in ("unsupported", "not-checkable"):
                f.write("    searched_for: Nothing; synthetic.\n")
            else:
                f.write("    evidence:\n")
                for k, r in enumerate(sorted(rng.sample(range(n_refs), min(n_refs, rng.randint(1, 3))))):
                    stance = rng.choice(list(vocab.STANCES))
                    if k == 0:  # the verdict agrees with its evidence, as kb validate requires
                        stance = VERDICT_STANCE.get(verdict, stance)
                    f.write(f"      - ref: ref{r:07d}\n        stance: {stance}\n"
                            f"        directness: {rng.choice(list(vocab.DIRECTNESS))}\n"
                            f"        finding: Synthetic finding {r}, 12% (95% CI 5% to 19%).\n")
            for _ in range(rng.randint(1, 3)):
                quote = text.split(": ", 1)[1]
                start = article_offset
                article_text.append(quote + "\n")
                article_offset += len(quote) + 1
                article_lines.append(f"  - claim: claim-{i:07d}\n    start: {start}\n"
                                     f"    end: {start + len(quote)}\n    quote: {yq(quote)}\n")
                n_appearances += 1
                if len(article_lines) >= QUOTES_PER_ARTICLE:
                    flush_article()
        flush_article()
    finally:
        if f:
            f.close()
    return {"claims": n, "references": n_refs, "articles": n_articles, "appearances": n_appearances,
            "topics": n_topics}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--claims", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty")
    print(json.dumps(generate(args.out, args.claims, args.seed)))

