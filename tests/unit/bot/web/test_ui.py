"""The web chat's turn logic (``_respond``, what Gradio calls per question) and its feedback
(a like event or the "Report a problem" form → a recorded vote) without a browser.

The page itself, in chromium against the real server: tests/e2e/browser/test_web_chat.py and
tests/e2e/browser/test_feedback.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import gradio as gr
import pytest

from bot.records.recorder import REASON_LABELS, Reason, session_hash
from bot.records.tables import feedback, questions
from bot.web.service import ChatService
from bot.web.ui import (
    CHOOSE_REASON,
    FEEDBACK_OPTIONS,
    KEPT,
    MAX_SUGGESTIONS,
    NOT_AN_ANSWER,
    NOTHING_TO_REPORT,
    THANKS,
    UiState,
    _respond,
    build_ui,
    rate_message,
    report_latest,
    suggestion_view,
    suggestions_for,
)
from tests.corpus import SEED, write_articles
from tests.fakes import HashEmbeddings, as_store, memory_index
from tests.unit.bot.web.clients import ASK, SEED_ID, service_with
from tests.unit.bot.web.clients import recorded_rows as rows


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
    steps = turn(service, message, ui)
    textbox, messages, _, _ = steps[-1]
    assert textbox == message.replace("\ud800", "?") and shown in messages[-1]["content"]
    # Everything sent back is well-formed text: Gradio's JSON cannot carry a lone surrogate.
    assert all(json.dumps(step[:2], ensure_ascii=False).encode() for step in steps)
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


# --- feedback ------------------------------------------------------------------------------


@pytest.fixture
def recording(seed_service: ChatService, tmp_path: Path) -> Iterator[ChatService]:
    service = service_with(seed_service, record=True, data_dir=tmp_path)
    yield service
    service.close()


def chat(service: ChatService, ui: UiState, *asked: str, visit: str = "") -> list[dict[str, Any]]:
    """Questions asked one after the other in one chat, as the browser sends them back each
    time (its whole message list); the messages shown at the end."""
    messages: list[dict[str, Any]] = []
    for message in asked:
        for _, shown, _, _ in _respond(service, message, messages, ui, "1.2.3.4", visit=visit):
            messages = [dict(m) for m in shown]
    return messages


def answer_of(service: ChatService, question: str) -> str:
    [row] = [r for r in rows(service, questions) if r["question"] == question]
    return str(row["id"])


def handler(blocks: gr.Blocks, name: str) -> Any:
    [fn] = [f.fn for f in blocks.fns.values() if f.name == name]
    return fn


def test_the_reasons_shown_are_the_apis() -> None:
    assert tuple(REASON_LABELS) == get_args(Reason)
    assert FEEDBACK_OPTIONS[:2] == ("Like", "Dislike") and FEEDBACK_OPTIONS[2:] == tuple(
        REASON_LABELS.values()
    )


def test_thumbs_on_a_message_vote_on_its_answer_and_a_later_vote_replaces_it(recording: ChatService) -> None:
    ui = UiState()
    later = "Where will the talks be held?"
    messages = chat(recording, ui, ASK, "x" * 2001, later)  # an error between two answers
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3
    assert "too long" in messages[3]["content"]
    first, second = answer_of(recording, ASK), answer_of(recording, later)
    assert ui.answer_ids == {1: first, 5: second}  # the chat's message indexes, the error skipped

    assert rate_message(recording, ui, 5, False, "1.2.3.4") == THANKS
    [vote] = rows(recording, feedback)
    assert (vote["answer_id"], vote["rating"], vote["reason"]) == (second, "down", None)

    assert rate_message(recording, ui, 1, True, "1.2.3.4") == THANKS
    assert rate_message(recording, ui, 5, "Outdated", "1.2.3.4") == THANKS  # from the flag menu
    votes = {v["answer_id"]: (v["rating"], v["reason"]) for v in rows(recording, feedback)}
    assert votes == {first: ("up", None), second: ("down", "outdated")}

    for not_an_answer in (0, 3, 4):  # a question, the error, a question
        assert rate_message(recording, ui, not_an_answer, True, "1.2.3.4") == NOT_AN_ANSWER
    assert rate_message(recording, ui, 5, "", "1.2.3.4") == KEPT  # a vote taken back: the last stays
    assert {v["answer_id"]: v["rating"] for v in rows(recording, feedback)} == {first: "up", second: "down"}


def test_a_report_downvotes_the_latest_answer_with_its_reason_and_comment(recording: ChatService) -> None:
    ui = UiState()
    assert report_latest(recording, ui, "Wrong", "", "1.2.3.4") == NOTHING_TO_REPORT
    later = "Where will the talks be held?"
    chat(recording, ui, ASK, later)
    comment = "  The <b>html</b> date is *wrong* \u2014 see [1]  "
    assert report_latest(recording, ui, "Not in the source", comment, "1.2.3.4") == THANKS
    [vote] = rows(recording, feedback)
    assert vote["answer_id"] == answer_of(recording, later)
    assert (vote["rating"], vote["reason"], vote["comment"]) == ("down", "not_in_source", comment.strip())

    assert report_latest(recording, ui, "Other", "   ", "1.2.3.4") == THANKS  # a blank comment: none
    [vote] = rows(recording, feedback)
    assert (vote["reason"], vote["comment"]) == ("other", None)


@pytest.mark.parametrize(
    ("label", "comment", "answer_id", "shown"),
    [
        ("Wrong", "y" * 1001, None, "The comment is over 1000 characters."),
        ("Boring", "", None, CHOOSE_REASON),
        ("Wrong", "", "0" * 32, "No such answer"),
    ],
)
def test_bad_reports_are_explained_and_nothing_is_recorded(
    recording: ChatService, label: str, comment: str, answer_id: str | None, shown: str
) -> None:
    ui = UiState()
    chat(recording, ui, ASK)
    if answer_id:  # an answer this server never gave (or forgot)
        ui.answer_ids = {1: answer_id}
    assert report_latest(recording, ui, label, comment, "1.2.3.4").startswith(shown)
    assert rows(recording, feedback) == []


def test_the_comment_limit_is_the_apis(recording: ChatService) -> None:
    ui = UiState()
    chat(recording, ui, ASK)
    assert report_latest(recording, ui, "Other", "y" * 1000, "1.2.3.4") == THANKS
    assert rows(recording, feedback)[0]["comment"] == "y" * 1000


def test_votes_count_against_the_rate_limit(seed_service: ChatService, tmp_path: Path) -> None:
    service = service_with(seed_service, record=True, data_dir=tmp_path, rate_limit_client="2/minute")
    ui = UiState()
    chat(service, ui, ASK)
    assert rate_message(service, ui, 1, True, "1.2.3.4") == THANKS
    assert rate_message(service, ui, 1, False, "1.2.3.4").startswith("Too many questions")
    assert [v["rating"] for v in rows(service, feedback)] == ["up"]
    service.close()


def test_the_page_wires_votes_and_visits(recording: ChatService) -> None:
    """Through the handlers the page registers: the browser session groups the recorded
    questions (hashed), a like event votes on the message it names."""
    blocks = build_ui(recording)
    [chatbot] = [b for b in blocks.blocks.values() if isinstance(b, gr.Chatbot)]
    assert getattr(chatbot, "likeable", False) is True  # a like listener: Gradio shows the buttons
    assert tuple(chatbot.feedback_options or ()) == FEEDBACK_OPTIONS
    ui = UiState()
    request = gr.Request(session_hash="browser-tab-1", client=None)
    for _ in handler(blocks, "respond")(ASK, [], ui, request):
        pass
    [asked] = rows(recording, questions)
    assert asked["session"] == session_hash("browser-tab-1") and "browser-tab-1" not in asked["session"]

    like = gr.LikeData(chatbot, {"index": 1, "value": ["…"], "liked": False})
    assert handler(blocks, "rate")(ui, like, request) == THANKS
    shown, comment = handler(blocks, "report")("Offensive", "Rude", ui, request)
    assert shown == THANKS and comment["value"] == ""  # sent: the box is emptied
    shown, comment = handler(blocks, "report")("Offensive", "z" * 1001, ui, request)
    assert "over 1000" in shown and "value" not in comment  # kept for the reader to shorten
    [vote] = rows(recording, feedback)
    assert (vote["answer_id"], vote["rating"], vote["reason"], vote["comment"]) == (
        asked["id"],
        "down",
        "offensive",
        "Rude",
    )


def test_with_recording_off_no_rating_is_offered_and_none_kept(
    seed_service: ChatService, tmp_path: Path
) -> None:
    service = service_with(seed_service, record=False, data_dir=tmp_path)
    assert service.recorder.enabled is False
    blocks = build_ui(service)
    [chatbot] = [b for b in blocks.blocks.values() if isinstance(b, gr.Chatbot)]
    assert not getattr(chatbot, "likeable", False) and not chatbot.feedback_options
    ids = {getattr(b, "elem_id", None) for b in blocks.blocks.values()}
    assert "report" not in ids and "report-send" not in ids
    assert not [f for f in blocks.fns.values() if f.name in ("rate", "report")]

    ui = UiState()
    chat(service, ui, ASK)
    assert set(ui.answer_ids) == {1}
    assert rate_message(service, ui, 1, True, "1.2.3.4") == "Feedback is not recorded on this site."
    assert report_latest(service, ui, "Wrong", "x", "1.2.3.4") == "Feedback is not recorded on this site."
    assert not (tmp_path / "records.sqlite").exists()
