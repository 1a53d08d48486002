"""Outlets and dates a question names (query hints for retrieval)."""

from __future__ import annotations

import pytest

from bot.retrieval.query_hints import DateHint, SourceMatcher, extract_dates

SOURCES = [
    "TechCrunch",
    "The Verge",
    "Sporting News",
    "The Independent - Life and Style",
    "The Roar | Sports Writers Blog",
    "Jeff Passan, ESPN",
    "FOX News - Health",
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What did TechCrunch report about the trial?", {"TechCrunch"}),
        ("as reported by both The Verge and TechCrunch", {"The Verge", "TechCrunch"}),
        ("Does the Sporting News article say so?", {"Sporting News"}),
        ("according to 'The Independent'", {"The Independent - Life and Style"}),
        ("in The Roar's coverage", {"The Roar | Sports Writers Blog"}),
        ("What did ESPN report?", {"Jeff Passan, ESPN"}),
        ("Is the news about sports and health good?", set()),
        ("the verge of collapse", {"The Verge"}),
    ],
)
def test_source_matcher(question: str, expected: set[str]) -> None:
    assert SourceMatcher(SOURCES).find(question) == expected


def test_dates_day_month_and_iso() -> None:
    hints = extract_dates("published on October 4, 2023 and the report from November 2023, or 2023-12-01")
    assert hints == [DateHint(2023, 10, 4), DateHint(2023, 12, 1), DateHint(2023, 11, None)]
    assert DateHint(2023, 10, 4).matches("2023-10-04T10:00:00Z") == 1.0
    assert DateHint(2023, 10, None).matches("2023-10-30T10:00:00Z") == 0.5
    assert DateHint(2023, 10, 4).matches("2023-09-04") == 0.0
