"""Processes the end-to-end tests start: ``chroma run``, ``python app.py``, the CLIs; free ports.

Kept out of ``conftest.py`` so that test modules import them as ``tests.e2e.servers``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.config import Settings
from tests import TEST_STORE_TIMEOUT_S
from tests.corpus import ROOT, SEED

_LOGS: dict[int, Path] = {}  # app process id → its output file
_LOGS_OF_BASE: dict[str, Path] = {}  # and by base URL


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_chroma(path: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """A real ``chroma run`` server process on loopback (a free port unless given), once it answers."""
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        found = shutil.which("chroma")
        assert found, "the chroma CLI (from the chromadb package) is not installed"
        chroma = Path(found)
    port = port or free_port()
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    _wait_for_port(port, proc, timeout=60)
    return proc, port


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


def start_redis(path: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """A real ``redis-server`` (Debian's package) on a free loopback port, no persistence; its
    URL. Skips the calling test, saying why, where the server is not installed."""
    import pytest

    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; .ci/run installs it)")
    port = port or free_port()
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return proc, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("redis-server did not start in time")


def build_index(data: Path, paths: list[Path], embeddings: Any) -> Settings:
    """Index ``paths`` into the data folder ``data`` with the given (the session's loaded) model."""
    from index.factory import make_indexer

    settings = Settings(_env_file=None, data_dir=data, source_dir=paths[0].parent)  # type: ignore[call-arg]
    indexer = make_indexer(settings, embeddings=embeddings)
    indexer.build(paths)
    return settings


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


def start_app(data_dir: Path, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """``python app.py`` on a free loopback port; returns the process and its base URL once it
    has loaded its index (or found none: /healthz then says why)."""
    port = free_port()
    env = {
        **os.environ,
        "NEWSBOT_DATA_DIR": str(data_dir),
        "NEWSBOT_SOURCE_DIR": str(SEED.parent),
        "NEWSBOT_RATE_LIMIT_CLIENT": "",  # tests ask many questions from one address
        # Tests of the deadline itself (test_resilience) set their own, shorter one.
        "NEWSBOT_STORE_TIMEOUT_S": str(TEST_STORE_TIMEOUT_S),
        **(extra_env or {}),
    }
    # Output to a file, never an unread pipe: a full pipe would block the app on its log lines.
    log_path = Path(tempfile.mkstemp(prefix=f"app-{port}-", suffix=".log")[1])
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "app.py", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    _LOGS[proc.pid] = _LOGS_OF_BASE[f"http://127.0.0.1:{port}"] = log_path
    base = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}: {app_log(proc)}")
        try:
            health = httpx.get(f"{base}/healthz", timeout=2)
            if health.status_code == 200 or (health.status_code == 503 and not health.json()["loading"]):
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.kill()
    raise RuntimeError("app.py did not answer /healthz in time")


def eventually(
    condition: Callable[[], bool], within_s: float = 30.0, ignoring: tuple[type[Exception], ...] = ()
) -> bool:
    """Whether ``condition`` holds within ``within_s`` (polled; ``ignoring`` errors count as not yet)."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except ignoring:
            pass
        time.sleep(0.2)
    return False


def app_log(proc: subprocess.Popen[str]) -> str:
    """What ``python app.py`` has written to stdout and stderr so far."""
    return _LOGS[proc.pid].read_text(encoding="utf-8", errors="replace")


def app_log_of(base: str) -> str:
    """The output of the app serving ``base``."""
    return _LOGS_OF_BASE[base].read_text(encoding="utf-8", errors="replace")


def stop_app(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


class Postgres:
    """A real PostgreSQL (Debian's ``postgresql`` package) on a free loopback port, trust
    authentication, in a scratch folder. PostgreSQL refuses to run as root: as root its
    commands run as the ``postgres`` user (``runuser``)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.home = Path(tempfile.mkdtemp(prefix="newsbot-pg-"))
        self.data = self.home / "data"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.home, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/newsbot"

    def _run(self, *command: str) -> None:
        subprocess.run([*self.as_user, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.start()
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as db:
            db.execute("CREATE DATABASE newsbot")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.home}"
        log = str(self.home / "server.log")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


def start_postgres() -> Postgres:
    """A started ``Postgres`` with an empty database ``newsbot``; skips the calling test,
    saying why, where PostgreSQL is not installed."""
    import pytest

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        pytest.skip("PostgreSQL is not installed (Debian package postgresql; .ci/run installs it)")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: PostgreSQL cannot be started as root")
    server = Postgres(found[-1].parent)
    server.init()
    return server
