"""POST /api/feedback on the seed bot: every answer carries an id, a vote on it is recorded
(a second replaces the first), bad votes are refused with the right status."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.records.tables import feedback, questions
from bot.web.service import ChatService
from tests.unit.bot.web.clients import ASK, BASE_URL, SEED_ID, client_for, error_of, service_with
from tests.unit.bot.web.clients import recorded_rows as rows


@pytest.fixture
def recording(seed_service: ChatService, tmp_path: Path) -> Iterator[ChatService]:
    service = service_with(seed_service, record=True, data_dir=tmp_path)
    yield service
    service.close()


def ask(client: Any, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/chat", json={"message": ASK, **extra})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_a_vote_on_an_answer_is_recorded_and_a_second_vote_replaces_it(recording: ChatService) -> None:
    client = client_for(recording)
    answer = ask(client, article_id=SEED_ID)
    assert len(answer["answer_id"]) == 32
    first = client.post("/api/feedback", json={"answer_id": answer["answer_id"], "rating": "up"})
    assert first.status_code == 200 and first.json()["recorded"] is True
    again = {
        "answer_id": answer["answer_id"],
        "rating": "down",
        "reason": "outdated",
        "comment": " Old news ",
    }
    assert client.post("/api/feedback", json=again).status_code == 200
    [vote] = rows(recording, feedback)
    assert (vote["rating"], vote["reason"], vote["comment"]) == ("down", "outdated", "Old news")
    [asked] = rows(recording, questions)
    assert asked["id"] == answer["answer_id"] and asked["question"] == ASK and asked["article_id"] == SEED_ID
    assert asked["session"] and answer["session_id"] not in asked["session"]


def test_streamed_answers_carry_their_id_too(recording: ChatService) -> None:
    client = client_for(recording)
    text = client.post("/api/chat/stream", json={"message": ASK}).text
    answer_id = text.split('"answer_id": "')[1].split('"')[0]
    assert client.post("/api/feedback", json={"answer_id": answer_id, "rating": "down"}).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "kind"),
    [
        ({"answer_id": "0" * 32, "rating": "down"}, 404, "not_found"),
        ({"answer_id": "not-an-id", "rating": "down"}, 400, "bad_request"),
        ({"rating": "down"}, 400, "bad_request"),
        ({"answer_id": "0" * 32, "rating": "meh"}, 400, "bad_request"),
        ({"answer_id": "0" * 32, "rating": "down", "reason": "boring"}, 400, "bad_request"),
        ({"answer_id": "0" * 32, "rating": "down", "comment": "x" * 1001}, 413, "too_large"),
    ],
)
def test_bad_votes_are_refused(recording: ChatService, body: dict[str, Any], status: int, kind: str) -> None:
    client = client_for(recording)
    assert recording.recorder.flush()
    response = client.post("/api/feedback", json=body)
    assert response.status_code == status and error_of(response)["type"] == kind
    assert rows(recording, feedback) == []


def test_a_comment_of_exactly_the_limit_is_kept(recording: ChatService) -> None:
    client = client_for(recording)
    answer = ask(client)
    body = {"answer_id": answer["answer_id"], "rating": "down", "reason": "other", "comment": "y" * 1000}
    assert client.post("/api/feedback", json=body).status_code == 200


def test_with_recording_off_feedback_is_refused(seed_service: ChatService, tmp_path: Path) -> None:
    client = client_for(service_with(seed_service, record=False, data_dir=tmp_path))
    answer = ask(client)
    response = client.post("/api/feedback", json={"answer_id": answer["answer_id"], "rating": "up"})
    assert response.status_code == 404 and error_of(response)["type"] == "feedback_off"
    assert not (tmp_path / "records.sqlite").exists()


def test_foreign_sites_cannot_vote(recording: ChatService) -> None:
    client = client_for(recording)
    answer = ask(client)
    vote = {"answer_id": answer["answer_id"], "rating": "down"}
    response = client.post("/api/feedback", json=vote, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    allowed = recording.settings.allowed_origins[0]
    assert client.post("/api/feedback", json=vote, headers={"Origin": allowed}).status_code == 200


def test_votes_are_rate_limited_like_questions(seed_service: ChatService, tmp_path: Path) -> None:
    service = service_with(seed_service, record=True, data_dir=tmp_path, rate_limit_client="2/minute")
    client = client_for(service)
    answer = ask(client)
    vote = {"answer_id": answer["answer_id"], "rating": "up"}
    malformed = [client.post("/api/feedback", json={"rating": "up"}).status_code for _ in range(3)]
    assert malformed == [400, 400, 400]  # a malformed vote costs no budget
    statuses = [client.post("/api/feedback", json=vote).status_code for _ in range(2)]
    assert statuses == [200, 429]
    service.close()


def test_shutting_the_server_down_writes_what_is_still_queued(
    seed_service: ChatService, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from bot.web.api import create_api

    service = service_with(seed_service, record=True, data_dir=tmp_path)
    with TestClient(
        create_api(service), base_url=BASE_URL
    ) as client:  # runs the app's lifespan: start, then shutdown
        for _ in range(3):
            ask(client)
    # No flush here: the shutdown itself wrote them (uvicorn's SIGTERM skips code after run()).
    engine = service.recorder.engine
    assert engine is not None and service.recorder.stats.pending == 0
    with engine.connect() as connection:
        assert len(list(connection.execute(select(questions)))) == 3
