"""The web chat's turn logic (``_respond``, what Gradio calls per question) without a browser.

The page itself, in chromium against the real server: tests/e2e/browser/test_web_chat.py.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.web.service import ChatService
from bot.web.ui import MAX_SUGGESTIONS, UiState, _respond, build_ui, suggestion_view, suggestions_for
from tests.corpus import SEED, write_articles
from tests.fakes import HashEmbeddings, as_store, memory_index
from tests.unit.bot.web.clients import ASK, SEED_ID, service_with


def turn(
    service: ChatService, message: str, ui: UiState, client: str = "1.2.3.4", article_id: str | None = None
) -> list[tuple[Any, ...]]:
    """Every update Gradio would render, copied as it comes (the message list is reused)."""
    return [
        (textbox, [dict(m) for m in messages], panel, state)
        for textbox, messages, panel, state in _respond(service, message, [], ui, client, article_id)
    ]


def test_an_empty_message_does_nothing(seed_service: ChatService) -> None:
    assert turn(seed_service, "   ", UiState()) == []


def test_a_question_streams_into_a_cited_answer_with_sources(seed_service: ChatService) -> None:
    ui = UiState()
    steps = turn(seed_service, ASK, ui)
    assert len(steps) >= 3  # the pending message, some deltas, the answer
    textbox, messages, panel, state = steps[-1]
    assert textbox == "" and state is ui
    assert messages[0] == {"role": "user", "content": ASK}
    assert '<a class="cite" href="#src-1-1"' in messages[1]["content"]
    assert 'id="src-1-1"' in panel and "<mark>" in panel
    assert [t.question for t in ui.history] == [ASK] and ui.sources[0].turn == 1
    assert "▍" in steps[1][1][1]["content"]  # a pending answer shows the cursor while it grows


def test_follow_ups_send_the_browser_sessions_history(seed_service: ChatService) -> None:
    service = service_with(seed_service)  # its own (empty) server-side sessions
    ui = UiState()
    turn(service, ASK, ui)
    turn(service, "Where did that strike happen?", ui)
    assert [t.question for t in ui.history] == [ASK, "Where did that strike happen?"]
    assert [s.turn for s in ui.sources] == [1, 2]
    assert len(service.sessions) == 0  # the conversation lives in the browser, not the server


@pytest.mark.parametrize(
    ("message", "limits", "shown"),
    [
        ("x" * 2001, {}, "too long"),
        (ASK, {"rate_limit_client": "1/minute"}, "Too many questions"),
        ("who leads \ud800 the talks?", {}, "invalid text"),  # a lone surrogate: not a 500
    ],
)
def test_errors_are_shown_in_the_chat_and_the_question_kept(
    seed_service: ChatService, message: str, limits: dict[str, str], shown: str
) -> None:
    service = service_with(seed_service, **limits)
    if limits:
        turn(service, ASK, UiState())  # uses up the limit
    ui = UiState()
    textbox, messages, _, _ = turn(service, message, ui)[-1]
    assert textbox == message and shown in messages[-1]["content"]
    assert messages[-1]["content"].startswith('<div class="refusal">') and ui.history == []


def test_a_store_that_does_not_answer_is_shown_as_such(seed_service: ChatService) -> None:
    """A hung or lost Chroma server (its guard gives up): the chat says so, nothing breaks."""
    from langchain_core.callbacks import CallbackManagerForRetrieverRun
    from langchain_core.documents import Document
    from langchain_core.retrievers import BaseRetriever

    from bot.chatbot import Chatbot
    from bot.conversation import Condenser
    from index.errors import IndexUnavailableError

    class HungStore(BaseRetriever):
        def _get_relevant_documents(
            self, query: str, *, run_manager: CallbackManagerForRetrieverRun
        ) -> list[Document]:
            raise IndexUnavailableError("the Chroma server at http://127.0.0.1:1 did not answer within 5 s")

    bot = Chatbot(HungStore(), seed_service.require_bot().answerer, Condenser())
    service = ChatService(seed_service.settings, bot, seed_service.store)
    textbox, messages, _, _ = turn(service, ASK, UiState())[-1]
    assert textbox == ASK and "did not answer" in messages[-1]["content"]
    assert messages[-1]["content"].startswith('<div class="refusal">')


def test_html_in_a_question_is_shown_as_text(seed_service: ChatService) -> None:
    attack = '<img src=x onerror="alert(1)"> How many people did the missile strike in Sumy kill?'
    _, messages, _, _ = turn(seed_service, attack, UiState())[-1]
    assert "<img" not in messages[0]["content"] and "&lt;img" in messages[0]["content"]


def test_the_page_builds_with_and_without_an_index(seed_service: ChatService, unit_settings) -> None:
    import gradio as gr

    assert isinstance(build_ui(seed_service), gr.Blocks)
    missing = ChatService(unit_settings, None, None, unavailable="The article index is empty.")
    assert isinstance(build_ui(missing), gr.Blocks)


def test_suggestions_follow_the_article_asked_about_and_are_asked_within_it(
    tmp_path, unit_settings, encoder: HashEmbeddings
) -> None:
    from bot.factory import build_chatbot

    store = as_store(memory_index([SEED, *write_articles(tmp_path, 2)], encoder))
    service = ChatService(unit_settings, build_chatbot(unit_settings, embeddings=encoder, store=store), store)
    ui = UiState()
    assert suggestions_for(service, ui) == ("", [])  # nothing asked yet: no article, no buttons
    turn(service, ASK, ui)
    title, questions = suggestions_for(service, ui)
    assert ui.article_id == SEED_ID and title.startswith("EXPLAINED")
    assert questions[0] == "What is this story about?" and "Why Turkey?" in questions

    # A suggestion is asked about that article only: its summary, not the best-matching story.
    _, messages, _, _ = turn(service, "What is this story about?", ui, article_id=SEED_ID)[-1]
    assert "Ukraine and Russia are set to hold" in messages[-1]["content"]
    assert "What is this story about?" not in suggestions_for(service, ui)[1]  # asked already
    other = service.require_library().list()[0].article_id
    assert other != SEED_ID
    turn(service, "What is this story about?", ui, article_id=other)
    assert {c.article_id for c in ui.sources[-1].citations} == {other}
    assert ui.article_id == other and suggestions_for(service, ui)[0] != title


def test_suggestion_buttons_are_capped_and_their_label_escaped() -> None:
    hostile = '<img src=x onerror="alert(1)"> *Title*'
    questions = [f"Question {i}?" for i in range(7)] + ["Why " + "x" * 90 + "?"]
    label, *buttons = suggestion_view(hostile, questions)
    assert label["visible"] is True and "<img" not in label["value"] and "&lt;img" in label["value"]
    assert "\\*Title\\*" in label["value"]  # no emphasis from the article's text
    assert len(buttons) == MAX_SUGGESTIONS
    assert [b["value"] for b in buttons] == [f"Question {i}?" for i in range(MAX_SUGGESTIONS)]
    label, *buttons = suggestion_view("Title", [])
    assert label["visible"] is False and not any(b["visible"] for b in buttons)
