"""End-to-end latency of the default (extractive) answerer: question in, cited Answer out.

Runs a fixed list of questions about the indexed articles through the chatbot, several
rounds, and prints p50/p95 of retrieval, answering and total time. The first round is
reported separately (cold caches); later rounds hit the sentence-embedding cache.

Usage: python bench/answer_latency.py [--data-dir DIR] [--rounds N] [--questions FILE.jsonl]
(default: the app's index in data/, questions about the seed article)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.stats import percentile  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

SEED_QUESTIONS = [
    "Who leads Russia's delegation?",
    "Where are the peace talks held?",
    "Why is Putin not attending?",
    "How many people were killed in Sumy?",
    "What does Russia demand from Ukraine?",
    "Who is in the Kremlin's negotiating team?",
    "What did Lula say to Putin?",
    "What security guarantees does Zelensky want?",
    "When did Russia declare the annexation?",
    "What tariff did Lindsey Graham push for?",
    "Who won the 2030 World Cup?",
    "Why was Turkey chosen as the venue?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--questions", type=Path)
    args = parser.parse_args()
    apply_offline_env()
    from bot.factory import build_chatbot

    questions = SEED_QUESTIONS
    if args.questions:
        lines = args.questions.read_text(encoding="utf-8").splitlines()
        questions = [json.loads(line)["question"] for line in lines if line.strip()]
    started = time.perf_counter()
    bot = build_chatbot(Settings(data_dir=args.data_dir))
    bot.ask("warm-up question")  # loads BM25 and model kernels
    print(f"start-up (model, store, BM25): {time.perf_counter() - started:.1f} s")
    rows = []
    for round_no in range(args.rounds):
        timings = [bot.ask(q).timings for q in questions]
        rows.append(("first round (cold cache)" if round_no == 0 else "later rounds", timings))
    print(f"{len(questions)} questions × {args.rounds} rounds, index {args.data_dir}\n")
    print("| rounds | retrieve p50 | retrieve p95 | answer p50 | answer p95 | total p50 | total p95 |")
    print("|---|---|---|---|---|---|---|")
    for label in ("first round (cold cache)", "later rounds"):
        ts = [t for name, group in rows if name == label for t in group]
        if not ts:
            continue
        r = [t.retrieve_ms for t in ts]
        a = [t.answer_ms for t in ts]
        total = [t.total_ms for t in ts]
        print(
            f"| {label} | {statistics.median(r):.0f} ms | {percentile(r, 0.95):.0f} ms "
            f"| {statistics.median(a):.0f} ms | {percentile(a, 0.95):.0f} ms "
            f"| {statistics.median(total):.0f} ms | {percentile(total, 0.95):.0f} ms |"
        )


if __name__ == "__main__":
    main()
