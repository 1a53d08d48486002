"""What a news question says about *where* and *when*: outlets and dates it names.

"according to TechCrunch", "the Sporting News article", "published on October 4, 2023":
these hints let retrieval boost chunks whose metadata match. Outlet names are matched
against the outlets actually present in the index, so nothing is hard-coded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.language.mentions import DateHint, SourceMatcher, extract_dates
from bot.language.patterns import about_the_present

__all__ = ["DateHint", "QueryHints", "SourceMatcher", "analyse", "extract_dates"]


@dataclass
class QueryHints:
    sources: set[str] = field(default_factory=set)
    dates: list[DateHint] = field(default_factory=list)
    present: bool = False  # about the present ("now", "latest", "still"): the newest should lead

    def date_score(self, published_at: str) -> float:
        return max((d.matches(published_at) for d in self.dates), default=0.0)


def analyse(question: str, matcher: SourceMatcher) -> QueryHints:
    return QueryHints(
        sources=matcher.find(question), dates=extract_dates(question), present=about_the_present(question)
    )
