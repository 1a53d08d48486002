"""Articles rebuilt from the index: text, offsets that match citations, quotes in context."""

from __future__ import annotations

import pytest

from bot.question import Question
from index.errors import NotFoundError
from tests.conftest import SEED

SEED_ID = SEED.stem


def test_list_and_get_rebuild_the_seed_article(seed_service) -> None:
    library = seed_service.library
    listed = library.list()
    assert [a.article_id for a in listed] == [SEED_ID]
    article = library.get(SEED_ID)
    assert article.author == "Alisa Orlova" and article.title.startswith("EXPLAINED")
    # The rebuilt body is the file's text between its title lines and byline, word for word
    # (the gaps between chunks become spaces, so only whitespace may differ).
    file_words = SEED.read_text(encoding="utf-8").split()
    rebuilt_words = article.text.split()
    assert len(rebuilt_words) > 500
    start = file_words.index("Ukraine")
    assert rebuilt_words == file_words[start : start + len(rebuilt_words)]
    assert file_words[start + len(rebuilt_words) :] == ["Source:", "Alisa", "Orlova"]


def test_citation_offsets_point_into_the_rebuilt_text(seed_service) -> None:
    _, answer = seed_service.ask(Question("Who leads Russia's delegation?"), remember=False)
    text = seed_service.library.get(SEED_ID).text
    for c in answer.citations:
        assert text[c.start : c.end] == c.quote
    ctx = seed_service.library.context(answer.citations[0], chars=120)
    assert ctx.quote == answer.citations[0].quote
    assert ctx.before.startswith("… ") and ctx.after.endswith(" …")
    assert 60 < len(ctx.before) <= 125 and 60 < len(ctx.after) <= 125


def test_stale_citation_is_shown_without_context(seed_service) -> None:
    _, answer = seed_service.ask(Question("Who leads Russia's delegation?"), remember=False)
    moved = answer.citations[0].model_copy(update={"start": 0})
    ctx = seed_service.library.context(moved)
    assert (ctx.before, ctx.after) == ("", "") and ctx.quote == moved.quote


def test_unknown_article_is_not_found(seed_service) -> None:
    with pytest.raises(NotFoundError):
        seed_service.library.get("no-such-article")


def test_page_urls_are_matched_loosely_but_only_http() -> None:
    from bot.articles import normalize_url

    same = {
        normalize_url(u)
        for u in (
            "https://www.news.example/world/talks",
            "http://news.example/world/talks/",
            "https://NEWS.example/world/talks?utm=x#top",
        )
    }
    assert same == {"news.example/world/talks"}
    assert normalize_url("javascript:alert(1)") == "" and normalize_url("/relative") == ""
    assert normalize_url("https://news.example/world/other") != "news.example/world/talks"
