"""Answers about an article as a whole: its summary, and who wrote it, when, where, its link.

The article is the one the question is scoped to (the widget's page), else the one of the
best passage. Summaries quote the article's own sentences (``summary.py``), each cited; facts
about the article come from its metadata, shown in every citation, and cite its lede. A fact
the article does not give is an honest "doesn't say", not a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from langchain_core.documents import Document

from bot.drafting.draft import Draft, citation_for, related_articles
from bot.drafting.summary import Sentence, SummaryConfig, lede, summary_sentences
from bot.language.patterns import display_date
from bot.language.wordlists import word_list
from bot.reading.intents import Intent


@dataclass(frozen=True)
class ArticleFact:
    """A fact about the article, read from its metadata: adding one is an entry here (and its
    ``Intent`` with a pattern in ``bot/reading/intents.py``)."""

    field: str  # the metadata field that holds it
    not_given: str  # "The article “…” {not_given}." when the field is empty
    says: str  # the answer, from ``{title}`` and ``{value}``
    shown: Callable[[str], str] = str  # how the value is written


ARTICLE_FACTS: dict[Intent, ArticleFact] = {
    Intent.AUTHOR: ArticleFact("author", "doesn't name its author", "“{title}” is by **{value}**"),
    Intent.PUBLISHED: ArticleFact(
        "published_at",
        "doesn't give its publication date",
        "“{title}” was published on **{value}**",
        display_date,
    ),
    Intent.OUTLET: ArticleFact(
        "source", "doesn't name the outlet that published it", "“{title}” was published by **{value}**"
    ),
    Intent.LINK: ArticleFact("url", "has no link to an original", "The original of “{title}” is at {value}"),
}


def summary_draft(
    chunks: Sequence[Document], scoped: bool, config: SummaryConfig | None = None
) -> Draft | None:
    """The article's summary, each sentence cited; None when it has no summary sentence."""
    sentences = summary_sentences(chunks, config)
    if not sentences:
        return None
    citations = [citation_for(n, chunks[s.chunk], s.start, s.end) for n, s in enumerate(sentences, start=1)]
    body = " ".join(f"{s.text} [{n}]" for n, s in enumerate(sentences, start=1))
    # Without a page to be on, say which story this is.
    text = body if scoped else f"From “{_title(chunks[0])}”: {body}"
    return Draft(text=text, citations=citations, related=related_articles(chunks))


def chunks_of(
    article_id: str, passages: Sequence[Document], articles: Callable[[str], list[Document]]
) -> list[Document]:
    """The article's chunks in reading order; without an article source, its retrieved ones."""
    return articles(article_id) or sorted(
        (p for p in passages if p.metadata.get("article_id") == article_id),
        key=lambda p: int(p.metadata.get("start", 0)),
    )


def latest_draft(
    passages: Sequence[Document], articles: Callable[[str], list[Document]], limit: int = 4
) -> Draft | None:
    """One dated, cited sentence (its lede) per matching article, newest first; undated articles
    are left out. ``limit``: how many articles, initial choice, not tuned. None: nothing dated."""
    found: list[tuple[str, list[Document], Sentence]] = []
    for article_id in list(dict.fromkeys(str(p.metadata.get("article_id", "")) for p in passages))[:limit]:
        chunks = chunks_of(article_id, passages, articles)
        published = str(chunks[0].metadata.get("published_at") or "")
        first = lede(chunks)
        if published and first is not None:
            found.append((published, chunks, first))
    if not found:
        return None
    found.sort(key=lambda item: item[0], reverse=True)
    citations = [
        citation_for(n, chunks[s.chunk], s.start, s.end) for n, (_, chunks, s) in enumerate(found, 1)
    ]
    text = " ".join(f"{display_date(date)}: {s.text} [{n}]" for n, (date, _, s) in enumerate(found, start=1))
    return Draft(text=text, citations=citations, related=related_articles(passages))


def fact_draft(intent: Intent, chunks: Sequence[Document], config: SummaryConfig | None = None) -> Draft:
    """Who wrote the article, when, where, or its link: from its metadata, citing its lede."""
    fact = ARTICLE_FACTS[intent]
    value = str(chunks[0].metadata.get(fact.field, "") or "").strip()
    title = _title(chunks[0])
    first = lede(chunks, config)
    if not value or value.lower() in word_list("missing_values") or first is None:
        text = f"The article “{title}” {fact.not_given}."
        return Draft(text=text, refused=True, related=related_articles(chunks))
    phrase = fact.says.format(title=title, value=fact.shown(value))
    citation = citation_for(1, chunks[first.chunk], first.start, first.end)
    return Draft(text=f"{phrase}. [1]", citations=[citation], related=related_articles(chunks))


def _title(chunk: Document) -> str:
    return str(chunk.metadata.get("title") or chunk.metadata.get("article_id") or "the article")
