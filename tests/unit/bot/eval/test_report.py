"""Eval reports: metric lookup, comparison with a previous run, quality gates, report files
(report.md, report.html, results.csv)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from bot.eval.report import check_thresholds, compare, metric, write_report, write_results


def _summary(correct: list[bool], accuracy: float) -> dict[str, object]:
    rows = [
        {"id": f"q{i}", "answerable": True, "correct": c, "refused": False, "violations": [], "hit_rank": 1}
        for i, c in enumerate(correct)
    ]
    return {"answer": {"accuracy": accuracy}, "per_question": rows}


def _rows(summary: dict[str, object]) -> list[dict[str, object]]:
    rows = summary["per_question"]
    assert isinstance(rows, list)
    return rows


def test_compare_and_thresholds() -> None:
    now, before = _summary([True, False], 0.5), _summary([False, True], 0.5)
    result = compare(now, before)
    assert (result["better"], result["worse"]) == (["q0"], ["q1"])
    assert result["changed"] == []  # the same answers, scored differently: nothing shown changed
    cited = _summary([False, True], 0.5)
    cited["per_question"] = [{**row, "citations": [{"n": 1, "quote": "x"}]} for row in _rows(cited)]
    assert compare(now, cited)["changed"] == ["q0", "q1"]
    assert result["metrics"]["answer.accuracy"]["delta"] == 0.0
    assert metric(now, "answer.accuracy") == 0.5 and metric(now, "nope.x") is None
    assert check_thresholds(now, {"answer.accuracy": 0.4}) == []
    assert check_thresholds(now, {"answer.accuracy": 0.6, "retrieval.hits@10": 0.1}) == [
        "answer.accuracy = 0.500 < 0.6",
        "retrieval.hits@10 = – < 0.1",
    ]


def test_markdown_escapes_table_cells_and_compares() -> None:
    from bot.eval.report import markdown

    summary = {
        "questions": 1,
        "answerer": "extractive",
        "by_type": {"factoid": {"answer": {"accuracy": 1.0}}},
        "answer": {"accuracy": 1.0},
        "must_not_contain": {"violations": 0},
        "per_question": [
            {
                "id": "q1",
                "type": "factoid",
                "question": "a | b\nc",
                "gold": [],
                "answer": "yes",
                "hit_rank": None,
                "correct": None,
                "refused": True,
                "latency_ms": 12.4,
            }
        ],
    }
    text = markdown(summary, {"better": ["q1"], "worse": []})
    assert text.startswith("# Evaluation report — 1 questions, answerer `extractive`")
    assert "| metric | overall | factoid |" in text
    assert "| q1 | factoid | a \\| b c | (unanswerable) | yes | – | – | yes | 12 |" in text
    assert "Better: q1" in text and "Worse: none" in text


def _row(**overrides: Any) -> dict[str, Any]:
    """A per_question row in the runner's shape (bot/eval/runner.run_question)."""
    row: dict[str, Any] = {
        "id": "sumy",
        "type": "factoid",
        "question": "How many died in Sumy?",
        "article": "talks",
        "gold": ["three", "3"],
        "answerable": True,
        "standalone_question": "How many died in Sumy?",
        "answer": "At least three people died. [1][2][3]",
        "refused": False,
        "error": None,
        "citations": [
            {"n": 1, "article_id": "talks", "quote": "q"},
            {"n": 2, "article_id": "sumy-strike", "quote": "q"},
            {"n": 3, "article_id": "talks", "quote": "q"},
        ],
        "hit_rank": 2,
        "correct": True,
        "f1": 0.4,
        "faithful": (1, 1),
        "citations_good": 2,
        "citations_total": 3,
        "evidence_cited": True,
        "violations": [],
        "latency_ms": 12.6,
    }
    row.update(overrides)
    return row


def read_results(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.DictReader(file))


def test_results_csv_has_one_row_per_question_as_the_runner_judged_it(tmp_path: Path) -> None:
    refused = _row(
        id="cup",
        type="unanswerable",
        question='=HYPERLINK("http://evil.example")',
        article="https://news.example/world/cup",
        gold=[],
        answerable=False,
        answer="",
        refused=True,
        error="No indexed article has the URL https://news.example/world/cup.",
        citations=[],
        hit_rank=None,
        correct=None,
        f1=None,
        violations=["-PWNED", "@x"],
        latency_ms=0.0,
    )
    path = tmp_path / "results.csv"
    write_results(path, {"per_question": [_row(), refused]})
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    answered, unanswerable = read_results(path)
    assert list(answered) == [
        "id",
        "question",
        "article",
        "type",
        "answerable",
        "expected",
        "answer",
        "refused",
        "correct",
        "f1",
        "hit_rank",
        "cited",
        "violations",
        "latency_ms",
        "error",
        "note",
    ]
    assert answered == {
        "id": "sumy",
        "question": "How many died in Sumy?",
        "article": "talks",
        "type": "factoid",
        "answerable": "true",
        "expected": "three|3",
        "answer": "At least three people died. [1][2][3]",
        "refused": "false",
        "correct": "true",
        "f1": "0.400",
        "hit_rank": "2",
        "cited": "talks|sumy-strike",  # each cited article once, in order
        "violations": "",
        "latency_ms": "13",
        "error": "",
        "note": "",
    }
    assert (unanswerable["answerable"], unanswerable["refused"], unanswerable["correct"]) == (
        "false",
        "true",
        "",
    )
    assert unanswerable["f1"] == unanswerable["hit_rank"] == unanswerable["expected"] == ""
    assert unanswerable["question"] == '\'=HYPERLINK("http://evil.example")'  # never run as a formula
    assert unanswerable["violations"] == "'-PWNED|@x"
    assert unanswerable["error"].startswith("No indexed article")


def test_the_report_folder_has_results_csv_of_a_real_run(seed_bot, tmp_path: Path) -> None:
    from bot.eval.dataset import EvalQuestion
    from bot.eval.runner import evaluate

    questions = [
        EvalQuestion(id="medinsky", question="Who leads Russia's delegation?", answers=["Medinsky"]),
        EvalQuestion(id="cup", question="Who won the 2030 World Cup?", type="unanswerable"),
    ]
    summary = evaluate(seed_bot, questions, progress=False)
    write_report(tmp_path / "report", summary, None)
    assert {p.name for p in (tmp_path / "report").iterdir()} == {"report.md", "report.html", "results.csv"}
    rows = read_results(tmp_path / "report" / "results.csv")
    assert [r["id"] for r in rows] == ["medinsky", "cup"]
    assert [r["correct"] for r in rows] == [_csv(q["correct"]) for q in summary["per_question"]]
    assert rows[0]["answer"] == summary["per_question"][0]["answer"] != ""
    assert rows[1]["refused"] == "true" and rows[1]["expected"] == ""


def _csv(value: bool | None) -> str:
    return {True: "true", False: "false", None: ""}[value]
