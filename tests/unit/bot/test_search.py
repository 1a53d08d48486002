"""Articles found for agents: grouped by article, filtered, each with a quotable sentence."""

from __future__ import annotations

from datetime import date

import pytest
from langchain_core.documents import Document

from bot.articles import ArticleSummary
from bot.search import SEARCH_PASSAGES, Retrieve, SearchFilters, search_articles, summary_of
from bot.web.service import ChatService
from index.errors import InputError, TooLargeError
from tests.corpus import SEED

SEED_ID = SEED.stem
WHO = "Who leads Russia's delegation?"
MAX_CHARS = 2000


def retrieve_of(service: ChatService) -> Retrieve:
    """The chatbot's own retrieval, as the agents' service hands it to the search."""
    return service.require_bot().retrieve


class Passages:
    """Hands back the same passages for any query (records what it was asked)."""

    def __init__(self, passages: list[Document]) -> None:
        self.passages = passages
        self.asked: list[tuple[str, bool, int]] = []

    def __call__(self, query: str, subscriber: bool, k: int) -> list[Document]:
        self.asked.append((query, subscriber, k))
        return self.passages


def test_the_seed_article_is_found_with_the_sentence_that_answers(seed_service) -> None:
    found = search_articles(retrieve_of(seed_service), seed_service.require_library(), WHO, MAX_CHARS)
    assert [m.article_id for m in found] == [SEED_ID]
    match = found[0]
    assert (match.rank, match.score) == (1, 1.0) and match.title.startswith("EXPLAINED")
    assert "Medinsky" in match.citation.quote  # the sentence sharing most words with the query
    text = seed_service.require_library().get(SEED_ID).text
    assert text[match.citation.start : match.citation.end] == match.citation.quote
    assert match.citation.quote in match.passage


def test_each_article_once_best_passage_first_and_unknown_articles_skipped(seed_service) -> None:
    chunks = retrieve_of(seed_service)(WHO, False, 4)
    ghost = Document("A passage of an article the library does not hold.", metadata={"article_id": "gone"})
    passages = Passages([ghost, *chunks])
    found = search_articles(passages, seed_service.require_library(), WHO, MAX_CHARS, limit=5)
    assert [m.article_id for m in found] == [SEED_ID]
    assert found[0].passage == chunks[0].page_content
    assert passages.asked == [(WHO, False, SEARCH_PASSAGES)]


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
    library = seed_service.require_library()
    assert search_articles(retrieve_of(seed_service), library, WHO, MAX_CHARS, filters=filters) == []


@pytest.mark.parametrize("query", ["", "   ", "<b></b>", "\x00\x00", "x" * (MAX_CHARS + 1)])
def test_an_empty_or_huge_query_is_an_input_error(seed_service, query: str) -> None:
    with pytest.raises(InputError):
        search_articles(retrieve_of(seed_service), seed_service.require_library(), query, MAX_CHARS)


def test_the_limit_is_the_chats_question_limit(seed_service) -> None:
    with pytest.raises(TooLargeError):
        search_articles(retrieve_of(seed_service), seed_service.require_library(), WHO, max_chars=10)


def test_the_summary_quotes_each_match_with_its_number(seed_service) -> None:
    found = search_articles(retrieve_of(seed_service), seed_service.require_library(), WHO, MAX_CHARS)
    text, citations = summary_of(found)
    assert [c.n for c in citations] == [1] and citations[0].quote == found[0].citation.quote
    assert text == f"- {found[0].title}: {citations[0].quote} [1]"
    assert summary_of([]) == ("", [])
