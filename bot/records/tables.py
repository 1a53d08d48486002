"""The recorded tables. Changing them needs a new migration in ``migrations/versions/``
(``tests/unit/bot/records/test_database.py`` fails when the two differ).

Privacy by design: no client address, no user agent; a conversation is known only by a hash
of its session id. Rows older than the retention period are purged.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

ANSWER_ID_CHARS = 32  # uuid4().hex


class Channel(StrEnum):
    """Who asked: a person (the chat, the widget, the API) or an AI assistant (MCP, /ask)."""

    READER = "reader"
    AGENT = "agent"


# One row per answered question. Its id is the answer's ``answer_id`` (one answer per question).
questions = Table(
    "questions",
    metadata,
    Column("id", String(ANSWER_ID_CHARS), primary_key=True),
    Column("asked_at", DateTime(timezone=True), nullable=False),
    Column("session", String(64), nullable=True, comment="sha256 of the session id, never the id"),
    Column("question", Text, nullable=False, comment="as asked"),
    Column("standalone", Text, nullable=False, comment="as searched (a follow-up resolved)"),
    Column("history", JSON, nullable=False, comment="earlier turns: [[question, answer], ...]"),
    Column("article_id", String(300), nullable=True, comment="the article page it was asked on"),
    Column("intent", String(20), nullable=False),
    Column("answerer", String(40), nullable=False),
    Column("refused", Boolean, nullable=False),
    Column("fallback", Boolean, nullable=False),
    Column("cited_articles", JSON, nullable=False, comment="article ids the answer cites"),
    Column("latency_ms", Float, nullable=False),
    Column(
        "channel",
        String(10),
        nullable=False,
        server_default=Channel.READER.value,
        comment="reader (chat, widget, API) or agent (MCP, /ask)",
    ),
    Index("ix_questions_asked_at", "asked_at"),
)

answers = Table(
    "answers",
    metadata,
    Column("id", String(ANSWER_ID_CHARS), primary_key=True, comment="= questions.id"),
    Column("text", Text, nullable=False),
    Column("citations", JSON, nullable=False, comment="[{n, article_id, title, url, quote}, ...]"),
    Column("notice", Text, nullable=True),
)

# One vote per answer: a later vote replaces an earlier one. No foreign key: the replicas write
# off their requests, each in its own time, and the retention purge goes by each row's date.
feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("answer_id", String(ANSWER_ID_CHARS), nullable=False, unique=True),
    Column("rating", String(4), nullable=False, comment="up or down"),
    Column("reason", String(20), nullable=True),
    Column("comment", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_feedback_updated_at", "updated_at"),
)
