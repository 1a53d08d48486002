"""Does fine-tuning the packaged MiniLM in-domain teach it which sentence answers a question?

Issue 23 asks to try, on the reader's article-disjoint split (``bot.eval.splits``), the
bi-encoder fine-tuned with in-batch and hard negatives (the loss of sentence-transformers'
``MultipleNegativesRankingLoss``, written out here in torch: ``datasets``/``accelerate``, which
its trainer needs, are not installed). Training triples, from the training part only:
- each (MultiHop-RAG dev question, evidence article) pair: the evidence sentence, and the
  article's non-evidence sentence the packaged model likes best as the hard negative;
- questions generated from the articles' sentence notes (``bot.eval.generated``): the sentence
  they came from, and likewise the hardest other sentence.
Measured on the held-out articles, over every sentence of the article (the issue's measure:
the packaged model alone was 0.258): is the most similar sentence an evidence sentence?

Nothing here ships: it prints a table (bench/RESULTS.md) and keeps the tuned model in
``--keep`` if asked, for measuring it inside the reader.

Usage: python bench/encoder_tuning.py [--epochs 1] [--keep bench/out/tuned-minilm]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import Settings
from bot.eval.dataset import load_questions
from bot.eval.evidence import bare, in_part, is_evidence, pairs_of
from bot.eval.generated import generate
from bot.eval.train_reader import SEED, SHARED, _team_articles
from index.chunking import split_sentences
from index.config import apply_offline_env

# Training knobs: the usual MNRL settings for MiniLM (sentence-transformers' examples), not tuned.
LR, BATCH, SCALE, WARMUP = 2e-5, 16, 20.0, 0.1


@dataclass(frozen=True)
class Case:
    question: str
    sentences: tuple[str, ...]  # the article's sentences, in order, unique
    positives: frozenset[int]


def article_sentences(lexical: object, article: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for doc in lexical.article_chunks(article):  # type: ignore[attr-defined]
        for start, end in split_sentences(doc.page_content):
            text = doc.page_content[start:end].strip()
            if len(text.split()) >= 3:
                seen.setdefault(text, None)
    return tuple(seen)


def cases(
    pipeline: object, part: str, questions: Sequence[object], per_article: int
) -> dict[str, list[Case]]:
    lexical = pipeline.lexical()  # type: ignore[attr-defined]
    cache: dict[str, tuple[str, ...]] = {}

    def sentences(article: str) -> tuple[str, ...]:
        if article not in cache:
            cache[article] = article_sentences(lexical, article)
        return cache[article]

    dev = []
    for pair in pairs_of(questions, part):  # type: ignore[arg-type]
        found = sentences(pair.article_id)
        positives = frozenset(i for i, s in enumerate(found) if is_evidence(s, pair.facts))
        if positives:
            dev.append(Case(pair.question, found, positives))
    made = []
    rng = random.Random(SEED)
    excluded = _team_articles()
    for row in lexical.articles():
        article = row["article_id"]
        if not in_part(article, part) or article in excluded:
            continue
        for item in generate(lexical.article_chunks(article), lexical.idf, per_article, rng):
            found = sentences(article)
            positives = frozenset(i for i, s in enumerate(found) if is_evidence(s, (bare(item.sentence),)))
            if positives:
                made.append(Case(item.question, found, positives))
    return {"MultiHop-RAG dev": dev, "generated": made}


class Vectors:
    """Each article's sentence vectors under one model, encoded once (cases share articles)."""

    def __init__(self, model: object) -> None:
        self.model = model
        self._done: dict[tuple[str, ...], np.ndarray] = {}

    def of(self, sentences: tuple[str, ...]) -> np.ndarray:
        if sentences not in self._done:
            self._done[sentences] = self.model.encode(  # type: ignore[attr-defined]
                list(sentences), normalize_embeddings=True, batch_size=64
            )
        return self._done[sentences]

    def question(self, text: str) -> np.ndarray:
        return self.model.encode([text], normalize_embeddings=True)[0]  # type: ignore[attr-defined,no-any-return]


def top1(model: object, found: list[Case]) -> float:
    vectors = Vectors(model)
    hits = 0
    for n, case in enumerate(found, 1):
        scores = vectors.of(case.sentences) @ vectors.question(case.question)
        hits += int(int(np.argmax(scores)) in case.positives)
        if n % 200 == 0:
            print(f"  measured {n}/{len(found)}", file=sys.stderr)
    return hits / max(len(found), 1)


def triples(model: object, found: list[Case]) -> list[tuple[str, str, str]]:
    vectors = Vectors(model)
    out = []
    for n, case in enumerate(found, 1):
        order = np.argsort(-(vectors.of(case.sentences) @ vectors.question(case.question)))
        negative = next((int(i) for i in order if int(i) not in case.positives), None)
        if n % 500 == 0:
            print(f"  mined {n}/{len(found)}", file=sys.stderr)
        if negative is None:
            continue
        for p in sorted(case.positives):
            out.append((case.question, case.sentences[p], case.sentences[negative]))
    return out


def train(model: object, data: list[tuple[str, str, str]], epochs: int) -> None:
    import torch
    from torch.nn import functional

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    st = model  # a SentenceTransformer
    st.train()  # type: ignore[attr-defined]
    optimiser = torch.optim.AdamW(st.parameters(), lr=LR)  # type: ignore[attr-defined]
    steps = epochs * ((len(data) + BATCH - 1) // BATCH)
    warm = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda k: min((k + 1) / warm, max(0.0, (steps - k) / max(1, steps - warm)))
    )

    def embed(texts: list[str]) -> torch.Tensor:
        features = st.tokenize(texts)  # type: ignore[attr-defined]
        return functional.normalize(st(features)["sentence_embedding"], dim=-1)  # type: ignore[operator]

    started, step = time.perf_counter(), 0
    for epoch in range(epochs):
        order = list(range(len(data)))
        rng.shuffle(order)
        for at in range(0, len(order), BATCH):
            batch = [data[i] for i in order[at : at + BATCH]]
            q = embed([b[0] for b in batch])
            d = embed([b[1] for b in batch] + [b[2] for b in batch])
            loss = functional.cross_entropy(SCALE * q @ d.T, torch.arange(len(batch)))
            loss.backward()  # type: ignore[no-untyped-call]
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            step += 1
            if step % 20 == 0:
                rate = step * BATCH / (time.perf_counter() - started)
                done = f"epoch {epoch + 1} step {step}/{steps} loss {loss.item():.3f}"
                print(f"  {done} ({rate:.1f} triples/s)", file=sys.stderr)
    st.eval()  # type: ignore[attr-defined]


def main() -> int:
    apply_offline_env()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--per-article", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="save the tuned model in this folder")
    args = parser.parse_args()
    from sentence_transformers import SentenceTransformer

    from bot.eval.__main__ import corpus_settings
    from bot.factory import build_pipeline

    settings = corpus_settings(Settings().model_copy(update={"reader": "off"}), SHARED / "corpus", quiet=True)
    pipeline = build_pipeline(settings)
    questions = load_questions(SHARED / "dev.jsonl")
    started = time.perf_counter()
    train_cases = cases(pipeline, "train", questions, args.per_article)
    held_cases = cases(pipeline, "held-out", questions, args.per_article)
    sizes = {name: len(found) for name, found in {**train_cases, **held_cases}.items()}
    print(f"cases {sizes}, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    path = settings.resolved_model_path()
    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    before = {name: top1(model, found) for name, found in held_cases.items()}
    data = [t for found in train_cases.values() for t in triples(model, found)]
    print(f"{len(data)} training triples, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    tuned_at = time.perf_counter()
    train(model, data, args.epochs)
    seconds = time.perf_counter() - tuned_at
    after = {name: top1(model, found) for name, found in held_cases.items()}
    print(f"\nFine-tuning MiniLM: {len(data)} triples, {args.epochs} epoch(s), {seconds:.0f} s here\n")
    print("| held-out (article-disjoint) | cases | top-1 over the whole article, packaged | tuned |")
    print("|---|---|---|---|")
    for name, found in held_cases.items():
        print(f"| {name} | {len(found)} | {before[name]:.3f} | {after[name]:.3f} |")
    if args.keep:
        model.save(str(args.keep))
        print(f"\nkept the tuned model in {args.keep}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
