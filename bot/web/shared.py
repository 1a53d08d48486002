"""What the app's replicas must agree on: chat sessions and rate-limit counters.

In this process's memory by default; in Redis when ``NEWSBOT_REDIS_URL`` is set, so that a
conversation started on one replica continues on another and a client's limit is one limit
however many replicas answer it. Redis calls are bounded like the store's: a blocking
connection pool of fixed size, socket timeouts, and a ``CallGuard`` (deadline, fail-fast
cool-down, a 503 "unavailable" while Redis is lost, recovery without a restart).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config import Settings
from bot.web.errors import SharedStateUnavailableError
from bot.web.ratelimit import RateLimiter
from bot.web.sessions import MemorySessions, RedisSessions, Sessions
from index.errors import ConfigError
from index.guard import CallGuard, GuardConfig


@dataclass(frozen=True)
class RedisConfig:
    # Connections per replica: at most one per answering thread (settings.answer_threads,
    # default 16) and as many again for rate-limit checks, which run before answering.
    connections_per_thread: int = 2
    key_prefix: str = "newsbot-limits"


@dataclass
class SharedState:
    sessions: Sessions
    limiter: RateLimiter
    guard: CallGuard | None  # Redis's, when used: readiness reports it

    @property
    def reachable(self) -> bool:
        return self.guard is None or self.guard.healthy


def make_shared_state(settings: Settings) -> SharedState:
    match settings.redis_url:
        case None:
            sessions = MemorySessions(settings.session_ttl_s, settings.max_sessions, settings.history_turns)
            limiter = RateLimiter(settings.rate_limit_client, settings.rate_limit_session)
            return SharedState(sessions, limiter, None)
        case url:
            return _redis_state(settings, url.get_secret_value())


def redis_location(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"


def _redis_state(settings: Settings, url: str) -> SharedState:
    import redis
    from limits.storage import RedisStorage

    timeout = settings.redis_timeout_s
    where = redis_location(url)
    try:
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=settings.answer_threads * RedisConfig.connections_per_thread,
            timeout=timeout,  # waiting for a free connection
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        client = redis.Redis(connection_pool=pool)
        storage = RedisStorage(
            url, connection_pool=pool, key_prefix=RedisConfig.key_prefix, wrap_exceptions=True
        )
    except (ValueError, redis.RedisError) as err:
        raise ConfigError(f"bad NEWSBOT_REDIS_URL ({where}): {err}") from err
    guard = CallGuard(
        f"the shared session store at {where}", GuardConfig(timeout_s=timeout), SharedStateUnavailableError
    )
    sessions = RedisSessions(
        client, guard, settings.session_ttl_s, settings.max_sessions, settings.history_turns
    )
    limiter = RateLimiter(settings.rate_limit_client, settings.rate_limit_session, storage, guard)
    return SharedState(sessions, limiter, guard)
