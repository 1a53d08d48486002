"""Server-side chat sessions: bounded in count, in history length and in idle time.

Memory stays bounded under load: at most ``max_sessions`` conversations of at most
``max_turns`` turns each; an idle session expires after ``ttl_s`` and the least recently
used one is dropped when the cap is reached. Ids are random and made by the server, so a
client cannot pick (or guess) someone else's conversation. A session also belongs to the
client it was made for (``owner``: a hash of its address): an id sent from another address
starts a new conversation, so a leaked id shows and steers nothing of the first one.

Two stores with one protocol: ``MemorySessions`` (one process) and ``RedisSessions`` (shared
by the app's replicas, ``NEWSBOT_REDIS_URL``); ``make_sessions`` picks one.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.schemas import ChatTurn
from index.errors import InputError
from index.guard import CallGuard

if TYPE_CHECKING:
    from redis import Redis

# Matched whole (fullmatch): "$" alone would let a trailing newline through.
_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def check_session_id(session_id: str | None) -> None:
    """A client's session id is 8-64 letters, digits, '-' or '_' (or none: a new session)."""
    if session_id is not None and not _ID.fullmatch(session_id):
        raise InputError("session_id must be 8-64 letters, digits, '-' or '_'.")


def new_session_id() -> str:
    return secrets.token_urlsafe(16)


@dataclass
class _Session:
    owner: str
    turns: list[ChatTurn] = field(default_factory=list)
    touched: float = 0.0


class Sessions(Protocol):
    def resolve(self, session_id: str | None, owner: str = "") -> tuple[str, list[ChatTurn]]:
        """The id to use and its history: a known live id of this owner keeps its turns,
        anything else starts afresh (with a new id)."""
        ...

    def record(self, session_id: str, history: Sequence[ChatTurn], turn: ChatTurn, owner: str = "") -> None:
        """Store ``history`` + ``turn`` (the last ``max_turns``) as the session's conversation."""
        ...

    def __len__(self) -> int:
        """Live sessions (a shared store: as last counted; never a network call)."""
        ...


def owner_of(client: str) -> str:
    """What a session is bound to: a hash of the client's key, never the address itself."""
    return hashlib.sha256(client.encode()).hexdigest()[:32]


class MemorySessions:
    """Thread-safe LRU of conversations with a TTL (the HTTP server answers from many threads)."""

    def __init__(
        self,
        ttl_s: float,
        max_sessions: int,
        max_turns: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self.max_turns = max_turns
        self._clock = clock
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._sessions)

    def resolve(self, session_id: str | None, owner: str = "") -> tuple[str, list[ChatTurn]]:
        check_session_id(session_id)
        now = self._clock()
        with self._lock:
            self._expire(now)
            session = self._sessions.get(session_id) if session_id else None
            if session is None or session.owner != owner:
                session_id = new_session_id()
                session = self._sessions[session_id] = _Session(owner, touched=now)
                self._evict()
            assert session_id is not None
            session.touched = now
            self._sessions.move_to_end(session_id)
            return session_id, list(session.turns)

    def record(self, session_id: str, history: Sequence[ChatTurn], turn: ChatTurn, owner: str = "") -> None:
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:  # expired or evicted while answering: keep the answer anyway
                session = self._sessions[session_id] = _Session(owner)
                self._evict()
            session.turns = [*history, turn][-self.max_turns :]
            session.touched = now
            self._sessions.move_to_end(session_id)

    def _expire(self, now: float) -> None:
        # Oldest first: stop at the first live one.
        while self._sessions:
            oldest_id, oldest = next(iter(self._sessions.items()))
            if now - oldest.touched <= self.ttl_s:
                return
            del self._sessions[oldest_id]

    def _evict(self) -> None:
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)


class RedisSessions:
    """Sessions in Redis, shared by every replica: one JSON value per session with an idle
    TTL, and a sorted set of ids by last use that keeps their number at ``max_sessions``.
    Every call goes through ``guard`` (a deadline; a lost Redis is a 503, not a hang)."""

    KEY = "newsbot:session:"
    INDEX = "newsbot:sessions"

    def __init__(
        self, redis: Redis, guard: CallGuard, ttl_s: float, max_sessions: int, max_turns: int
    ) -> None:
        self._redis = redis
        self._guard = guard
        self.ttl_s = ttl_s
        self.max_sessions = max_sessions
        self.max_turns = max_turns
        self._known = 0

    def __len__(self) -> int:
        return self._known

    def resolve(self, session_id: str | None, owner: str = "") -> tuple[str, list[ChatTurn]]:
        check_session_id(session_id)
        if session_id:
            stored = self._guard.call(lambda: self._redis.get(self.KEY + session_id))
            session = json.loads(stored) if stored else None
            if session and session.get("owner") == owner:
                return session_id, [ChatTurn(**t) for t in session.get("turns", [])]
        # A new conversation is written with its first answer (record): nothing to store yet.
        return new_session_id(), []

    def record(self, session_id: str, history: Sequence[ChatTurn], turn: ChatTurn, owner: str = "") -> None:
        turns = [t.model_dump() for t in [*history, turn][-self.max_turns :]]
        value = json.dumps({"owner": owner, "turns": turns})
        self._known = self._guard.call(lambda: self._write(session_id, value))

    def _write(self, session_id: str, value: str) -> int:
        now = time.time()
        pipe = self._redis.pipeline()
        pipe.set(self.KEY + session_id, value, px=int(self.ttl_s * 1000))
        pipe.zadd(self.INDEX, {session_id: now})
        pipe.zremrangebyscore(self.INDEX, 0, now - self.ttl_s)  # their values expired already
        pipe.zcard(self.INDEX)
        count = int(pipe.execute()[-1])
        if count > self.max_sessions:  # the least recently used go, as in memory
            popped: list[tuple[bytes, float]] = self._redis.zpopmin(self.INDEX, count - self.max_sessions)  # type: ignore[assignment]
            self._redis.delete(*[self.KEY + member.decode() for member, _ in popped])
            count = self.max_sessions
        return count
