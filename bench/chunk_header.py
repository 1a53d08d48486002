"""Does embedding 'title · outlet · date' with each chunk help dense retrieval? Measure both.

Builds the MultiHop-RAG corpus twice (header on / off, everything else equal) and scores
dense top-10 retrieval on the answerable dev questions with the dataset's own metric.
The indexes are kept under bench/out/ for later experiments.

Usage: python bench/chunk_header.py [--corpus DIR] [--questions FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.eval.metrics import RetrievedChunk, first_hit_rank, retrieval_scores  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "multihop-rag"


def score(
    settings: Settings, questions: list[dict[str, object]], embeddings: object
) -> dict[str, float | None]:
    from index.store import open_store

    store = open_store(settings, embeddings)  # type: ignore[arg-type]
    vectorstore = store.vectorstore
    ranks = []
    for q in questions:
        docs = vectorstore.similarity_search(str(q["question"]), k=10)
        retrieved = [RetrievedChunk(d.metadata["article_id"], d.page_content) for d in docs]
        facts = [f["fact"] for f in q.get("evidence_facts", [])]  # type: ignore[attr-defined]
        ranks.append(first_hit_rank(retrieved, facts))
    return retrieval_scores(ranks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=EVAL / "corpus")
    parser.add_argument("--questions", type=Path, default=EVAL / "dev.jsonl")
    args = parser.parse_args()
    apply_offline_env()
    from index.embeddings import make_embeddings
    from index.factory import make_indexer

    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [q for q in map(json.loads, lines) if q.get("answers")]
    embeddings = make_embeddings(Settings())
    rows = []
    for header in (True, False):
        out = ROOT / "bench" / "out" / ("index-header" if header else "index-plain")
        settings = Settings(data_dir=out, source_dir=args.corpus, chunk_header=header)
        indexer = make_indexer(settings, embeddings=embeddings)
        started = time.perf_counter()
        stats = indexer.build([args.corpus])
        build_s = time.perf_counter() - started
        rows.append((header, stats.summary(), build_s, score(settings, questions, embeddings)))
    print(f"{len(questions)} answerable questions, dense top-10 (all-MiniLM-L6-v2, Chroma cosine)\n")
    print("| header | hits@4 | hits@10 | mrr@10 | build |\n|---|---|---|---|---|")
    for header, _summary, build_s, s in rows:
        print(
            f"| {'title · outlet · date' if header else 'none'} | {s['hits@4']:.4f} | "
            f"{s['hits@10']:.4f} | {s['mrr@10']:.4f} | {build_s:.0f} s |"
        )


if __name__ == "__main__":
    main()
