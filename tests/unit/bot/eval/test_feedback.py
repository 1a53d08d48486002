"""Answers rated down → question records an editor completes (recorded in a real SQLite file)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.eval.__main__ import main
from bot.eval.dataset import load_questions
from bot.eval.feedback import candidates, reported_questions
from bot.question import Question
from bot.records.database import database_url, open_database
from bot.records.recorder import DatabaseRecorder, Vote, exchange_of
from bot.schemas import Answer, ChatTurn
from tests.unit.bot.records.test_recorder import NOW, exchange

BAD = (
    "**Vladimir Putin** leads the delegation [1]. He arrived on Monday with | aides [2]. Yes. "
    "As of May 15, 2025, per Reuters."
)


def recorded(tmp_path: Path) -> DatabaseRecorder:
    return DatabaseRecorder(open_database(database_url(None, tmp_path)), retention_days=30, clock=lambda: NOW)


def test_a_bad_answers_bold_phrases_then_sentences_are_the_candidates() -> None:
    assert candidates(BAD) == [
        "Vladimir Putin",
        "Vladimir Putin leads the delegation.",
        "He arrived on Monday with / aides.",
    ]
    # Sentences as the index splits them: "U.S." ends none, a closing quote ends one.
    split = candidates("He flew to the U.S. on Monday [1]. She said “it is over.” Then she left the room.")
    assert split == ["He flew to the U.S. on Monday.", "She said “it is over.”", "Then she left the room."]


def test_answers_rated_down_become_question_records(tmp_path: Path) -> None:
    recorder = recorded(tmp_path)
    question = Question(
        "Who leads it?",
        (
            ChatTurn(question=" ", answer="=1+1"),  # a client's turn without a question
            ChatTurn(question="Which talks => these?", answer="Istanbul || 2025"),
        ),
        "talks",
    )
    bad = exchange_of(
        question,
        Answer(text=BAD, answerer="extractive", question="Who leads it?", standalone_question="x"),
        "s",
        6,
    )
    refused = exchange(2, refused=True)
    liked = exchange(3)
    for e in (bad, refused, liked):
        recorder.record(e)
    recorder.vote(Vote(bad.answer_id, "down", "wrong", "It is Medinsky", at=NOW))
    recorder.vote(Vote(refused.answer_id, "down", at=NOW - timedelta(days=2)))
    recorder.vote(Vote(liked.answer_id, "up", at=NOW))
    assert recorder.flush()
    older, newer = reported_questions(recorder.engine)
    assert newer.question == "Who leads it?" and newer.article == "talks" and newer.answers == []
    assert newer.history == [("…", "=1+1"), ("Which talks -> these?", "Istanbul / 2025")]
    assert newer.must_not_contain == candidates(BAD) and newer.type == "unreviewed"
    assert "(wrong)" in newer.note and "It is Medinsky" in newer.note and "Vladimir Putin" in newer.note
    assert older.must_not_contain == [] and "no reason given" in older.note  # a refusal claimed nothing
    assert [q.question for q in reported_questions(recorder.engine, since=NOW - timedelta(days=1))] == [
        "Who leads it?"
    ]
    recorder.close()


@pytest.mark.parametrize("name", ["cases.csv", "cases.jsonl"])
def test_the_export_command_writes_a_set_the_eval_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    recorder = recorded(tmp_path)
    e = exchange(1)
    recorder.record(e)
    recorder.vote(Vote(e.answer_id, "down", "outdated", "=cmd|' /C calc", at=NOW))
    assert recorder.flush()
    recorder.close()
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path))
    out = tmp_path / name
    assert main(["export", "--from-feedback", "--since", "2026-11-01", str(out)]) == 0
    [case] = load_questions(out)
    assert case.question == e.question and case.article == "seed" and "=cmd" in case.note
    assert main(["export", "--from-feedback", "--since", "2026-11-27", str(out)]) == 0
    assert not out.read_text(encoding="utf-8-sig").strip().count("\n")  # the header (CSV) or nothing
    assert main(["export", "--from-feedback", "--since", "2026-11-26T14:00+02:00", str(out)]) == 0
    assert len(load_questions(out)) == 1  # 12:00 UTC: the vote at 12:00 UTC is in


def test_without_records_the_export_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBOT_DATA_DIR", str(tmp_path / "empty"))
    assert main(["export", "--from-feedback", str(tmp_path / "out.csv")]) == 2
    assert not (tmp_path / "out.csv").exists()
