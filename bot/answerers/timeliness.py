"""Answers to questions about the present (``bot.language.patterns.about_the_present``: "who
is the coach now?", "the latest on…") say when they were true; retrieval lets the newest
relevant article lead (bot/retrieval/query_hints.py).

A news archive answers with what an article said on the day it was written; a reader asking
about *now* must see that day. The note names the date of the newest article the answer
cites (its update date when it was corrected) and its outlet.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.language.patterns import display_date, timestamp
from bot.schemas import Citation


def as_of_note(citations: Sequence[Citation]) -> str:
    """ "\\n\\nAs of May 13, 2025, per Aldermoor Gazette." for the newest cited article; "" when
    no cited article has a readable date."""
    dated = [(timestamp(c.updated_at) or timestamp(c.published_at), c) for c in citations]
    known = [(when, c) for when, c in dated if when is not None]
    if not known:
        return ""
    _, newest = max(known, key=lambda item: item[0])
    when = display_date(newest.updated_at or newest.published_at)
    per = f", per {newest.source}" if newest.source else ""
    return f"\n\nAs of {when}{per}."
