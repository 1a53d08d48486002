"""The lexical index alone at 100k and 1M chunks: what it costs to build, open, follow and query.

``bench/scale.py`` measures the whole app on a real store (Chroma's ingest, HNSW memory,
answers); at 1M chunks its ingest alone takes ~45 min. This measures only the lexical index
(index/lexical.py, Tantivy) with the real chunks of ``--base`` (texts and metadata, no
vectors) replicated with distinct ids and article ids.

Per size, in a fresh process each (so peak RSS is the step's own):
* build: every chunk written as a build writes them (one batch, one commit): seconds, peak RSS;
* open (a replica's start): seconds and RSS, then BM25 top-50 searches for reader questions
  (as the retriever asks them, each hit's stored chunk read): p50/p95 ms, RSS; the article
  list: seconds, RSS (all of it, and the process's own: the rest is mapped index files);
* follow: a follower with its own view of the folder (as another process) checking every
  second as the app does; one article published and one taken down by a writer: seconds
  until the follower answers with the change, and how long the writer's call took.

Usage:
  python bench/lexical_scale.py --base DATA_DIR [--base-collection eval] --sizes 100000 1000000
                                [--work /tmp/newsbot-lexical-scale]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class ReplicatedStore:
    """Chroma's ``get`` over ``size`` copies of the base chunks (distinct ids and article ids)."""

    def __init__(self, base: dict[str, Any], size: int) -> None:
        self.base = base
        self.size = size

    def _id(self, i: int) -> str:
        n = len(self.base["ids"])
        return f"{self.base['ids'][i % n]}~{i // n}"

    def _row(self, chunk_id: str) -> tuple[str, dict[str, Any]]:
        original, copy = chunk_id.rsplit("~", 1)
        i = self.base["position"][original]
        meta = self.base["metadatas"][i]
        return self.base["documents"][i], dict(meta, article_id=f"{meta.get('article_id', '')}~{copy}")

    def get(
        self, include: list[str], limit: int | None = None, offset: int = 0, ids: list[str] | None = None
    ) -> dict[str, Any]:
        end = min(self.size, offset + (limit or self.size))
        chosen = ids if ids is not None else [self._id(i) for i in range(offset, end)]
        rows = [self._row(i) for i in chosen]
        found: dict[str, Any] = {"ids": chosen}
        if "documents" in include:
            found["documents"] = [text for text, _ in rows]
            found["metadatas"] = [meta for _, meta in rows]
        return found


def _read_base(data_dir: Path, collection: str) -> dict[str, Any]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(data_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    found = client.get_collection(collection, embedding_function=None).get(include=["documents", "metadatas"])
    ids = list(found["ids"])
    return {
        "ids": ids,
        "documents": list(found["documents"] or []),
        "metadatas": [dict(m or {}) for m in found["metadatas"] or []],
        "position": {chunk_id: i for i, chunk_id in enumerate(ids)},
    }


def _step(args: argparse.Namespace) -> dict[str, float]:
    """One step in this process: build | open | follow."""
    from index.lexical import LexicalStore

    base = _read_base(Path(args.base), args.base_collection)
    store = ReplicatedStore(base, args.size)
    root = Path(args.work) / str(args.size)
    baseline, anon = _rss_mb(), _rss_mb("RssAnon")
    started = time.monotonic()
    out: dict[str, float] = {}
    if args.step == "build":
        shutil.rmtree(root, ignore_errors=True)
        lexical = LexicalStore(root)
        with lexical.batch():
            for offset in range(0, args.size, 2000):
                lexical.add(_chunks(store.get(include=["documents"], limit=2000, offset=offset)))
        out["build_s"] = time.monotonic() - started
        out["build_peak_mb"] = _peak_mb() - baseline
        out["disk_mb"] = sum(p.stat().st_size for p in root.iterdir()) / 1e6
    elif args.step == "open":
        from bot.retrieval.lexical import LexicalIndex

        index = LexicalIndex(LexicalStore(root).view())
        out["open_s"] = time.monotonic() - started
        out["open_mb"] = _rss_mb() - baseline
        out.update(_queries(index))
        out["after_queries_mb"] = _rss_mb() - baseline
        out["after_queries_anon_mb"] = _rss_mb("RssAnon") - anon
        started = time.monotonic()
        out["articles"] = len(index.articles())
        out["articles_s"] = time.monotonic() - started
        out["after_list_mb"] = _rss_mb() - baseline
        out["after_list_anon_mb"] = _rss_mb("RssAnon") - anon
    else:
        out.update(_follow(LexicalStore(root), root, base))
    return out


def _chunks(found: dict[str, Any]) -> list[Any]:
    from index.lexical import StoredChunk

    return [
        StoredChunk(i, t, m)
        for i, t, m in zip(found["ids"], found["documents"], found["metadatas"], strict=True)
    ]


def _follow(writer: Any, root: Path, base: dict[str, Any]) -> dict[str, float]:
    """A follower on its own view of the folder (another process's, as far as Tantivy can
    tell) checks every second, as the app does; a writer publishes one article, then takes
    it down. Measured: from the writer's call to the follower answering with the change."""
    from bot.retrieval.lexical import LexicalCache
    from index.lexical import LexicalStore, StoredChunk

    follower = LexicalCache(LexicalStore(root))
    follower()
    follower.follow()
    article = base["metadatas"][0].get("article_id", "")
    rows = [i for i, m in enumerate(base["metadatas"]) if m.get("article_id") == article]
    new = [
        StoredChunk(
            f"{base['ids'][i]}~new", base["documents"][i], dict(base["metadatas"][i], article_id="new")
        )
        for i in rows
    ]
    probe = new[0].id
    out: dict[str, float] = {}
    try:
        started = time.monotonic()
        writer.add(new)
        out["add_call_s"] = time.monotonic() - started
        out["add_s"] = _until(lambda: bool(follower().chunks([probe])), started)
        started = time.monotonic()
        writer.delete([c.id for c in new])
        out["remove_call_s"] = time.monotonic() - started
        out["remove_s"] = _until(lambda: not follower().chunks([probe]), started)
    finally:
        follower.stop()
    return out


def _until(done: Any, started: float, timeout_s: float = 120.0) -> float:
    while not done():
        if time.monotonic() - started > timeout_s:
            return float("inf")
        time.sleep(0.01)
    return time.monotonic() - started


def _queries(index: Any) -> dict[str, float]:
    lines = (ROOT / "eval" / "readers.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()][:100]
    times = []
    for question in questions:
        started = time.perf_counter()
        index.search(question, 50)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"score_p50_ms": times[len(times) // 2], "score_p95_ms": times[int(len(times) * 0.95)]}


def _rss_mb(kind: str = "VmRSS") -> float:
    """Resident memory: all of it (VmRSS), or only the process's own (RssAnon: not the pages of
    mapped index files, which the kernel may drop)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{kind}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    args = _parser().parse_args()
    if args.step:
        print(json.dumps(_step(args)))
        return 0
    columns = ["chunks", "build s", "build peak MB", "on disk MB", "open s", "RSS open/queried/listed MB"]
    columns += [
        "of which own MB (queried/listed)",
        "BM25 top-50 p50/p95 ms",
        "article list s",
        "+1 article seen s (call)",
        "-1 article seen s (call)",
    ]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for size in args.sizes:
        row: dict[str, float] = {}
        for step in ("build", "open", "follow"):
            command = [sys.executable, __file__, "--step", step, "--size", str(size), *_common(args)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            row.update(json.loads(done.stdout.strip().splitlines()[-1]))
        print(
            f"| {size:,} | {row['build_s']:.0f} | {row['build_peak_mb']:.0f} | {row['disk_mb']:.0f} "
            f"| {row['open_s']:.2f} | {row['open_mb']:.0f} / {row['after_queries_mb']:.0f} "
            f"/ {row['after_list_mb']:.0f} | {row['after_queries_anon_mb']:.0f} "
            f"/ {row['after_list_anon_mb']:.0f} "
            f"| {row['score_p50_ms']:.1f} / {row['score_p95_ms']:.1f} | {row['articles_s']:.1f} "
            f"| {row['add_s']:.2f} ({row['add_call_s']:.2f}) "
            f"| {row['remove_s']:.2f} ({row['remove_call_s']:.2f}) |",
            flush=True,
        )
    return 0


def _common(args: argparse.Namespace) -> list[str]:
    return ["--base", args.base, "--base-collection", args.base_collection, "--work", args.work]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="data folder of an index whose chunks are replicated")
    parser.add_argument("--base-collection", default="eval", help="its collection (default: eval)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--work", default="/tmp/newsbot-lexical-scale", help="where the indexes are written")
    parser.add_argument("--step", choices=["build", "open", "follow"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    return parser


if __name__ == "__main__":
    from index.config import apply_offline_env

    apply_offline_env()
    sys.exit(main())
