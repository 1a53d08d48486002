"""``python -m bot.eval export --from-feedback [--since DATE] OUT.jsonl|OUT.csv``: answers readers
rated down, as a question set for an editor to complete (``bot.eval.feedback``).

``python -m bot.eval QUESTIONS.jsonl|QUESTIONS.csv [--corpus DIR] [--only-used] [--answerer NAME]
[--k 10] [--json PATH] [--report DIR] [--compare PREVIOUS.json] [--min METRIC=VALUE ...]
[--max METRIC=VALUE ...]``

Questions come as JSONL records or, for editors, as a spreadsheet's CSV (the columns are
documented in ``bot.eval.dataset`` and in ``--help``). ``--report DIR`` writes report.md,
report.html and results.csv (one row per question).

Exit codes: 0 all thresholds met, 1 a ``--min``/``--max`` threshold missed, 2+ a NewsbotError (bad input...).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cells import ALTERNATIVES, ARROW, TURNS
from bot.config import Settings
from bot.eval.dataset import UNREVIEWED, EvalQuestion
from bot.eval.splits import question_part
from index.config import apply_offline_env
from index.errors import InputError, NewsbotError
from index.loaders import slugify

CSV_HELP = f"""\
Readers' feedback as a question set to complete: python -m bot.eval export --from-feedback OUT.csv
(see python -m bot.eval export --help).

CSV question sets (QUESTIONS.csv, UTF-8; Excel's "CSV UTF-8" works): a header row, then one
question a row. Only the question column is required; other columns are ignored.
  question          the question a reader asks
  answers           correct answers, alternatives separated by {ALTERNATIVES}: three {ALTERNATIVES} 3
                    (empty: unanswerable, the bot should refuse)
  article           an article id or the article's page URL (http/https): the question is
                    asked on that article's page, as in the widget. A URL is looked up in the
                    index: an unknown one fails that question (error column of results.csv)
  type              the question's kind, for the per-type tables (default factoid)
  history           earlier turns, question {ARROW} answer, separated by {TURNS}:
                    Who leads the talks? {ARROW} Medinsky {TURNS} Since when? {ARROW} 2022
                    (an answer may be empty)
  id                default row<N>, N the spreadsheet row (the header is row 1)
  must_not_contain  texts the answer must not say, separated by {ALTERNATIVES} (matched as whole
                    words, case, bold and [n] markers aside)
  note              free text for the editor (not scored)
Cells are trimmed; blank rows are skipped. A leading ' before = + - @ is dropped.

--report DIR writes report.md, report.html and results.csv: one row per question (id, question,
article, type, answerable, expected answers, the bot's answer, refused, correct, f1, hit_rank,
cited article ids, must_not_contain violations, latency_ms, error, note).
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.eval",
        description="Score the chatbot on a question set (MultiHop-RAG JSONL format, optional history\n"
        "and must_not_contain; or a spreadsheet's CSV): retrieval hits@4/10 and MRR@10, answer\n"
        "accuracy and F1, citation precision/recall, refusal precision/recall, latency.\n"
        "No LLM judge needed.",
        epilog=CSV_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,  # keeps the epilog's columns
    )
    parser.add_argument("questions", type=Path, help="question file: JSONL, or CSV (.csv, see below)")
    parser.add_argument(
        "--corpus",
        type=Path,
        action="append",
        help="evaluate against an index of this folder (repeat for several; cached under "
        "DATA_DIR/eval-cache, keyed by the folders' content)",
    )
    parser.add_argument(
        "--only-used",
        action="store_true",
        help="index only the articles the questions are scoped to (by id) or cite as evidence (a "
        "short gate). Which file holds a page URL is only known once indexed: questions scoped by "
        "URL need their article among another question's, or a run without --only-used",
    )
    parser.add_argument(
        "--answerer", choices=["extractive", "openai", "llamacpp"], help="override NEWSBOT_ANSWERER"
    )
    parser.add_argument("--k", type=int, default=10, help="passages retrieved and scored (default 10)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the summary JSON here")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="DIR",
        help="write report.md, report.html and results.csv (one row per question) here",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="PREVIOUS.json",
        help="a previous --json summary: better, worse, and every answer that changed",
    )
    parser.add_argument(
        "--min",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="fail (exit 1) below this, e.g. answer.accuracy=0.6 or retrieval.hits@10=0.9",
    )
    parser.add_argument(
        "--max",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help="fail (exit 1) above this, e.g. must_not_contain.violations=0",
    )
    parser.add_argument(
        "--part",
        choices=["all", "tune", "held-out"],
        default="all",
        help="only the questions of this part of the fixed article split (bot/eval/splits.py): "
        "held-out when one of a question's evidence articles is held out; rules are tuned on "
        "'tune' and reported on 'held-out' (default: all)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def parse_thresholds(items: Sequence[str]) -> dict[str, float]:
    minimums = {}
    for item in items:
        name, sep, value = item.partition("=")
        try:
            minimums[name.strip()] = float(value)
        except ValueError:
            raise InputError(f"thresholds need METRIC=NUMBER, got {item!r}") from None
        if not sep:
            raise InputError(f"thresholds need METRIC=NUMBER, got {item!r}")
    return minimums


def corpus_fingerprint(folder: Path) -> str:
    """Changes when any file in the folder is added, removed, renamed or edited."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def corpus_settings(settings: Settings, corpus: Path, quiet: bool) -> Settings:
    """Settings of a separate, cached index of ``corpus``, built or completed as needed."""
    from index.factory import make_indexer
    from index.progress import progress_reporter
    from index.store import write_lock

    if not corpus.is_dir():
        raise InputError(f"--corpus must be a folder of articles: {corpus}")
    data_dir = settings.data_dir / "eval-cache" / corpus_fingerprint(corpus)
    cached = settings.model_copy(
        update={"data_dir": data_dir, "source_dir": corpus, "chroma_host": None, "collection": "eval"}
    )
    with write_lock(cached):
        report, close = progress_reporter("none" if quiet else "auto")
        try:
            stats = make_indexer(cached).build([corpus], progress=report)
        finally:
            close()
    print(f"corpus index {data_dir}: {stats.summary()}", file=sys.stderr)
    return cached


def _export_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot.eval export",
        description="Write the answers readers rated down (reported or thumbs down) as a question set "
        "to complete: the question, its article and conversation, the bad answer's bold phrases and "
        "first sentences as must_not_contain candidates, a note with the reader's reason, and type "
        "'unreviewed' (the evaluation warns until an editor sets it). Fill in the expected "
        "answers (a spreadsheet works: write OUT.csv), delete wrong candidates, then run "
        "`python -m bot.eval OUT.csv` or add the cases to a gated set.",
    )
    parser.add_argument("out", type=Path, metavar="OUT.jsonl|OUT.csv", help="the question set to write")
    parser.add_argument(
        "--from-feedback",
        action="store_true",
        required=True,
        help="from the readers' feedback in the records' database (NEWSBOT_DATABASE_URL, default "
        "DATA_DIR/records.sqlite)",
    )
    parser.add_argument("--since", type=_date, help="only votes from this day on (YYYY-MM-DD, UTC)")
    return parser


def _date(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date like 2026-11-26: {text!r}") from None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    apply_offline_env()
    try:
        if argv[:1] == ["export"]:
            return _export(_export_parser().parse_args(argv[1:]))
        return _run(_parser().parse_args(argv))
    except NewsbotError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code


def _export(args: argparse.Namespace) -> int:
    from bot.eval.dataset import save_questions
    from bot.eval.feedback import reported_questions
    from bot.records.database import database_url, open_database, shown

    settings = Settings()
    secret = settings.database_url.get_secret_value() if settings.database_url else None
    url = database_url(secret, settings.data_dir)
    if url.get_backend_name() == "sqlite" and not (url.database and Path(url.database).exists()):
        raise InputError(f"no records at {shown(url)}: has the app recorded anything (NEWSBOT_RECORD)?")
    questions = reported_questions(open_database(url), args.since)
    save_questions(questions, args.out)
    print(f"{len(questions)} answers rated down written to {args.out} (from {shown(url)})", file=sys.stderr)
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.articles import ArticleLibrary
    from bot.eval.dataset import load_questions
    from bot.eval.report import check_thresholds, compare, markdown, write_report
    from bot.eval.runner import evaluate
    from bot.factory import build_pipeline

    minimums, maximums = parse_thresholds(args.min), parse_thresholds(args.max)
    questions = load_questions(args.questions)
    if args.part != "all":
        questions = [q for q in questions if question_part(q.evidence_ids, q.id) == args.part]
    unreviewed = sum(1 for q in questions if q.type == UNREVIEWED)
    if unreviewed:
        print(
            f"warning: {unreviewed} questions are still {UNREVIEWED!r} (exported from feedback): an "
            "empty answers cell counts as 'the bot should refuse' until an editor fills it in",
            file=sys.stderr,
        )
    settings = Settings()
    if args.answerer:
        settings = settings.model_copy(update={"answerer": args.answerer})
    if args.corpus:
        folder = _corpus_folder(settings, args.corpus, questions if args.only_used else None)
        settings = corpus_settings(settings, folder, args.quiet)
    pipeline = build_pipeline(settings.model_copy(update={"retrieval_k": max(args.k, settings.retrieval_k)}))
    # The articles of the chatbot's own index: page URLs resolve as the widget's pages do.
    library = ArticleLibrary(pipeline.lexical)
    summary = evaluate(pipeline.chatbot, questions, k=args.k, progress=not args.quiet, library=library)
    comparison = compare(summary, _load_json(args.compare)) if args.compare else None
    if comparison:
        summary["compare"] = comparison
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.report:
        write_report(args.report, summary, comparison)
    print(markdown(summary, comparison).split("\n## Questions")[0])
    missed = check_thresholds(summary, minimums, maximums)
    for line in missed:
        print(f"threshold missed: {line}", file=sys.stderr)
    return 1 if missed else 0


def _corpus_folder(settings: Settings, folders: list[Path], questions: list[EvalQuestion] | None) -> Path:
    """One folder to index: the given one, or links to the wanted files of several."""
    if len(folders) == 1 and questions is None:
        return folders[0]
    wanted = _wanted_articles(questions) if questions is not None else set()
    files = [
        path
        for folder in folders
        for path in sorted(folder.glob("*"))
        if path.is_file() and (questions is None or path.stem in wanted or slugify(path.stem) in wanted)
    ]
    missing = wanted - {p.stem for p in files} - {slugify(p.stem) for p in files}
    if missing:
        raise InputError(f"articles the questions need are in no --corpus folder: {sorted(missing)[:5]}")
    names = hashlib.sha256("\n".join(str(p.resolve()) for p in files).encode()).hexdigest()[:16]
    subset = settings.data_dir / "eval-cache" / "sets" / names
    subset.mkdir(parents=True, exist_ok=True)
    for path in files:
        link = subset / path.name
        if not link.exists():
            link.symlink_to(path.resolve())
    return subset


def _wanted_articles(questions: list[EvalQuestion]) -> set[str]:
    """The article ids --only-used indexes: the questions' scopes (by id) and their evidence."""
    wanted = {i for q in questions for i in (q.evidence_ids | ({q.article} if q.article else set()))}
    by_url = sum(1 for q in questions if q.article_url)
    if by_url:  # a URL names no file: only the index knows which article has it
        print(
            f"note: --only-used cannot tell which file has a page URL: {by_url} question(s) scoped by "
            "URL fail unless their article is wanted by another question (run without --only-used)",
            file=sys.stderr,
        )
    if not wanted:
        raise InputError("--only-used: the questions name no article (by id or as evidence) to index")
    return wanted


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise InputError(f"--compare: cannot read {path}: {err}") from err
    return data


if __name__ == "__main__":
    sys.exit(main())
