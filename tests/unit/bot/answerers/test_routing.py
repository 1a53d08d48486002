"""Intent routing: one table, first match wins; every intent but FACTS has its route."""

from __future__ import annotations

from dataclasses import replace

import pytest
from langchain_core.documents import Document

from bot.answerers.routing import ROUTES, Asked, answered_from_article, route
from bot.question import Question
from bot.reading.intents import Intent
from bot.reading.reading import read

META = {
    "article_id": "bridge",
    "title": "Bridge approved",
    "source": "Harbour Gazette",
    "author": "Ana Silva",
    "published_at": "2023-11-27T08:45:59Z",
    "url": "https://gazette.example/bridge",
    "start": 0,
}
BODY = (
    "The council approved the new harbour bridge on Monday after a decade of debate. Work starts in spring."
)
CHUNKS = [Document(page_content=BODY, metadata=META, id="bridge#0")]


def _asked(text: str, article_id: str | None, intent: Intent) -> Asked:
    question = Question(text, (), article_id=article_id)
    return Asked(question, replace(question.reading, intent=intent), CHUNKS, "bridge", lambda _a: CHUNKS)


@pytest.mark.parametrize("intent", [i for i in Intent if i is not Intent.FACTS])
@pytest.mark.parametrize("scope", [None, "bridge"])
def test_every_intent_but_facts_has_a_route(intent: Intent, scope: str | None) -> None:
    asked = _asked("x", scope, intent)
    assert answered_from_article(asked.reading)
    assert any(r.when(asked) for r in ROUTES), f"add a Route for {intent}"


def test_a_question_about_the_news_takes_no_route() -> None:
    question = Question("when does work on the bridge start", ())
    assert not answered_from_article(question.reading)
    assert route(question, question.reading, CHUNKS, lambda _a: CHUNKS) is None


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
    draft = route(question, question.reading, CHUNKS, lambda _a: CHUNKS)
    assert draft is not None and says in draft.text, draft


def test_a_route_without_an_answer_leaves_the_question_to_the_sentences() -> None:
    question = Question("summarize this", (), article_id="elsewhere")
    assert route(question, read("summarize this"), [], lambda _a: []) is None
