"""Conversations without an LLM (history-aware retrieval, bounded history) and with one (condensing)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.runnables import RunnableLambda

from bot.conversation import Condenser, answer_entities, bounded, history_aware_query, needs_history
from bot.question import Question
from bot.schemas import ChatTurn


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


def test_the_pronoun_i_is_no_name() -> None:
    assert answer_entities("The articles I have don't say.") == []
    assert answer_entities("Talks were held in Istanbul, Turkey.") == ["Istanbul", "Turkey"]


def test_history_is_bounded() -> None:
    turns = [ChatTurn(question=f"q{i}", answer="a" * 5000) for i in range(20)]
    kept = bounded(turns, 6)
    assert [t.question for t in kept] == [f"q{i}" for i in range(14, 20)]
    assert all(len(t.answer) == 600 for t in kept)


def test_follow_up_without_names_in_the_answer_takes_the_earlier_question() -> None:
    history = (ChatTurn(question="Who attends the Istanbul talks?", answer="the articles don't say."),)
    question = history_aware_query(Question("And when do they start?", history))
    assert question.context == ("Who attends the Istanbul talks?",)
    assert history_aware_query(Question("And his deputy?", ())) == Question("And his deputy?", ())


def test_short_questions_need_history_and_single_names_count_as_entities() -> None:
    assert needs_history("Why?") and needs_history("And Medinsky?")
    assert answer_entities("The talks were held in Istanbul, Turkey. On Friday...") == ["Istanbul", "Turkey"]
    assert answer_entities("**A** and **B** and **C** and **D**", limit=2) == ["A", "B"]
    assert answer_entities("nothing to name here.") == []


def test_bounded_keeps_nothing_for_zero_turns() -> None:
    assert bounded([ChatTurn(question="q", answer="a")], 0) == []


HISTORY = (ChatTurn(question="Who leads Russia's delegation?", answer="**Vladimir Medinsky** leads it [1]"),)


def chain_replying(reply: str | Exception, calls: list[dict[str, str]]) -> RunnableLambda[Any, str]:
    def run(inputs: dict[str, str]) -> str:
        calls.append(inputs)
        if isinstance(reply, Exception):
            raise reply
        return reply

    return RunnableLambda(run)


def test_condenser_without_history_or_llm_asks_nothing() -> None:
    calls: list[dict[str, str]] = []
    question = Question("Who leads Russia's delegation?", ())
    assert Condenser(chain_replying("unused", calls)).condense(question) == question
    assert calls == []
    follow = Question("What was his job before?", HISTORY)
    assert Condenser().condense(follow) == history_aware_query(follow)


def test_llm_rewrite_is_the_standalone_question() -> None:
    calls: list[dict[str, str]] = []
    condenser = Condenser(chain_replying("What was Vladimir Medinsky's job before?\nExtra line", calls))
    question = condenser.condense(Question("What was his job before?", HISTORY, article_id="seed"))
    assert question.text == "What was Vladimir Medinsky's job before?"
    assert question.context == () and question.article_id == "seed" and question.turns == HISTORY
    [inputs] = calls
    assert inputs["question"] == "What was his job before?"
    assert inputs["history"] == (
        "User: Who leads Russia's delegation?\nAssistant: **Vladimir Medinsky** leads it"
    )  # citation markers are not part of the conversation


@pytest.mark.parametrize("reply", [ConnectionError("refused"), "", "   \n  "])
def test_a_failed_or_empty_rewrite_falls_back_to_the_rules(reply: str | Exception) -> None:
    question = Question("What was his job before?", HISTORY)
    condensed = Condenser(chain_replying(reply, [])).condense(question)
    assert condensed == history_aware_query(question)
    assert condensed.context == ("Vladimir Medinsky",)


def test_condensed_question_that_drops_the_entity_keeps_it_as_context(
    unit_settings, encoder, seed_store
) -> None:
    from bot.factory import build_chatbot
    from tests.fakes import as_store, fake_model

    model = fake_model("What was the job before?", "NOT_IN_ARTICLES")
    history = [
        ChatTurn(question="Who leads Russia's delegation?", answer="**Vladimir Medinsky** leads it [1]")
    ]
    bot = build_chatbot(unit_settings, embeddings=encoder, store=as_store(seed_store), chat_model=model)
    answer = bot.ask(Question("What was his job before?", tuple(history)))
    assert answer.standalone_question.startswith("What was the job before?")
    assert "Vladimir Medinsky" in answer.standalone_question
