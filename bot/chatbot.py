"""The only place that knows the pipeline order: condense → retrieve → answer → Answer.

Retrieval is a LangChain retriever (a Runnable); LLM steps are prompt | model runnables.
``stream`` yields text deltas as they come and ends with the complete ``Answer``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from bot.answerers.base import Answerer
from bot.config import default
from bot.conversation import Condenser, bounded
from bot.drafting.draft import Delta, Draft
from bot.drafting.timeliness import as_of_note
from bot.question import Question, clean_question, without_markup
from bot.schemas import Answer, Timings
from index.errors import IndexUnavailableError, NewsbotError

log = logging.getLogger(__name__)


@dataclass
class Chatbot:
    retriever: BaseRetriever
    answerer: Answerer
    condenser: Condenser
    max_question_chars: int = default("max_question_chars")
    history_turns: int = default("history_turns")
    # A question about several reports needs each one's passages: more are retrieved for it.
    k_across: int = default("retrieval_k_across")
    # An article's title (for a subscriber or not), None when it is not indexed: what a
    # question about its story beyond the page searches for.
    title_of: Callable[[str, bool], str | None] = field(default=lambda _id, _subscriber: None)

    def stream(
        self, question: Question | str, passages_out: list[Document] | None = None
    ) -> Iterator[Delta | Answer]:
        """Deltas, then the Answer. ``passages_out`` receives the retrieved passages (eval)."""
        started = time.perf_counter()
        question = Question.of(question)
        asked = clean_question(question.text, self.max_question_chars)
        words = without_markup(asked)  # the reader sees their text as typed; markup is not searched
        turns = tuple(bounded(question.turns, self.history_turns))
        standalone = self._about_page(self.condenser.condense(replace(question, text=words, history=turns)))
        reading = standalone.reading  # made once: the answerer reads the same value
        passages = self._retrieve(standalone)
        if passages_out is not None:
            passages_out.extend(passages)
        retrieved = time.perf_counter()
        draft: Draft | None = None
        for event in self.answerer.stream(standalone, passages):
            if isinstance(event, Draft):
                draft = event
            else:
                yield event
        assert draft is not None, "an answerer must end with a Draft"
        dated = as_of_note(draft.citations) if reading.present and not draft.refused else ""
        if dated:  # streamed too: the streamed text and the final one stay the same
            yield Delta(dated)
        done = time.perf_counter()
        yield Answer(
            text=draft.text + dated,
            citations=draft.citations,
            refused=draft.refused,
            answerer=self.answerer.name,
            question=asked,
            standalone_question=standalone.standalone,
            intent=str(reading.intent),
            related=draft.related,
            notice=draft.notice,
            fallback=draft.fallback,
            timings=Timings(
                retrieve_ms=round((retrieved - started) * 1000, 1),
                answer_ms=round((done - retrieved) * 1000, 1),
                total_ms=round((done - started) * 1000, 1),
            ),
        )

    def _retrieve(self, question: Question) -> list[Document]:
        several = question.across is not None or question.elsewhere is not None
        k = self.k_across if several else None
        return self.retrieve(question.standalone, question.subscriber, k, question.article_id)

    def retrieve(
        self, query: str, subscriber: bool, k: int | None = None, article_id: str | None = None
    ) -> list[Document]:
        """The retriever's passages for ``query`` (``k``: the retriever's own when None); a
        store that fails is ``IndexUnavailableError`` (503), whoever asks."""
        more: dict[str, Any] = {"k": k} if k is not None else {}
        try:
            return self.retriever.invoke(query, article_id=article_id, subscriber=subscriber, **more)
        except NewsbotError:
            raise
        except Exception as err:  # the store is outside the process (a Chroma server may be gone)
            log.warning("retrieval failed: %r", err)
            raise IndexUnavailableError(
                f"The article index cannot be read right now ({type(err).__name__}); try again later."
            ) from err

    def _about_page(self, question: Question) -> Question:
        """ "Did anyone else report this?" asked on an article's page searches for that
        article's story: its title is the question's context."""
        if question.elsewhere is None or question.page is None:
            return question
        title = self.title_of(question.page, question.subscriber)
        return question.with_context([*question.context, title]) if title else question

    def ask(self, question: Question | str, passages_out: list[Document] | None = None) -> Answer:
        return answer_of(self.stream(question, passages_out))


def answer_of(events: Iterable[Delta | Answer]) -> Answer:
    """The ``Answer`` that ends a stream (the deltas before it consumed)."""
    for event in events:
        if isinstance(event, Answer):
            return event
    raise AssertionError("the stream ended without an Answer")
