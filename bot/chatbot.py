"""The only place that knows the pipeline order: condense → retrieve → answer → Answer.

Retrieval is a LangChain retriever (a Runnable); LLM steps are prompt | model runnables.
``stream`` yields text deltas as they come and ends with the complete ``Answer``.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from bot.answerers.base import Answerer, Delta, Draft
from bot.conversation import Condenser, bounded
from bot.errors import BotError, IndexUnavailableError, InputError, TooLargeError
from bot.schemas import Answer, ChatTurn, Timings

log = logging.getLogger(__name__)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters and whitespace; reject empty or oversized questions."""
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", question or "")).strip()
    text = re.sub(r"\s+", " ", text)
    if not text:
        raise InputError("Please type a question.")
    if len(text) > max_chars:
        raise TooLargeError(f"The question is too long ({len(text)} characters; the limit is {max_chars}).")
    return text


@dataclass
class Chatbot:
    retriever: BaseRetriever
    answerer: Answerer
    condenser: Condenser
    max_question_chars: int = 2000
    history_turns: int = 6

    def stream(
        self,
        question: str,
        history: Sequence[ChatTurn] = (),
        article_id: str | None = None,
        passages_out: list[Document] | None = None,
    ) -> Iterator[Delta | Answer]:
        """Deltas, then the Answer. ``passages_out`` receives the retrieved passages (eval)."""
        started = time.perf_counter()
        asked = clean_question(question, self.max_question_chars)
        turns = bounded(history, self.history_turns)
        standalone = self.condenser.condense(asked, turns)
        passages = self._retrieve(standalone, article_id)
        if passages_out is not None:
            passages_out.extend(passages)
        retrieved = time.perf_counter()
        draft: Draft | None = None
        for event in self.answerer.stream(standalone, passages, turns):
            if isinstance(event, Draft):
                draft = event
            else:
                yield event
        assert draft is not None, "an answerer must end with a Draft"
        done = time.perf_counter()
        yield Answer(
            text=draft.text,
            citations=draft.citations,
            refused=draft.refused,
            answerer=self.answerer.name,
            question=asked,
            standalone_question=standalone,
            related=draft.related,
            notice=draft.notice,
            timings=Timings(
                retrieve_ms=round((retrieved - started) * 1000, 1),
                answer_ms=round((done - retrieved) * 1000, 1),
                total_ms=round((done - started) * 1000, 1),
            ),
        )

    def _retrieve(self, query: str, article_id: str | None) -> list[Document]:
        try:
            return self.retriever.invoke(query, article_id=article_id)
        except BotError:
            raise
        except Exception as err:  # the store is outside the process (a Chroma server may be gone)
            log.warning("retrieval failed: %r", err)
            raise IndexUnavailableError(
                f"The article index cannot be read right now ({type(err).__name__}); try again later."
            ) from err

    def ask(
        self,
        question: str,
        history: Sequence[ChatTurn] = (),
        article_id: str | None = None,
        passages_out: list[Document] | None = None,
    ) -> Answer:
        for event in self.stream(question, history, article_id, passages_out):
            if isinstance(event, Answer):
                return event
        raise AssertionError("stream ended without an Answer")
