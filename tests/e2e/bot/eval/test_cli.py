"""`python -m bot.eval` end to end on the team's seed question set."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.e2e.servers import run_module


def run_eval(args: list[str], data_dir: Path) -> subprocess.CompletedProcess[str]:
    return run_module("bot.eval", args, {**os.environ, "NEWSBOT_DATA_DIR": str(data_dir)})


def test_seed_set_summary_report_compare_and_gate(tmp_path: Path) -> None:
    out = tmp_path / "run1.json"
    first = run_eval(
        [
            "eval/seed.jsonl",
            "--corpus",
            "source_docs",
            "--json",
            str(out),
            "--report",
            str(tmp_path / "report"),
            "--quiet",
            "--min",
            "answer.accuracy=0.1",
        ],
        tmp_path / "data",
    )
    assert first.returncode == 0, first.stderr[-2000:]
    summary = json.loads(out.read_text())
    assert summary["questions"] == 45
    for key in ("retrieval", "answer", "citation", "refusal", "latency", "by_type", "per_question"):
        assert key in summary
    assert set(summary["retrieval"]) == {"hits@4", "hits@10", "mrr@10"}
    assert {"factoid", "follow-up", "unanswerable", "injection", "list"} <= set(summary["by_type"])
    assert summary["must_not_contain"]["violations"] == 0
    html = (tmp_path / "report" / "report.html").read_text()
    assert "data:image/png;base64," in html and "<script>alert" not in html and "&lt;script&gt;" in html
    assert "src='http" not in html and 'src="http' not in html and "<link" not in html  # self-contained
    assert "| metric | overall |" in (tmp_path / "report" / "report.md").read_text()

    gated = run_eval(
        [
            "eval/seed.jsonl",
            "--corpus",
            "source_docs",
            "--compare",
            str(out),
            "--quiet",
            "--min",
            "answer.accuracy=1.01",
        ],
        tmp_path / "data",
    )
    assert gated.returncode == 1
    assert "threshold missed: answer.accuracy" in gated.stderr
    assert "corpus index" in gated.stderr and "unchanged 1" in gated.stderr  # cached index reused
    assert "Compared with the previous run" in gated.stdout


def test_bad_question_file(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "x"}\n')
    result = run_eval([str(bad)], tmp_path / "data")
    assert result.returncode == 2 and "q.jsonl:1: not a valid question record" in result.stderr


def test_only_the_articles_the_questions_use_are_indexed_from_several_folders(tmp_path: Path) -> None:
    from tests.corpus import SEED, write_articles

    other = tmp_path / "corpus"
    write_articles(other, 3)  # article-000 .. article-002; the questions use one of them
    questions = tmp_path / "q.jsonl"
    records: list[dict[str, Any]] = [
        {
            "id": "a",
            "question": "what's this about",
            "type": "summary",
            "article": SEED.stem,
            "gold": [["Istanbul"]],
        },
        {"id": "b", "question": "who wrote this", "type": "author", "article": "article-001", "answers": []},
    ]
    questions.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    out = tmp_path / "out.json"
    args = [str(questions), "--corpus", "source_docs", "--corpus", str(other), "--only-used", "--quiet"]
    result = run_eval([*args, "--json", str(out)], tmp_path / "data")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "added 2," in result.stderr  # the seed and article-001, not the two others
    rows = {r["id"]: r for r in json.loads(out.read_text())["per_question"]}
    assert rows["a"]["correct"] is True
    questions.write_text(json.dumps({**records[1], "article": "no-such-article"}), encoding="utf-8")
    failed = run_eval(args, tmp_path / "data")
    assert failed.returncode != 0 and "no-such-article" in failed.stderr


def test_a_spreadsheet_question_set_scoped_by_page_url_and_results_csv(tmp_path: Path) -> None:
    import csv

    from tests.corpus import write_articles

    # article-000 is at https://news.example/aldermoor/0 and costs 12 million euros; article-001, 13.
    write_articles(tmp_path / "corpus", 2)
    questions = tmp_path / "set.csv"
    questions.write_bytes(
        b"\xef\xbb\xbf"  # Excel's "CSV UTF-8"
        + (
            b"id,question,answers,article,type,history\r\n"
            b",How much would the project cost?,12 million euros|12 million,https://news.example/aldermoor/0,,\r\n"
            b",Who is the mayor?,Elena Varga-1,article-001,,What was approved? => the harbour expansion\r\n"
            b"lost,How much would it cost?,12 million,https://news.example/nowhere/9,,\r\n"
            b",Who won the 2030 World Cup?,,,unanswerable,\r\n"
        )
    )
    report = tmp_path / "report"
    args = [str(questions), "--corpus", str(tmp_path / "corpus"), "--report", str(report), "--quiet"]
    result = run_eval(args, tmp_path / "data")
    assert result.returncode == 0, result.stderr[-2000:]
    with (report / "results.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = {r["id"]: r for r in csv.DictReader(file)}
    assert list(rows) == ["row2", "row3", "lost", "row5"]
    wanted = {"question", "article", "expected", "answer", "refused", "correct", "f1", "cited", "latency_ms"}
    assert wanted <= set(rows["row2"])
    by_url = rows["row2"]
    assert by_url["article"] == "https://news.example/aldermoor/0" and by_url["error"] == ""
    assert by_url["cited"] == "article-000" and by_url["correct"] == "true", by_url  # the page's article
    assert rows["row3"]["cited"] == "article-001" and rows["row3"]["error"] == ""
    assert rows["lost"]["error"] == "No indexed article has the URL https://news.example/nowhere/9."
    assert rows["row5"]["expected"] == "" and rows["row5"]["answerable"] == "false"
