"""Server-side sessions: ids made by the server, TTL, LRU cap, bounded history."""

from __future__ import annotations

import pytest

from bot.schemas import ChatTurn
from bot.web.sessions import MemorySessions, owner_of
from index.errors import InputError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def turn(i: int) -> ChatTurn:
    return ChatTurn(question=f"q{i}", answer=f"a{i}")


def test_new_session_gets_a_random_server_id_and_keeps_turns() -> None:
    store = MemorySessions(ttl_s=60, max_sessions=10, max_turns=3)
    sid, history = store.resolve(None)
    assert history == [] and len(sid) >= 16
    store.record(sid, history, turn(1))
    again, history = store.resolve(sid)
    assert again == sid and history == [turn(1)]
    assert store.resolve(None)[0] != sid


def test_unknown_or_expired_id_starts_a_fresh_session() -> None:
    clock = Clock()
    store = MemorySessions(ttl_s=60, max_sessions=10, max_turns=3, clock=clock)
    unknown, history = store.resolve("not-a-known-session")
    assert unknown != "not-a-known-session" and history == []
    store.record(unknown, [], turn(1))
    clock.now += 61
    fresh, history = store.resolve(unknown)
    assert fresh != unknown and history == []
    assert len(store) == 1


def test_history_is_capped_to_max_turns() -> None:
    store = MemorySessions(ttl_s=60, max_sessions=10, max_turns=3)
    sid, history = store.resolve(None)
    for i in range(5):
        store.record(sid, history, turn(i))
        _, history = store.resolve(sid)
    assert history == [turn(2), turn(3), turn(4)]


def test_session_count_is_capped_least_recently_used_first() -> None:
    clock = Clock()
    store = MemorySessions(ttl_s=600, max_sessions=3, max_turns=2, clock=clock)
    ids = []
    for _ in range(3):
        clock.now += 1
        ids.append(store.resolve(None)[0])
    clock.now += 1
    store.resolve(ids[0])  # touch the oldest: the second one is now least recently used
    clock.now += 1
    store.resolve(None)
    assert len(store) == 3
    assert store.resolve(ids[0])[0] == ids[0]
    assert store.resolve(ids[1])[0] != ids[1]


@pytest.mark.parametrize("bad", ["short", "has space in it", "x" * 65, "semi;colon-id", "abcdefgh1234\n"])
def test_malformed_session_ids_are_rejected(bad: str) -> None:
    with pytest.raises(InputError):
        MemorySessions(ttl_s=60, max_sessions=2, max_turns=2).resolve(bad)


def test_a_session_belongs_to_the_client_it_was_made_for() -> None:
    store = MemorySessions(ttl_s=60, max_sessions=10, max_turns=3)
    sid, _ = store.resolve(None, owner=owner_of("203.0.113.7"))
    store.record(sid, [], turn(1), owner=owner_of("203.0.113.7"))
    other, history = store.resolve(sid, owner=owner_of("198.51.100.9"))  # a leaked id
    assert other != sid and history == []
    assert store.resolve(sid, owner=owner_of("203.0.113.7")) == (sid, [turn(1)])


def test_the_owner_is_a_hash_never_the_address() -> None:
    owner = owner_of("203.0.113.7")
    assert "203.0.113.7" not in owner and owner == owner_of("203.0.113.7") != owner_of("203.0.113.8")
