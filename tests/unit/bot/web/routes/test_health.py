"""``GET /healthz``: ready or not, index size, models, answerer, store mode."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.service import ChatService
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
    client = client_for(ChatService(seed_service.settings, seed_service.chatbot, as_store(store)))
    assert client.get("/healthz").status_code == 200
    store.collection.fail_with = ConnectionError("gone")
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["ready"] is False
    assert health.json()["message"] == "the article store cannot be reached"
