"""The service every web door shares: input checked first, sessions, scope, health, unavailability."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.drafting.draft import Delta
from bot.question import Question
from bot.schemas import Answer, ChatTurn
from bot.web.service import ChatService
from bot.web.sessions import owner_of
from index.errors import IndexUnavailableError, InputError, NotFoundError, TooLargeError
from tests.fakes import MemoryStore, as_store, memory_index
from tests.unit.bot.web.clients import ASK, SEED_ID, WHO, service_with

FOLLOW = "What was his job before?"


def test_bad_input_is_refused_before_the_answer_starts(seed_service: ChatService) -> None:
    service = service_with(seed_service)
    with pytest.raises(InputError):
        service.start(Question("   "))
    with pytest.raises(TooLargeError):
        service.start(Question("x" * 2001))
    with pytest.raises(InputError):
        service.start(Question(WHO), session_id="not a valid id!")
    assert len(service.sessions) == 0  # nothing was remembered


def test_answers_are_lazy_and_remembered_in_the_session(seed_service: ChatService) -> None:
    service = service_with(seed_service)
    session_id, events = service.start(Question(WHO))
    assert session_id and len(service.sessions) == 1
    assert service.sessions.resolve(session_id)[1] == []  # nothing answered yet
    items = list(events)
    answer = items[-1]
    assert isinstance(answer, Answer) and all(isinstance(e, Delta) for e in items[:-1])
    assert service.sessions.resolve(session_id)[1] == [ChatTurn(question=WHO, answer=answer.text)]
    again, follow = service.ask(Question(FOLLOW), session_id)
    assert (again == session_id and "Vladimir Medinsky" in follow.standalone_question) or follow.refused
    assert len(service.sessions.resolve(session_id)[1]) == 2


def test_a_session_id_from_another_client_shows_nothing_of_the_conversation(
    seed_service: ChatService,
) -> None:
    service = service_with(seed_service)
    owner, stranger = owner_of("203.0.113.7"), owner_of("198.51.100.9")
    history = (ChatTurn(question=WHO, answer="**Vladimir Medinsky** [1]"),)
    session_id, _ = service.ask(Question(FOLLOW, history), owner=owner)
    other, follow = service.ask(Question(FOLLOW), session_id, owner=stranger)
    assert other != session_id and follow.standalone_question == FOLLOW  # no context of it
    assert [t.question for t in service.sessions.resolve(session_id, owner)[1]] == [WHO, FOLLOW]


def test_history_given_by_the_client_replaces_the_sessions(seed_service: ChatService) -> None:
    service = service_with(seed_service)
    session_id, _ = service.ask(Question(ASK))
    history = (ChatTurn(question=WHO, answer="**Vladimir Medinsky** [1]"),)
    _, answer = service.ask(Question(FOLLOW, history), session_id)
    assert answer.standalone_question.endswith("context: Vladimir Medinsky")
    turns = service.sessions.resolve(session_id)[1]
    assert [t.question for t in turns] == [WHO, FOLLOW]  # the given history, then the new turn


def test_stateless_questions_use_no_session(seed_service: ChatService) -> None:
    service = service_with(seed_service)
    session_id, answer = service.ask(Question(ASK), remember=False)
    assert session_id == "" and len(service.sessions) == 0 and answer.text


def test_scope_by_id_or_by_page_url(seed_service: ChatService) -> None:
    assert seed_service.scope(None) is None
    article = seed_service.scope(SEED_ID)
    assert article is not None and article.article_id == SEED_ID and article.title.startswith("EXPLAINED")
    with pytest.raises(NotFoundError):
        seed_service.scope("no-such-article")
    assert seed_service.scope(None, "https://elsewhere.example/story") is None


def test_health_reports_the_index_and_sessions(seed_service: ChatService, seed_store: MemoryStore) -> None:
    service = service_with(seed_service)
    service.ask(Question(ASK))
    health = service.health()
    assert health.ready and health.message == "ok" and health.sessions == 1
    assert (health.chunks, health.articles) == (seed_store.count(), 1)
    assert health.answerer == "extractive" and health.store_mode == "embedded"
    assert health.store_location == seed_store.location and health.as_dict()["chunks"] == health.chunks


def test_an_unreachable_store_makes_health_not_ready(
    unit_settings: Settings, encoder, seed_bot, tmp_path
) -> None:
    from bot.factory import build_chatbot
    from tests.corpus import SEED

    store = memory_index([SEED], encoder)
    bot = build_chatbot(unit_settings, embeddings=encoder, store=as_store(store))
    service = ChatService(unit_settings, bot, as_store(store))
    assert service.health().ready
    store.collection.fail_with = ConnectionError("gone")
    with pytest.raises(IndexUnavailableError, match="cannot be reached"):
        service.ask(Question("Who leads Russia's delegation?"))  # a question's read fails: a 503
    health = service.health()  # from memory: it does not wait on the lost store itself
    assert not health.ready and health.message == "the article store cannot be reached"
    assert health.articles == 1 and health.chunks == len(store.collection.records)
    store.collection.fail_with = None
    assert service.ask(Question(ASK))[1].citations
    assert service.health().ready


def test_an_unavailable_service_says_why_everywhere(unit_settings: Settings) -> None:
    service = ChatService(unit_settings, None, None, unavailable="The article index is empty: run it.")
    for call in (
        lambda: service.start(Question(WHO)),
        service.require_bot,
        service.require_library,
        lambda: service.scope(SEED_ID),
    ):
        with pytest.raises(IndexUnavailableError, match="index is empty"):
            call()
    health = service.health()
    assert not health.ready and health.message == "The article index is empty: run it."
    assert service.answerer == "extractive" and health.store_location == ""
    with pytest.raises(IndexUnavailableError, match="not available"):
        ChatService(unit_settings, None, None).require_bot()
