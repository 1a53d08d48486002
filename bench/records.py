"""Recording questions under load: 32 concurrent chat clients with recording off and on
(latency difference, no record lost), then a database outage in the middle of a run.

Part 1 (SQLite, the default): the real app on the seed index, ``/api/chat`` from 32 clients,
rounds alternating recording off / on, in alternating order (so drift hits both alike);
after each "on" round the app is stopped (SIGTERM: it writes what is queued) and the rows
are counted against the answers given. Part 2 (PostgreSQL, Debian's package, started as the
postgres user): load for ``--outage-run`` seconds; the database is stopped for the middle
third; answers must go on and every answer must be in the database at the end.

Usage: python bench/records.py [--clients 32] [--per-client 20] [--rounds 3] [--outage-run 45]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import threading
import time
from pathlib import Path
from tempfile import mkdtemp

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from api_load import APP_ENV, run_level, seed_questions  # noqa: E402
from seed_app import ensure_seed_index, free_port, start_app  # noqa: E402

from bot.records.database import database_url, open_database  # noqa: E402
from bot.records.tables import questions as questions_table  # noqa: E402
from bot.stats import percentile  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

METRICS_TOKEN = "bench-metrics-token-0123456789"
WARM_UP_PER_CLIENT = 3  # questions per client before a round is timed


def rows_in(url: str) -> int:
    engine = open_database(database_url(url, Path(".")))
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(questions_table)).scalar_one())
    finally:
        engine.dispose()


def stop(proc: object) -> None:
    proc.terminate()  # type: ignore[attr-defined]
    proc.wait(timeout=60)  # type: ignore[attr-defined]


def on_off(clients: int, per_client: int, rounds: int, asked: list[str]) -> None:
    print(f"## Recording off vs on: {clients} clients × {per_client} questions, {rounds} rounds each\n")
    print("| round | recording | requests | errors | p50 ms | p95 ms | req/s | rows written | lost |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    results: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    for n in range(rounds):
        for mode in ("off", "on") if n % 2 == 0 else ("on", "off"):  # neither always goes first
            url = f"sqlite:///{mkdtemp(prefix='records-bench-')}/records.sqlite"
            env = {**APP_ENV, "NEWSBOT_RECORD": mode, "NEWSBOT_DATABASE_URL": url}
            port = free_port()
            proc, _ = start_app(port, env)
            base = f"http://127.0.0.1:{port}"
            # Warm-up at full concurrency: a fresh process's first seconds are slow either way,
            # and would otherwise decide the p95 of a short round.
            warm = run_level(base, clients, WARM_UP_PER_CLIENT, asked)
            r = run_level(base, clients, per_client, asked)
            stop(proc)
            answered = r["requests"] - r["errors"] + warm["requests"] - warm["errors"]
            written = rows_in(url) if mode == "on" else 0
            lost = f"{answered - written:.0f}" if mode == "on" else "–"
            results[mode].append(r)
            print(
                f"| {n + 1} | {mode} | {r['requests']:.0f} | {r['errors']:.0f} | {r['p50']:.0f} "
                f"| {r['p95']:.0f} | {r['rps']:.1f} | {written if mode == 'on' else '–'} | {lost} |"
            )
    for q in ("p50", "p95"):
        off = sum(r[q] for r in results["off"]) / rounds
        on = sum(r[q] for r in results["on"]) / rounds
        print(f"\nmean {q}: off {off:.0f} ms, on {on:.0f} ms, difference {100 * (on - off) / off:+.1f} %")


class Load:
    """Clients asking in a loop until ``finish``; each outcome as (start s, ok, ms)."""

    def __init__(self, base: str, clients: int, asked: list[str]) -> None:
        self.outcomes: list[tuple[float, bool, float]] = []
        self._lock, self._done = threading.Lock(), threading.Event()
        self.started = time.monotonic()
        self._threads = [
            threading.Thread(target=self._client, args=(base, n, clients, asked)) for n in range(clients)
        ]
        for thread in self._threads:
            thread.start()

    def _client(self, base: str, offset: int, clients: int, asked: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            i = offset
            while not self._done.is_set():
                t0 = time.monotonic()
                try:
                    ok = http.post("/api/chat", json={"message": asked[i % len(asked)]}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with self._lock:
                    self.outcomes.append((t0 - self.started, ok, (time.monotonic() - t0) * 1000))
                i += clients

    def finish(self) -> int:
        """Stop the clients; the number of questions answered."""
        self._done.set()
        for thread in self._threads:
            thread.join()
        return sum(1 for _, ok, _ in self.outcomes if ok)


def outage(clients: int, run_s: float, asked: list[str]) -> None:
    from tests.e2e.servers import start_postgres

    pg = start_postgres()
    env = {**APP_ENV, "NEWSBOT_DATABASE_URL": pg.url, "NEWSBOT_METRICS_TOKEN": METRICS_TOKEN}
    port = free_port()
    proc, _ = start_app(port, env)
    base = f"http://127.0.0.1:{port}"
    load = Load(base, clients, asked)
    down_at, up_at = run_s / 3, 2 * run_s / 3
    time.sleep(down_at)
    pg.stop()
    time.sleep(up_at - down_at)
    during = _metrics(base)
    pg.start()
    time.sleep(run_s - up_at)
    answered = load.finish()
    ended = time.monotonic()
    while rows_in(pg.url) < answered and time.monotonic() - ended < 120:
        time.sleep(0.5)
    drain_s = time.monotonic() - ended
    after = _metrics(base)
    stop(proc)
    written = rows_in(pg.url)
    pg.remove()
    print(f"\n## PostgreSQL stopped from {down_at:.0f} s to {up_at:.0f} s of a {run_s:.0f} s run\n")
    _phases(load.outcomes, down_at, up_at)
    pending = during.get("newsbot_records_pending", 0)
    failed, dropped = after.get("newsbot_records_failed_writes", 0), after.get("newsbot_records_dropped", 0)
    print(
        f"\nanswers {answered}, rows written {written} (lost {answered - written}); pending while down: "
        f"{pending:.0f}, failed writes {failed:.0f}, dropped {dropped:.0f}; "
        f"all written {drain_s:.1f} s after the load ended"
    )


def _phases(outcomes: list[tuple[float, bool, float]], down_at: float, up_at: float) -> None:
    print("| phase | requests | errors | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|---:|")
    for name, lo, hi in (("before", 0.0, down_at), ("database down", down_at, up_at), ("after", up_at, 1e9)):
        part = [(ok, ms) for t, ok, ms in outcomes if lo <= t < hi]
        ms = [m for _, m in part]
        print(
            f"| {name} | {len(part)} | {sum(1 for ok, _ in part if not ok)} | "
            f"{percentile(ms, 0.5) or 0:.0f} | {percentile(ms, 0.95) or 0:.0f} |"
        )


def _metrics(base: str) -> dict[str, float]:
    text = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10).text
    return {m[1]: float(m[2]) for m in re.finditer(r"^(newsbot_records_\w+) ([0-9.e+-]+)$", text, re.M)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--outage-run", type=float, default=45.0, help="seconds of load in part 2 (0: skip)")
    args = parser.parse_args()
    apply_offline_env()
    os.environ.pop("NEWSBOT_DATABASE_URL", None)
    ensure_seed_index()
    asked = seed_questions()
    on_off(args.clients, args.per_client, args.rounds, asked)
    if args.outage_run:
        outage(args.clients, args.outage_run, asked)


if __name__ == "__main__":
    main()
