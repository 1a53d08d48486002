"""Question files: the MultiHop-RAG record format, evidence ids, and every kind of bad file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.eval.dataset import EvalQuestion, load_questions
from index.errors import InputError
from tests.corpus import ROOT


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_seed_question_set_loads() -> None:
    questions = load_questions(ROOT / "eval" / "seed.jsonl")
    assert len(questions) == 44 and len({q.id for q in questions}) == 44
    assert any(not q.answerable for q in questions) and any(q.history for q in questions)


def test_records_with_defaults_blank_lines_and_history(tmp_path: Path) -> None:
    record = {
        "id": "x",
        "question": "And his job?",
        "answers": ["culture minister"],
        "history": [["Who leads?", "Medinsky [1]"]],
        "must_not_contain": ["PWNED"],
    }
    [question] = load_questions(write(tmp_path, json.dumps(record), "", "  "))
    assert question.type == "factoid" and question.answerable
    assert question.history == [("Who leads?", "Medinsky [1]")]
    assert not EvalQuestion(id="u", question="q").answerable


def test_evidence_ids_drop_file_extensions_like_the_loader() -> None:
    question = EvalQuestion.model_validate(
        {
            "id": "x",
            "question": "q",
            "evidence": ["talks.txt", "notes.md", "story-id", "report.v2"],
            "evidence_facts": [{"article": "page.html", "fact": "f"}],
        }
    )
    assert question.evidence_ids == {"talks", "notes", "story-id", "report.v2", "page"}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"id": "x"}'], "q.jsonl:1: not a valid question record"),
        (['{"id": "a", "question": "q"}', "{not json"], "q.jsonl:2: not a valid question record"),
        (["", "   "], "q.jsonl: no questions"),
    ],
)
def test_bad_files_name_the_line(tmp_path: Path, lines: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_questions(write(tmp_path, *lines))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="question file not found"):
        load_questions(tmp_path / "nope.jsonl")


def test_the_reader_question_set_is_scoped_and_covers_every_intent() -> None:
    from collections import Counter

    questions = load_questions(ROOT / "eval" / "readers.jsonl")
    assert len(questions) >= 80 and all(q.article for q in questions)
    counts = Counter(q.type for q in questions)
    assert min(counts.values()) >= 6 and counts["unanswerable"] >= 8
    assert len({q.article for q in questions}) >= 21  # the seed article and 20+ corpus articles
    for q in questions:
        assert bool(q.gold) == q.answerable, q.id  # every answerable question has gold phrases
