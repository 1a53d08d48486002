"""The newsroom's side, end to end with the real app, model and Chroma: a CMS publishes,
corrects and takes down articles through the publishing API; the change is in the answers
when the call returns (embedded store), reaches the other replica on a shared ``chroma run``
server by itself, and a takedown made by another process (``python -m index remove``) leaves
the running app without a restart."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.corpus import SEED
from tests.e2e.servers import eventually, run_module, start_app, start_chroma, stop_app

TOKEN = "e2e-publishing-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ADMIN_ENV = {"NEWSBOT_ADMIN_TOKEN": TOKEN, "NEWSBOT_RATE_LIMIT_SESSION": ""}
ARTICLE = "aldermoor-harbour-chief"
STORY = {
    "title": "Aldermoor harbour authority names a new chief",
    "text": (
        "The Aldermoor harbour authority named Quentin Vasquez as its new chief on Monday. "
        "Vasquez said the ferry timetable would be restored by Friday. "
        "The previous chief resigned after a year of delays and strikes at the port."
    ),
    "outlet": "Aldermoor Gazette",
    "author": "Jo Reporter",
    "published_at": "2025-05-12T08:00:00Z",
    "url": "https://gazette.example/harbour-chief",
}
QUESTION = "By when will Vasquez restore the ferry timetable?"


def _ask(base: str, scoped: bool = True) -> dict[str, Any]:
    body = {"message": QUESTION, **({"article_id": ARTICLE} if scoped else {})}
    reply = httpx.post(f"{base}/api/chat", json=body, timeout=60)
    return dict(reply.json()) if reply.status_code == 200 else {"status": reply.status_code}


def _cites(answer: dict[str, Any]) -> bool:
    return any(c["article_id"] == ARTICLE for c in answer.get("citations") or [])


def _gone(base: str) -> bool:
    """Nowhere a reader could find it: the list, the article route, the reader page, answers."""
    listed = {a["article_id"] for a in httpx.get(f"{base}/api/articles", timeout=10).json()}
    return (
        ARTICLE not in listed
        and httpx.get(f"{base}/api/articles/{ARTICLE}", timeout=10).status_code == 404
        and httpx.get(f"{base}/read/{ARTICLE}", timeout=10).status_code == 404
        and not _cites(_ask(base, scoped=False))
    )


@pytest.fixture()
def app(tmp_path: Path, served_index: Path) -> Iterator[tuple[str, Path]]:
    data = tmp_path / "data"
    shutil.copytree(served_index, data)
    proc, base = start_app(data, ADMIN_ENV)
    try:
        yield base, data
    finally:
        stop_app(proc)


def test_publish_correct_and_take_down_through_the_api(app: tuple[str, Path]) -> None:
    base, _ = app
    url = f"{base}/api/admin/articles/{ARTICLE}"
    assert httpx.put(url, json=STORY, timeout=10).status_code == 401  # no token
    published = httpx.put(url, json=STORY, headers=AUTH, timeout=60)
    assert published.status_code == 200 and published.json()["status"] == "created"
    answer = _ask(base)
    assert _cites(answer) and "Friday" in answer["text"]  # answerable when the PUT returned
    corrected = {
        **STORY,
        "text": STORY["text"].replace("Friday", "Sunday"),
        "updated_at": "2025-05-13T10:00:00Z",
    }
    assert httpx.put(url, json=corrected, headers=AUTH, timeout=60).json()["status"] == "updated"
    again = _ask(base)
    assert "Sunday" in again["text"] and "Friday" not in again["text"]
    indexed = httpx.get(url, headers=AUTH, timeout=10).json()
    assert indexed["chunks"] >= 1 and indexed["fields"]["updated_at"] == "2025-05-13T10:00:00Z"
    assert httpx.delete(url, headers=AUTH, timeout=60).status_code == 200
    assert _gone(base)  # at once: no waiting, no retry


def test_a_takedown_by_another_process_leaves_the_running_app(app: tuple[str, Path]) -> None:
    base, data = app
    httpx.put(f"{base}/api/admin/articles/{ARTICLE}", json=STORY, headers=AUTH, timeout=60).raise_for_status()
    removed = run_module("index", ["remove", ARTICLE], {**os.environ, "NEWSBOT_DATA_DIR": str(data)})
    assert removed.returncode == 0, removed.stderr
    assert eventually(lambda: _gone(base), 20)


def test_a_change_through_one_replica_reaches_the_other(tmp_path: Path) -> None:
    chroma, port = start_chroma(tmp_path / "chroma")
    env = {**ADMIN_ENV, "NEWSBOT_CHROMA_HOST": "127.0.0.1", "NEWSBOT_CHROMA_PORT": str(port)}
    settings_env = {**os.environ, "NEWSBOT_DATA_DIR": str(tmp_path / "data"), **env}
    built = run_module("index", ["build", str(SEED)], settings_env)
    assert built.returncode == 0, built.stderr
    a = start_app(tmp_path / "data", env)
    # Another machine: its own data folder, its lexical index fed from the writers' change log.
    b = start_app(tmp_path / "data-b", {**env, "NEWSBOT_FOLLOW_STORE_CHANGES": "true"})
    try:
        url = f"{a[1]}/api/admin/articles/{ARTICLE}"
        httpx.put(url, json=STORY, headers=AUTH, timeout=60).raise_for_status()
        assert eventually(lambda: _cites(_ask(b[1])), 20)
        httpx.delete(url, headers=AUTH, timeout=60).raise_for_status()
        assert _gone(a[1])
        assert eventually(lambda: _gone(b[1]), 20)
    finally:
        for proc, _ in (a, b):
            stop_app(proc)
        chroma.terminate()
        chroma.wait(timeout=20)


def test_a_feed_item_is_answerable_after_one_watch_cycle(app: tuple[str, Path]) -> None:
    """A feed on a local site, `index add-feed`, `index watch` beside the running app: a new
    item is fetched, indexed and answered; the watcher prints one line for it."""
    from tests.feed_server import article_page, rss, serving

    base, data = app
    (data / "no-files").mkdir()
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(data), "NEWSBOT_SOURCE_DIR": str(data / "no-files")}
    with serving() as site:
        site.pages["/robots.txt"] = ("text/plain", b"User-agent: *\nAllow: /\n")
        site.pages["/harbour.html"] = article_page(STORY["title"], STORY["text"])
        site.pages["/rss.xml"] = rss(
            site.base, [("/harbour.html", STORY["title"], "Mon, 12 May 2025 08:00:00 GMT")]
        )
        assert run_module("index", ["add-feed", f"{site.base}/rss.xml"], env).returncode == 0
        watch = run_module("index", ["watch", "--once"], env)
        assert watch.returncode == 0, watch.stderr
        added = [line for line in watch.stdout.splitlines() if " added " in line]
        assert len(added) == 1, watch.stdout
        article_id = added[0].split()[2]

        def answered() -> bool:
            reply = httpx.post(f"{base}/api/chat", json={"message": QUESTION}, timeout=60).json()
            return (
                any(c["article_id"] == article_id for c in reply.get("citations") or [])
                and "Friday" in reply["text"]
            )

        assert eventually(answered, 20)
        listed = run_module("index", ["feeds"], env)
        assert f"{site.base}/rss.xml" in listed.stdout and "1 items seen" in listed.stdout
