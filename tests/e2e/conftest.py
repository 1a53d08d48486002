"""End-to-end fixtures: the real packaged model (loaded once), the seed article indexed with it
in an embedded Chroma, a ``chroma run`` server and the real web app (``python app.py``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from tests.corpus import SEED
from tests.e2e.servers import build_index, start_app, start_chroma, stop_app


@pytest.fixture(scope="session")
def embeddings():
    """The packaged all-MiniLM-L6-v2 (sentence-transformers), loaded once per session."""
    from index.embeddings import make_embeddings

    return make_embeddings(Settings())


@pytest.fixture(scope="session")
def token_counter():
    """The packaged model's own tokenizer."""
    from index.tokens import TokenCounter

    return TokenCounter(Settings().resolved_model_path())


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """One shared ``chroma run`` server for the server-mode tests (a collection per test)."""
    proc, port = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    try:
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory, embeddings):
    """The seed article indexed once (real model, embedded Chroma) for the bot tests."""
    from index.store import open_store

    settings = build_index(tmp_path_factory.mktemp("seed-index"), [SEED], embeddings)
    return settings, open_store(settings, embeddings)


@pytest.fixture(scope="session")
def seed_bot(seed_store, embeddings):
    from bot.factory import build_chatbot

    settings, store = seed_store
    return build_chatbot(settings, embeddings=embeddings, store=store)


@pytest.fixture(scope="session")
def seed_service(seed_store, seed_bot):
    """The web layer's service over the seed index (extractive answerer), without rate limits."""
    from bot.web.service import ChatService

    settings, store = seed_store
    unlimited = settings.model_copy(update={"rate_limit_client": "", "rate_limit_session": ""})
    return ChatService(unlimited, seed_bot, store)


@pytest.fixture(scope="session")
def served_index(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Path:
    """A data folder with the seed article indexed, for server processes to open."""
    return build_index(tmp_path_factory.mktemp("served-index"), [SEED], embeddings).data_dir


@pytest.fixture(scope="session")
def app_server(served_index: Path) -> Iterator[str]:
    """The real web app (Gradio + API) serving the seed index over loopback HTTP."""
    proc, base = start_app(served_index)
    try:
        yield base
    finally:
        stop_app(proc)
