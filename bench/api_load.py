"""Load on the real server: ``/api/chat`` latency at 1, 8 and 32 concurrent clients (loopback).

Starts ``python app.py`` on a free 127.0.0.1 port with the extractive answerer over the seed
index (built into bench/out/seed-index on first use), times start-up to a ready /healthz,
then sends a bounded number of requests per concurrency level and prints p50/p95 latency,
throughput, errors and the server's RSS before and after.

Usage: python bench/api_load.py [--requests-per-client N] [--levels 1,8,32]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seed_app import ensure_seed_index, free_port, rss_mb, start_app  # noqa: E402

from bot.stats import percentile  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

# Rate limits off: the load comes from one address on purpose.
APP_ENV = {
    "NEWSBOT_ANSWERER": "extractive",
    "NEWSBOT_RATE_LIMIT_CLIENT": "",
    "NEWSBOT_RATE_LIMIT_SESSION": "",
}


def seed_questions() -> list[str]:
    """The team's seed evaluation questions (answerable and not), asked round-robin."""
    lines = (ROOT / "eval" / "seed.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()]


def run_level(base: str, clients: int, per_client: int, questions: list[str]) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client(offset: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=base, timeout=120) as http:
            for i in range(per_client):
                question = questions[(offset * per_client + i) % len(questions)]
                t0 = time.perf_counter()
                try:
                    ok = http.post("/api/chat", json={"message": question}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.append(elapsed)
                    errors += 0 if ok else 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50": percentile(latencies, 0.5) or 0.0,
        "p95": percentile(latencies, 0.95) or 0.0,
        "rps": len(latencies) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests-per-client", type=int, default=0, help="default: 96 / clients, ≥ 4")
    parser.add_argument("--levels", default="1,8,32")
    args = parser.parse_args()
    apply_offline_env()
    ensure_seed_index()
    questions = seed_questions()
    port = free_port()
    proc, ready_s = start_app(port, APP_ENV)
    base = f"http://127.0.0.1:{port}"
    try:
        httpx.post(f"{base}/api/chat", json={"message": "warm-up"}, timeout=60)
        before = rss_mb(proc.pid)
        print(f"server ready after {ready_s:.1f} s; RSS after warm-up {before:.0f} MB\n")
        print("| clients | requests | errors | p50 ms | p95 ms | req/s | server RSS after, MB |")
        print("|--------:|---------:|-------:|-------:|-------:|------:|---------------------:|")
        for clients in (int(x) for x in args.levels.split(",")):
            per_client = args.requests_per_client or max(4, 96 // clients)
            r = run_level(base, clients, per_client, questions)
            print(
                f"| {clients} | {r['requests']:.0f} | {r['errors']:.0f} | {r['p50']:.0f} | "
                f"{r['p95']:.0f} | {r['rps']:.1f} | {rss_mb(proc.pid):.0f} |"
            )
        print(f"\nserver RSS before load {before:.0f} MB, after {rss_mb(proc.pid):.0f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
