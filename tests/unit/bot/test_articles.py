"""Articles rebuilt from the chunks in memory: text, offsets that match citations, quotes in context."""

from __future__ import annotations

import pytest

from bot.articles import ArticleLibrary, QuoteInContext
from bot.question import Question
from bot.retrieval.lexical import LexicalIndex
from bot.schemas import Citation
from index.errors import NotFoundError
from tests.corpus import SEED
from tests.unit.bot.web.clients import ASK

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
    _, answer = seed_service.ask(Question(ASK), remember=False)
    text = seed_service.library.get(SEED_ID).text
    for c in answer.citations:
        assert text[c.start : c.end] == c.quote
    ctx = seed_service.library.context(answer.citations[0], chars=120)
    assert ctx.quote == answer.citations[0].quote
    assert ctx.before.startswith("… ") and ctx.after.endswith(" …")
    assert 60 < len(ctx.before) <= 125 and 60 < len(ctx.after) <= 125


def test_stale_citation_is_shown_without_context(seed_service) -> None:
    _, answer = seed_service.ask(Question(ASK), remember=False)
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


def chunk(article: str, start: int, text: str, **meta: object) -> tuple[str, str, dict[str, object]]:
    return (
        f"{article}#{start}",
        text,
        {"article_id": article, "start": start, "end": start + len(text), **meta},
    )


def library_of(*chunks: tuple[str, str, dict[str, object]]) -> ArticleLibrary:
    index = LexicalIndex.of([c[0] for c in chunks], [c[1] for c in chunks], [dict(c[2]) for c in chunks])
    return ArticleLibrary(lambda: index)


BODY = "One two three four five. Six seven eight nine ten. Eleven twelve thirteen."


def test_overlapping_chunks_are_merged_and_gaps_become_spaces() -> None:
    library = library_of(
        chunk("a", 51, BODY[51:], title="A"),  # stored in any order
        chunk("a", 0, BODY[:50]),
        chunk("a", 25, BODY[25:50]),  # fully inside another chunk
    )
    assert library.get("a").text == BODY
    gappy = library_of(chunk("b", 0, "First part."), chunk("b", 15, "Second part."))
    assert gappy.get("b").text == "First part.    Second part."
    assert gappy.get("b").text[15:] == "Second part."  # offsets survive the gap


def test_list_is_newest_first_then_by_title_and_has_no_text() -> None:
    library = library_of(
        chunk("old", 0, "Old text.", title="Zebra", published_at="2023-01-01"),
        chunk("new-b", 0, "New text.", title="beta", published_at="2024-05-01"),
        chunk("new-a", 0, "New text too.", title="Alpha", published_at="2024-05-01"),
        chunk("undated", 0, "No date.", title="Undated"),
    )
    assert [a.article_id for a in library.list()] == ["new-a", "new-b", "old", "undated"]
    assert "text" not in library.list()[0].model_dump()
    assert (
        library.get("undated").title == "Undated" and library_of(chunk("x", 0, "Text.")).get("x").title == "x"
    )


def test_find_by_url_matches_the_indexed_page() -> None:
    library = library_of(
        chunk("a", 0, "Text.", title="A", url="https://www.news.example/world/talks/"),
        chunk("b", 0, "Text.", title="B"),
    )
    found = library.find_by_url("http://news.example/world/talks?utm=x")
    assert found is not None and found.article_id == "a" and not hasattr(found, "text")
    assert library.find_by_url("https://news.example/other") is None
    assert library.find_by_url("javascript:alert(1)") is None


def test_articles_are_rebuilt_when_the_index_changes() -> None:
    indexes = [LexicalIndex.of(["a#0"], ["First version."], [{"article_id": "a", "start": 0, "end": 14}])]
    library = ArticleLibrary(lambda: indexes[-1])
    assert library.get("a").text == "First version."
    assert library.get("a") is library.get("a")  # same index: not rebuilt
    indexes.append(
        LexicalIndex.of(["a#1"], ["Second version."], [{"article_id": "a", "start": 0, "end": 15}])
    )
    assert library.get("a").text == "Second version."


def test_context_at_the_edges_and_of_unknown_articles() -> None:
    library = library_of(chunk("a", 0, BODY, title="A"))
    quote = Citation(n=1, article_id="a", title="A", chunk_id="a#0", quote="One two", start=0, end=7)
    ctx = library.context(quote, chars=10)
    assert ctx.before == "" and ctx.quote == "One two" and ctx.after == " three …"
    whole = library.context(quote, chars=1000)
    assert whole.after == BODY[7:] and not whole.after.endswith("…")
    unknown = quote.model_copy(update={"article_id": "gone"})
    assert library.context(unknown) == QuoteInContext("", "One two", "")


def test_suggested_questions_come_from_the_text_and_the_notes_of_overlapping_chunks() -> None:
    from index.nlp import Entity, SentenceNotes, encode_notes

    body = "Why Turkey?\nTurkey hosts the talks. Carl Olsen leads them.\nAnna Berg said so. Berg left."
    named = (
        ("Carl Olsen leads them.", "Carl Olsen"),
        ("Anna Berg said so.", "Anna Berg"),
        ("Berg left.", "Berg"),
    )

    def noted(start: int, end: int) -> tuple[str, str, dict[str, object]]:
        """A chunk of ``body`` with (chunk-relative) notes on its sentences that name someone."""
        notes = []
        for sentence, name in named:
            s = body.index(sentence)
            if start <= s and s + len(sentence) <= end:
                where = sentence.index(name)
                entity = Entity(where, where + len(name), "PERSON")
                notes.append(SentenceNotes(s - start, s - start + len(sentence), (entity,)))
        return chunk("a", start, body[start:end], title="A", sentences=encode_notes(notes))

    olsen = body.index("Carl Olsen")
    library = library_of(noted(0, body.index("\nAnna")), noted(olsen, len(body)))
    assert library.get("a").text == body
    # Olsen's sentence is in both chunks but named once: Berg, named twice, is the main person.
    assert library.get("a").suggested_questions == [
        "What is this story about?",
        "Why Turkey?",
        "What does the story say about Anna Berg?",
    ]
    assert "suggested_questions" not in library.list()[0].model_dump()
    plain = library_of(chunk("b", 0, body, title="B"))  # indexed without notes: no person
    assert plain.get("b").suggested_questions == ["What is this story about?", "Why Turkey?"]
