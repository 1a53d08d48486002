"""Intent routing: one table, first match wins; every intent but FACTS has its route."""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from bot.answerers.routing import ROUTES, Routed, answered_from_article, route
from bot.question import Question
from bot.reading.intents import Intent
from tests.corpus import BRIDGE_META

BODY = (
    "The council approved the new harbour bridge on Monday after a decade of debate. Work starts in spring."
)
CHUNKS = [Document(page_content=BODY, metadata=BRIDGE_META, id="bridge#0")]


# A reader's question of each intent (every intent but FACTS must be here, and routed).
ASKING = {
    Intent.SUMMARY: "summarize this",
    Intent.LATEST: "what's the latest on the bridge",
    Intent.AUTHOR: "who wrote this",
    Intent.PUBLISHED: "when was this published",
    Intent.OUTLET: "which outlet published this",
    Intent.LINK: "link please",
}


def test_every_intent_but_facts_has_a_question_here() -> None:
    assert set(ASKING) == set(Intent) - {Intent.FACTS}


@pytest.mark.parametrize("intent", sorted(ASKING))
@pytest.mark.parametrize("scope", [None, "bridge"])
def test_every_intent_but_facts_has_a_route(intent: Intent, scope: str | None) -> None:
    routed = Routed(Question(ASKING[intent], (), article_id=scope), CHUNKS, "bridge", lambda _a: CHUNKS)
    assert routed.reading.intent is intent and answered_from_article(routed.reading)
    assert any(r.when(routed) for r in ROUTES), f"add a Route for {intent}"


def test_a_question_about_the_news_takes_no_route() -> None:
    question = Question("when does work on the bridge start", ())
    assert not answered_from_article(question.reading)
    assert route(question, CHUNKS, lambda _a: CHUNKS) is None


@pytest.mark.parametrize(
    ("text", "scope", "says"),
    [
        ("who wrote this", None, "is by **Ana Silva**"),
        ("summarize this", "bridge", "The council approved"),
        ("what's the latest on the bridge", None, "November 27, 2023: The council approved"),
        ("what's the latest on the bridge", "bridge", "The council approved"),  # on a page: its summary
    ],
)
def test_the_first_matching_route_answers(text: str, scope: str | None, says: str) -> None:
    question = Question(text, (), article_id=scope)
    draft = route(question, CHUNKS, lambda _a: CHUNKS)
    assert draft is not None and says in draft.text, draft


def test_a_route_without_an_answer_leaves_the_question_to_the_sentences() -> None:
    question = Question("summarize this", (), article_id="elsewhere")
    assert route(question, [], lambda _a: []) is None
