"""Outlets and dates a text names, with where it names them."""

from __future__ import annotations

from bot.language.mentions import DateHint, SourceMatcher, date_mentions, extract_dates

OUTLETS = ["The Independent - Life and Style", "TechCrunch", "Sporting News", "The Verge"]


def test_mentions_are_in_order_and_the_longest_alias_wins() -> None:
    text = "Did 'The Independent - Life and Style' agree with TechCrunch and the Verge’s report?"
    found = SourceMatcher(OUTLETS).mentions(text)
    assert [m.source for m in found] == ["The Independent - Life and Style", "TechCrunch", "The Verge"]
    assert text[found[0].start : found[0].end] == "The Independent - Life and Style"
    assert text[found[2].start : found[2].end] == "the Verge"


def test_a_generic_word_alone_is_no_outlet() -> None:
    assert SourceMatcher(OUTLETS).mentions("the latest news in style") == []
    assert SourceMatcher(OUTLETS).find("Sporting News said") == {"Sporting News"}


def test_dates_with_their_spans_fullest_form_first() -> None:
    text = "between October 4, 2023 and 2023-11-06, or in December 2023"
    found = date_mentions(text)
    assert [hint for _s, _e, hint in found] == [
        DateHint(2023, 10, 4),
        DateHint(2023, 11, 6),
        DateHint(2023, 12),
    ]
    assert [text[s:e] for s, e, _h in found] == ["October 4, 2023", "2023-11-06", "December 2023"]
    assert extract_dates(text) == [hint for _s, _e, hint in found]
