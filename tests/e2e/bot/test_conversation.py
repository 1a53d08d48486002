"""A follow-up resolved against the conversation and answered from the seed index (real model)."""

from __future__ import annotations

from bot.question import Question
from bot.schemas import ChatTurn


def test_follow_up_resolves_against_history(seed_bot) -> None:
    first = seed_bot.ask("Who leads Russia's delegation?")
    history = [ChatTurn(question="Who leads Russia's delegation?", answer=first.text)]
    follow = seed_bot.ask(Question("What was his job before?", tuple(history)))
    assert "Vladimir Medinsky" in follow.standalone_question
    assert "former culture minister" in follow.text
    assert follow.citations and "former culture minister" in " ".join(c.quote for c in follow.citations)
