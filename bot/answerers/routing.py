"""Which way a question is answered, by its intent: one table, first match wins.

A summary, the latest on a story or a fact about the article (its author, date, outlet, link)
is answered from the article as a whole, verbatim, by every answerer (an LLM is never asked to
restate metadata). Anything else (``Intent.FACTS``) matches no route and goes to the answerer's
own sentence answer. A route whose answer is None (an article with no summary sentence, no
dated article) also leaves the question to the sentence answer.

Adding an intent: its ``Intent`` and pattern (``bot/reading/intents.py``), then one ``Route``
here with its answer function (a fact from the article's metadata needs only an entry in
``bot/drafting/about.py``'s ``ARTICLE_FACTS``: the "article fact" route answers every one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from langchain_core.documents import Document

from bot.drafting.about import ARTICLE_FACTS, chunks_of, fact_draft, latest_draft, summary_draft
from bot.drafting.draft import Draft
from bot.question import Question
from bot.reading.intents import Intent
from bot.reading.reading import Reading

ArticleReader = Callable[[str], list[Document]]  # an article's chunks, as this reader may see them


@dataclass(frozen=True)
class Routed:
    """A question routed to an article: which one (the page's, else the best passage's)."""

    question: Question
    passages: Sequence[Document]
    article_id: str
    articles: ArticleReader

    @property
    def reading(self) -> Reading:
        return self.question.reading

    def chunks(self) -> list[Document]:
        return chunks_of(self.article_id, self.passages, self.articles)


@dataclass(frozen=True)
class Route:
    name: str
    when: Callable[[Routed], bool]
    answer: Callable[[Routed], Draft | None]


def _latest(routed: Routed) -> Draft | None:
    """One dated sentence per matching article, newest first."""
    return latest_draft(routed.passages, routed.articles)


def _summary(routed: Routed) -> Draft | None:
    chunks = routed.chunks()  # none: an article not in the index, nothing to say about it
    return summary_draft(chunks, scoped=routed.question.article_id is not None) if chunks else None


def _fact(routed: Routed) -> Draft | None:
    chunks = routed.chunks()
    return fact_draft(routed.reading.intent, chunks) if chunks else None


ROUTES: tuple[Route, ...] = (
    # Off any page, "what's the latest on X" compares articles; on a page it is that story's summary.
    Route(
        "latest across articles",
        lambda a: a.reading.intent is Intent.LATEST and not a.question.article_id,
        _latest,
    ),
    Route("summary", lambda a: a.reading.intent in (Intent.SUMMARY, Intent.LATEST), _summary),
    Route("article fact", lambda a: a.reading.intent in ARTICLE_FACTS, _fact),
)


def answered_from_article(reading: Reading) -> bool:
    """The question goes to the routes (not to an answerer's sentence answer or an LLM)."""
    return reading.intent is not Intent.FACTS


def route(question: Question, passages: Sequence[Document], articles: ArticleReader) -> Draft | None:
    """The answer of the first route that matches, or None: answer from the sentences."""
    article_id = question.article_id or (str(passages[0].metadata.get("article_id")) if passages else "")
    if not answered_from_article(question.reading) or not article_id:
        return None
    routed = Routed(question, passages, article_id, articles)
    found = next((r for r in ROUTES if r.when(routed)), None)
    return found.answer(routed) if found is not None else None
