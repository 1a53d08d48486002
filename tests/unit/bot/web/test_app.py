"""The whole web app in process: the API routes win over the Gradio chat mounted at ``/``.

The same over real HTTP from ``python app.py``: tests/e2e/test_app.py.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.app import create_app
from bot.web.service import ChatService
from tests.unit.bot.web.clients import ASK, BASE_URL


@pytest.fixture(scope="module")
def client(seed_service: ChatService) -> TestClient:
    return TestClient(create_app(seed_service), base_url=BASE_URL)


def test_page_and_docs_are_served_without_outside_fonts(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert "fonts.googleapis" not in page.text
    assert client.get("/docs").status_code == 200


def test_api_routes_win_over_the_mount(client: TestClient) -> None:
    assert client.get("/healthz").json()["ready"] is True
    assert client.post("/api/chat", json={"message": ASK}).json()["citations"]
    assert client.get("/api/nothing-here").status_code == 404


def test_unknown_api_paths_and_methods_get_the_apis_error_shape(client: TestClient) -> None:
    """Under the Gradio mount an unknown /api or /v1 path got Gradio's {"detail": "Not Found"}
    (the probe's item 4); the API's fallback routes answer them in its own shape."""
    for path in ("/api/nothing-here", "/v1/nothing-here", "/api/admin/articles/..%2F..", "/api", "/v1"):
        reply = client.get(path)
        assert reply.status_code == 404 and reply.json()["error"]["type"] == "not_found", path
    wrong = client.patch("/api/chat", json={"message": ASK})
    assert wrong.status_code == 405 and wrong.json()["error"]["type"] == "method_not_allowed"
    assert "POST" in wrong.headers["allow"]
    trace = client.request("TRACE", "/api/chat")
    assert trace.status_code == 405 and trace.json()["error"]["type"] == "method_not_allowed"
    assert client.request("PROPFIND", "/v1/else").json()["error"]["type"] == "not_found"
    assert client.get("/").status_code == 200  # the chat itself is untouched


def test_the_chat_uis_routes_answer_bad_calls_in_the_apis_shape(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The attacker probe: a lone surrogate or a malformed call on Gradio's routes got a
    plain-text 500 and a traceback quoting the reader's text in the log."""
    json_body = {"content-type": "application/json"}
    for path, body in [
        ("/gradio_api/run/respond", b'{"data":["\\ud800 who"]}'),
        ("/gradio_api/run/report", b'{"data":["Wrong","\\udc00"]}'),
    ]:
        reply = client.post(path, content=body, headers=json_body)
        assert reply.status_code == 400 and reply.json()["error"]["type"] == "bad_request", path
    assert client.get("/gradio_api/queue/data?session_hash=abc%ED%A0%80").status_code == 400
    secret = "PRIVATE-READER-QUESTION-42"
    for path, body in [
        ("/gradio_api/run/nope", b'{"data":[]}'),
        ("/gradio_api/run/rate", b'{"data":[{}]}'),
        (
            "/gradio_api/run/respond",
            b'{"data":["Who?",[{"role":"user","content":"%s"}],null]}' % secret.encode(),
        ),
    ]:
        reply = client.post(path, content=body, headers=json_body)
        assert reply.status_code == 500 and reply.json()["error"]["type"] == "internal_error", path
    assert not any(secret in r.getMessage() or r.exc_info for r in caplog.records)
    pair = client.post(
        "/gradio_api/run/respond", content=b'{"data":["\\ud83d\\ude00",[],null]}', headers=json_body
    )
    assert pair.status_code != 400  # a surrogate pair (an emoji) is text
