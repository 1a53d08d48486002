"""Articles found for agents: grouped by article, filtered, each with a quotable sentence."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from bot.articles import ArticleSummary
from bot.search import SearchFilters, search_articles, summary_of
from index.errors import InputError
from tests.corpus import SEED

SEED_ID = SEED.stem
WHO = "Who leads Russia's delegation?"


class Passages(BaseRetriever):
    """Hands back the same passages for any query (records what it was asked)."""

    passages: list[Document]
    asked: list[dict[str, Any]] = Field(default_factory=list)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        self.asked.append({"query": query, **kwargs})
        return self.passages


def test_the_seed_article_is_found_with_the_sentence_that_answers(seed_service) -> None:
    found = search_articles(seed_service.chatbot.retriever, seed_service.library, WHO)
    assert [m.article_id for m in found] == [SEED_ID]
    match = found[0]
    assert (match.rank, match.score) == (1, 1.0) and match.title.startswith("EXPLAINED")
    assert "Medinsky" in match.citation.quote  # the sentence sharing most words with the query
    text = seed_service.require_library().get(SEED_ID).text
    assert text[match.citation.start : match.citation.end] == match.citation.quote
    assert match.citation.quote in match.passage


def test_each_article_once_best_passage_first_and_unknown_articles_skipped(seed_service) -> None:
    chunks = seed_service.chatbot.retriever.invoke(WHO, k=4)
    ghost = Document("A passage of an article the library does not hold.", metadata={"article_id": "gone"})
    retriever = Passages(passages=[ghost, *chunks])
    found = search_articles(retriever, seed_service.library, WHO, limit=5)
    assert [m.article_id for m in found] == [SEED_ID]
    assert found[0].passage == chunks[0].page_content
    assert retriever.asked[-1]["subscriber"] is False and retriever.asked[-1]["k"] >= 10


def test_filters_by_day_and_outlet() -> None:
    article = ArticleSummary(
        article_id="a", title="T", source="Aldermoor Gazette", published_at="2025-05-12T08:00:00Z"
    )
    assert SearchFilters().admits(article)
    assert SearchFilters(since=date(2025, 5, 12), until=date(2025, 5, 12)).admits(article)
    assert not SearchFilters(since=date(2025, 5, 13)).admits(article)
    assert not SearchFilters(until=date(2025, 5, 11)).admits(article)
    assert SearchFilters(outlet=" aldermoor gazette ").admits(article)
    assert not SearchFilters(outlet="Gazette").admits(article)
    undated = article.model_copy(update={"published_at": ""})
    assert SearchFilters().admits(undated) and not SearchFilters(since=date(2000, 1, 1)).admits(undated)


def test_a_filter_nothing_passes_finds_nothing(seed_service) -> None:
    # The seed article is undated: a date range cannot be shown to include it.
    filters = SearchFilters(since=date(2020, 1, 1))
    assert search_articles(seed_service.chatbot.retriever, seed_service.library, WHO, filters=filters) == []


@pytest.mark.parametrize("query", ["", "   ", "<b></b>", "\x00\x00", "x" * 2001])
def test_an_empty_or_huge_query_is_an_input_error(seed_service, query: str) -> None:
    with pytest.raises(InputError):
        search_articles(seed_service.chatbot.retriever, seed_service.library, query)


def test_the_summary_quotes_each_match_with_its_number(seed_service) -> None:
    found = search_articles(seed_service.chatbot.retriever, seed_service.library, WHO)
    text, citations = summary_of(found)
    assert [c.n for c in citations] == [1] and citations[0].quote == found[0].citation.quote
    assert text == f"- {found[0].title}: {citations[0].quote} [1]"
    assert summary_of([]) == ("", [])
