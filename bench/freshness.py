"""Freshness: how soon a publication, a correction and a takedown reach the answers.

Starts the real app (``python app.py``) on a copy of an index (``--base``, e.g. the
MultiHop-RAG evaluation index of 609 articles; default: the seed index) with the publishing
API on, then, ``--rounds`` times:
* publish one article (``PUT /api/admin/articles/{id}``) and ask about it: the PUT's time and
  publish-to-answerable (PUT sent → an answer citing it received);
* correct it (a new fact) and ask again: correct-to-answered with the new fact;
* take it down (``DELETE``): delete-to-gone (DELETE sent → ``/api/articles/{id}`` 404 and the
  answer no longer cites it);
* publish another and take it down from another process (``python -m index remove``): the
  time from that command's exit until the app no longer serves it — the background check
  of the lexical index's commit (one small file read a second).

Usage:
  python bench/freshness.py [--base DATA_DIR --collection eval] [--rounds 10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed_app import INDEX, ROOT, ensure_seed_index, free_port, start, wait_ok

TOKEN = "bench-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _story(n: int, day: str) -> dict[str, str]:
    return {
        "title": f"Harbour authority names new chief, story {n}",
        "text": (
            f"The Aldermoor harbour authority named Quentin Vasquez-{n} as its new chief on Monday. "
            f"Vasquez-{n} said the ferry timetable would be restored by {day}. "
            "The previous chief resigned after a year of delays and strikes at the port."
        ),
        "outlet": "Aldermoor Gazette",
        "published_at": "2025-05-12T08:00:00Z",
    }


def _ask(base: str, article_id: str, n: int) -> dict[str, Any]:
    question = {"message": f"By when will Vasquez-{n} restore the ferry timetable?", "article_id": article_id}
    reply = httpx.post(f"{base}/api/chat", json=question, timeout=60)
    return dict(reply.json()) if reply.status_code == 200 else {}


def _cites(answer: dict[str, Any], article_id: str) -> bool:
    return any(c.get("article_id") == article_id for c in answer.get("citations") or [])


def _until(check: Callable[[], bool], timeout_s: float = 60.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if check():
            return time.perf_counter() - started
        time.sleep(0.02)
    raise SystemExit("timed out waiting for the change to show")


def main() -> int:
    args = _parser().parse_args()
    work = Path(tempfile.mkdtemp(prefix="newsbot-freshness-"))
    if args.base:
        shutil.copytree(args.base, work / "data")
    else:
        ensure_seed_index()
        shutil.copytree(INDEX, work / "data")
    env = {
        "NEWSBOT_DATA_DIR": str(work / "data"),
        "NEWSBOT_COLLECTION": args.collection,
        "NEWSBOT_ADMIN_TOKEN": TOKEN,
        "NEWSBOT_RATE_LIMIT_CLIENT": "",
        "NEWSBOT_RATE_LIMIT_SESSION": "",
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = start(["app.py", "--port", str(port)], env)
    rows: dict[str, list[float]] = {k: [] for k in ("put", "publish", "correct", "delete", "other")}
    try:
        wait_ok(f"{base}/readyz", app, timeout_s=600)
        for n in range(args.rounds):
            _round(base, n, env, rows)
    finally:
        app.terminate()
        app.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    _print(rows, args)
    return 0


def _round(base: str, n: int, env: dict[str, str], rows: dict[str, list[float]]) -> None:
    article = f"bench-harbour-chief-{n}"
    url = f"{base}/api/admin/articles/{article}"
    started = time.perf_counter()
    put = httpx.put(url, json=_story(n, "Friday"), headers=AUTH, timeout=60)
    rows["put"].append(time.perf_counter() - started)
    assert put.status_code == 200, put.text
    answer = _ask(base, article, n)
    assert _cites(answer, article) and "Friday" in str(answer.get("text")), answer
    rows["publish"].append(time.perf_counter() - started)
    started = time.perf_counter()
    httpx.put(url, json=_story(n, "Sunday"), headers=AUTH, timeout=60).raise_for_status()
    answer = _ask(base, article, n)
    assert "Sunday" in str(answer.get("text")), answer
    rows["correct"].append(time.perf_counter() - started)
    started = time.perf_counter()
    httpx.delete(url, headers=AUTH, timeout=60).raise_for_status()
    assert httpx.get(f"{base}/api/articles/{article}", timeout=10).status_code == 404
    rows["delete"].append(time.perf_counter() - started)
    other = f"{article}-cli"
    httpx.put(f"{base}/api/admin/articles/{other}", json=_story(n, "Friday"), headers=AUTH, timeout=60)
    removed = subprocess.run(
        [sys.executable, "-m", "index", "remove", other],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        check=False,
    )
    assert removed.returncode == 0, removed.stderr
    rows["other"].append(
        _until(lambda: httpx.get(f"{base}/api/articles/{other}", timeout=10).status_code == 404)
    )


def _print(rows: dict[str, list[float]], args: argparse.Namespace) -> None:
    print(f"index: {args.base or 'seed'} ({args.collection}); {args.rounds} rounds; seconds p50 / p95")
    labels = {
        "put": "PUT (published, in the index)",
        "publish": "publish → answerable",
        "correct": "correct → answered with the new fact",
        "delete": "delete → gone (/api/articles 404)",
        "other": "removed by another process → gone",
    }
    print("| step | p50 s | p95 s |\n|---|---|---|")
    for key, label in labels.items():
        values = sorted(rows[key])
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"| {label} | {values[len(values) // 2]:.2f} | {p95:.2f} |")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", help="data folder of an index to copy (default: the seed index)")
    parser.add_argument("--collection", default="news", help="its collection (eval for the evaluation index)")
    parser.add_argument("--rounds", type=int, default=10)
    return parser


if __name__ == "__main__":
    sys.exit(main())
