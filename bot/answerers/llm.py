"""LLM answerers: any LangChain chat model (OpenAI-compatible endpoint, local GGUF, fakes).

The model sees numbered, clearly delimited passages and the prompt in prompts/answer.md.
Its text streams out as it comes; then every citation is verified (bot/drafting/citations.py).
If the model fails, times out, or leaves a claim unsupported, the final answer is the
extractive one, with a notice saying so.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.documents import Document
from langchain_core.language_models import BaseChatModel
from langchain_core.prompts import ChatPromptTemplate

from bot.answerers.extractive import ExtractiveAnswerer
from bot.answerers.guidance import answers_the_kind, guidance
from bot.answerers.routing import answered_from_article
from bot.drafting.citations import CitationConfig, verify
from bot.drafting.draft import AnswerEvent, Delta, Draft, related_articles
from bot.question import Question
from bot.schemas import ChatTurn

NOT_IN_ARTICLES = "NOT_IN_ARTICLES"
# What prompts/answer.md is filled with (checked when the prompt is loaded).
ANSWER_VARIABLES = frozenset({"passages", "history", "question", "guidance"})


@dataclass(frozen=True)
class LLMConfig:
    passages: int = 5  # the best passages shown to the model: initial choice, not tuned
    min_support: float = CitationConfig.min_support  # the citation check's bar (bot/drafting/citations.py)
    error_chars: int = 160  # a model error is shown cut to this in the notice: initial choice, not tuned


def format_passages(passages: Sequence[Document]) -> str:
    """Numbered passages as delimited data blocks; markup in article text is neutralised."""
    blocks = []
    for n, doc in enumerate(passages, start=1):
        meta = doc.metadata
        label = " · ".join(str(meta.get(k)) for k in ("title", "source", "published_at") if meta.get(k))
        body = doc.page_content.replace("<passage", "‹passage").replace("</passage", "‹/passage")
        blocks.append(f'<passage n="{n}" from="{label}">\n{body}\n</passage>')
    return "\n".join(blocks)


def format_history(history: Sequence[ChatTurn]) -> str:
    return "\n".join(f"User: {t.question}\nAssistant: {t.answer}" for t in history) or "(none)"


class LLMAnswerer:
    """Streams an LLM's cited answer; verified, with the extractive answer as fallback."""

    def __init__(
        self,
        name: str,
        model: BaseChatModel,
        prompt: ChatPromptTemplate,
        fallback: ExtractiveAnswerer,
        timeout_s: float = 60.0,
        config: LLMConfig | None = None,
    ) -> None:
        self.name = name
        self.deltas_are_final = False
        self._chain: Any = prompt | model
        self._fallback = fallback
        self._timeout_s = timeout_s
        self.config = config or LLMConfig()

    def stream(self, question: Question, passages: Sequence[Document]) -> Iterator[AnswerEvent]:
        if answered_from_article(question.reading) or question.elsewhere:
            # A summary or a fact about the article: its own sentences and metadata, verbatim;
            # other reports of a page's story: found and dated, not left to a model.
            yield from self._fallback.stream(question, passages)
            return
        several = self._fallback.across_reports(question, passages)
        if several is not None:
            # A verdict on the reports a question names, or the name they share: each report
            # checked in its own passages, not weighed by a model.
            yield from self._fallback.streamed(several)
            return
        shown = list(passages)[: self.config.passages]
        inputs = {
            "passages": format_passages(shown),
            "history": format_history(question.turns),
            "question": question.standalone,
            "guidance": guidance(question.reading),
        }
        pieces: list[str] = []
        deadline = time.monotonic() + self._timeout_s
        try:
            for chunk in self._chain.stream(inputs):
                piece = str(chunk.content) if hasattr(chunk, "content") else str(chunk)
                pieces.append(piece)
                yield Delta(piece)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no complete answer within {self._timeout_s:g} s")
        except Exception as err:  # network, server or model errors all end the same way
            yield self._fall_back(
                question, passages, f"The language model failed ({_short(err, self.config.error_chars)})."
            )
            return
        yield self._finish("".join(pieces).strip(), question, shown, passages)

    def _finish(
        self, text: str, question: Question, shown: list[Document], passages: Sequence[Document]
    ) -> Draft:
        if not text or NOT_IN_ARTICLES in text:
            # Small models refuse questions the articles answer: the refusal stands only when the
            # extractive answerer, with its own evidence threshold, refuses too.
            return self._fall_back(question, passages, "The language model found no answer.")
        checked = verify(text, shown, self.config.min_support)
        if checked.unsupported or not checked.citations:
            return self._fall_back(
                question, passages, "The language model's answer was not supported by the articles."
            )
        if not answers_the_kind(question.reading, checked.text):
            return self._fall_back(
                question, passages, "The language model's answer did not give what was asked."
            )
        notice = None
        if checked.repaired or checked.dropped:
            notice = f"Citations checked: {checked.repaired} re-pointed, {checked.dropped} removed."
        return Draft(
            text=checked.text, citations=checked.citations, related=related_articles(passages), notice=notice
        )

    def _fall_back(self, question: Question, passages: Sequence[Document], reason: str) -> Draft:
        draft = self._fallback.answer(question, passages)
        draft.fallback = True
        if not draft.refused:
            draft.notice = f"{reason} Showing sentences quoted from the articles instead."
        return draft


def _short(err: Exception, max_chars: int) -> str:
    text = str(err).splitlines()[0] if str(err) else type(err).__name__
    return text[:max_chars]
