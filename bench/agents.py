"""Agents' calls: how long an AI assistant waits for each MCP tool and each ``/ask`` mode.

Starts the real app (``python app.py``) on an index (``--base``, e.g. the MultiHop-RAG
evaluation index of 609 articles; default: the seed index), then, with the official MCP
client over streamable HTTP (one session, as an assistant keeps one), for each question of
``--questions`` (JSON lines with a ``question`` field) and each of ``--rounds`` rounds:
``search_articles``, ``ask``, ``get_article`` (the first article found), and NLWeb's ``/ask``
in list and generate modes (one JSON object each). Client-side wall times, loopback, rate
limits off; the first round pays the caches' first fill.

Usage:
  python bench/agents.py [--base DATA_DIR --collection eval] [--questions eval/seed.jsonl]
                         [--limit 20] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed_app import INDEX, ROOT, ensure_seed_index, free_port, start, wait_ok

sys.path.insert(0, str(ROOT))
from bot.stats import percentile

STEPS = ("search_articles", "ask", "get_article", "/ask list", "/ask generate")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=Path, help="a data folder to copy (default: the seed index)")
    parser.add_argument("--collection", default="news")
    parser.add_argument("--questions", type=Path, default=ROOT / "eval" / "seed.jsonl")
    parser.add_argument("--limit", type=int, default=20, help="questions used")
    parser.add_argument("--rounds", type=int, default=2)
    return parser


def main() -> int:
    args = _parser().parse_args()
    questions = [
        json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()
    ]
    questions = questions[: args.limit]
    work = Path(tempfile.mkdtemp(prefix="newsbot-agents-"))
    if args.base is None:
        ensure_seed_index()
    shutil.copytree(args.base or INDEX, work / "data")
    env = {
        "NEWSBOT_DATA_DIR": str(work / "data"),
        "NEWSBOT_COLLECTION": args.collection,
        "NEWSBOT_RATE_LIMIT_CLIENT": "",
        "NEWSBOT_RECORD": "off",
    }
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = start(["app.py", "--port", str(port)], env)
    try:
        wait_ok(f"{base}/readyz", app, timeout_s=600)
        rounds = [anyio.run(_round, base, questions) for _ in range(args.rounds)]
    finally:
        app.terminate()
        app.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    _print(rounds, args, len(questions))
    return 0


async def _round(base: str, questions: list[str]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {step: [] for step in STEPS}

    async def timed(step: str, call: Awaitable[Any]) -> Any:
        started = time.perf_counter()  # a coroutine starts running when awaited
        result = await call
        times[step].append((time.perf_counter() - started) * 1000)
        return result

    async with (
        httpx2.AsyncClient(timeout=120) as http,
        streamable_http_client(f"{base}/mcp/", http_client=http) as (read, write),
        ClientSession(read, write) as mcp,
        httpx.AsyncClient(base_url=base, timeout=120) as web,
    ):
        await mcp.initialize()
        for question in questions:
            found = await timed("search_articles", mcp.call_tool("search_articles", {"query": question}))
            await timed("ask", mcp.call_tool("ask", {"question": question}))
            first = (found.structured_content or {}).get("articles") or [{}]
            if first[0].get("article_id"):
                article = {"article_id": first[0]["article_id"]}
                await timed("get_article", mcp.call_tool("get_article", article))
            for mode in ("list", "generate"):
                params = {"query": question, "mode": mode, "streaming": "false"}
                reply = await timed(f"/ask {mode}", web.get("/ask", params=params))
                reply.raise_for_status()
    return times


def _print(rounds: list[dict[str, list[float]]], args: argparse.Namespace, n: int) -> None:
    print(f"index: {args.base or 'seed'} ({args.collection}); {n} questions × {len(rounds)} rounds; ms")
    print("| call | first round p50 / p95 | later rounds p50 / p95 |")
    print("|---|---|---|")
    for step in STEPS:
        first = rounds[0][step]
        later = [t for r in rounds[1:] for t in r[step]]
        print(f"| {step} | {_pct(first)} | {_pct(later)} |")


def _pct(values: list[float]) -> str:
    p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
    return "–" if p50 is None or p95 is None else f"{p50:.0f} / {p95:.0f}"


if __name__ == "__main__":
    sys.exit(main())
