"""Unit-test fixtures: the fake encoder and in-memory stores. The real model is never loaded.

Every fixture here runs on ``tests.fakes``: ``HashEmbeddings`` (bag-of-words vectors) in place
of the packaged MiniLM, ``WordCounter`` in place of its tokenizer, ``MemoryStore`` in place of
Chroma. Two guards keep it that way: each test fails if it imports the model's libraries, and a
run of ``tests/unit`` alone fails at the end if anything (a module-level import included) did.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.config import Settings
from tests.corpus import SEED
from tests.fakes import HashEmbeddings, MemoryStore, as_store, memory_index

if TYPE_CHECKING:
    from bot.chatbot import Chatbot
    from bot.web.service import ChatService

UNIT = Path(__file__).resolve().parent
# Imported only by the real embedding model (index.embeddings.make_embeddings).
MODEL_MODULES = ("sentence_transformers", "torch")


def _loaded() -> set[str]:
    return {m for m in MODEL_MODULES if m in sys.modules}


@pytest.fixture(autouse=True)
def _never_the_real_model(request: pytest.FixtureRequest) -> Iterator[None]:
    before = _loaded()
    yield
    added = _loaded() - before
    assert not added, f"{request.node.nodeid} imported {sorted(added)}: unit tests use tests.fakes"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """A run of unit tests only must end without the model's libraries ever imported."""
    items = getattr(session, "items", [])
    if items and all(Path(item.path).is_relative_to(UNIT) for item in items) and _loaded():
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"unit tests imported {sorted(_loaded())}: the real model", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def encoder() -> HashEmbeddings:
    """The deterministic fake encoder (share of common words ≈ cosine similarity)."""
    return HashEmbeddings()


@pytest.fixture(scope="session")
def unit_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Default settings without rate limits or recording (the tests of recording switch it
    on, on their own database), on a data folder nothing else uses."""
    data = tmp_path_factory.mktemp("unit-data")
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=data,
        source_dir=SEED.parent,
        rate_limit_client="",
        rate_limit_session="",
        record=False,
    )


@pytest.fixture(scope="session")
def seed_store(encoder: HashEmbeddings) -> MemoryStore:
    """The seed article chunked (one word = one token) and embedded by the fake encoder, in memory.

    Shared by the whole session: tests must not write to it (build their own with
    ``tests.fakes.memory_index`` instead)."""
    return memory_index([SEED], encoder)


@pytest.fixture(scope="session")
def seed_bot(unit_settings: Settings, encoder: HashEmbeddings, seed_store: MemoryStore) -> Chatbot:
    """The extractive chatbot over the seed article, built by the real factory on the fakes."""
    from bot.factory import build_chatbot

    return build_chatbot(unit_settings, embeddings=encoder, store=as_store(seed_store))


@pytest.fixture(scope="session")
def seed_service(unit_settings: Settings, seed_bot: Chatbot, seed_store: MemoryStore) -> ChatService:
    """The web layer's service over the seed article (fake encoder), without rate limits."""
    from bot.web.service import ChatService

    return ChatService(unit_settings, seed_bot, as_store(seed_store))
