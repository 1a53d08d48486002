"""Sessions and rate limits in a real ``redis-server`` (shared by replicas), and what happens
when Redis hangs or dies: a prompt 503 "unavailable", then recovery without a restart."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.schemas import ChatTurn
from bot.web.errors import RateLimitError, SharedStateUnavailableError
from bot.web.sessions import MemorySessions, Sessions, owner_of
from bot.web.shared import SharedState, make_shared_state, redis_location
from tests.e2e.servers import eventually, start_redis


@pytest.fixture()
def redis_url(tmp_path: Path) -> Iterator[str]:
    proc, url = start_redis(tmp_path)
    try:
        yield url
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        proc.wait(timeout=20)


def _state(url: str, **changes: object) -> SharedState:
    settings = Settings(_env_file=None, redis_url=SecretStr(url), redis_timeout_s=0.5)  # type: ignore[call-arg]
    return make_shared_state(settings.model_copy(update=changes))


def turn(i: int) -> ChatTurn:
    return ChatTurn(question=f"q{i}", answer=f"a{i}")


def _sessions(kind: str, url: str) -> tuple[Sessions, Sessions]:
    """Two replicas' views of the sessions: one shared Redis, or (memory) one store twice."""
    if kind == "memory":
        store = MemorySessions(ttl_s=60, max_sessions=3, max_turns=2)
        return store, store
    return _state(url, max_sessions=3, history_turns=2).sessions, _state(url).sessions


@pytest.mark.parametrize("kind", ["memory", "redis"])
def test_the_session_contract(kind: str, redis_url: str) -> None:
    """What both stores promise: server ids, bounded turns, owner binding, LRU cap."""
    a, b = _sessions(kind, redis_url)
    me, stranger = owner_of("203.0.113.7"), owner_of("198.51.100.9")
    sid, history = a.resolve(None, me)
    assert history == [] and len(sid) >= 16
    for i in range(3):
        a.record(sid, history, turn(i), me)
        _, history = b.resolve(sid, me)  # the other replica sees it
    assert history == [turn(1), turn(2)]
    other, seen = b.resolve(sid, stranger)
    assert other != sid and seen == []
    for _ in range(3):  # three newer conversations: the cap (3) drops the oldest
        newer, _ = a.resolve(None, me)
        a.record(newer, [], turn(9), me)
    assert b.resolve(sid, me)[0] != sid and len(a) == 3


def test_sessions_expire_after_their_idle_time_in_redis(redis_url: str) -> None:
    import time

    sessions = _state(redis_url, session_ttl_s=0.3).sessions
    sid, _ = sessions.resolve(None)
    sessions.record(sid, [], turn(1))
    assert sessions.resolve(sid)[1] == [turn(1)]
    time.sleep(0.5)
    assert sessions.resolve(sid)[0] != sid


def test_two_replicas_share_one_rate_limit(redis_url: str) -> None:
    a = _state(redis_url, rate_limit_client="3/minute").limiter
    b = _state(redis_url, rate_limit_client="3/minute").limiter
    a.check("198.51.100.9")
    b.check("198.51.100.9")
    a.check("198.51.100.9")
    with pytest.raises(RateLimitError) as raised:
        b.check("198.51.100.9")
    assert raised.value.retry_after_s >= 1
    b.check("203.0.113.7")  # another client has its own limit


def test_a_hung_then_resumed_redis_gives_503s_then_recovers(tmp_path: Path) -> None:
    proc, url = start_redis(tmp_path)
    try:
        state = _state(url)
        sid, _ = state.sessions.resolve(None)
        state.sessions.record(sid, [], turn(1))
        os.kill(proc.pid, signal.SIGSTOP)
        with pytest.raises(SharedStateUnavailableError, match=r"did not answer|cannot be reached"):
            state.limiter.check("198.51.100.9")
        with pytest.raises(SharedStateUnavailableError):
            state.sessions.resolve(sid)
        assert not state.reachable
        os.kill(proc.pid, signal.SIGCONT)
        assert eventually(
            lambda: state.sessions.resolve(sid)[1] == [turn(1)], ignoring=(SharedStateUnavailableError,)
        )
        state.limiter.check("198.51.100.9")
        assert state.reachable
    finally:
        _stop(proc)


def test_a_killed_redis_gives_503s_and_a_restarted_one_is_used_again(tmp_path: Path) -> None:
    proc, url = start_redis(tmp_path)
    state = _state(url)
    state.limiter.check("198.51.100.9")
    proc.kill()
    proc.wait(timeout=20)
    with pytest.raises(SharedStateUnavailableError, match=r"cannot be reached|did not answer"):
        state.limiter.check("198.51.100.9")
    port = int(url.removesuffix("/0").rsplit(":", 1)[1])
    again, _ = start_redis(tmp_path, port=port)
    try:
        assert eventually(lambda: _allowed(state))
    finally:
        _stop(again)


def test_the_password_never_reaches_a_message() -> None:
    secret_url = "redis://:hunter2@127.0.0.1:1/0"  # port 1: refused
    assert redis_location(secret_url) == "redis://127.0.0.1:1/0"
    state = _state(secret_url)
    with pytest.raises(SharedStateUnavailableError) as raised:
        state.limiter.check("198.51.100.9")
    assert "hunter2" not in str(raised.value)


def _allowed(state: SharedState) -> bool:
    try:
        state.limiter.check("203.0.113.50")
    except SharedStateUnavailableError:
        return False
    return True
