"""``CallGuard``: a deadline on every call, a bounded pool, fail-fast cool-down, recovery."""

from __future__ import annotations

import threading

import pytest

from index.errors import IndexUnavailableError, NotFoundError
from index.guard import CallGuard, GuardConfig


def _guard(cooldown_s: float = 0.0) -> CallGuard:
    return CallGuard("the test store", GuardConfig(timeout_s=0.2, workers=2, cooldown_s=cooldown_s))


def test_a_call_that_answers_returns_its_result() -> None:
    guard = _guard()
    assert guard.call(lambda: 42) == 42 and guard.healthy and guard.failure == ""


def test_a_hung_call_gives_up_at_the_deadline_and_marks_the_service_down() -> None:
    guard, release = _guard(), threading.Event()
    with pytest.raises(IndexUnavailableError, match=r"did not answer within 0\.2 s"):
        guard.call(release.wait)
    assert not guard.healthy and "did not answer" in guard.failure
    release.set()


def test_when_every_worker_is_stuck_a_call_fails_without_running() -> None:
    guard, release, ran = _guard(), threading.Event(), []
    for _ in range(2):
        with pytest.raises(IndexUnavailableError):
            guard.call(release.wait)
    with pytest.raises(IndexUnavailableError, match="all 2 calls waiting"):
        guard.call(lambda: ran.append(1))
    assert ran == []
    release.set()


def test_an_error_of_the_client_is_a_503_and_recovery_needs_no_restart() -> None:
    guard = _guard()

    def lost() -> None:
        raise ConnectionError("refused")

    with pytest.raises(IndexUnavailableError, match="cannot be reached: ConnectionError"):
        guard.call(lost)
    assert not guard.healthy
    assert guard.call(lambda: "back") == "back" and guard.healthy


def test_during_the_cool_down_calls_fail_at_once_without_running() -> None:
    guard, ran = _guard(cooldown_s=60.0), []

    def lost() -> None:
        raise ConnectionError("refused")

    with pytest.raises(IndexUnavailableError):
        guard.call(lost)
    with pytest.raises(IndexUnavailableError, match="cannot be reached"):
        guard.call(lambda: ran.append(1))
    assert ran == []


def test_our_own_errors_pass_through_and_do_not_mark_the_service_down() -> None:
    guard = _guard()

    def missing() -> None:
        raise NotFoundError("no such article")

    with pytest.raises(NotFoundError):
        guard.call(missing)
    assert guard.healthy
