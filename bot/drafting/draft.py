"""What an answerer yields: text deltas, then one Draft with its citations; and the citations and
related articles every answer is built with."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.documents import Document

from bot.schemas import ArticleRef, Citation


@dataclass
class Draft:
    """An answer before timings are attached: text with [n] markers and its citations."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    refused: bool = False
    related: list[ArticleRef] = field(default_factory=list)
    notice: str | None = None
    fallback: bool = False  # an LLM's answer was unusable: this is the extractive one


@dataclass
class Delta:
    """A piece of answer text, streamed as soon as it is known."""

    text: str


AnswerEvent = Delta | Draft


@dataclass(frozen=True)
class AnswerConfig:
    """What every answerer adds to its answer. Initial choice, not tuned."""

    related_articles: int = 3  # articles offered as further reading, with answers and refusals


_DEFAULTS = AnswerConfig()


def related_articles(
    passages: Sequence[Document], limit: int = _DEFAULTS.related_articles
) -> list[ArticleRef]:
    """The distinct articles of the best passages, best first."""
    refs: dict[str, ArticleRef] = {}
    for doc in passages:
        meta = doc.metadata
        article_id = str(meta.get("article_id", ""))
        if article_id and article_id not in refs:
            refs[article_id] = ArticleRef(
                article_id=article_id,
                title=str(meta.get("title", "")),
                source=str(meta.get("source", "")),
                published_at=str(meta.get("published_at", "")),
                url=str(meta.get("url", "")),
            )
        if len(refs) == limit:
            break
    return list(refs.values())


def citation_for(n: int, passage: Document, quote_start: int, quote_end: int) -> Citation:
    """A citation quoting ``passage.page_content[quote_start:quote_end]`` (passage-relative)."""
    meta = passage.metadata
    base = int(meta.get("start", 0))
    return Citation(
        n=n,
        article_id=str(meta.get("article_id", "")),
        title=str(meta.get("title", "")),
        source=str(meta.get("source", "")),
        author=str(meta.get("author", "")),
        published_at=str(meta.get("published_at", "")),
        updated_at=str(meta.get("updated_at", "")),
        url=str(meta.get("url", "")),
        access=str(meta.get("access", "") or "public"),
        chunk_id=str(passage.id or meta.get("chunk_id", "")),
        quote=passage.page_content[quote_start:quote_end],
        start=base + quote_start,
        end=base + quote_end,
    )
