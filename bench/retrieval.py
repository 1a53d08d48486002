"""Retrieval benchmark on MultiHop-RAG: the naive LangChain pipeline vs ours, same run.

- naive: RecursiveCharacterTextSplitter(1000, 200) over the article files → all-MiniLM-L6-v2
  → Chroma similarity top-10 (the tutorial pipeline; its index is cached in bench/out/naive);
- dense / bm25: each half of ours alone over our chunks;
- hybrid: our HybridRetriever (dense + BM25 + outlet/date boosts + recency + dedup).

Needs our index of the corpus in bench/out/index-header (bench/chunk_header.py builds it,
or: NEWSBOT_DATA_DIR=bench/out/index-header python -m index build CORPUS).
Usage: python bench/retrieval.py [--limit N] [--only hybrid,bm25]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.eval.metrics import RetrievedChunk, first_hit_rank, retrieval_scores  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

EVAL = ROOT.parent / "shared" / "eval" / "multihop-rag"
OUT = ROOT / "bench" / "out"

Search = Callable[[str], list[RetrievedChunk]]


def naive_search(corpus: Path, embeddings: Any) -> Search:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    client = chromadb.PersistentClient(
        str(OUT / "naive"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    store = Chroma(client=client, collection_name="naive", embedding_function=embeddings)
    if client.get_or_create_collection("naive").count() == 0:
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        texts, metas = [], []
        for path in sorted(corpus.glob("*.txt")):
            for piece in splitter.split_text(path.read_text(encoding="utf-8")):
                texts.append(piece)
                metas.append({"article_id": path.stem})
        started = time.perf_counter()
        for i in range(0, len(texts), 256):
            store.add_texts(texts[i : i + 256], metadatas=metas[i : i + 256])
        print(f"naive index: {len(texts)} chunks in {time.perf_counter() - started:.0f} s", file=sys.stderr)

    def search(q: str) -> list[RetrievedChunk]:
        return [
            RetrievedChunk(d.metadata["article_id"], d.page_content) for d in store.similarity_search(q, k=10)
        ]

    return search


def ours(settings: Settings, embeddings: Any) -> dict[str, Search]:
    from bot.retrieval.hybrid import HybridRetriever
    from bot.retrieval.lexical import LexicalIndex
    from index.store import open_store

    store = open_store(settings, embeddings)
    vectorstore = store.vectorstore
    lexical = LexicalIndex.from_vectorstore(vectorstore)
    retriever = HybridRetriever(
        collection=store.collection, embed_query=embeddings.embed_query, lexical_index=lambda: lexical
    )

    def as_chunks(docs: list[Any]) -> list[RetrievedChunk]:
        return [RetrievedChunk(d.metadata["article_id"], d.page_content) for d in docs]

    def bm25(q: str) -> list[RetrievedChunk]:
        scores = lexical.search(q, 10)
        chunks = lexical.chunks(scores)
        best = sorted(scores, key=lambda i: -scores[i])
        return [RetrievedChunk(chunks[i].metadata["article_id"], chunks[i].text) for i in best]

    return {
        "dense (our chunks)": lambda q: as_chunks(vectorstore.similarity_search(q, k=10)),
        "bm25 (our chunks + header)": bm25,
        "hybrid (ours)": lambda q: as_chunks(retriever.invoke(q)),
    }


def evaluate(name: str, search: Search, questions: list[dict[str, Any]]) -> dict[str, Any]:
    ranks, times = [], []
    for q in questions:
        started = time.perf_counter()
        found = search(q["question"])
        times.append((time.perf_counter() - started) * 1000)
        ranks.append(first_hit_rank(found, [f["fact"] for f in q.get("evidence_facts", [])]))
    scores = retrieval_scores(ranks)
    times.sort()
    return {
        "name": name,
        **scores,
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=EVAL / "dev.jsonl")
    parser.add_argument("--corpus", type=Path, default=EVAL / "corpus")
    parser.add_argument("--index", type=Path, default=OUT / "index-header")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--only", default="", help="comma-separated method name prefixes")
    args = parser.parse_args()
    apply_offline_env()
    from index.embeddings import make_embeddings

    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [q for q in map(json.loads, lines) if q.get("answers")]
    if args.limit:
        questions = questions[: args.limit]
    settings = Settings(data_dir=args.index)
    embeddings = make_embeddings(settings)
    methods = {
        "naive LangChain tutorial": naive_search(args.corpus, embeddings),
        **ours(settings, embeddings),
    }
    wanted = [p.strip() for p in args.only.split(",") if p.strip()]
    results = [
        evaluate(n, s, questions) for n, s in methods.items() if not wanted or n.startswith(tuple(wanted))
    ]
    print(
        f"{len(questions)} answerable MultiHop-RAG dev questions; hit = evidence fact inside a top-k chunk\n"
    )
    print("| method | hits@4 | hits@10 | mrr@10 | p50 ms | p95 ms |\n|---|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['name']} | {r['hits@4']:.4f} | {r['hits@10']:.4f} | {r['mrr@10']:.4f} "
            f"| {r['p50']:.0f} | {r['p95']:.0f} |"
        )


if __name__ == "__main__":
    main()
