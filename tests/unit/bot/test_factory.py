"""The factory wires the configured parts: answerer by setting, fakes through its parameters."""

from __future__ import annotations

import pytest

from bot.answerers.extractive import ExtractiveAnswerer
from bot.answerers.llm import LLMAnswerer
from bot.config import Settings
from bot.factory import build_chatbot, build_pipeline, make_chat_model
from bot.retrieval.hybrid import HybridRetriever
from index.errors import IndexUnavailableError
from tests.fakes import HashEmbeddings, MemoryStore, as_store, fake_model


def test_extractive_by_default(
    unit_settings: Settings, encoder: HashEmbeddings, seed_store: MemoryStore
) -> None:
    pipeline = build_pipeline(unit_settings, embeddings=encoder, store=as_store(seed_store))
    bot = pipeline.chatbot
    assert isinstance(bot.answerer, ExtractiveAnswerer) and bot.answerer.name == "extractive"
    assert isinstance(bot.retriever, HybridRetriever) and bot.retriever.k == unit_settings.retrieval_k
    assert bot.retriever.collection is seed_store.reader  # every query has a deadline
    assert pipeline.store is as_store(seed_store) and pipeline.lexical().chunk_count == seed_store.count()
    assert bot.max_question_chars == unit_settings.max_question_chars
    assert make_chat_model(unit_settings) is None


def test_settings_reach_the_chatbot(encoder: HashEmbeddings, seed_store: MemoryStore, make_settings) -> None:
    settings = make_settings(retrieval_k=3, max_question_chars=50, history_turns=2)
    bot = build_chatbot(settings, embeddings=encoder, store=as_store(seed_store))
    assert (bot.retriever.k, bot.max_question_chars, bot.history_turns) == (3, 50, 2)  # type: ignore[attr-defined]
    assert len(bot.retriever.invoke("missile strike Sumy")) == 3


def test_a_given_chat_model_makes_an_llm_answerer(
    unit_settings: Settings, encoder: HashEmbeddings, seed_store: MemoryStore
) -> None:
    bot = build_chatbot(
        unit_settings, embeddings=encoder, store=as_store(seed_store), chat_model=fake_model("x")
    )
    assert isinstance(bot.answerer, LLMAnswerer) and bot.answerer.name == "llm"


def test_a_given_bm25_cache_is_reused(
    unit_settings: Settings, encoder: HashEmbeddings, seed_store: MemoryStore
) -> None:
    first = build_pipeline(unit_settings, embeddings=encoder, store=as_store(seed_store))
    second = build_pipeline(
        unit_settings, embeddings=encoder, store=as_store(seed_store), lexical=first.lexical
    )
    assert second.lexical is first.lexical


def test_an_empty_index_is_unavailable(unit_settings: Settings, encoder: HashEmbeddings) -> None:
    with pytest.raises(IndexUnavailableError, match="python -m index build"):
        build_chatbot(unit_settings, embeddings=encoder, store=as_store(MemoryStore()))


def test_the_openai_answerer_is_configured_from_settings(make_settings) -> None:
    model = make_chat_model(make_settings(answerer="openai", openai_model="m1", llm_timeout_s=7))
    assert model is not None and type(model).__name__ == "ChatOpenAI"
    assert model.model_name == "m1" and model.request_timeout == 7 and model.max_retries == 0  # type: ignore[attr-defined]
