"""How the app grows with the archive: 10k, 100k, 1M chunks, embedded and on a Chroma server.

Real chunks (texts, sentence notes, vectors of the packaged model) are read from an existing
index (``--base``, e.g. the MultiHop-RAG evaluation index) and replicated with distinct ids,
article ids, URLs and dates until the store holds N chunks. Each copy's vector is the
original plus a little Gaussian noise (renormalised), so the HNSW graph is not built over
exact duplicates: the benchmark measures the store and retrieval, not the model.

Per size and store mode it reports:
* ingest rate into Chroma (chunks/s, vectors precomputed);
* app start-up: to the port answering (``/livez``) and to ready (``/readyz`` 200), cold (the
  first start after the ingest: nothing in the page cache from this process) and warm (as
  after a restart or for a second replica on the same data folder), and the peak RSS of the
  cold start;
* the app's RSS once ready and after the questions (and, on a server, the Chroma server's);
* retrieval and whole-answer p50/p95 (the answers' own timings) over reader questions;
* the sizes on disk of the lexical index (Tantivy) and of the store;
* how long a running replica takes to answer with one more article, and one fewer (a
  takedown), written by another writer.

The ingest writes both stores as ``ArticleStore.upsert`` does (Chroma, then the lexical index,
one commit at the end), with the vectors precomputed.

Usage:
  python bench/scale.py --base DATA_DIR [--base-collection eval] --sizes 10000 100000 1000000
                        [--mode embedded|server] [--work /tmp/newsbot-scale] [--questions 40]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seed_app import free_port, rss_mb, start_chroma  # noqa: E402

from bot.stats import percentile  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

BATCH = 2000  # chunks per upsert (Chroma's own limit is ~5k per call)
NOISE = 0.02  # std of the noise added to a copy's vector (cosine to the original ~0.99)


@dataclass
class Row:
    mode: str
    chunks: int
    ingest_per_s: float
    live_s: float
    ready_cold_s: float
    ready_warm_s: float
    peak_cold_mb: float
    rss_ready_mb: float
    rss_after_mb: float
    retrieve_p50: float
    retrieve_p95: float
    total_p50: float
    total_p95: float
    lexical_mb: float
    store_mb: float
    update_s: float
    remove_s: float
    server_rss_mb: float


def main() -> int:
    apply_offline_env()
    args = _parser().parse_args()
    base = _read_base(Path(args.base), args.base_collection)
    questions = _questions(args.questions)
    rows = []
    for size in args.sizes:
        work = Path(args.work) / f"{args.mode}-{size}"
        rows.append(_run(args.mode, size, base, questions, work, args.keep))
        _print([rows[-1]])
    print("\nAll sizes:")
    _print(rows)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="data folder of an index to replicate chunks from")
    parser.add_argument("--base-collection", default="eval", help="its collection (default: eval)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--mode", choices=["embedded", "server"], default="embedded")
    parser.add_argument("--work", default="/tmp/newsbot-scale", help="where the stores are built")
    parser.add_argument("--questions", type=int, default=40, help="reader questions asked per size")
    parser.add_argument("--keep", action="store_true", help="keep each size's store afterwards")
    return parser


def _read_base(data_dir: Path, collection: str) -> dict[str, Any]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(
        path=str(data_dir / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    found = client.get_collection(collection, embedding_function=None)
    out: dict[str, list[Any]] = {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
    while True:
        page: dict[str, Any] = dict(
            found.get(limit=2000, offset=len(out["ids"]), include=["documents", "metadatas", "embeddings"])
        )
        if not page["ids"]:
            break
        for key, values in out.items():
            values.extend(page[key])
    print(f"base: {len(out['ids'])} chunks from {data_dir}", file=sys.stderr)
    return {**out, "embeddings": np.asarray(out["embeddings"], dtype=np.float32)}


def _questions(n: int) -> list[str]:
    lines = (ROOT / "eval" / "readers.jsonl").read_text(encoding="utf-8").splitlines()
    asked = [json.loads(line)["question"] for line in lines if line.strip()]
    return asked[:n]


def _run(mode: str, size: int, base: dict[str, Any], questions: list[str], work: Path, keep: bool) -> Row:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    server = start_chroma(work / "chroma-server") if mode == "server" else None
    try:
        env = {"NEWSBOT_DATA_DIR": str(work / "data"), "NEWSBOT_COLLECTION": "news"}
        if server:
            env.update(NEWSBOT_CHROMA_HOST="127.0.0.1", NEWSBOT_CHROMA_PORT=str(server[1]))
        rate = _ingest(env, size, base)
        cold = _serve(env, questions)
        warm = _serve(env, [])
        server_rss = rss_mb(server[0].pid) if server else 0.0  # the Chroma server, after the questions
        update, remove = _update(env, base)
        lexical = work / "data" / "tantivy"
        store = work / ("chroma-server" if server else "data/chroma")
        return Row(
            mode, size, rate, cold.live_s, cold.ready_s, warm.ready_s, cold.peak_mb, cold.rss_ready_mb,
            cold.rss_after_mb, _p(cold.retrieve, 50), _p(cold.retrieve, 95), _p(cold.total, 50),
            _p(cold.total, 95), _mb(lexical), _mb(store), update, remove, server_rss,
        )  # fmt: skip
    finally:
        if server:
            server[0].terminate()
            server[0].wait(timeout=60)
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def _ingest(env: dict[str, str], size: int, base: dict[str, Any]) -> float:
    """Fill the store with ``size`` chunks (copies of the base); chunks per second."""
    from bot.config import Settings
    from index.store import open_store

    fields: dict[str, Any] = {
        "data_dir": Path(env["NEWSBOT_DATA_DIR"]),
        "collection": env["NEWSBOT_COLLECTION"],
    }
    if "NEWSBOT_CHROMA_HOST" in env:
        fields.update(chroma_host=env["NEWSBOT_CHROMA_HOST"], chroma_port=int(env["NEWSBOT_CHROMA_PORT"]))
    store = open_store(Settings(_env_file=None, **fields))  # type: ignore[call-arg]
    with store.writing():
        rate = _ingest_into(store, size, base)
    store.set_build_info(last_build_at=datetime.now().isoformat(), chunks=size)
    return rate


def _ingest_into(store: Any, size: int, base: dict[str, Any]) -> float:
    """Both stores, as ``ArticleStore.upsert`` writes them (Chroma, then the lexical index)."""
    from index.lexical import StoredChunk

    rng = np.random.default_rng(0)
    n = len(base["ids"])
    started = time.monotonic()
    for start in range(0, size, BATCH):
        rows = range(start, min(size, start + BATCH))
        copy = [i // n for i in rows]
        src = [i % n for i in rows]
        vectors = base["embeddings"][src]
        noisy = np.array([c > 0 for c in copy])
        if noisy.any():
            vectors = vectors + noisy[:, None] * rng.normal(0, NOISE, vectors.shape).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        ids = [f"{base['ids'][s]}~{c}" for s, c in zip(src, copy, strict=True)]
        texts = [base["documents"][s] for s in src]
        metas: list[Any] = [_copy_meta(base["metadatas"][s], c) for s, c in zip(src, copy, strict=True)]
        store.collection.upsert(ids=ids, embeddings=vectors, documents=texts, metadatas=metas)
        store.lexical.add(StoredChunk(*row) for row in zip(ids, texts, metas, strict=True))
        if (start // BATCH) % 25 == 0:
            done = min(size, start + BATCH)
            print(f"  ingested {done}/{size} ({done / (time.monotonic() - started):.0f}/s)", file=sys.stderr)
    return size / (time.monotonic() - started)


def _update(env: dict[str, str], base: dict[str, Any]) -> tuple[float, float]:
    """Seconds until a following replica answers with one more article (written by another
    writer: its chunks to Chroma and the lexical index), then one fewer (a takedown)."""
    from bot.config import Settings
    from bot.factory import make_lexical
    from index.lexical import StoredChunk
    from index.store import open_store

    settings = Settings(_env_file=None, **_store_fields(env))  # type: ignore[call-arg]
    writer, follower = open_store(settings), make_lexical(open_store(settings))
    assert writer.lexical is not None
    follower()
    follower.follow()
    article = base["metadatas"][0]["article_id"]
    rows = [i for i, m in enumerate(base["metadatas"]) if m["article_id"] == article]
    ids = [f"{base['ids'][i]}~new" for i in rows]
    metas: list[Any] = [dict(base["metadatas"][i], article_id=f"{article}~new") for i in rows]
    texts = [base["documents"][i] for i in rows]
    try:
        started = time.monotonic()
        writer.collection.upsert(
            ids=ids, embeddings=base["embeddings"][rows], documents=texts, metadatas=metas
        )
        writer.lexical.add(StoredChunk(*row) for row in zip(ids, texts, metas, strict=True))
        added = _until(lambda: bool(follower().chunks(ids[:1])), started)
        started = time.monotonic()
        writer.delete(ids)
        return added, _until(lambda: not follower().chunks(ids[:1]), started)
    finally:
        follower.stop()


def _until(done: Any, started: float, timeout_s: float = 300.0) -> float:
    while not done():
        if time.monotonic() - started > timeout_s:
            return float("inf")
        time.sleep(0.01)
    return time.monotonic() - started


def _store_fields(env: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "data_dir": Path(env["NEWSBOT_DATA_DIR"]),
        "collection": env["NEWSBOT_COLLECTION"],
    }
    if "NEWSBOT_CHROMA_HOST" in env:
        fields.update(chroma_host=env["NEWSBOT_CHROMA_HOST"], chroma_port=int(env["NEWSBOT_CHROMA_PORT"]))
    return fields


def _copy_meta(meta: dict[str, Any], copy: int) -> dict[str, Any]:
    if not copy:
        return dict(meta)
    out = dict(meta, article_id=f"{meta.get('article_id', '')}~{copy}")
    if meta.get("url"):
        out["url"] = f"{meta['url']}?copy={copy}"
    published = str(meta.get("published_at", ""))
    try:
        shifted = datetime.fromisoformat(published.replace("Z", "+00:00")) - timedelta(days=copy)
        out["published_at"] = shifted.isoformat()
    except ValueError:
        pass
    return out


@dataclass
class Served:
    live_s: float  # start → the port answers
    ready_s: float  # start → /readyz 200
    peak_mb: float  # the most RSS seen while starting (sampled every 0.5 s)
    rss_ready_mb: float
    rss_after_mb: float
    retrieve: list[float]
    total: list[float]


def _serve(env: dict[str, str], questions: list[str]) -> Served:
    """Start the app: when it answers, when it is ready, its RSS, the questions' timings."""
    port = free_port()
    app_env = {**os.environ, **env, "NEWSBOT_RATE_LIMIT_CLIENT": "", "NEWSBOT_RATE_LIMIT_SESSION": ""}
    log = open(Path(env["NEWSBOT_DATA_DIR"]).parent / f"app-{port}.log", "w")  # noqa: SIM115
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=app_env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    live_s, peak = 0.0, 0.0
    try:
        while not _ready(base):
            if proc.poll() is not None:
                raise RuntimeError(f"app exited with {proc.returncode}; see {log.name}")
            if not live_s and _answers(f"{base}/livez"):
                live_s = time.monotonic() - started
            peak = max(peak, rss_mb(proc.pid))
            time.sleep(0.5)
        ready_s = time.monotonic() - started
        rss_ready = rss_mb(proc.pid)
        retrieve, total = [], []
        for question in questions:
            answer = httpx.post(f"{base}/api/chat", json={"message": question}, timeout=120).json()
            retrieve.append(answer["timings"]["retrieve_ms"])
            total.append(answer["timings"]["total_ms"])
        live_s = live_s or ready_s
        return Served(live_s, ready_s, max(peak, rss_ready), rss_ready, rss_mb(proc.pid), retrieve, total)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _ready(base: str) -> bool:
    return _answers(f"{base}/readyz")


def _mb(path: Path) -> float:
    if not path.exists():
        return 0.0
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _p(values: list[float], q: int) -> float:
    return percentile(values, q / 100) or 0.0


def _print(rows: list[Row]) -> None:
    print(
        "| mode | chunks | ingest /s | port open s | ready cold s | ready warm s | peak RSS cold MB "
        "| RSS ready MB | RSS after MB | retrieve p50/p95 ms | answer p50/p95 ms | lexical MB | store MB "
        "| +1 article s | -1 article s | Chroma server RSS MB |"
    )
    print("|" + "---|" * 16)
    for r in rows:
        print(
            f"| {r.mode} | {r.chunks:,} | {r.ingest_per_s:.0f} | {r.live_s:.1f} | {r.ready_cold_s:.1f} "
            f"| {r.ready_warm_s:.1f} | {r.peak_cold_mb:.0f} | {r.rss_ready_mb:.0f} | {r.rss_after_mb:.0f} "
            f"| {r.retrieve_p50:.0f} / {r.retrieve_p95:.0f} | {r.total_p50:.0f} / {r.total_p95:.0f} "
            f"| {r.lexical_mb:.0f} | {r.store_mb:.0f} | {r.update_s:.1f} | {r.remove_s:.1f} "
            f"| {r.server_rss_mb:.0f} |"
        )


if __name__ == "__main__":
    sys.exit(main())
