"""``/livez``, ``/readyz``, ``/healthz``: alive, ready or not (and why), index size, models."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.service import ChatService
from index.errors import IndexUnavailableError
from tests.unit.bot.web.clients import client_for


@pytest.fixture(scope="module")
def client(seed_service: ChatService) -> TestClient:
    return client_for(seed_service)


def test_healthz_reports_the_index(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["ready"] is True and health["articles"] == 1 and health["chunks"] >= 5
    assert health["answerer"] == "extractive" and health["store_mode"] == "embedded"
    assert "MiniLM" in health["embedding_model"]


def test_healthz_is_503_when_the_store_cannot_be_reached(seed_service: ChatService, encoder) -> None:
    from tests.corpus import SEED
    from tests.fakes import as_store, memory_index

    store = memory_index([SEED], encoder)
    service = ChatService(seed_service.settings, seed_service.chatbot, as_store(store))
    client = client_for(service)
    assert client.get("/healthz").status_code == 200
    store.collection.fail_with = ConnectionError("gone")
    with pytest.raises(IndexUnavailableError):
        store.count()  # any read that fails (a question's, the index follower's) marks it
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["ready"] is False
    assert health.json()["message"] == "the article store cannot be reached"
    assert client.get("/readyz").json() == {"ready": False, "message": "the article store cannot be reached"}
    assert client.get("/livez").status_code == 200
    store.collection.fail_with = None
    store.count()
    assert client.get("/readyz").status_code == 200


def test_readyz_is_503_without_an_index(seed_service: ChatService) -> None:
    client = client_for(ChatService(seed_service.settings, None, None, unavailable="no index: build one"))
    assert client.get("/readyz").json() == {"ready": False, "message": "no index: build one"}
    assert client.get("/livez").json() == {"alive": True}
