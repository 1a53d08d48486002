"""Build the chatbot's parts from settings: one place, a ``match`` per swappable part.

Heavy or optional packages are imported only when the configured part needs them, and a
missing optional package names the requirements file that provides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from bot.answerers.base import Answerer
from bot.answerers.extractive import ExtractiveAnswerer
from bot.answerers.reader import DEFAULT_READER, load_reader
from bot.answerers.scoring import ExtractiveConfig
from bot.chatbot import Chatbot
from bot.config import Settings
from bot.conversation import Condenser
from bot.prompts import load_prompt
from bot.retrieval.hybrid import HybridRetriever
from bot.retrieval.lexical import LexicalCache
from index.errors import ConfigError, IndexUnavailableError

if TYPE_CHECKING:
    from collections.abc import Callable

    from langchain_core.documents import Document
    from langchain_core.language_models import BaseChatModel

    from index.encoder import Encoder
    from index.store import ArticleStore


@dataclass(frozen=True)
class Pipeline:
    """What ``build_pipeline`` made: the chatbot and the parts others share with it."""

    chatbot: Chatbot
    store: ArticleStore
    lexical: LexicalCache  # the retriever's BM25 cache (the article library reads it too)
    encoder: Encoder  # the loaded embedding model (publications are embedded with it)


def build_chatbot(
    settings: Settings,
    embeddings: Encoder | None = None,
    store: ArticleStore | None = None,
    chat_model: BaseChatModel | None = None,
    lexical: LexicalCache | None = None,
) -> Chatbot:
    """The configured chatbot (see ``build_pipeline``)."""
    return build_pipeline(settings, embeddings, store, chat_model, lexical).chatbot


def build_pipeline(
    settings: Settings,
    embeddings: Encoder | None = None,
    store: ArticleStore | None = None,
    chat_model: BaseChatModel | None = None,
    lexical: LexicalCache | None = None,
) -> Pipeline:
    """The configured chatbot with its store and BM25 cache; pass ``chat_model`` to use a given
    (e.g. fake) LLM and ``lexical`` to reuse a BM25 cache already being filled."""
    from index.store import open_store

    if embeddings is None:
        from index.embeddings import make_embeddings  # sentence-transformers: only when needed

        embeddings = make_embeddings(settings)
    store = store or open_store(settings)  # queries embed through the retriever, not the store
    if store.count() == 0:
        raise IndexUnavailableError("The article index is empty: run `python -m index build` first.")
    lexical = lexical or make_lexical(store, settings.follow_store_changes)
    return Pipeline(_chatbot(settings, embeddings, store, lexical, chat_model), store, lexical, embeddings)


def make_lexical(store: ArticleStore, follow_store_changes: bool = False) -> LexicalCache:
    """The lexical index written beside ``store`` (index/lexical.py), followed commit by
    commit; on each change the store catches up too (in embedded mode another process's
    writes need a fresh client to see their vectors: store.py). ``follow_store_changes``:
    this index is this replica's own, fed from the writers' change log."""
    if store.lexical is None:
        raise ConfigError("the article store was opened without its lexical index")
    feed = store.follow_changes if follow_store_changes else None
    return LexicalCache(store.lexical, on_change=store.catch_up, feed=feed)


def _chatbot(
    settings: Settings,
    embeddings: Encoder,
    store: ArticleStore,
    lexical: LexicalCache,
    chat_model: BaseChatModel | None,
) -> Chatbot:
    retriever = HybridRetriever(
        collection=store.reader,
        embed_query=embeddings.embed_query,
        lexical_index=lexical,
        k=settings.retrieval_k,
    )
    extractive = make_extractive(settings, embeddings, lexical)
    model = chat_model or make_chat_model(settings)
    if model is None:
        return _assemble(settings, retriever, extractive, Condenser(), lexical)
    from langchain_core.output_parsers import StrOutputParser

    from bot.answerers.llm import ANSWER_VARIABLES, LLMAnswerer

    answer_prompt = load_prompt("answer", set(ANSWER_VARIABLES))
    condense_prompt = load_prompt("condense", {"history", "question"})
    name = settings.answerer if chat_model is None else "llm"
    answerer = LLMAnswerer(name, model, answer_prompt, extractive, timeout_s=settings.llm_timeout_s)
    condenser = Condenser(condense_prompt | model | StrOutputParser(), settings.max_question_chars)
    return _assemble(settings, retriever, answerer, condenser, lexical)


def _assemble(
    settings: Settings,
    retriever: HybridRetriever,
    answerer: Answerer,
    condenser: Condenser,
    lexical: LexicalCache,
) -> Chatbot:
    def title_of(article_id: str, subscriber: bool) -> str | None:
        chunks = lexical().article_chunks(article_id, subscriber)
        return str(chunks[0].metadata.get("title") or "") or None if chunks else None

    return Chatbot(
        retriever=retriever,
        answerer=answerer,
        condenser=condenser,
        max_question_chars=settings.max_question_chars,
        history_turns=settings.history_turns,
        k_across=settings.retrieval_k_across,
        title_of=title_of,
    )


def make_extractive(
    settings: Settings,
    embeddings: Encoder,
    lexical: LexicalCache,
    articles: Callable[[str, bool], list[Document]] | None = None,
) -> ExtractiveAnswerer:
    """The extractive answerer on this model and BM25 index; ``articles`` (an article's chunks,
    by default the index's) lets the reader's training show it an article with a sentence
    taken out."""
    config = ExtractiveConfig(reader=settings.reader)
    return ExtractiveAnswerer(
        partial(embeddings.encode_batch, batch_size=config.encode_batch),
        idf=lambda t: lexical().idf(t),
        config=config,
        articles=articles or (lambda a, subscriber: lexical().article_chunks(a, subscriber)),
        reader=load_reader(settings.reader_model or DEFAULT_READER) if settings.reader != "off" else None,
        tokens=partial(embeddings.encode_tokens, batch_size=config.encode_batch),
        outlets=lambda: lexical().matcher,
    )


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    match settings.answerer:
        case "extractive":
            return None
        case "openai":
            try:
                from langchain_openai import ChatOpenAI
            except ImportError as err:
                raise ConfigError("the openai answerer needs langchain-openai (requirements.txt)") from err
            return ChatOpenAI(
                base_url=settings.openai_base_url,
                model=settings.openai_model,
                api_key=settings.openai_api_key,
                timeout=settings.llm_timeout_s,
                max_retries=0,
                max_completion_tokens=settings.llm_max_tokens,
                temperature=0,
            )
        case "llamacpp":
            from bot.answerers.llamacpp import make_llamacpp_model

            return make_llamacpp_model(settings)
    raise ConfigError(f"unknown answerer {settings.answerer!r}")  # pragma: no cover
