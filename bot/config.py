"""The bot's settings: the index's (``index.config.IndexSettings``) plus answering and web knobs.

One object, built at the entry point and passed down; every field can be set from the
environment with the ``NEWSBOT_`` prefix or from a ``.env`` file in the working directory.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PositiveInt, SecretStr, field_validator, model_validator

from index.config import IndexSettings

MIN_SECRET_CHARS = 16  # tokens and secrets shorter than this are refused at start-up


class Settings(IndexSettings):
    """All knobs of the product. Defaults give the embedded, offline setup."""

    answerer: Literal["extractive", "openai", "llamacpp"] = Field(
        "extractive", description="Who writes answers: extractive (no LLM) or an LLM backend."
    )
    reader: Literal["off", "refuse", "rank"] = Field(
        "off",
        description="The fitted reader (bot/answerers/data/reader.json) in the extractive answerer: "
        "off, refuse (it decides when the article does not answer) or rank (it also picks the sentence).",
    )
    reader_model: Path | None = Field(
        None,
        description="The reader's weights (default: packaged; python -m bot.eval.train_reader refits).",
    )
    retrieval_k: PositiveInt = Field(10, description="Passages retrieved per question.")
    retrieval_k_across: PositiveInt = Field(
        30,
        description="Passages retrieved for a question about several reports (each report is "
        "checked in its own outlet's passages).",
    )
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
    answer_threads: PositiveInt = Field(
        16, description="Questions answered at once (more wait their turn, holding no thread)."
    )
    follow_store_changes: bool = Field(
        False,
        description="This replica's data folder is its own (another machine than the writers'): keep "
        "its lexical index up to date from the writers' change log in the store. Off: the writers "
        "on this data folder keep it up to date.",
    )
    index_check_s: float = Field(
        5.0, gt=0, description="While the index is empty or unreachable, look for it again this often."
    )
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
    body_timeout_s: float = Field(
        10.0, gt=0, description="A request body not received within this gets 408 (slow or stalled clients)."
    )
    allowed_origins: list[str] = Field(
        ["http://127.0.0.1:7870", "http://localhost:7870"],
        description="Sites that may embed the widget/iframe and call the API from a browser "
        "(JSON list; default: the local demo page).",
    )
    allowed_hosts: list[str] = Field(
        [],
        description="Host names this server answers for (the Host header, its port aside; JSON list; "
        '["*"]: any). Default: bound to a loopback address (the default NEWSBOT_HOST), only 127.0.0.1, '
        "localhost and ::1, so that a web page cannot reach a local server through a name of its own "
        "(DNS rebinding); bound to any other address, any name. Behind a proxy that passes its own "
        "Host (nginx's `proxy_set_header Host $host`), list the site's name (loopback names stay "
        "answered, for health checks and scripts on the host).",
    )
    rate_limit_client: str = Field(
        "60/minute;10/second", description="Questions per client address (limits syntax; empty: none)."
    )
    rate_limit_session: str = Field("20/minute", description="Questions per conversation.")
    redis_url: SecretStr | None = Field(
        None,
        description="Keep sessions and rate-limit counters in this Redis (redis://host:6379/0), "
        "shared by every app replica; default: in this process's memory.",
    )
    redis_timeout_s: float = Field(
        2.0, gt=0, description="A Redis call that takes longer fails (HTTP 503) instead of waiting."
    )
    metrics_token: SecretStr | None = Field(
        None, description="Serve Prometheus metrics at /metrics to this bearer token (default: off)."
    )
    admin_token: SecretStr | None = Field(
        None,
        description="Bearer token of the publishing API (/api/admin/articles/…) for a CMS (default: off).",
    )
    editor_token: SecretStr | None = Field(
        None,
        description="Token of the editors' page (/admin: insights, the CSV export, takedowns in force), "
        "read-only; must differ from the publishing token (default: off).",
    )
    subscriber_secret: SecretStr | None = Field(
        None,
        description="Secret that signs subscriber tokens (X-Newsbot-Subscriber); without it "
        "subscriber-only articles answer no one.",
    )
    admin_max_body_kb: PositiveInt = Field(2048, description="Largest article a CMS may push, in KB.")
    record: bool = Field(
        True,
        description="Record questions, answers and readers' feedback for the editors' insights "
        "(off: nothing is kept and feedback is refused).",
    )
    database_url: SecretStr | None = Field(
        None,
        description="Database of the records: any SQLAlchemy URL (postgresql://user:password@host/db "
        "shared by several replicas); default: a SQLite file, DATA_DIR/records.sqlite.",
    )
    insights_fresh_s: float = Field(
        60.0,
        ge=0,
        description="The editors' page shows a period's figures for this long without counting "
        "again; older ones are shown while a recount runs (0: every view starts one).",
    )
    retention_days: PositiveInt = Field(
        30, description="Recorded questions and feedback older than this are deleted."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Log level of the app."
    )
    log_format: Literal["json", "text"] = Field(
        "json", description="Log lines as JSON objects (with request_id) or as plain text."
    )
    shutdown_grace_s: int = Field(
        30,
        ge=0,
        description="On SIGTERM, answers in progress get this long to finish; new ones are refused.",
    )
    trusted_proxies: list[str] = Field(
        [],
        description="Addresses of the reverse proxies in front of the app whose X-Forwarded-For "
        "and X-Forwarded-Proto are believed (JSON list of IPs; default none: the peer's address "
        "is the client, so a forged header cannot dodge the rate limit).",
    )

    @field_validator("metrics_token", "admin_token", "editor_token", "subscriber_secret", mode="before")
    @classmethod
    def _secret(cls, value: object) -> object:
        """Unset when empty (a blank variable in a compose file must not switch a route on with
        an empty token that an empty ``Bearer`` matches); otherwise long enough to resist guessing."""
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, str) and len(raw) < MIN_SECRET_CHARS:
            raise ValueError(f"must be at least {MIN_SECRET_CHARS} characters (or unset)")
        return value

    @model_validator(mode="after")
    def _separate_tokens(self) -> Settings:
        """Editors read; the CMS publishes. One token for both would hand every editor the
        publishing credential, which is what the two settings exist to prevent."""
        if (
            self.editor_token
            and self.admin_token
            and self.editor_token.get_secret_value() == self.admin_token.get_secret_value()
        ):
            raise ValueError("NEWSBOT_EDITOR_TOKEN must differ from NEWSBOT_ADMIN_TOKEN")
        return self

    @field_validator("database_url", mode="before")
    @classmethod
    def _optional(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            if host != "*" and not re.fullmatch(r"[A-Za-z0-9.\-]+|\[?[0-9A-Fa-f:]+\]?", host):
                raise ValueError(f"{host!r} is not a host name like news.example or 10.0.0.5 (no port)")
        return [host.lower().strip("[]") for host in value]

    @field_validator("allowed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        for origin in value:
            if not re.fullmatch(r"https?://[A-Za-z0-9.\-]+(:\d+)?", origin):
                raise ValueError(f"{origin!r} is not an origin like https://news.example or http://host:8080")
        return value


def default(name: str) -> Any:
    """The default of setting ``name``: code that runs without a ``Settings`` (tests, library
    use) takes the one default from here, never a copy of it."""
    return Settings.model_fields[name].default
