"""Questions, answers and feedback.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session", sa.String(64), nullable=True, comment="sha256 of the session id, never the id"),
        sa.Column("question", sa.Text, nullable=False, comment="as asked"),
        sa.Column("standalone", sa.Text, nullable=False, comment="as searched (a follow-up resolved)"),
        sa.Column("history", sa.JSON, nullable=False, comment="earlier turns: [[question, answer], ...]"),
        sa.Column("article_id", sa.String(300), nullable=True, comment="the article page it was asked on"),
        sa.Column("intent", sa.String(20), nullable=False),
        sa.Column("answerer", sa.String(40), nullable=False),
        sa.Column("refused", sa.Boolean, nullable=False),
        sa.Column("fallback", sa.Boolean, nullable=False),
        sa.Column("cited_articles", sa.JSON, nullable=False, comment="article ids the answer cites"),
        sa.Column("latency_ms", sa.Float, nullable=False),
    )
    op.create_index("ix_questions_asked_at", "questions", ["asked_at"])
    op.create_table(
        "answers",
        sa.Column("id", sa.String(32), primary_key=True, comment="= questions.id"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("citations", sa.JSON, nullable=False, comment="[{n, article_id, title, url, quote}, ...]"),
        sa.Column("notice", sa.Text, nullable=True),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("answer_id", sa.String(32), nullable=False, unique=True),
        sa.Column("rating", sa.String(4), nullable=False, comment="up or down"),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feedback_updated_at", "feedback", ["updated_at"])


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_table("answers")
    op.drop_table("questions")
