"""Conversations without an LLM: history-aware retrieval, bounded history, input rules."""

from __future__ import annotations

import pytest

from bot.conversation import answer_entities, bounded, history_aware_query, needs_history
from bot.question import Question, clean_question
from bot.schemas import ChatTurn
from index.errors import InputError


def test_follow_up_resolves_against_history(seed_bot) -> None:
    first = seed_bot.ask("Who leads Russia's delegation?")
    history = [ChatTurn(question="Who leads Russia's delegation?", answer=first.text)]
    follow = seed_bot.ask(Question("What was his job before?", tuple(history)))
    assert "Vladimir Medinsky" in follow.standalone_question
    assert "former culture minister" in follow.text
    assert follow.citations and "former culture minister" in " ".join(c.quote for c in follow.citations)


def test_standalone_questions_are_left_alone() -> None:
    history = [ChatTurn(question="Who leads Russia's delegation?", answer="**Vladimir Medinsky** [1]")]
    question = Question("Why was Turkey chosen as the host?", tuple(history))
    assert history_aware_query(question) == question
    assert needs_history("And his deputy?") and not needs_history("Who attends the Istanbul talks?")


def test_answer_entities_prefer_marked_phrases() -> None:
    assert answer_entities("led by **Vladimir Medinsky**, an aide [1]") == ["Vladimir Medinsky"]
    assert answer_entities("Marco Rubio met Andrii Sybiha in Antalya. Later...") == [
        "Marco Rubio",
        "Andrii Sybiha",
    ]


def test_history_is_bounded() -> None:
    turns = [ChatTurn(question=f"q{i}", answer="a" * 5000) for i in range(20)]
    kept = bounded(turns, 6)
    assert [t.question for t in kept] == [f"q{i}" for i in range(14, 20)]
    assert all(len(t.answer) == 600 for t in kept)


def test_question_rules() -> None:
    with pytest.raises(InputError, match="type a question"):
        clean_question(" \n\t ", 2000)
    with pytest.raises(InputError, match="too long"):
        clean_question("x" * 2001, 2000)
    assert clean_question("Who\x00 leads\x1b the\ttalks?", 2000) == "Who leads the talks?"


def test_any_language_is_accepted(seed_bot) -> None:
    answer = seed_bot.ask("Хто очолює російську делегацію?")
    assert answer.question == "Хто очолює російську делегацію?"
    assert answer.text  # an answer or a refusal, never an error
