"""Sentence selection on MultiHop-RAG dev: is the top sentence of the evidence article one of the
question's evidence facts?

For every (question, evidence article) pair of the answerable dev questions, every sentence of
that whole article (as the index stored it, with its notes) is ranked, and the pair counts when
the top one is one of the question's evidence facts for that article. Reported on the fixed
article-disjoint split (``bot.eval.splits``): the held-out part is what a model fitted on the rest
is measured on. Rankers:

- ``bi-encoder``: the packaged MiniLM's cosine similarity alone;
- ``words``: the answerer's IDF-weighted share of the question's terms a sentence holds;
- ``rules``: today's extractive answerer (``ExtractiveAnswerer.ranked``: every scorer, then the
  semantic similarity of its shortlist), and how often its top sentence also clears its bar.

``reachable`` is the share of pairs whose evidence fact is one of the candidate sentences at all
(facts that span sentences, or sit in headings and lists, cannot be the top sentence).

Usage: python bench/reader_sentences.py [--corpus DIR] [--questions dev.jsonl] [--part held-out|train|all]
(default: ../shared/eval/multihop-rag, the held-out part; the corpus index is built once and cached
under data/eval-cache like ``python -m bot.eval --corpus``)
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

from bot.answerers.extractive import ExtractiveAnswerer  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.eval.dataset import load_questions  # noqa: E402
from bot.eval.evidence import is_evidence, pairs_of  # noqa: E402
from bot.question import Question  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval" / "multihop-rag"


def main() -> int:
    apply_offline_env()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    parser.add_argument("--questions", type=Path, default=SHARED / "dev.jsonl")
    parser.add_argument("--part", choices=["held-out", "train", "all"], default="held-out")
    args = parser.parse_args()

    from bot.eval.__main__ import corpus_settings
    from bot.factory import build_pipeline

    pairs = pairs_of(load_questions(args.questions), args.part)
    settings = corpus_settings(Settings(), args.corpus, quiet=True)
    pipeline = build_pipeline(settings)
    answerer = pipeline.chatbot.answerer
    assert isinstance(answerer, ExtractiveAnswerer), "the benchmark measures the extractive answerer"
    encode = pipeline.encoder.encode_batch
    print(f"{len(pairs)} (question, evidence article) pairs, part {args.part}, index {settings.data_dir}\n")

    hits = {"bi-encoder": 0, "words": 0, "rules": 0, "rules, above its bar": 0}
    reachable, started = 0, time.perf_counter()
    for n, pair in enumerate(pairs, start=1):
        # No retrieved passages: every sentence of the article, scored as the answerer scores them.
        ranked = answerer.ranked(Question(pair.question, (), article_id=pair.article_id), [])
        if not ranked:
            continue
        texts = [c.text for c in ranked]
        reachable += any(is_evidence(t, pair.facts) for t in texts)
        hits["rules"] += is_evidence(texts[0], pair.facts)
        hits["rules, above its bar"] += (
            is_evidence(texts[0], pair.facts) and ranked[0].score >= answerer.config.refuse_below
        )
        hits["words"] += is_evidence(max(ranked, key=lambda c: c.lexical).text, pair.facts)
        hits["bi-encoder"] += is_evidence(texts[best_cosine(encode, pair.question, texts)], pair.facts)
        if n % 50 == 0:
            print(f"  {n}/{len(pairs)} pairs, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    total = len(pairs) or 1
    print("| ranker | top-1 is an evidence sentence |")
    print("|---|---|")
    for name, count in hits.items():
        print(f"| {name} | {count / total:.3f} ({count}/{len(pairs)}) |")
    print(f"| (reachable: an evidence sentence among the candidates) | {reachable / total:.3f} |")
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


def best_cosine(encode: Callable[[Sequence[str]], np.ndarray], question: str, texts: list[str]) -> int:
    vectors = encode([question, *texts])
    return int(np.argmax(vectors[1:] @ vectors[0]))


if __name__ == "__main__":
    sys.exit(main())
