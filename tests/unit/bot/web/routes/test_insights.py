"""The editors' page: off without the token; bearer for scripts, a login cookie for browsers;
what readers wrote is shown as text; the CSV export cannot run formulas."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import text

from bot.web.auth import EDITOR_COOKIE, editor_cookie
from bot.web.service import ChatService
from tests.unit.bot.web.clients import ASK, SEED_ID, client_for, error_of, service_with

TOKEN = "editors-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def editors(seed_service: ChatService, tmp_path: Path) -> Iterator[ChatService]:
    service = service_with(seed_service, record=True, data_dir=tmp_path, editor_token=SecretStr(TOKEN))
    yield service
    service.close()


def ask_and_rate(client: Any, service: ChatService, message: str = ASK, **vote: Any) -> dict[str, Any]:
    answer: dict[str, Any] = client.post("/api/chat", json={"message": message, "article_id": SEED_ID}).json()
    if vote:
        assert (
            client.post("/api/feedback", json={"answer_id": answer["answer_id"], **vote}).status_code == 200
        )
    assert service.recorder.flush()
    return answer


def test_without_the_editor_token_there_is_no_page(seed_service: ChatService, tmp_path: Path) -> None:
    client = client_for(service_with(seed_service, record=True, data_dir=tmp_path))
    assert client.get("/admin").status_code == 404
    assert client.post("/admin/login", data={"token": "x"}).status_code == 404


def test_anyone_else_gets_the_login_form(editors: ChatService) -> None:
    client = client_for(editors)
    typed = client.get("/admin/login", follow_redirects=False)  # the probe: was the chat's 404
    assert typed.status_code == 303 and typed.headers["location"] == "/admin"
    response = client.get("/admin")
    assert response.status_code == 401 and 'name="token"' in response.text
    assert client.get("/admin", headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code == 401
    assert client.get("/admin/export.csv").status_code == 401


def test_a_script_reads_the_page_with_the_bearer_token(editors: ChatService) -> None:
    client = client_for(editors)
    ask_and_rate(client, editors, rating="down", reason="wrong", comment="Wrong number")
    response = client.get("/admin?days=7", headers=AUTH)
    assert response.status_code == 200
    assert "Newsroom insights" in response.text and ASK.replace("'", "&#x27;") in response.text
    assert "Wrong number" in response.text and "<svg" in response.text
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


def test_a_browser_logs_in_and_out_with_a_cookie(editors: ChatService) -> None:
    client = client_for(editors)
    wrong = client.post("/admin/login", data={"token": "not-the-token"}, follow_redirects=False)
    assert wrong.status_code == 401 and EDITOR_COOKIE not in wrong.cookies
    login = client.post("/admin/login", data={"token": TOKEN}, follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/admin"
    cookie = login.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/admin" in cookie
    assert TOKEN not in login.headers["set-cookie"]
    assert client.get("/admin").status_code == 200  # the cookie is sent back
    client.post("/admin/logout", follow_redirects=False)
    assert client.get("/admin").status_code == 401


def test_an_expired_or_forged_cookie_is_refused(editors: ChatService) -> None:
    client = client_for(editors)
    assert editors.recorder.flush()  # the tables exist
    expired = editor_cookie(SecretStr(TOKEN), now=time.time() - 13 * 3600)
    forged = editor_cookie(SecretStr("another-token-0123456789"))
    for value in (expired, forged, "9999999999.abc", "garbage", "9" * 5000 + ".ab"):
        client.cookies.set(EDITOR_COOKIE, value)
        assert client.get("/admin").status_code == 401
    raw = f"{EDITOR_COOKIE}=9999999999.".encode() + "é".encode("latin-1") * 64  # not ASCII: no 500
    client.cookies.clear()
    assert client.get("/admin", headers=[(b"cookie", raw)]).status_code == 401
    client.cookies.set(EDITOR_COOKIE, editor_cookie(SecretStr(TOKEN)))
    assert client.get("/admin").status_code == 200


def test_what_readers_wrote_is_shown_as_text(editors: ChatService) -> None:
    client = client_for(editors)
    ask_and_rate(client, editors, message=f"What about {XSS}?", rating="down", reason="other", comment=XSS)
    page = client.get("/admin", headers=AUTH).text
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_csv_export_has_the_questions_and_votes_and_defuses_formulas(editors: ChatService) -> None:
    client = client_for(editors)
    answer = ask_and_rate(client, editors, rating="down", reason="outdated", comment='=HYPERLINK("http://x")')
    response = client.get("/admin/export.csv?days=1", headers=AUTH)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.text.startswith("\ufeffasked_at,")  # the BOM: Excel then reads UTF-8
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert len(rows) == 1 and rows[0]["id"] == answer["answer_id"] and rows[0]["question"] == ASK
    assert rows[0]["rating"] == "down" and rows[0]["reason"] == "outdated"
    assert rows[0]["comment"] == '\'=HYPERLINK("http://x")' and rows[0]["article_id"] == SEED_ID
    assert rows[0]["refused"] in ("true", "false") and len(rows[0]["session"]) == 32


def test_the_page_says_when_recording_is_off(seed_service: ChatService, tmp_path: Path) -> None:
    client = client_for(
        service_with(seed_service, record=False, data_dir=tmp_path, editor_token=SecretStr(TOKEN))
    )
    response = client.get("/admin", headers=AUTH)
    assert response.status_code == 200 and "Recording is off" in response.text


def test_the_editors_token_reads_and_the_publishing_token_does_not(
    seed_service: ChatService, tmp_path: Path
) -> None:
    """Issue 24, item 8: editors get a read-only token of their own; the CMS's publishing token
    no longer opens /admin, and the editors' token publishes nothing."""
    publishing = "publishing-token-0123456789"
    service = service_with(
        seed_service,
        record=True,
        data_dir=tmp_path,
        editor_token=SecretStr(TOKEN),
        admin_token=SecretStr(publishing),
    )
    client = client_for(service)
    ask_and_rate(client, service)  # the records' tables exist once something was written
    assert client.get("/admin", headers=AUTH).status_code == 200
    assert client.get("/admin", headers={"Authorization": f"Bearer {publishing}"}).status_code == 401
    assert (
        client.get("/admin/export.csv", headers={"Authorization": f"Bearer {publishing}"}).status_code == 401
    )
    story = {"title": "A story", "text": "The harbour reopened on Monday after the long strike ended."}
    put = client.put("/api/admin/articles/a-story", json=story, headers=AUTH)
    assert put.status_code == 401
    service.close()


def test_the_takedowns_in_force_are_listed_as_text(editors: ChatService) -> None:
    from index.store import Takedown

    client = client_for(editors)
    ask_and_rate(client, editors)
    store: Any = editors.store
    store.taken_down.append(Takedown("court-case", "2026-12-07T09:00:00+00:00", XSS, "A <i>title</i>"))
    try:
        page = client.get("/admin", headers=AUTH).text
    finally:
        store.taken_down.clear()
    assert "<h2>Taken down</h2>" in page and "court-case" in page and "2026-12-07T09:00:00+00:00" in page
    assert XSS not in page and "&lt;script&gt;" in page and "A &lt;i&gt;title&lt;/i&gt;" in page


def test_the_page_says_when_its_figures_were_counted(editors: ChatService) -> None:
    """Issue 24, item 11: the figures are kept a minute per period (bot.records.insights)."""
    client = client_for(editors)
    ask_and_rate(client, editors)
    page = client.get("/admin", headers=AUTH).text
    assert re.search(r"As of \d\d:\d\d UTC \(figures over 60 s old are recounted", page)
    assert client.get("/admin", headers=AUTH).text == page  # the same figures, kept


def test_a_database_that_cannot_be_read_is_a_503(editors: ChatService) -> None:
    client = client_for(editors)
    assert editors.recorder.flush()  # the tables exist, then one is gone
    engine = editors.recorder.engine
    assert engine is not None
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE questions"))
    response = client.get("/admin", headers=AUTH)
    assert response.status_code == 503 and error_of(response)["type"] == "unavailable"
