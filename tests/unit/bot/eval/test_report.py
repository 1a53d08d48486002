"""Eval reports: metric lookup, comparison with a previous run, quality gates, report files."""

from __future__ import annotations

from bot.eval.report import check_thresholds, compare, metric


def _summary(correct: list[bool], accuracy: float) -> dict[str, object]:
    rows = [
        {"id": f"q{i}", "answerable": True, "correct": c, "refused": False, "violations": [], "hit_rank": 1}
        for i, c in enumerate(correct)
    ]
    return {"answer": {"accuracy": accuracy}, "per_question": rows}


def test_compare_and_thresholds() -> None:
    now, before = _summary([True, False], 0.5), _summary([False, True], 0.5)
    result = compare(now, before)
    assert (result["better"], result["worse"]) == (["q0"], ["q1"])
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
