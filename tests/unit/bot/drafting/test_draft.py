"""What every answerer shares: related articles and citations with article offsets."""

from __future__ import annotations

from langchain_core.documents import Document

from bot.drafting.draft import citation_for, related_articles


def doc(article: str, n: int, **meta: object) -> Document:
    return Document(
        page_content=f"Passage {n} of {article}.",
        metadata={"article_id": article, **meta},
        id=f"{article}#{n}",
    )


def test_related_articles_are_distinct_best_first_and_limited() -> None:
    passages = [
        doc("a", 1, title="A", source="S", url="https://a.example", published_at="2024-01-01"),
        doc("b", 1, title="B"),
        doc("a", 2, title="A"),
        doc("c", 1),
        doc("d", 1),
    ]
    refs = related_articles(passages)
    assert [r.article_id for r in refs] == ["a", "b", "c"]
    assert (refs[0].title, refs[0].source, refs[0].url, refs[0].published_at) == (
        "A",
        "S",
        "https://a.example",
        "2024-01-01",
    )
    assert [r.article_id for r in related_articles(passages, limit=1)] == ["a"]
    assert related_articles([Document(page_content="no id", metadata={})]) == []


def test_citation_offsets_are_the_quote_in_the_article() -> None:
    body = "First sentence of the article. The quoted sentence is here. Last one."
    start = body.index("The quoted")
    passage = Document(
        page_content=body[start:],
        metadata={"article_id": "a", "title": "T", "author": "Kim", "start": start, "chunk_id": "a#meta"},
        id="a#7",
    )
    cite = citation_for(2, passage, 0, len("The quoted sentence is here."))
    assert (cite.n, cite.chunk_id, cite.author, cite.quote) == (
        2,
        "a#7",
        "Kim",
        "The quoted sentence is here.",
    )
    assert body[cite.start : cite.end] == cite.quote
    no_id = Document(page_content=passage.page_content, metadata=passage.metadata)
    assert citation_for(1, no_id, 0, 3).chunk_id == "a#meta"
