"""A reader's question as one value, from the edge (API, UI, CLI, eval) to the answerer.

It carries everything that shapes the answer: the text, the conversation so far, the
article it is scoped to (the widget's "Ask about this story") and, after a follow-up is
resolved, what the earlier turns say it refers to ("his" → "Vladimir Medinsky").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cached_property

from bot.reading.across import Across, Elsewhere
from bot.reading.reading import Reading, read
from bot.schemas import ChatTurn
from index.errors import InputError, TooLargeError

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Pasted page junk around a question: script/style blocks whole, other tags alone.
_CODE_BLOCK = re.compile(r"<(script|style)\b[^>]{0,200}>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>")
# How the context is shown after the question in ``Answer.standalone_question`` (and searched).
_CONTEXT_SEPARATOR = " — context: "


@dataclass(frozen=True)
class Question:
    text: str
    # None: not given (the web layer fills in the session's turns); () : no earlier turns.
    history: tuple[ChatTurn, ...] | None = None
    article_id: str | None = None
    # Names or the earlier question that a follow-up refers to; searched, not asked.
    context: tuple[str, ...] = ()
    # Asked by a subscriber (a valid subscriber token): subscriber-only articles may answer.
    subscriber: bool = False
    # The article the reader is on when the search spans every article (the widget with "Only
    # this article" off): the story "this" means in "did anyone else report this".
    page: str | None = None

    @classmethod
    def of(cls, question: Question | str) -> Question:
        return question if isinstance(question, Question) else cls(question)

    @property
    def turns(self) -> tuple[ChatTurn, ...]:
        return self.history or ()

    @cached_property
    def reading(self) -> Reading:
        """What the reader's own words ask for, read once per question value (``bot.reading``)."""
        return read(self.text)

    @property
    def across(self) -> Across | None:
        """What it asks of several reports ("does A say X while B says Y"), when it asks that off
        any article's page: on a page the question stays with that article."""
        return self.reading.across if not self.article_id else None

    @property
    def elsewhere(self) -> Elsewhere | None:
        """What it asks of its page's story beyond that page ("did anyone else report this"),
        when it knows the page and searches every article."""
        return self.reading.elsewhere if self.page and not self.article_id else None

    @property
    def standalone(self) -> str:
        """What is searched: the question followed by its context, if any."""
        if not self.context:
            return self.text
        return f"{self.text}{_CONTEXT_SEPARATOR}{'; '.join(self.context)}"

    def with_context(self, context: tuple[str, ...] | list[str]) -> Question:
        """The question with what it refers to; its words, and so their reading, unchanged."""
        copy = replace(self, context=tuple(context))
        if "reading" in vars(self):  # read already: the copy keeps it (the cache is this class's own)
            vars(copy)["reading"] = self.reading
        return copy


def without_markup(text: str) -> str:
    """The question's words without HTML around them: what is searched and answered."""
    return re.sub(r"\s+", " ", _TAG.sub(" ", _CODE_BLOCK.sub(" ", text))).strip()


def well_formed(text: str) -> str:
    """The text with every lone surrogate ("\\ud800", which JSON carries but no encoder takes:
    it breaks the tokenizer) replaced: for text a client sends as context (history), where
    refusing the whole request would be harsher than the defect."""
    return text.encode("utf-8", "replace").decode("utf-8")


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters and whitespace; reject empty (markup only counts as empty)
    or oversized questions."""
    try:  # a lone surrogate ("\ud800") is no text: it breaks the tokenizer and every encoder
        (question or "").encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("The question holds invalid text.") from None
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", question or "")).strip()
    text = re.sub(r"\s+", " ", text)
    if not without_markup(text):
        raise InputError("Please type a question.")
    if len(text) > max_chars:
        raise TooLargeError(f"The question is too long ({len(text)} characters; the limit is {max_chars}).")
    return text
