"""The records' database: URLs, migrations that match the tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.records.database import current_revision, database_url, open_database, shown, upgrade
from bot.records.tables import metadata
from index.errors import ConfigError


def test_the_default_is_a_sqlite_file_in_the_data_folder(tmp_path: Path) -> None:
    url = database_url(None, tmp_path)
    assert url.get_backend_name() == "sqlite" and url.database == str(tmp_path / "records.sqlite")


def test_postgresql_urls_use_the_installed_driver_and_never_show_the_password(tmp_path: Path) -> None:
    url = database_url("postgresql://editor:hunter2-secret@db.internal/newsbot", tmp_path)
    assert url.drivername == "postgresql+psycopg"
    assert "hunter2-secret" not in shown(url) and "db.internal" in shown(url)


def test_a_bad_url_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        database_url("not a url", tmp_path)


def test_the_migrations_build_exactly_the_tables_and_can_run_twice(tmp_path: Path) -> None:
    engine = open_database(database_url(None, tmp_path))
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == "0002"
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
