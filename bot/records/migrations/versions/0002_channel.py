"""Who asked: a reader or an agent (an AI assistant through MCP or /ask).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every question recorded before this revision was a reader's: the default says so.
    with op.batch_alter_table("questions") as batch:  # SQLite cannot add a commented column otherwise
        batch.add_column(
            sa.Column(
                "channel",
                sa.String(10),
                nullable=False,
                server_default="reader",
                comment="reader (chat, widget, API) or agent (MCP, /ask)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("channel")
