"""The service serves at once and loads on a thread: 503 ``index_loading`` while the index
loads, 503 with how to build it while there is none, answers once it is there — without a
restart, also for an index built after the app started."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.web.service import start_service
from index.loaders import load_sources
from tests.corpus import SEED
from tests.e2e.servers import eventually
from tests.fakes import HashEmbeddings, MemoryStore, as_store, fake_chunker
from tests.unit.bot.web.clients import ASK, client_for, error_of

WHO = {"message": ASK}  # a question the fake encoder's index answers


def _settings(tmp_path: Path) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path, rate_limit_client="", rate_limit_session="", index_check_s=0.05
    )


def _seed(store: MemoryStore, encoder: HashEmbeddings) -> None:
    loaded = load_sources([SEED], 5_000_000, 1)
    store.add(loaded.documents, encoder, fake_chunker(max_tokens=128, overlap_tokens=24))


class SlowStore(MemoryStore):
    """Its reads of chunks wait until released: a lexical index repaired from it (an older
    data folder's, or one a crash left behind) is 'loading' meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        slow = self.collection.get

        def get(**kwargs: Any) -> Any:
            if "documents" in (kwargs.get("include") or []):
                self.release.wait(10)
            return slow(**kwargs)

        self.reader.get = get  # type: ignore[method-assign]


def test_while_the_index_loads_the_api_says_so_and_then_answers(
    tmp_path: Path, encoder: HashEmbeddings
) -> None:
    store = SlowStore()
    _seed(store, encoder)
    store.lexical.clear()  # the chunks are in Chroma only: the loader fills the lexical index
    service = start_service(_settings(tmp_path), lambda: as_store(store), lambda: encoder)
    client = client_for(service)
    assert eventually(lambda: service.lexical is not None, 5)
    reply = client.post("/api/chat", json=WHO)
    assert reply.status_code == 503 and error_of(reply)["type"] == "index_loading"
    assert reply.headers["Retry-After"].isdigit()
    ready = client.get("/readyz")
    assert ready.status_code == 503 and "loading" in ready.json()["message"]
    assert client.get("/livez").status_code == 200 and client.get("/healthz").json()["loading"] is True
    store.release.set()
    assert eventually(lambda: client.get("/readyz").status_code == 200, 10)
    answered = client.post("/api/chat", json=WHO)
    assert answered.status_code == 200 and answered.json()["citations"], answered.json()


def test_an_index_built_after_the_app_started_is_served_without_a_restart(
    tmp_path: Path, encoder: HashEmbeddings
) -> None:
    store = MemoryStore()  # empty: nothing built yet
    service = start_service(_settings(tmp_path), lambda: as_store(store), lambda: encoder)
    client = client_for(service)
    assert eventually(lambda: not service.loading, 5)
    reply = client.post("/api/chat", json=WHO)
    assert reply.status_code == 503 and error_of(reply)["type"] == "index_unavailable"
    assert "index build" in error_of(reply)["message"]
    assert client.get("/api/articles").status_code == 503
    _seed(store, encoder)  # `python -m index build` ran meanwhile
    assert eventually(lambda: client.get("/readyz").status_code == 200, 10)
    assert client.post("/api/chat", json=WHO).status_code == 200
    assert client.get("/api/articles").json()
