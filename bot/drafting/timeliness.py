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
    """ "\n\nAs of May 13, 2025, per Aldermoor Gazette." for the newest cited article, and the
    older ones it cites named as older (on a changing fact, the reader must know which report
    is the later one); "" when no cited article has a readable date."""
    dated = [(timestamp(c.updated_at) or timestamp(c.published_at), c) for c in citations]
    known = sorted(((when, c) for when, c in dated if when is not None), key=lambda item: -item[0])
    if not known:
        return ""
    newest_at, newest = known[0]
    note = f"\n\nAs of {_when(newest)}{_per(newest)}."
    older = {_when(c) + _per(c): None for when, c in known[1:] if newest_at - when >= _OLDER_S}
    if older:
        note += f" Older report{'s' if len(older) > 1 else ''} cited: {'; '.join(older)}."
    return note


_OLDER_S = 86_400.0  # a day apart: one report is the older one (the same day: the same news)


def _when(citation: Citation) -> str:
    return display_date(citation.updated_at or citation.published_at)


def _per(citation: Citation) -> str:
    return f", per {citation.source}" if citation.source else ""
