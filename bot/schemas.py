"""The ``Answer`` contract shared by the CLI, web UI, HTTP API, widget and eval."""

from __future__ import annotations

from uuid import uuid4

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """One numbered source: the quoted passage and where it sits in its article."""

    n: int = Field(description="The number used as [n] in the answer text.")
    article_id: str
    title: str
    source: str = ""
    author: str = ""
    published_at: str = ""
    updated_at: str = Field("", description="When the article was last corrected or updated, if it was.")
    url: str = ""
    access: str = Field("public", description="public, or subscriber (quoted for a subscriber only)")
    chunk_id: str
    quote: str = Field(description="Verbatim text from the article body.")
    start: int = Field(description="Offset of the quote in the article body (characters).")
    end: int = Field(description="End offset (exclusive) of the quote in the article body.")


class ArticleRef(BaseModel):
    """An article offered as related reading (for example with a refusal)."""

    article_id: str
    title: str
    source: str = ""
    published_at: str = ""
    url: str = ""


class Timings(BaseModel):
    retrieve_ms: float = 0.0
    answer_ms: float = 0.0
    total_ms: float = 0.0


class Answer(BaseModel):
    """What the bot says, with every claim pointing at a quoted passage."""

    answer_id: str = Field(
        default_factory=lambda: uuid4().hex,
        description="This answer's id: send it to POST /api/feedback to rate the answer.",
    )
    text: str = Field(description="Markdown with [n] citation markers.")
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = False
    answerer: str
    question: str = Field(description="The question as asked.")
    standalone_question: str = Field(description="The question actually searched (history resolved).")
    intent: str = Field(
        "facts",
        description="What the question asked for: summary, latest, author, published, outlet, link "
        "(answered from the article as a whole) or facts (answered from its sentences).",
    )
    related: list[ArticleRef] = Field(default_factory=list)
    notice: str | None = Field(
        None, description="E.g. that the LLM failed and an extractive answer is shown."
    )
    fallback: bool = Field(False, description="The LLM's answer was unusable; the extractive one is shown.")
    timings: Timings = Field(default_factory=Timings)


class ChatTurn(BaseModel):
    """One earlier exchange of a conversation."""

    question: str
    answer: str
