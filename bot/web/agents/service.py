"""What AI assistants get, whatever protocol they speak (MCP, NLWeb's ``/ask``): the archive
searched, questions answered, articles read — through the one ``ChatService``, with the
widget's guarantees: each client's rate limit, access levels (subscriber-only text only with
a valid subscriber token), and answers recorded as agents' (counted apart in the insights).

Every method blocks (the model, the store, Redis): callers in the event loop run them on
``ChatService.threads``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from pydantic import SecretStr
from starlette.requests import Request

from bot.articles import ArticleDetail, ArticleSummary
from bot.chatbot import answer_of
from bot.drafting.draft import Delta
from bot.question import Question
from bot.records.tables import Channel
from bot.schemas import Answer, ChatTurn
from bot.search import ArticleMatch, SearchFilters, search_articles
from bot.web.ratelimit import client_key
from bot.web.service import ChatService
from bot.web.subscribers import is_subscriber

# Articles a listing hands an agent at most (the MCP resource; the API pages with offsets).
MAX_LISTED = 1000


@dataclass(frozen=True)
class Caller:
    """Who calls. ``client``: the rate-limit key (the client's address), None for a local
    process over stdio (its user runs it: nothing to limit); ``subscriber``: it sent a valid
    subscriber token (``X-Newsbot-Subscriber``), as the widget does."""

    client: str | None
    subscriber: bool = False

    @classmethod
    def of(cls, request: Request | None, secret: SecretStr | None) -> Caller:
        """From an HTTP request (a bad or expired token: ``UnauthorizedError``); no request
        (stdio): anonymous and not limited."""
        if request is None:
            return cls(None)
        return cls(client_key(request.client), is_subscriber(request, secret))


LOCAL = Caller(None)  # stdio, and the MCP resources: anonymous


class AgentService:
    def __init__(self, service: ChatService) -> None:
        self.service = service

    def search(
        self, caller: Caller, query: str, filters: SearchFilters | None = None, limit: int = 10
    ) -> list[ArticleMatch]:
        self._limit(caller)
        bot, library = self.service.require_bot(), self.service.require_library()
        return search_articles(
            bot.retrieve, library, query, bot.max_question_chars, caller.subscriber, filters, limit
        )

    def start(
        self,
        caller: Caller,
        question: str,
        article_id: str | None = None,
        history: Sequence[ChatTurn] = (),
    ) -> Iterator[Delta | Answer]:
        """Checks now (limit, article, input), answers lazily: deltas, then the ``Answer``.
        No session: an agent sends the conversation (``history``) with each question."""
        self._limit(caller)
        scope = self.service.scope(article_id, None, caller.subscriber)  # 404: unknown or not readable
        asked = Question(
            question, tuple(history), scope.article_id if scope else None, subscriber=caller.subscriber
        )
        _, events = self.service.start(asked, remember=False, channel=Channel.AGENT)
        return events

    def ask(
        self,
        caller: Caller,
        question: str,
        article_id: str | None = None,
        history: Sequence[ChatTurn] = (),
    ) -> Answer:
        return answer_of(self.start(caller, question, article_id, history))

    def article(self, caller: Caller, article_id: str) -> ArticleDetail:
        """Not limited, like ``GET /api/articles/{id}``: reading, not asking."""
        return self.service.require_library().get(article_id, caller.subscriber)

    def articles(self, caller: Caller, limit: int = MAX_LISTED) -> list[ArticleSummary]:
        """Newest first; not limited, like ``GET /api/articles`` (a list, no answer)."""
        return self.service.require_library().list(caller.subscriber)[: min(limit, MAX_LISTED)]

    def _limit(self, caller: Caller) -> None:
        """Searches and questions count against the client's limit, one with its chat questions
        (the routes apply it as a dependency; these calls come from MCP tools too)."""
        if caller.client is not None:
            self.service.limiter.check(caller.client)
