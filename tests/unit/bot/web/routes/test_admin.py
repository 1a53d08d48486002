"""The publishing API on the fake encoder and an in-memory store: publish → answerable,
correct → the answer changes, take down → gone everywhere when the call returns; tokens,
browsers and bad input refused."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from bot.config import Settings
from bot.factory import build_pipeline
from bot.web.service import ChatService
from index.publish import Publisher
from index.store import open_store
from index.sync import Indexer
from tests.corpus import SEED
from tests.fakes import HashEmbeddings, fake_chunker
from tests.unit.bot.web.clients import SEED_ID, client_for, error_of

TOKEN = "s3cret-publishing-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
URL = "/api/admin/articles/harbour-ferry-strike"
STORY = {
    "title": "Ferry crews strike at Aldermoor harbour",
    "text": (
        "Ferry crews at Aldermoor harbour walked out on Monday over pay. "
        "The strike was called by the seafarers' union after talks with the operator failed. "
        "Union leader Mara Quill said the crews would stay out until Friday."
    ),
    "author": "Jo Reporter",
    "outlet": "Aldermoor Gazette",
    "published_at": "2025-05-12T08:00:00Z",
    "url": "https://gazette.example/ferry-strike",
}
ASK_STORY = {"message": "Until when will the crews stay out?", "article_id": "harbour-ferry-strike"}


def publishing_service(
    tmp_path: Path, encoder: HashEmbeddings, token: str | None = TOKEN, **settings_: Any
) -> ChatService:
    """The seed article indexed by the fake encoder into a real embedded Chroma store, with
    the publishing API on (``token``) and these settings."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path,
        rate_limit_client="",
        rate_limit_session="",
        admin_token=SecretStr(token) if token else None,
        **settings_,
    )
    store = open_store(settings)
    indexer = Indexer(store, lambda: encoder, fake_chunker(max_tokens=128, overlap_tokens=24), 10**6, 1.0)
    indexer.build([SEED])
    pipeline = build_pipeline(settings, embeddings=encoder, store=store)

    def publisher(service: ChatService) -> Publisher:
        return Publisher(indexer, nullcontext, on_change=service.follow_index_now)

    return ChatService(settings, pipeline.chatbot, store, lexical=pipeline.lexical, make_publisher=publisher)


@pytest.fixture
def client(tmp_path: Path, encoder: HashEmbeddings) -> TestClient:
    return client_for(publishing_service(tmp_path, encoder))


def test_publish_then_answer_correct_then_the_answer_changes(client: TestClient) -> None:
    created = client.put(URL, json=STORY, headers=AUTH)
    assert (
        created.status_code == 200 and created.json()["status"] == "created" and created.json()["chunks"] >= 1
    )
    answer = client.post("/api/chat", json=ASK_STORY).json()
    assert "Friday" in answer["text"] and answer["citations"][0]["article_id"] == "harbour-ferry-strike"
    assert client.put(URL, json=STORY, headers=AUTH).json()["status"] == "unchanged"
    corrected = {
        **STORY,
        "text": STORY["text"].replace("Friday", "Sunday"),
        "updated_at": "2025-05-13T10:00:00Z",
    }
    assert client.put(URL, json=corrected, headers=AUTH).json()["status"] == "updated"
    again = client.post("/api/chat", json=ASK_STORY).json()
    assert "Sunday" in again["text"] and "Friday" not in again["text"]
    indexed = client.get(URL, headers=AUTH).json()
    assert (
        indexed["fields"]["updated_at"] == "2025-05-13T10:00:00Z" and indexed["fields"]["access"] == "public"
    )
    assert indexed["chunks"] == created.json()["chunks"] and indexed["content_hash"]


def test_a_takedown_is_gone_everywhere_when_the_call_returns(client: TestClient) -> None:
    client.put(URL, json=STORY, headers=AUTH)
    assert any(a["article_id"] == "harbour-ferry-strike" for a in client.get("/api/articles").json())
    deleted = client.delete(URL, headers=AUTH)
    assert deleted.status_code == 200 and deleted.json()["deleted_chunks"] >= 1
    assert client.get(URL, headers=AUTH).status_code == 404
    assert all(a["article_id"] != "harbour-ferry-strike" for a in client.get("/api/articles").json())
    assert client.get("/api/articles/harbour-ferry-strike").status_code == 404
    answer = client.post(
        "/api/chat", json={"message": "Ferry crews strike Aldermoor harbour union Quill"}
    ).json()
    assert all(c["article_id"] != "harbour-ferry-strike" for c in answer["citations"])
    assert "Quill" not in answer["text"]
    assert client.delete(URL, headers=AUTH).status_code == 404


def test_off_without_a_token(tmp_path: Path, encoder: HashEmbeddings) -> None:
    client = client_for(publishing_service(tmp_path, encoder, token=None))
    assert client.put(URL, json=STORY, headers=AUTH).status_code in (404, 405)


@pytest.mark.parametrize(
    ("headers", "status", "kind"),
    [
        ({}, 401, "unauthorized"),
        ({"Authorization": "Bearer wrong"}, 401, "unauthorized"),
        ({"Authorization": TOKEN}, 401, "unauthorized"),
        (
            {**AUTH, "Origin": "http://127.0.0.1:7870"},
            403,
            "forbidden_origin",
        ),  # an allowed site, still a browser
    ],
)
def test_tokens_and_browsers_refused(
    client: TestClient, headers: dict[str, str], status: int, kind: str
) -> None:
    reply = client.put(URL, json=STORY, headers=headers)
    assert reply.status_code == status and error_of(reply)["type"] == kind
    assert client.get(URL, headers=AUTH).status_code == 404  # nothing written


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"published_at": "last Tuesday-ish"}, "published_at"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"html": "<p>also</p>"}, "text and html"),
        ({"access": "everyone"}, "access"),
        ({"surprise": 1}, "surprise"),
        ({"text": "Too short."}, "article text"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    client: TestClient, change: dict[str, Any], field: str
) -> None:
    reply = client.put(URL, json={**STORY, **change}, headers=AUTH)
    assert reply.status_code == 400 and field in error_of(reply)["message"]
    assert client.get(URL, headers=AUTH).status_code == 404


def test_a_bad_id_and_an_oversized_body_are_refused(client: TestClient) -> None:
    assert client.put("/api/admin/articles/Not%20An%20Id", json=STORY, headers=AUTH).status_code == 400
    huge = {**STORY, "text": "word " * 500_000}  # 2.5 MB: over the 2 MB cap
    assert client.put(URL, json=huge, headers=AUTH).status_code == 413


def test_an_article_a_source_file_owns_is_not_replaced(client: TestClient) -> None:
    reply = client.put(f"/api/admin/articles/{SEED_ID}", json=STORY, headers=AUTH)
    assert reply.status_code == 409 and error_of(reply)["type"] == "conflict"
    assert client.get(f"/api/admin/articles/{SEED_ID}", headers=AUTH).json()["origin"].endswith(SEED.name)


def test_html_is_reduced_to_its_text(client: TestClient) -> None:
    page = (
        "<html><head><title>x</title><script>steal()</script></head><body><nav>Home | Sport</nav>"
        f"<article><h1>{STORY['title']}</h1><p>{STORY['text']}</p></article></body></html>"
    )
    reply = client.put(
        URL, json={**{k: v for k, v in STORY.items() if k != "text"}, "html": page}, headers=AUTH
    )
    assert reply.status_code == 200, reply.json()
    text = client.get("/api/articles/harbour-ferry-strike").json()["text"]
    assert "Friday" in text and "steal" not in text and "Home | Sport" not in text


def test_the_larger_body_cap_is_only_for_requests_with_a_token(
    tmp_path: Path, encoder: HashEmbeddings
) -> None:
    big = {**STORY, "text": "word " * 30_000}  # 150 KB: over the usual 64 KB, under the 2 MB
    on = client_for(publishing_service(tmp_path / "on", encoder))
    assert on.put(URL, json=big).status_code == 413  # no token: the usual cap, before any parsing
    assert on.put(URL, json=big, headers=AUTH).status_code == 200
    off = client_for(publishing_service(tmp_path / "off", encoder, token=None))
    assert off.put(URL, json=big, headers=AUTH).status_code == 413


def test_a_takedown_sticks_through_builds_and_publications_until_it_is_lifted(
    tmp_path: Path, encoder: HashEmbeddings
) -> None:
    """Issue 24, item 7: a DELETE of an article its file owns succeeded, and the next build put
    it back. Now the takedown is kept (with its reason) and withholds the article from every
    source — a build of its file, a publication through this API — until it is lifted."""
    service = publishing_service(tmp_path, encoder)
    client = client_for(service)
    url = f"/api/admin/articles/{SEED_ID}"
    deleted = client.delete(url, params={"reason": "Court order\r\n<b>12</b>\x00"}, headers=AUTH)
    assert deleted.status_code == 200 and deleted.json()["taken_down"] is True
    indexer = service.publisher().indexer
    stats = indexer.build([SEED])
    assert stats.withheld == [SEED_ID] and not stats.failures and stats.added == 0
    assert "withheld 1 (taken down)" in stats.summary()
    assert SEED_ID not in indexer.store.articles()
    assert client.get(f"/api/articles/{SEED_ID}").status_code == 404
    republished = client.put(url, json=STORY, headers=AUTH)
    assert republished.status_code == 409 and "taken down" in error_of(republished)["message"]
    [listed] = client.get("/api/admin/takedowns", headers=AUTH).json()
    assert (listed["article_id"], listed["reason"]) == (SEED_ID, "Court order <b>12</b>")
    assert listed["title"] and listed["taken_down_at"].startswith("20")
    assert client.get("/api/admin/takedowns").status_code == 401  # the publishing token only
    lifted = client.delete(f"/api/admin/takedowns/{SEED_ID}", headers=AUTH)
    assert lifted.status_code == 200 and lifted.json() == {"article_id": SEED_ID, "lifted": True}
    assert client.delete(f"/api/admin/takedowns/{SEED_ID}", headers=AUTH).status_code == 404
    assert client.get("/api/admin/takedowns", headers=AUTH).json() == []
    assert indexer.build([SEED]).added == 1 and SEED_ID in indexer.store.articles()


def test_every_id_the_index_makes_can_be_published_and_taken_down(client: TestClient) -> None:
    """The probe's finding: a file "_lead.txt" is indexed as "_lead", which the API refused
    (400), so it could not be taken down. The API takes every id ``slugify`` makes."""
    from index.loaders import slugify

    assert slugify("_lead") == "_lead"
    url = "/api/admin/articles/_lead"
    assert client.put(url, json=STORY, headers=AUTH).json()["status"] == "created"
    assert client.delete(url, headers=AUTH).status_code == 200
    assert client.delete("/api/admin/takedowns/_lead", headers=AUTH).status_code == 200
    assert client.put("/api/admin/articles/-lead", json=STORY, headers=AUTH).status_code == 400
