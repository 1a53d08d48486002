"""The editors' page (/admin) at scale: ``read_insights`` and the whole page for a period of
20k, 100k and 200k recorded questions (the page reads at most 200k, ``MAX_ROWS``).

Per size, a scratch SQLite records database (the default backend, migrated by the app's own
Alembic migrations) is filled with synthetic but realistic rows, through SQLAlchemy Core bulk
inserts into ``questions``, ``answers`` and ``feedback`` (the columns the recorder writes):

* questions drawn from a few thousand templates (frames × names × topics), by a Zipf-like
  popularity, asked in varied wordings (case, punctuation, an opener, "leads" / "is leading",
  "Russia's" / "russian"), plus a long tail of one-off questions: grouping has real work;
* ~15 % refused, ~40 % asked on an article page, 0-3 cited articles, log-normal latencies,
  ~4 % of answers voted on (a third of them down, most with a reason), spread over 30 days.

Each measurement runs in a fresh process (so peak RSS is its own): the current code, and with
``--baseline DIR`` also the code in DIR (e.g. ``git archive HEAD bot index | tar -x -C DIR``)
on the same database, back to back. Seconds are the best of ``--repeat`` runs of the cold
computation (``read_insights``; ``page`` = it + the HTML, as /admin did before it kept
figures), and where the code has an ``InsightsCache``, a page view it serves from the figures
it keeps (what an editor waits for, but on the first view of a period).

Usage:
  python bench/insights_scale.py [--rows 20000 100000 200000] [--baseline DIR] [--repeat 3]
                                 [--work DIR] [--profile]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DAYS = 30  # the page's default period
SEED = 24
TEMPLATES = 3000
CHUNK = 20_000  # rows per bulk insert
ARTICLES = 600
FRAMES = (
    "Who leads {n}'s delegation?",
    "What did {p} say about {t}?",
    "When will the {t} talks resume?",
    "Why did {n} reject the {t} deal?",
    "How many people were hurt in the {t}?",
    "Is {p} still in charge of {t}?",
    "What is {n}'s position on {t}?",
    "Where is the {t} summit being held?",
    "Who is {p}?",
    "What happened with the {t} in {n}?",
    "Did {p} resign over the {t}?",
    "How much will the {t} cost {n}?",
    "What are the latest updates on {t}?",
    "When did {p} arrive in {n}?",
    "What sanctions did {n} announce on {t}?",
    "Who won the {t} vote in {n}?",
)
NATIONS = (
    "Russia", "Ukraine", "France", "Germany", "Poland", "China", "Japan", "Brazil", "India", "Kenya",
    "Turkey", "Spain", "Italy", "Canada", "Mexico", "Egypt", "Israel", "Iran", "Norway", "Chile",
)  # fmt: skip
SYLLABLES = (
    "ka", "lo", "mer", "vin", "sta", "dor", "el", "ri", "bak", "zen", "tu", "mo", "nar", "fel", "gri",
)  # fmt: skip
TOPICS = (
    "ceasefire", "grain export", "pipeline", "election", "budget", "strike", "harbour", "pension reform",
    "flood", "wildfire", "trade", "tariff", "vaccine", "border", "energy price", "rail", "housing",
    "interest rate", "climate", "nuclear plant", "drone attack", "prisoner exchange", "fishing quota",
    "school reform", "heatwave", "data breach", "merger", "doping", "court ruling", "protest",
)  # fmt: skip
OPENERS = ("so ", "ok ", "but ", "can you tell me ", "please tell me ", "quick question: ")
ANSWER = "The talks resume on **Monday**, the ministry said, after a week of delays over the venue [1]. " * 3
REASONS = ("wrong", "not_in_source", "outdated", "offensive", "other", None)


def _names(rng: random.Random, count: int) -> list[str]:
    made = {_word(rng, rng.randint(2, 3)).title() for _ in range(count * 2)}
    return sorted(made)[:count]


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables))


def templates(rng: random.Random) -> list[str]:
    people = [f"{first} {last}" for first, last in zip(_names(rng, 150), _names(rng, 150)[::-1], strict=True)]
    made: set[str] = set()
    while len(made) < TEMPLATES:
        frame = rng.choice(FRAMES)
        made.add(frame.format(n=rng.choice(NATIONS), p=rng.choice(people), t=rng.choice(TOPICS)))
    return sorted(made)


def reworded(rng: random.Random, text: str) -> str:
    """The same question as another reader types it."""
    if rng.random() < 0.5:
        return text
    if rng.random() < 0.3:
        text = text.replace(" leads ", " is leading ").replace("'s ", " ")
    if rng.random() < 0.4:
        text = text.lower()
    if rng.random() < 0.3:
        text = text.rstrip("?")
    if rng.random() < 0.2:
        text = rng.choice(OPENERS) + text[0].lower() + text[1:]
    if rng.random() < 0.05:
        text = text.upper()
    return text


def one_off(rng: random.Random) -> str:
    """The long tail: a question nobody else asks."""
    words = [rng.choice(TOPICS), _word(rng, 3), rng.choice(NATIONS)]
    return f"What about the {' '.join(words)} story from {rng.randint(1, 28)} {rng.choice(('May', 'June'))}?"


def rows(count: int, now: datetime) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]]:
    rng = random.Random(SEED)
    asked = templates(rng)
    weights = [1 / (rank + 1) ** 0.9 for rank in range(len(asked))]
    articles = [f"story-{n:04d}" for n in range(ARTICLES)]
    titles = {a: f"Story {n}: {rng.choice(TOPICS)} in {rng.choice(NATIONS)}" for n, a in enumerate(articles)}
    popular = [1 / (rank + 1) for rank in range(ARTICLES)]
    span_s = (DAYS - 0.1) * 86400
    earlier = ""
    for n in range(count):
        text = one_off(rng) if rng.random() < 0.2 else reworded(rng, rng.choices(asked, weights)[0])
        refused = rng.random() < 0.15
        cited = [] if refused else list(dict.fromkeys(rng.choices(articles, popular, k=rng.randint(1, 3))))
        answer_id = uuid.UUID(int=rng.getrandbits(128)).hex
        at = now - timedelta(seconds=span_s * (1 - (n + rng.random()) / count))  # written as asked
        history = [[earlier, ANSWER]] if earlier and rng.random() < 0.2 else []  # a follow-up
        earlier = text
        question = {
            "id": answer_id, "asked_at": at, "session": f"{rng.getrandbits(128):032x}", "question": text,
            "standalone": text, "history": history, "intent": "facts", "answerer": "extractive",
            "article_id": rng.choices(articles, popular)[0] if rng.random() < 0.4 else None,
            "refused": refused, "fallback": False, "cited_articles": cited,
            "latency_ms": round(rng.lognormvariate(5.6, 0.6), 1),
        }  # fmt: skip
        citations = [
            {"n": n + 1, "article_id": a, "title": titles[a], "url": f"https://news.example/{a}",
             "quote": "A sentence of the article that the answer cites."}
            for n, a in enumerate(cited)
        ]  # fmt: skip
        answer = {"id": answer_id, "text": "I could not find that." if refused else ANSWER,
                  "citations": citations, "notice": None}  # fmt: skip
        yield question, answer, _vote(rng, answer_id, at)


def _vote(rng: random.Random, answer_id: str, at: datetime) -> dict[str, Any] | None:
    if rng.random() >= 0.04:
        return None
    down = rng.random() < 0.35
    return {
        "answer_id": answer_id, "rating": "down" if down else "up",
        "reason": rng.choice(REASONS) if down else None, "comment": "Not what I asked." if down else None,
        "created_at": at + timedelta(seconds=30), "updated_at": at + timedelta(seconds=30),
    }  # fmt: skip


def build(path: Path, count: int, now: datetime) -> None:
    from sqlalchemy import insert

    from bot.records.database import database_url, open_database, upgrade
    from bot.records.tables import answers, feedback, questions

    engine = open_database(database_url(None, path))
    upgrade(engine)
    batch: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]] = []
    with engine.begin() as connection:
        for n, row in enumerate(rows(count, now), 1):
            batch.append(row)
            if len(batch) == CHUNK or n == count:
                connection.execute(insert(questions), [q for q, _, _ in batch])
                connection.execute(insert(answers), [a for _, a, _ in batch])
                votes = [v for _, _, v in batch if v]
                if votes:
                    connection.execute(insert(feedback), votes)
                batch = []
                print(f"  {n:,} / {count:,} rows", file=sys.stderr)
    engine.dispose()


def measure(path: Path, code: Path, repeat: int, now: datetime, profile: bool) -> dict[str, float]:
    """Runs in its own process, importing the app from ``code``."""
    sys.path.insert(0, str(code))
    import bot
    from bot.records.database import database_url, open_database
    from bot.records.insights import read_insights
    from bot.web.insights_page import insights_page

    assert Path(bot.__file__).is_relative_to(code), f"{bot.__file__} is not the code of {code}"
    engine = open_database(database_url(None, path))
    since = now - timedelta(days=DAYS)
    if profile:
        read_insights(engine, since)  # imports and first reads out of the profile
        _profile(lambda: insights_page(read_insights(engine, since), DAYS))
    result: dict[str, float] = {"read": float("inf"), "page": float("inf")}
    for _ in range(repeat):
        started = time.perf_counter()
        insights = read_insights(engine, since)
        read = time.perf_counter() - started
        insights_page(insights, DAYS)
        result["read"] = min(result["read"], read)
        result["page"] = min(result["page"], time.perf_counter() - started)
    result["questions"], result["distinct"] = insights.questions, insights.distinct
    result.update(_served(engine, since, repeat))
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _served(engine: Any, since: datetime, repeat: int) -> dict[str, float]:
    """A page view served by the code's ``InsightsCache``, where it has one: the first view
    counts (as read_insights does), the next ones are served the kept figures."""
    import bot.records.insights as module

    cache_class = getattr(module, "InsightsCache", None)
    if cache_class is None:
        return {}
    from bot.web.insights_page import insights_page

    cache = cache_class(lambda days: module.read_insights(engine, since))
    cache.get(DAYS)
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        insights_page(cache.get(DAYS), DAYS)
        best = min(best, time.perf_counter() - started)
    return {"served": best}


def _profile(call: Any) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(call)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)


def run_measure(path: Path, code: Path, args: argparse.Namespace, now: datetime) -> dict[str, float]:
    command = [sys.executable, __file__, "--measure", str(path), "--code", str(code)]
    command += ["--now", now.isoformat(), "--repeat", str(args.repeat)] + (["--profile"] * args.profile)
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=code)
    sys.stderr.write(done.stderr)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000, 200_000])
    parser.add_argument("--baseline", type=Path, help="a tree with the code to compare (bot/, index/)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="keep the databases here (reused when there)")
    parser.add_argument("--profile", action="store_true", help="cProfile of one page view (stderr)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--now", type=datetime.fromisoformat, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.code, args.repeat, args.now, args.profile)))
        return
    sys.path.insert(0, str(ROOT))
    work = args.work or Path(mkdtemp(prefix="insights-scale-"))
    now = datetime.now(UTC)
    print("| questions | distinct | code | read_insights s | page s | served s | peak RSS MB |")
    print("|---:|---:|---|---:|---:|---:|---:|")
    for count in args.rows:
        path = work / f"rows-{count}"
        if not (path / "records.sqlite").exists():
            print(f"building {count:,} rows in {path}", file=sys.stderr)
            build(path, count, now - timedelta(minutes=1))
            (path / "built-at").write_text(now.isoformat())
        built = datetime.fromisoformat((path / "built-at").read_text())  # a kept database's "now"
        codes = ([("before", args.baseline)] if args.baseline else []) + [("after", ROOT)]
        for name, code in codes:
            print(f"measuring {count:,} rows, {name}", file=sys.stderr)
            r = run_measure(path, code.resolve(), args, built)
            served = f"{r['served']:.3f}" if "served" in r else "–"
            cells = [f"{r['questions']:,.0f}", f"{r['distinct']:,.0f}", name, f"{r['read']:.2f}"]
            cells += [f"{r['page']:.2f}", served, f"{r['rss_mb']:.0f}"]
            print(f"| {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
