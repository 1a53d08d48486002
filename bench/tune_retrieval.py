"""Grid-search the hybrid retriever's few global weights on the MultiHop-RAG dev questions.

Features per candidate are computed once (dense cosine, BM25 share, outlet match, date
match, recency); each weight setting re-ranks them in numpy. Dedup and the newer-first
pass are left out here, so figures differ slightly from bench/retrieval.py.
Usage: python bench/tune_retrieval.py [--index DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.eval.metrics import squash  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "multihop-rag"


def features(retriever: Any, question: str, facts: list[str]) -> np.ndarray:
    from bot.language.patterns import timestamp

    found = retriever.candidates(question)
    hints, dense, bm25, chunks = found.hints, found.dense, found.bm25, found.chunks
    floor = min(dense.values(), default=0.0)
    top = max(bm25.values(), default=0.0) or 1.0
    stamps = {i: timestamp(c.metadata.get("published_at")) for i, c in chunks.items()}
    known = [s for s in stamps.values() if s is not None]
    lo, span = (min(known), (max(known) - min(known)) or 1.0) if known else (0.0, 1.0)
    squashed = [squash(f) for f in facts]
    rows = []
    for chunk_id, chunk in chunks.items():
        meta = chunk.metadata
        rows.append(
            [
                dense.get(chunk_id, floor),
                bm25[chunk_id] / top,
                meta.get("source") in hints.sources,
                hints.date_score(str(meta.get("published_at", ""))),
                ((stamps[chunk_id] or lo) - lo) / span,
                any(f in squash(chunk.text) for f in squashed),
            ]
        )
    return np.array(rows, dtype=np.float32)


def score(all_rows: list[np.ndarray], w: tuple[float, ...]) -> tuple[float, float, float]:
    h4 = h10 = mrr = 0.0
    weights = np.array(w, dtype=np.float32)
    for rows in all_rows:
        order = np.argsort(-(rows[:, :5] @ weights))[:10]
        hits = np.nonzero(rows[order, 5])[0]
        if len(hits):
            rank = int(hits[0]) + 1
            h10 += 1
            h4 += rank <= 4
            mrr += 1 / rank
    n = len(all_rows)
    return h4 / n, h10 / n, mrr / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, default=ROOT / "bench" / "out" / "index-header")
    args = parser.parse_args()
    apply_offline_env()
    from bot.retrieval.hybrid import HybridRetriever
    from bot.retrieval.lexical import LexicalIndex
    from index.embeddings import make_embeddings
    from index.store import open_store

    settings = Settings(data_dir=args.index)
    embeddings = make_embeddings(settings)
    store = open_store(settings, embeddings)
    lexical = LexicalIndex.from_vectorstore(store.vectorstore)
    retriever = HybridRetriever(
        collection=store.collection, embed_query=embeddings.embed_query, lexical_index=lambda: lexical
    )
    lines = (EVAL / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [q for q in map(json.loads, lines) if q.get("answers")]
    all_rows = [
        features(retriever, q["question"], [f["fact"] for f in q["evidence_facts"]]) for q in questions
    ]
    results = []
    for lex, src, date, rec in itertools.product(
        [0.3, 0.6, 1.0, 1.5, 2.0], [0.0, 0.1, 0.25, 0.4, 0.6], [0.0, 0.15, 0.3, 0.5], [0.0, 0.02, 0.05]
    ):
        w = (1.0, lex, src, date, rec)
        results.append((score(all_rows, w), w))
    results.sort(key=lambda r: -(r[0][0] + r[0][1] + r[0][2]))
    print(
        "| dense | lexical | source | date | recency | hits@4 | hits@10 | mrr@10 |\n"
        "|---|---|---|---|---|---|---|---|"
    )
    for (h4, h10, mrr), w in results[:12]:
        print("| " + " | ".join(f"{x:g}" for x in w) + f" | {h4:.4f} | {h10:.4f} | {mrr:.4f} |")
    from bot.retrieval.hybrid import RetrievalWeights

    d = RetrievalWeights()
    print("current default:", score(all_rows, (d.dense, d.lexical, d.source, d.date, d.recency)))


if __name__ == "__main__":
    main()
