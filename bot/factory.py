"""Build the chatbot's parts from settings: one place, a ``match`` per swappable part.

Heavy or optional packages are imported only when the configured part needs them, and a
missing optional package names the requirements file that provides it.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from bot.answerers.extractive import ExtractiveAnswerer
from bot.chatbot import Chatbot
from bot.config import Settings
from bot.conversation import Condenser
from bot.errors import ConfigError, IndexUnavailableError
from bot.prompts import load_prompt
from bot.retrieval import HybridRetriever, LexicalCache

ANSWER_BATCH = 16

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from index.embeddings import LocalEmbeddings
    from index.store import ArticleStore


def build_chatbot(
    settings: Settings,
    embeddings: LocalEmbeddings | None = None,
    store: ArticleStore | None = None,
    chat_model: BaseChatModel | None = None,
    lexical: LexicalCache | None = None,
) -> Chatbot:
    """The configured chatbot; pass ``chat_model`` to use a given (e.g. fake) LLM and
    ``lexical`` to reuse a BM25 cache already being filled."""
    from index.embeddings import make_embeddings
    from index.store import open_store

    embeddings = embeddings or make_embeddings(settings)
    store = store or open_store(settings, embeddings)
    if store.count() == 0:
        raise IndexUnavailableError("The article index is empty: run `python -m index build` first.")
    lexical = lexical or LexicalCache(store.vectorstore, store.version)
    retriever = HybridRetriever(
        vectorstore=store.vectorstore,
        embed_query=embeddings.embed_query,
        lexical_index=lexical,
        k=settings.retrieval_k,
    )
    # Small batches: a few long sentences would pad a big batch to their length (measured).
    encode = partial(embeddings.encode_batch, batch_size=ANSWER_BATCH)
    extractive = ExtractiveAnswerer(encode, idf=lambda t: lexical().idf(t))
    model = chat_model or make_chat_model(settings)
    if model is None:
        return Chatbot(
            retriever, extractive, Condenser(), settings.max_question_chars, settings.history_turns
        )
    from langchain_core.output_parsers import StrOutputParser

    from bot.answerers.llm import LLMAnswerer

    answer_prompt = load_prompt("answer", {"passages", "history", "question"})
    condense_prompt = load_prompt("condense", {"history", "question"})
    name = settings.answerer if chat_model is None else "llm"
    answerer = LLMAnswerer(name, model, answer_prompt, extractive, timeout_s=settings.llm_timeout_s)
    condenser = Condenser(condense_prompt | model | StrOutputParser())
    return Chatbot(retriever, answerer, condenser, settings.max_question_chars, settings.history_turns)


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
