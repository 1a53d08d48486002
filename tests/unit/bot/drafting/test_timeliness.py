"""Questions about the present, and the date their answers say."""

from __future__ import annotations

import pytest

from bot.drafting.timeliness import as_of_note
from bot.language.patterns import about_the_present
from bot.retrieval.query_hints import SourceMatcher, analyse
from bot.schemas import Citation


def _cited(published_at: str, updated_at: str = "", source: str = "Aldermoor Gazette") -> Citation:
    return Citation(
        n=1, article_id="a", title="t", source=source, published_at=published_at, updated_at=updated_at,
        chunk_id="a#1", quote="q", start=0, end=1,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("question", "present"),
    [
        ("Who is the coach now?", True),
        ("What's the latest on the ferry strike?", True),
        ("Is the bridge still being built?", True),
        ("How many people have died so far?", True),
        ("Who currently leads the delegation?", True),
        ("Who led the delegation in 2022?", False),
        ("What did the mayor say about the bridge?", False),
        ("Is the snowfall unknown?", False),  # "now" inside a word is not "now"
        ("Why were the northern lights so far south?", False),  # distance, not time
        ("Will prices rise still further?", False),
    ],
)
def test_questions_about_the_present(question: str, present: bool) -> None:
    assert about_the_present(question) is present


def test_a_named_date_wins_over_now() -> None:
    assert analyse("Who is the coach now?", SourceMatcher([])).present
    assert not analyse("Who was the coach in May 2023, now that he left?", SourceMatcher([])).present
    assert not about_the_present("What is the newest plan from March 2021?")  # found by review


def test_the_note_names_the_newest_cited_date_and_its_outlet() -> None:
    older, newer = _cited("2025-05-01T09:00:00Z", source="Coastal Times"), _cited("2025-05-12T08:00:00Z")
    assert as_of_note([older, newer]) == (
        "\n\nAs of May 12, 2025, per Aldermoor Gazette. Older report cited: May 1, 2025, per Coastal Times."
    )
    same_day = _cited("2025-05-12T01:00:00Z", source="Wire")
    assert as_of_note([newer, same_day]) == "\n\nAs of May 12, 2025, per Aldermoor Gazette."
    corrected = _cited("2025-05-01T09:00:00Z", updated_at="2025-05-20T10:00:00Z", source="")
    assert as_of_note([corrected]) == "\n\nAs of May 20, 2025."  # its update date counts
    assert as_of_note([_cited("")]) == ""
