"""Shared by the server benchmarks: the seed index, a free loopback port, the real app process,
a ``chroma run`` server, a process's resident memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "source_docs" / "ukraine-russia-istanbul-peace-talks-explained.txt"
INDEX = ROOT / "bench" / "out" / "seed-index"


def ensure_seed_index() -> None:
    """Index the seed article into bench/out/seed-index (a no-op when it is up to date)."""
    from bot.config import Settings
    from index.factory import make_indexer

    settings = Settings(_env_file=None, data_dir=INDEX, source_dir=SEED.parent)  # type: ignore[call-arg]
    make_indexer(settings).build([SEED])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ok(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    """Until ``url`` answers 200; the process dying or the timeout ends the benchmark."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args!r} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{url} did not answer in {timeout_s:.0f} s")


def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """``python ARGS`` from the repository root, quiet, with extra environment variables."""
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_app(port: int, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], float]:
    """``python app.py`` on the seed index; returns the process and seconds until /healthz is 200."""
    started = time.perf_counter()
    proc = start(["app.py", "--port", str(port)], {"NEWSBOT_DATA_DIR": str(INDEX), **env})
    wait_ok(f"http://127.0.0.1:{port}/healthz", proc)
    return proc, time.perf_counter() - started


def start_chroma(path: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], int]:
    """A ``chroma run`` server on loopback (a free port unless given), once it answers."""
    port = port or free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    wait_ok(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc)
    return proc, port


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
