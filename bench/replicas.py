"""The newsroom setup under load and under faults: ``chroma run`` + ``redis-server`` + app replicas.

1. Load: 64 concurrent clients (each a conversation of its own) for 60 s against one replica,
   then against two (clients spread over them), with sessions and limits in Redis. Reports
   requests, errors, p50/p95 latency and each replica's RSS before and after.
2. Fault drills on the two-replica setup: the Chroma server and Redis each stopped (SIGSTOP)
   then resumed, and killed then restarted. Reports seconds from the fault to the first 503
   a reader gets, and from the repair to the first 200 again (no app restart).

Needs the Debian package redis-server. Usage:
  python bench/replicas.py [--clients 64] [--seconds 60] [--store-timeout 5] [--redis-timeout 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seed_app import SEED, free_port, rss_mb, start, start_chroma, wait_ok  # noqa: E402

from bot.stats import percentile  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

QUESTIONS = [
    "Who leads Russia's delegation?",
    "Where are the peace talks held?",
    "Why is Putin not attending?",
    "How many people were killed in Sumy?",
    "What does Russia demand from Ukraine?",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--store-timeout", type=float, default=5.0)
    parser.add_argument("--redis-timeout", type=float, default=2.0)
    args = parser.parse_args()
    apply_offline_env()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    work = Path(tempfile.mkdtemp(prefix="newsbot-replicas-"))
    chroma, chroma_port = start_chroma(work / "chroma")
    redis, redis_port = _redis(work)
    services = {"chroma": chroma, "redis": redis}
    env = {
        "NEWSBOT_DATA_DIR": str(work / "data"),
        "NEWSBOT_CHROMA_HOST": "127.0.0.1",
        "NEWSBOT_CHROMA_PORT": str(chroma_port),
        "NEWSBOT_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "NEWSBOT_STORE_TIMEOUT_S": str(args.store_timeout),
        "NEWSBOT_REDIS_TIMEOUT_S": str(args.redis_timeout),
        "NEWSBOT_RATE_LIMIT_CLIENT": "",  # the load comes from one address on purpose
        "NEWSBOT_RATE_LIMIT_SESSION": "",
        "NEWSBOT_LOG_LEVEL": "warning",
    }
    apps: list[subprocess.Popen[bytes]] = []
    try:
        _index(env)
        bases = []
        for _ in range(2):
            port = free_port()
            apps.append(start(["app.py", "--port", str(port)], env))
            bases.append(f"http://127.0.0.1:{port}")
        for proc, base in zip(apps, bases, strict=True):
            wait_ok(f"{base}/readyz", proc)
        print(
            "| replicas | clients | s | requests | errors | p50 ms | p95 ms | req/s | RSS MB before → after |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for used in (1, 2):
            _load(bases[:used], apps[:used], args.clients, args.seconds)
        print("\n| fault | to first 503 s | repair | to first 200 s |")
        print("|---|---:|---|---:|")
        for name in ("chroma", "redis"):
            _drill_stop(name, services[name], bases)
            services[name] = _drill_kill(name, services[name], bases, work, chroma_port, redis_port)
    finally:
        for proc in [*apps, *services.values()]:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGCONT)
                proc.terminate()
                proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _load(bases: list[str], apps: list[subprocess.Popen[bytes]], clients: int, seconds: float) -> None:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    before = [rss_mb(p.pid) for p in apps]
    deadline = time.monotonic() + seconds

    def client(n: int) -> None:
        nonlocal errors
        session = None
        with httpx.Client(base_url=bases[n % len(bases)], timeout=120) as http:
            i = 0
            while time.monotonic() < deadline:
                body = {"message": QUESTIONS[(n + i) % len(QUESTIONS)], "session_id": session}
                t0 = time.perf_counter()
                try:
                    reply = http.post("/api/chat", json={k: v for k, v in body.items() if v})
                    ok = reply.status_code == 200
                    session = reply.json().get("session_id") if ok else session
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append((time.perf_counter() - t0) * 1000)
                    errors += 0 if ok else 1
                i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    after = [rss_mb(p.pid) for p in apps]
    rss = ", ".join(f"{b:.0f} → {a:.0f}" for b, a in zip(before, after, strict=True))
    print(
        f"| {len(bases)} | {clients} | {seconds:.0f} | {len(latencies)} | {errors} | "
        f"{percentile(latencies, 0.5) or 0:.0f} | {percentile(latencies, 0.95) or 0:.0f} | "
        f"{len(latencies) / wall:.1f} | {rss} |"
    )


def _drill_stop(name: str, proc: subprocess.Popen[bytes], bases: list[str]) -> None:
    os.kill(proc.pid, signal.SIGSTOP)
    down = _until(lambda: _status(bases[0]) == 503)
    os.kill(proc.pid, signal.SIGCONT)
    up = _until(lambda: all(_status(base) == 200 for base in bases))
    print(f"| {name} stopped (SIGSTOP) | {down:.1f} | resumed (SIGCONT) | {up:.1f} |")


def _drill_kill(
    name: str, proc: subprocess.Popen[bytes], bases: list[str], work: Path, chroma_port: int, redis_port: int
) -> subprocess.Popen[bytes]:
    proc.kill()
    proc.wait(timeout=30)
    down = _until(lambda: _status(bases[0]) == 503)
    started = time.monotonic()
    again = start_chroma(work / "chroma", chroma_port)[0] if name == "chroma" else _redis(work, redis_port)[0]
    up = time.monotonic() - started + _until(lambda: all(_status(base) == 200 for base in bases))
    print(f"| {name} killed (SIGKILL) | {down:.1f} | restarted | {up:.1f} |")
    return again


def _until(condition: Callable[[], bool], limit_s: float = 120.0) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > limit_s:
            return float("inf")
        time.sleep(0.1)
    return time.monotonic() - started


def _status(base: str) -> int:
    try:
        return httpx.post(f"{base}/api/chat", json={"message": QUESTIONS[0]}, timeout=60).status_code
    except httpx.HTTPError:
        return 0


def _index(env: dict[str, str]) -> None:
    from bot.config import Settings
    from index.factory import make_indexer

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=Path(env["NEWSBOT_DATA_DIR"]),
        chroma_host="127.0.0.1",
        chroma_port=int(env["NEWSBOT_CHROMA_PORT"]),
    )
    make_indexer(settings).build([SEED])


def _redis(work: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], int]:
    port = port or free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.5)
    return proc, port


if __name__ == "__main__":
    sys.exit(main())
