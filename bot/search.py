"""Articles that match a query, for agents: the retriever's passages grouped by article
(the MCP tool ``search_articles``, NLWeb's ``/ask`` list and summarize modes).

A match carries the passage that matched best and its most relevant sentence as a citation
(verbatim, with offsets into the article's text), so an agent can quote what it lists; a
summary of the matches is those sentences, numbered. Access levels are the retriever's: a
subscriber-only article is found for a ``subscriber`` only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from langchain_core.documents import Document
from pydantic import Field

from bot.articles import ArticleLibrary, ArticleSummary
from bot.drafting.draft import citation_for
from bot.language.text import terms
from bot.question import clean_question, without_markup
from bot.schemas import Citation
from index.chunking import split_sentences

# Passages retrieved per search: the hybrid retriever's candidate depth (bench/retrieval.py
# scores its top 10 of 50 candidates), so that filters by date or outlet still find matches
# after the best passages were taken by other articles. Initial choice, not tuned.
SEARCH_PASSAGES = 50
MAX_RESULTS = 50  # articles per search: an agent's page, not an export
SUMMARY_ARTICLES = 3  # matches a summary quotes: the answer's citations stay few enough to check

# The passages for (query, subscriber, k): ``Chatbot.retrieve``, where a failing store is a 503.
Retrieve = Callable[[str, bool, int], list[Document]]


class ArticleMatch(ArticleSummary):
    rank: int = Field(description="1 for the best match.")
    score: float = Field(description="1.0 for the best match, lower for the next ones (by rank).")
    passage: str = Field(description="The passage that matched best (verbatim article text).")
    citation: Citation = Field(description="Its sentence most about the query, quotable as is.")


@dataclass(frozen=True)
class SearchFilters:
    """Dates inclusive, by publication day; ``outlet`` matched without regard to case."""

    since: date | None = None
    until: date | None = None
    outlet: str | None = None

    def admits(self, article: ArticleSummary) -> bool:
        day = _day(article.published_at)
        if (self.since or self.until) and day is None:
            return False  # undated: cannot be shown to fall in the range
        if self.since and day and day < self.since:
            return False
        if self.until and day and day > self.until:
            return False
        return not self.outlet or article.source.casefold() == self.outlet.strip().casefold()


def search_articles(
    retrieve: Retrieve,
    library: ArticleLibrary,
    query: str,
    max_chars: int,
    subscriber: bool = False,
    filters: SearchFilters | None = None,
    limit: int = 10,
) -> list[ArticleMatch]:
    """The articles whose passages best match ``query``, best first, at most ``limit``; the
    query is held to the chat's rules (``max_chars``: ``NEWSBOT_MAX_QUESTION_CHARS``; markup
    only is empty)."""
    query = without_markup(clean_question(query, max_chars))
    wanted = filters or SearchFilters()
    passages = retrieve(query, subscriber, SEARCH_PASSAGES)
    matches: dict[str, ArticleMatch] = {}
    for passage in passages:
        article_id = str(passage.metadata.get("article_id", ""))
        if article_id in matches:
            continue
        summary = library.summary(article_id, subscriber)  # access checked again, by the article
        if summary is None or not wanted.admits(summary):
            continue
        rank = len(matches) + 1
        matches[article_id] = ArticleMatch(
            **summary.model_dump(),
            rank=rank,
            score=round(1 / rank, 4),
            passage=passage.page_content,
            citation=_best_sentence(rank, passage, query),
        )
        if len(matches) >= min(limit, MAX_RESULTS):
            break
    return list(matches.values())


def summary_of(matches: list[ArticleMatch]) -> tuple[str, list[Citation]]:
    """The first matches' sentences, each with its number: "Title (outlet, day): sentence [n]"."""
    lines: list[str] = []
    citations: list[Citation] = []
    for n, match in enumerate(matches[:SUMMARY_ARTICLES], start=1):
        citation = match.citation.model_copy(update={"n": n})
        where = ", ".join(part for part in (match.source, match.published_at[:10]) if part)
        lines.append(f"- {match.title}{f' ({where})' if where else ''}: {citation.quote} [{n}]")
        citations.append(citation)
    return "\n".join(lines), citations


def _best_sentence(n: int, passage: Document, query: str) -> Citation:
    """The passage's sentence sharing most terms with the query (the first on a tie)."""
    asked = set(terms(query))
    spans = split_sentences(passage.page_content) or [(0, len(passage.page_content))]
    start, end = max(spans, key=lambda s: len(asked & set(terms(passage.page_content[s[0] : s[1]]))))
    return citation_for(n, passage, start, end)


def _day(published_at: str) -> date | None:
    try:
        return date.fromisoformat(published_at[:10])
    except ValueError:
        return None
