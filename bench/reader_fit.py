"""A learned combination for sentence selection, fitted on MultiHop-RAG dev's training part and
measured on its held-out part (the split of ``bot/eval/splits.py``, as ``reader_sentences.py``).

Every candidate sentence of every (question, evidence article) pair gets the features the
answerer already computes — MiniLM's cosine (for every sentence, not only the shortlist), the
IDF-weighted word match, the asked kind found, each scorer's contribution, the carry-over — plus
its place in the article. A logistic regression (scikit-learn, class-balanced) is fitted on the
training pairs' sentences (label: an evidence sentence), and sentences are ranked by it. Printed:
held-out top-1 for the fitted ranker, the rules, words alone and MiniLM alone, and the fitted
coefficients. Features are cached in bench/out/reader_features.npz (delete it to recompute).

Usage: python bench/reader_fit.py [--corpus DIR] [--questions dev.jsonl]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from reader_sentences import SHARED  # noqa: E402

from bot.answerers.extractive import ExtractiveAnswerer  # noqa: E402
from bot.answerers.scoring import SCORERS, Candidate, Scored  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.eval.dataset import load_questions  # noqa: E402
from bot.eval.evidence import Pair, is_evidence, pairs_of  # noqa: E402
from bot.question import Question  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

# Scorers whose contribution is a feature (words and kind are features of their own; the strict
# kind is a constraint, kept as one).
SCORER_FEATURES = [
    s.name for s in SCORERS if s.score is not None and s.name not in {"words", "kind", "rank", "strict kind"}
]
FEATURES = [
    "semantic",
    "words",
    "kind found",
    "strict kind missing",
    "position",
    "lede",
    "log words",
    *(f"scorer: {n}" for n in SCORER_FEATURES),
]
_BY_NAME = {s.name: s for s in SCORERS}
CACHE = ROOT / "bench" / "out" / "reader_features.npz"


Encode = Callable[[Sequence[str]], np.ndarray]


def features(
    answerer: ExtractiveAnswerer, encode: Encode, pair: Pair, vectors: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features per candidate, label per candidate, the rules' score per candidate)."""
    question = Question(pair.question, (), article_id=pair.article_id)
    ranked = answerer.ranked(question, [])
    if not ranked:
        return np.zeros((0, len(FEATURES))), np.zeros(0), np.zeros(0)
    cands = sorted(ranked, key=lambda c: (c.passage, c.start))  # reading order
    scored = Scored.of(question.reading, question.standalone, [c.text for c in cands], answerer.config)
    _embed(encode, [pair.question, *(c.text for c in cands)], vectors)
    q = vectors[pair.question]
    rows = [_row(c, i, len(cands), scored, float(vectors[c.text] @ q)) for i, c in enumerate(cands)]
    labels = [is_evidence(c.text, pair.facts) for c in cands]
    return np.array(rows), np.array(labels, dtype=float), np.array([c.score for c in cands])


def _row(cand: Candidate, i: int, n: int, scored: Scored, semantic: float) -> list[float]:
    applying = {s.name for s in SCORERS if s.applies(scored.reading)}
    contributions = []
    for name in SCORER_FEATURES:
        score = _BY_NAME[name].score
        contributions.append(score(cand, scored) if name in applying and score is not None else 0.0)
    strict_missing = scored.reading.strict and not cand.typed
    return [
        semantic,
        cand.lexical,
        float(cand.typed),
        float(strict_missing),
        i / max(n - 1, 1),
        float(i == 0),
        float(np.log1p(len(cand.text.split()))),
        *contributions,
    ]


def _embed(encode: Encode, texts: Sequence[str], vectors: dict[str, np.ndarray]) -> None:
    missing = [t for t in dict.fromkeys(texts) if t not in vectors]
    if missing:
        for text, vector in zip(missing, encode(missing), strict=True):
            vectors[text] = vector


def main() -> int:
    apply_offline_env()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--questions", type=Path, default=SHARED / "dev.jsonl")
    args = parser.parse_args()
    if not CACHE.exists():
        _collect(args.corpus, args.questions)
    data = np.load(CACHE)
    _fit_and_report(data)
    return 0


def _collect(corpus: Path, questions_path: Path) -> None:
    from bot.eval.__main__ import corpus_settings
    from bot.factory import build_pipeline

    questions = load_questions(questions_path)
    settings = corpus_settings(Settings(), corpus, quiet=True)
    pipeline = build_pipeline(settings)
    answerer = pipeline.chatbot.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    parts = {"train": pairs_of(questions, "train"), "held-out": pairs_of(questions, "held-out")}
    vectors: dict[str, np.ndarray] = {}
    out: dict[str, np.ndarray] = {}
    started = time.perf_counter()
    for part, pairs in parts.items():
        xs, ys, rules, groups = [], [], [], []
        for n, pair in enumerate(pairs):
            x, y, r = features(answerer, pipeline.encoder.encode_batch, pair, vectors)
            xs.append(x)
            ys.append(y)
            rules.append(r)
            groups.append(np.full(len(y), n))
            if (n + 1) % 100 == 0:
                print(
                    f"  {part}: {n + 1}/{len(pairs)}, {time.perf_counter() - started:.0f} s", file=sys.stderr
                )
        out[f"{part}_x"] = np.concatenate(xs)
        out[f"{part}_y"] = np.concatenate(ys)
        out[f"{part}_rules"] = np.concatenate(rules)
        out[f"{part}_group"] = np.concatenate(groups)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(CACHE, **out)  # type: ignore[arg-type]


def top1(scores: np.ndarray, labels: np.ndarray, groups: np.ndarray) -> float:
    """Share of pairs whose best-scored sentence is an evidence sentence."""
    hits, pairs = 0, 0
    for g in np.unique(groups):
        at = groups == g
        hits += bool(labels[at][int(np.argmax(scores[at]))])
        pairs += 1
    return hits / max(pairs, 1)


def _fit_and_report(data: np.lib.npyio.NpzFile) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x, y = data["train_x"], data["train_y"]
    hx, hy, hg = data["held-out_x"], data["held-out_y"], data["held-out_group"]
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(class_weight="balanced", max_iter=2000, C=1.0).fit(scaler.transform(x), y)
    fitted = model.decision_function(scaler.transform(hx))
    n_pairs = len(np.unique(hg))
    print(
        f"train: {len(np.unique(data['train_group']))} pairs, {len(y)} sentences; held-out: {n_pairs} pairs\n"
    )
    print("| ranker | held-out top-1 |")
    print("|---|---|")
    print(f"| fitted logistic regression | {top1(fitted, hy, hg):.3f} |")
    print(f"| today's rules | {top1(data['held-out_rules'], hy, hg):.3f} |")
    print(f"| words alone | {top1(hx[:, FEATURES.index('words')], hy, hg):.3f} |")
    print(f"| MiniLM alone | {top1(hx[:, FEATURES.index('semantic')], hy, hg):.3f} |")
    print("\n| feature | coefficient (standardised) |")
    print("|---|---|")
    for name, coef in zip(FEATURES, model.coef_[0], strict=True):
        print(f"| {name} | {coef:+.3f} |")


if __name__ == "__main__":
    sys.exit(main())
