"""The editors' figures kept per period: fresh ones served as they are, older ones served while
they are recounted in the background, a first view waits; one count at a time (issue 24, item 11)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from bot.records.insights import FRESH_S, PERIODS_KEPT, STALE_S, Insights, InsightsCache
from bot.records.recorder import RecordsUnavailableError


class Counts:
    """A stand-in for ``read_insights``: each count gives new figures (the count's number as
    ``questions``); ``hold`` keeps counts from finishing until ``release``; ``failing`` makes
    them fail as a database that cannot be read does."""

    def __init__(self) -> None:
        self.made = 0
        self.failing = False
        self._free = threading.Event()
        self._free.set()

    def __call__(self, days: int) -> Insights:
        assert self._free.wait(10)
        if self.failing:
            raise RecordsUnavailableError("The records cannot be read right now (OperationalError).")
        self.made += 1
        return Insights(since=datetime(2026, 11, 1, tzinfo=UTC), questions=self.made, distinct=days)

    def hold(self) -> None:
        self._free.clear()

    def release(self) -> None:
        self._free.set()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cache_of(counts: Counts, clock: Clock, wait_s: float = 10.0) -> InsightsCache:
    return InsightsCache(counts, clock=clock, wait_s=wait_s)


def test_a_first_view_waits_for_the_count_and_the_next_ones_are_served_it() -> None:
    counts, clock = Counts(), Clock()
    cache = cache_of(counts, clock)
    first = cache.get(30)
    clock.now += FRESH_S - 1
    assert cache.get(30) is first and counts.made == 1
    assert cache.get(7).distinct == 7 and counts.made == 2  # another period: its own count


def test_older_figures_are_served_while_they_are_recounted() -> None:
    counts, clock = Counts(), Clock()
    cache = cache_of(counts, clock)
    first = cache.get(30)
    clock.now += FRESH_S
    counts.hold()
    assert cache.get(30) is first  # at once: the recount is held
    assert cache.get(30) is first and not cache.wait(0.05)  # one recount, still running
    counts.release()
    assert cache.wait()
    assert cache.get(30).questions == 2 and counts.made == 2


def test_figures_too_old_to_show_are_waited_for() -> None:
    counts, clock = Counts(), Clock()
    cache = cache_of(counts, clock)
    cache.get(30)
    clock.now += STALE_S
    assert cache.get(30).questions == 2


def test_many_views_of_a_period_not_yet_counted_count_it_once() -> None:
    counts, clock = Counts(), Clock()
    cache = cache_of(counts, clock)
    counts.hold()
    seen: list[int] = []
    views = [threading.Thread(target=lambda: seen.append(cache.get(30).questions)) for _ in range(4)]
    for view in views:
        view.start()
    counts.release()
    for view in views:
        view.join(10)
    assert seen == [1, 1, 1, 1] and counts.made == 1


def test_a_database_that_cannot_be_read_is_said_to_be_and_kept_figures_stay_a_while() -> None:
    counts, clock = Counts(), Clock()
    cache = cache_of(counts, clock)
    counts.failing = True
    with pytest.raises(RecordsUnavailableError):
        cache.get(30)  # nothing kept: the view gets the error (a 503)
    counts.failing = False
    first = cache.get(30)
    counts.failing = True
    clock.now += FRESH_S
    assert cache.get(30) is first and cache.wait()  # the recount failed: the kept figures stay
    clock.now += STALE_S
    with pytest.raises(RecordsUnavailableError):
        cache.get(30)


def test_a_count_that_takes_too_long_is_a_try_again_and_goes_on() -> None:
    counts, clock = Counts(), Clock()
    cache = cache_of(counts, clock, wait_s=0.05)
    counts.hold()
    with pytest.raises(RecordsUnavailableError, match="try again"):
        cache.get(30)
    counts.release()
    assert cache.wait()
    assert cache.get(30).questions == 1 and counts.made == 1  # its figures were kept


def test_only_the_latest_periods_are_kept() -> None:
    counts, clock = Counts(), Clock()
    cache = cache_of(counts, clock)
    for days in range(1, PERIODS_KEPT + 2):
        cache.get(days)
    assert counts.made == PERIODS_KEPT + 1
    cache.get(PERIODS_KEPT + 1)
    assert counts.made == PERIODS_KEPT + 1  # kept
    cache.get(1)
    assert counts.made == PERIODS_KEPT + 2  # the oldest was let go
