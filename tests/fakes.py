"""A fake chat model that replays queued replies and records the prompts it received."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field


class RecordingChatModel(FakeListChatModel):
    """``responses`` are replayed in order; call number k raises ``errors[k]`` instead."""

    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    errors: dict[int, Exception] = Field(default_factory=dict)

    def _next(self, messages: list[BaseMessage]) -> None:
        call = len(self.prompts)
        self.prompts.append(list(messages))
        if call in self.errors:
            raise self.errors[call]

    def _call(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        self._next(messages)
        return super()._call(messages, stop, run_manager, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        self._next(messages)
        yield from super()._stream(messages, stop, run_manager, **kwargs)

    def prompt_text(self, index: int = -1) -> str:
        return "\n".join(str(m.content) for m in self.prompts[index])


def fake_model(*replies: str, errors: dict[int, Exception] | None = None) -> RecordingChatModel:
    return RecordingChatModel(responses=list(replies), prompts=[], errors=errors or {})
