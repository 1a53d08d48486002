"""Follow-up questions resolved against the conversation so far.

With an LLM: the condense prompt (prompts/condense.md) rewrites the follow-up as a
standalone question. Without one: history-aware retrieval, where the previous turn's
answer entities (or, without any, its question) become the question's ``context`` when the
follow-up needs them ("What was his job before?" + context "Vladimir Medinsky").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.config import default
from bot.language.patterns import BOLD, CAPITALISED_RUN, CITATION_RUN, NAME_WORD
from bot.language.text import is_stopword, terms, words
from bot.language.wordlists import word_list
from bot.question import Question, well_formed
from bot.schemas import ChatTurn
from index.wordlists import pronouns


@dataclass(frozen=True)
class ConversationConfig:
    """How much of a conversation is kept and reused. Initial choices, not tuned."""

    # Each earlier question and answer is cut to this: enough to resolve "he" or "that", and
    # a conversation's memory stays bounded.
    turn_chars: int = 600
    entities: int = 3  # names taken from an earlier answer as a follow-up's context
    min_terms: int = 2  # fewer content terms than this: the question cannot stand alone


_DEFAULTS = ConversationConfig()
_REFERRING = word_list("referring_words") | pronouns("referring")  # "What was his job before?"


def bounded(
    history: Sequence[ChatTurn], max_turns: int, max_chars: int = _DEFAULTS.turn_chars
) -> list[ChatTurn]:
    """The last ``max_turns`` turns, each answer cut to ``max_chars``: memory stays bounded.
    Their text is made well-formed here, where every path's history enters the bot."""
    recent = list(history)[-max_turns:] if max_turns > 0 else []
    return [
        ChatTurn(question=well_formed(t.question[:max_chars]), answer=well_formed(t.answer[:max_chars]))
        for t in recent
    ]


def needs_history(question: str, min_terms: int = _DEFAULTS.min_terms) -> bool:
    """A follow-up that refers back ("his", "that") or is too short to stand alone."""
    tokens = [w.lower() for w in words(question)]
    return any(t in _REFERRING for t in tokens) or len(terms(question)) < min_terms


def answer_entities(answer: str, limit: int = _DEFAULTS.entities) -> list[str]:
    """What an earlier answer was about: its marked answer phrases, else its names."""
    clean = CITATION_RUN.sub("", answer)
    marked = BOLD.findall(clean)
    if marked:
        return list(dict.fromkeys(marked))[:limit]
    first_sentence = re.split(r"(?<=[.!?])\s", clean.replace("**", ""), maxsplit=1)[0]
    names = CAPITALISED_RUN.findall(first_sentence) or _single_names(first_sentence)
    return list(dict.fromkeys(names))[:limit]


def _single_names(sentence: str) -> list[str]:
    """Capitalised words that do not open the sentence ("held in Istanbul, Turkey"); never
    the pronoun "I" ("The articles I have don't say" names nobody)."""
    tokens = NAME_WORD.findall(sentence)
    return [t for t in tokens[1:] if t[:1].isupper() and len(t) > 1 and not is_stopword(t)]


def history_aware_query(question: Question) -> Question:
    """The question with the context a follow-up needs, without an LLM."""
    if not question.turns or not needs_history(question.text):
        return question
    previous = question.turns[-1]
    # The earlier answer's names say what "he"/"that" is; without any, the earlier question.
    return question.with_context(answer_entities(previous.answer) or [previous.question])


class Condenser:
    """Turns (history, follow-up) into a standalone question; LLM when given, else rules."""

    def __init__(self, chain: Any | None = None, max_chars: int = default("max_question_chars")) -> None:
        self._chain = chain  # prompt | chat model | StrOutputParser
        self._max_chars = max_chars  # an LLM-condensed question is cut to a question's own limit

    def condense(self, question: Question) -> Question:
        history = question.turns
        if not history:
            return question
        if self._chain is None:
            return history_aware_query(question)
        transcript = "\n".join(
            f"User: {t.question}\nAssistant: {CITATION_RUN.sub('', t.answer)}" for t in history
        )
        try:
            rewritten = str(self._chain.invoke({"history": transcript, "question": question.text})).strip()
        except Exception:  # any LLM failure: the rule-based rewrite still works
            return history_aware_query(question)
        if not rewritten:
            return history_aware_query(question)
        standalone = replace(question, text=rewritten.splitlines()[0][: self._max_chars])
        entities = answer_entities(history[-1].answer)
        if (
            needs_history(question.text)
            and entities
            and not any(e.lower() in standalone.text.lower() for e in entities)
        ):
            # Small models drop the very name the follow-up refers to: keep it as context.
            return standalone.with_context(entities)
        return standalone
