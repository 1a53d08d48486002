"""Alembic's environment: runs on the connection ``bot.records.database.upgrade`` hands it."""

from __future__ import annotations

from alembic import context

from bot.records.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the app's own upgrade() runs migrations
    raise RuntimeError("the app runs the migrations at start (bot.records.database.upgrade)")
# Batch mode: SQLite cannot ALTER most things; Alembic recreates its tables instead.
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
