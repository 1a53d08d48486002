"""``make_recorder``: the database recorder, or none when recording is off."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.records.database import database_url, open_database, shown
from bot.records.recorder import DatabaseRecorder, NullRecorder, Recorder

log = logging.getLogger(__name__)


def make_recorder(settings: Settings) -> Recorder:
    match settings.record:
        case False:
            return NullRecorder()
        case True:
            url = database_url(_secret(settings), settings.data_dir)
            log.info("recording questions and feedback in %s", shown(url))
            return DatabaseRecorder(open_database(url), settings.retention_days)


def _secret(settings: Settings) -> str | None:
    return settings.database_url.get_secret_value() if settings.database_url else None
