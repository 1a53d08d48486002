"""The answerer interface: stream text deltas, then one final draft with citations."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from langchain_core.documents import Document

from bot.drafting.draft import AnswerEvent
from bot.question import Question


class Answerer(Protocol):
    name: str
    # True when the deltas always add up to the final text; an LLM's verified answer may
    # differ from what it streamed, so clients that cannot take a correction get it whole.
    deltas_are_final: bool

    def stream(self, question: Question, passages: Sequence[Document]) -> Iterator[AnswerEvent]:
        """Yield ``Delta`` pieces, then exactly one ``Draft`` (the whole answer).

        ``question`` is the standalone question (follow-ups resolved), with its history."""
        ...
