"""Server-side chat sessions: bounded in count, in history length and in idle time.

Memory stays bounded under load: at most ``max_sessions`` conversations of at most
``max_turns`` turns each; an idle session expires after ``ttl_s`` and the least recently
used one is dropped when the cap is reached. Ids are random and made by the server, so a
client cannot pick (or guess) someone else's conversation.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.schemas import ChatTurn
from index.errors import InputError

# Matched whole (fullmatch): "$" alone would let a trailing newline through.
_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")


def check_session_id(session_id: str | None) -> None:
    """A client's session id is 8-64 letters, digits, '-' or '_' (or none: a new session)."""
    if session_id is not None and not _ID.fullmatch(session_id):
        raise InputError("session_id must be 8-64 letters, digits, '-' or '_'.")


@dataclass
class _Session:
    turns: list[ChatTurn] = field(default_factory=list)
    touched: float = 0.0


class SessionStore:
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

    def resolve(self, session_id: str | None) -> tuple[str, list[ChatTurn]]:
        """The id to use and its history: a known live id keeps its turns, anything else starts afresh."""
        check_session_id(session_id)
        now = self._clock()
        with self._lock:
            self._expire(now)
            session = self._sessions.get(session_id) if session_id else None
            if session is None:
                session_id = secrets.token_urlsafe(16)
                session = self._sessions[session_id] = _Session(touched=now)
                self._evict()
            assert session_id is not None
            session.touched = now
            self._sessions.move_to_end(session_id)
            return session_id, list(session.turns)

    def record(self, session_id: str, history: Sequence[ChatTurn], turn: ChatTurn) -> None:
        """Store ``history`` + ``turn`` (the last ``max_turns``) as the session's conversation."""
        now = self._clock()
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:  # expired or evicted while answering: keep the answer anyway
                session = self._sessions[session_id] = _Session()
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
