"""Faults of the services the app depends on, with the real processes: a ``chroma run`` server
that hangs (SIGSTOP) or dies must give readers a prompt 503, never freeze the other routes,
and the app must recover by itself when the server answers again."""

from __future__ import annotations

import http.server
import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from bot.config import Settings
from tests.corpus import SEED
from tests.e2e.servers import eventually, start_app, start_chroma, stop_app

WHO = "Who leads Russia's delegation?"
STORE_TIMEOUT_S = 2
# The client waits far longer than the app's store timeout: a request that ends within this
# ended because the app answered it, not because the client gave up.
CLIENT_TIMEOUT_S = 40


@pytest.fixture()
def server_app(tmp_path: Path, embeddings):
    """A ``chroma run`` server holding the seed article, and ``python app.py`` in server mode."""
    from index.factory import make_indexer

    chroma, port = start_chroma(tmp_path / "chroma")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, data_dir=tmp_path / "data", chroma_host="127.0.0.1", chroma_port=port
    )
    make_indexer(settings, embeddings=embeddings).build([SEED])
    env = {
        "NEWSBOT_CHROMA_HOST": "127.0.0.1",
        "NEWSBOT_CHROMA_PORT": str(port),
        "NEWSBOT_STORE_TIMEOUT_S": str(STORE_TIMEOUT_S),
        "NEWSBOT_RATE_LIMIT_SESSION": "",
    }
    app, base = start_app(tmp_path / "data", env)
    try:
        yield chroma, base
    finally:
        stop_app(app)
        if chroma.poll() is None:
            os.kill(chroma.pid, signal.SIGCONT)
            chroma.terminate()
            chroma.wait(timeout=20)


def _ask(base: str) -> int:
    return httpx.post(f"{base}/api/chat", json={"message": WHO}, timeout=CLIENT_TIMEOUT_S).status_code


def test_a_hung_chroma_server_gives_503s_and_the_other_routes_keep_answering(server_app) -> None:
    chroma, base = server_app
    assert _ask(base) == 200
    article = httpx.get(f"{base}/api/articles", timeout=10).json()[0]["article_id"]
    os.kill(chroma.pid, signal.SIGSTOP)
    with ThreadPoolExecutor(45) as pool:
        asked = [pool.submit(_ask, base) for _ in range(45)]
        time.sleep(0.5)  # the questions are now waiting on the hung server
        for path in ("/livez", "/healthz", "/widget.js", "/api/articles", f"/read/{article}"):
            # Short client timeout: these must not queue behind the stuck questions.
            reply = httpx.get(f"{base}{path}", timeout=5)
            assert reply.status_code in (200, 503), path
            assert path == "/healthz" or reply.status_code == 200, path
        statuses = [future.result() for future in asked]
    assert statuses == [503] * 45
    reply = httpx.post(f"{base}/api/chat", json={"message": WHO}, timeout=CLIENT_TIMEOUT_S)
    assert reply.json()["error"]["type"] == "index_unavailable"
    assert httpx.get(f"{base}/readyz", timeout=5).status_code == 503

    os.kill(chroma.pid, signal.SIGCONT)
    assert _recovers(base), "the app did not answer again after the Chroma server resumed"


def test_a_killed_chroma_server_gives_503s_until_it_is_back(server_app, tmp_path: Path) -> None:
    chroma, base = server_app
    port = int(httpx.get(f"{base}/healthz", timeout=5).json()["store_location"].rsplit(":", 1)[1])
    chroma.kill()
    chroma.wait(timeout=20)
    assert _ask(base) == 503
    assert httpx.get(f"{base}/readyz", timeout=5).status_code == 503
    assert httpx.get(f"{base}/livez", timeout=5).status_code == 200
    restarted, _ = start_chroma(tmp_path / "chroma", port=port)
    try:
        assert _recovers(base), "the app did not answer again after the Chroma server restarted"
    finally:
        restarted.terminate()
        restarted.wait(timeout=20)


def _recovers(base: str) -> bool:
    return eventually(lambda: _ask(base) == 200 and httpx.get(f"{base}/readyz", timeout=5).status_code == 200)


class _SlowLLM(http.server.BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint that streams its answer a word every 0.3 s."""

    words = ("Vladimir", "Medinsky", "leads", "Russia's", "delegation.", "[1]")

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for word in self.words:
            delta = {"index": 0, "delta": {"role": "assistant", "content": word + " "}, "finish_reason": None}
            chunk = {
                "id": "c",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": "m",
                "choices": [delta],
            }
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
            time.sleep(0.3)
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args: object) -> None:
        pass


def test_on_sigterm_an_answer_in_progress_finishes_and_new_connections_are_refused(served_index) -> None:
    llm = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _SlowLLM)
    threading.Thread(target=llm.serve_forever, daemon=True).start()
    env = {
        "NEWSBOT_ANSWERER": "openai",
        "NEWSBOT_OPENAI_BASE_URL": f"http://127.0.0.1:{llm.server_address[1]}/v1",
        "NEWSBOT_SHUTDOWN_GRACE_S": "20",
    }
    app, base = start_app(served_index, env)
    try:
        events = []
        with httpx.stream("POST", f"{base}/api/chat/stream", json={"message": WHO}, timeout=60) as reply:
            lines = reply.iter_lines()
            for line in lines:
                if line.startswith("event: "):
                    events.append(line.removeprefix("event: "))
                if events[-1:] == ["delta"]:
                    break
            app.send_signal(signal.SIGTERM)  # mid-answer
            time.sleep(1.0)
            with pytest.raises(httpx.ConnectError):
                httpx.get(f"{base}/livez", timeout=5)
            events += [line.removeprefix("event: ") for line in lines if line.startswith("event: ")]
        assert events[-1] == "answer" and events.count("delta") >= 3
        # uvicorn re-raises the signal once it has shut down gracefully.
        assert app.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        llm.shutdown()
        stop_app(app)
