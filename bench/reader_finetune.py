"""An experiment for issue 23: the packaged MiniLM fine-tuned in-domain as a sentence reader, measured
on the held-out part of MultiHop-RAG dev (the article-disjoint split of ``bot/eval/splits.py``).

Training data, from the training part only: for each (question, evidence article) pair, the
article's candidate sentences that are evidence facts are positives, and the two sentences today's
rules rank highest among the rest (words, kind, scorers; no embedding) are hard negatives. The
loss is multiple-negatives ranking (in-batch negatives plus the hard ones), written out in torch
(sentence-transformers' trainer needs packages this project does not install). Fixed seed.

Printed: held-out top-1 of the fine-tuned model alone and of today's rules with it as their
semantic encoder, beside the packaged model's (``reader_sentences.py`` measures those too).
The model is saved to bench/out/reader-minilm (not shipped: an experiment until it wins).

Usage: python bench/reader_finetune.py [--epochs 1] [--batch 16] [--lr 2e-5] [--negatives 2]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from reader_sentences import SHARED, best_cosine  # noqa: E402

from bot.answerers.extractive import ExtractiveAnswerer  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.eval.dataset import load_questions  # noqa: E402
from bot.eval.evidence import Pair, is_evidence, pairs_of  # noqa: E402
from bot.question import Question  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer

OUT = ROOT / "bench" / "out" / "reader-minilm"
SEED = 23
Encode = Callable[[Sequence[str]], np.ndarray]


def main() -> int:
    apply_offline_env()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--negatives", type=int, default=2)
    args = parser.parse_args()

    from sentence_transformers import SentenceTransformer

    from bot.eval.__main__ import corpus_settings
    from bot.factory import build_pipeline

    random.seed(SEED)
    np.random.seed(SEED)
    questions = load_questions(SHARED / "dev.jsonl")
    settings = corpus_settings(Settings(), SHARED / "corpus", quiet=True)
    pipeline = build_pipeline(settings)
    lexical = pipeline.lexical
    zero = 384

    def articles(article_id: str, subscriber: bool) -> list:  # type: ignore[type-arg]
        return lexical().article_chunks(article_id, subscriber)

    def idf(term: str) -> float:
        return lexical().idf(term)

    # The rules without embeddings: words, kind and scorers only (hard negatives, fast).
    cheap = ExtractiveAnswerer(lambda t: np.zeros((len(t), zero), dtype=np.float32), idf, articles=articles)
    triplets = _spread(_triplets(cheap, pairs_of(questions, "train"), args.negatives), args.batch)
    print(f"{len(triplets)} training triplets", file=sys.stderr)

    model = SentenceTransformer(str(settings.resolved_model_path()), device="cpu", local_files_only=True)
    _train(model, triplets, args)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    model.save(str(OUT))

    def tuned(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(model.encode(list(texts), batch_size=16, normalize_embeddings=True))

    packaged = pipeline.encoder.encode_batch
    held = pairs_of(questions, "held-out")
    print(f"\n{len(held)} held-out pairs\n\n| ranker | held-out top-1 |\n|---|---|")
    for name, encode in (("packaged MiniLM", packaged), ("fine-tuned MiniLM", tuned)):
        rules = ExtractiveAnswerer(encode, idf, articles=articles)
        alone, ruled = _measure(rules, encode, held)
        print(f"| {name} alone | {alone:.3f} |\n| rules with {name} | {ruled:.3f} |")
    return 0


def _triplets(cheap: ExtractiveAnswerer, pairs: Sequence[Pair], negatives: int) -> list[tuple[str, str, str]]:
    found = []
    for pair in pairs:
        ranked = cheap.ranked(Question(pair.question, (), article_id=pair.article_id), [])
        positives = [c.text for c in ranked if is_evidence(c.text, pair.facts)]
        wrong = [c.text for c in ranked if not is_evidence(c.text, pair.facts)][:negatives]
        found += [(pair.question, p, n) for p in positives[:2] for n in wrong]
    random.shuffle(found)
    return found


def _spread(triplets: list[tuple[str, str, str]], batch: int) -> list[tuple[str, str, str]]:
    """Triplets ordered so that no batch holds one question or one positive twice: in-batch
    negatives must be other questions' sentences, never another copy of the right one."""
    batches: list[list[tuple[str, str, str]]] = []
    for triplet in triplets:
        home = next(
            (
                b
                for b in batches
                if len(b) < batch and all(t[0] != triplet[0] and t[1] != triplet[1] for t in b)
            ),
            None,
        )
        if home is None:
            home = []
            batches.append(home)
        home.append(triplet)
    return [t for b in batches for t in b]


def _train(
    model: SentenceTransformer, triplets: list[tuple[str, str, str]], args: argparse.Namespace
) -> None:
    import torch

    torch.manual_seed(SEED)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    steps = args.epochs * ((len(triplets) + args.batch - 1) // args.batch)
    warmup = max(1, steps // 10)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / max(1, steps - warmup))
    )
    started, step = time.perf_counter(), 0
    for _epoch in range(args.epochs):
        for i in range(0, len(triplets), args.batch):
            batch = triplets[i : i + args.batch]
            anchors, positives, negatives = (_embed(model, [t[k] for t in batch]) for k in range(3))
            candidates = torch.cat([positives, negatives])
            scores = anchors @ candidates.T * 20.0  # MNRL's scale: cosine × 20
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))
            loss.backward()  # type: ignore[no-untyped-call]
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            if step % 20 == 0:
                took = time.perf_counter() - started
                print(f"  step {step}/{steps}, loss {loss.item():.3f}, {took:.0f} s", file=sys.stderr)
    model.eval()


def _embed(model: SentenceTransformer, texts: list[str]) -> torch.Tensor:
    import torch

    features = model.preprocess(texts) if hasattr(model, "preprocess") else model.tokenize(texts)
    out = model(features)["sentence_embedding"]
    return torch.nn.functional.normalize(out, dim=-1)


def _measure(rules: ExtractiveAnswerer, encode: Encode, pairs: Sequence[Pair]) -> tuple[float, float]:
    alone = ruled = 0
    for pair in pairs:
        ranked = rules.ranked(Question(pair.question, (), article_id=pair.article_id), [])
        if not ranked:
            continue
        ruled += is_evidence(ranked[0].text, pair.facts)
        texts = [c.text for c in ranked]
        alone += is_evidence(texts[best_cosine(encode, pair.question, texts)], pair.facts)
    return alone / len(pairs), ruled / len(pairs)


if __name__ == "__main__":
    sys.exit(main())
