"""Two app replicas on one ``chroma run`` server and one ``redis-server``, as a newsroom runs
them behind a load balancer: a conversation moves between replicas, the rate limit is one
limit, an article re-indexed into the shared store is answered by both, a replica killed
mid-stream leaves the other serving, and a hung Redis gives 503s, then recovery."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from tests.corpus import SEED
from tests.e2e.servers import eventually, start_app, start_chroma, start_redis, stop_app

WHO = "Who leads Russia's delegation?"
FOLLOW = "What was his job before?"
CLIENT_TIMEOUT_S = 40  # far above the app's timeouts: an answer within it is the app's own
LIMIT = 6  # questions per client per minute, shared by both replicas


@dataclass
class Newsroom:
    chroma: subprocess.Popen[bytes]
    redis: subprocess.Popen[bytes]
    a: tuple[subprocess.Popen[str], str]
    b: tuple[subprocess.Popen[str], str]
    settings: Settings


@pytest.fixture()
def newsroom(tmp_path: Path, embeddings) -> Iterator[Newsroom]:
    from index.factory import make_indexer

    redis, redis_url = start_redis(tmp_path)
    chroma, port = start_chroma(tmp_path / "chroma")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path / "data",
        source_dir=sources,
        chroma_host="127.0.0.1",
        chroma_port=port,
    )
    make_indexer(settings, embeddings=embeddings).build([sources / SEED.name])
    env = {
        "NEWSBOT_CHROMA_HOST": "127.0.0.1",
        "NEWSBOT_CHROMA_PORT": str(port),
        "NEWSBOT_REDIS_URL": redis_url,
        "NEWSBOT_REDIS_TIMEOUT_S": "1",
        "NEWSBOT_RATE_LIMIT_CLIENT": f"{LIMIT}/minute",
        "NEWSBOT_RATE_LIMIT_SESSION": "",
    }
    a = start_app(tmp_path / "data", env)
    b = start_app(tmp_path / "data", env)
    try:
        yield Newsroom(chroma, redis, a, b, settings)
    finally:
        for proc, _ in (a, b):
            if proc.poll() is None:
                stop_app(proc)
        for server in (redis, chroma):
            if server.poll() is None:
                os.kill(server.pid, signal.SIGCONT)
                server.terminate()
                server.wait(timeout=20)


def _chat(base: str, message: str, session_id: str | None = None) -> httpx.Response:
    body = {"message": message, "session_id": session_id} if session_id else {"message": message}
    return httpx.post(f"{base}/api/chat", json=body, timeout=CLIENT_TIMEOUT_S)


def test_a_conversation_and_the_rate_limit_are_shared_by_the_replicas(newsroom: Newsroom) -> None:
    (_, a), (_, b) = newsroom.a, newsroom.b
    first = _chat(a, WHO).json()
    assert "Medinsky" in first["text"]
    follow = _chat(b, FOLLOW, first["session_id"]).json()  # the other replica knows the context
    assert follow["session_id"] == first["session_id"] and "culture minister" in follow["text"]
    codes = [_chat(base, WHO).status_code for base in [a, b] * (LIMIT // 2)]
    assert codes[: LIMIT - 2] == [200] * (LIMIT - 2) and set(codes[LIMIT - 2 :]) == {429}


def test_an_article_re_indexed_into_the_shared_store_is_answered_by_both(
    newsroom: Newsroom, embeddings
) -> None:
    from index.factory import make_indexer

    (_, a), (_, b) = newsroom.a, newsroom.b
    source = newsroom.settings.source_dir / SEED.name
    source.write_text(source.read_text(encoding="utf-8").replace("Medinsky", "Petrovsky"), encoding="utf-8")
    make_indexer(newsroom.settings, embeddings=embeddings).build([source])
    article = httpx.get(f"{a}/api/articles", timeout=10).json()[0]["article_id"]
    for base in (a, b):  # each replica's follower picks up the change (no restart)
        text = lambda base=base: httpx.get(f"{base}/api/articles/{article}", timeout=10).json()["text"]  # noqa: E731
        assert eventually(lambda text=text: "Petrovsky" in text() and "Medinsky" not in text())  # type: ignore[misc]
        assert "Petrovsky" in _chat(base, WHO).json()["text"]


def test_killing_a_replica_mid_stream_leaves_the_other_serving(newsroom: Newsroom) -> None:
    (proc_a, a), (_, b) = newsroom.a, newsroom.b
    with httpx.stream(
        "POST", f"{a}/api/chat/stream", json={"message": WHO}, timeout=CLIENT_TIMEOUT_S
    ) as reply:
        lines = reply.iter_lines()
        assert next(lines).startswith("event: session")
        proc_a.kill()
        proc_a.wait(timeout=20)
    assert _chat(b, WHO).status_code == 200
    assert httpx.get(f"{b}/readyz", timeout=5).status_code == 200


def test_a_hung_redis_gives_503s_and_the_replicas_recover(newsroom: Newsroom) -> None:
    (_, a), (_, b) = newsroom.a, newsroom.b
    assert _chat(a, WHO).status_code == 200
    os.kill(newsroom.redis.pid, signal.SIGSTOP)
    reply = _chat(b, WHO)
    assert reply.status_code == 503 and reply.json()["error"]["type"] == "unavailable"
    assert httpx.get(f"{b}/readyz", timeout=5).status_code == 503
    assert httpx.get(f"{a}/livez", timeout=5).status_code == 200
    os.kill(newsroom.redis.pid, signal.SIGCONT)
    for base in (a, b):
        assert eventually(lambda base=base: _chat(base, WHO).status_code == 200)  # type: ignore[misc]
        assert eventually(lambda base=base: httpx.get(f"{base}/readyz", timeout=5).status_code == 200)  # type: ignore[misc]
