"""Shared fixtures: offline env, the real packaged model (loaded once), fresh settings."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from index.config import apply_offline_env

apply_offline_env()

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "source_docs" / "ukraine-russia-istanbul-peace-talks-explained.txt"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def embeddings():
    from index.embeddings import make_embeddings

    return make_embeddings(Settings())


@pytest.fixture(scope="session")
def token_counter():
    from index.tokens import TokenCounter

    return TokenCounter(Settings().resolved_model_path())


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def factory(**overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": tmp_path / "data", "source_dir": tmp_path / "docs"}
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    return factory


def start_chroma(path: Path) -> tuple[subprocess.Popen[bytes], int]:
    """A real ``chroma run`` server process on a free loopback port, once it answers."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        found = shutil.which("chroma")
        assert found, "the chroma CLI (from the chromadb package) is not installed"
        chroma = Path(found)
    port = free_port()
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    _wait_for_port(port, proc, timeout=60)
    return proc, port


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """One shared ``chroma run`` server for the server-mode tests (a collection per test)."""
    proc, port = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    try:
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma server exited with {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("chroma server did not start in time")


def build_index(data: Path, paths: list[Path], embeddings) -> Settings:
    """Index ``paths`` into the data folder ``data`` with the session's loaded model."""
    from index.factory import make_indexer

    settings = Settings(_env_file=None, data_dir=data, source_dir=paths[0].parent)  # type: ignore[call-arg]
    indexer = make_indexer(settings, embeddings=embeddings)
    indexer.build(paths)
    return settings


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


def run_module(
    module: str, args: list[str], env: dict[str, str], stdin: str | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m module args`` from the repository root, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


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


def start_app(data_dir: Path, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """``python app.py`` on a free loopback port; returns the process and its base URL once healthy."""
    port = free_port()
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(data_dir),
        "NEWSBOT_SOURCE_DIR": str(SEED.parent),
        "NEWSBOT_RATE_LIMIT_CLIENT": "",  # tests ask many questions from one address
        **(extra_env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"app.py exited with {proc.returncode}: {proc.stdout.read() if proc.stdout else ''}"
            )
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code in (200, 503):
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.kill()
    raise RuntimeError("app.py did not answer /healthz in time")


def stop_app(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def app_server(served_index: Path) -> Iterator[str]:
    """The real web app (Gradio + API) serving the seed index over loopback HTTP."""
    proc, base = start_app(served_index)
    try:
        yield base
    finally:
        stop_app(proc)
