"""Structured log lines: JSON objects with the request id of the request that made them."""

from __future__ import annotations

import json
import logging

from bot.web.observe import REQUEST_ID, JsonFormatter


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": "newsbot.test", "levelname": "INFO", "msg": message})
    record.__dict__.update(extra)
    return record


def test_a_log_line_is_one_json_object_with_the_request_id_and_extras() -> None:
    token = REQUEST_ID.set("abc123def456")
    try:
        line = JsonFormatter().format(_record("request", route="/api/chat", status=200))
    finally:
        REQUEST_ID.reset(token)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["message"] == "request" and entry["request_id"] == "abc123def456"
    assert entry["route"] == "/api/chat" and entry["status"] == 200 and entry["level"] == "info"


def test_outside_a_request_there_is_no_request_id() -> None:
    assert "request_id" not in json.loads(JsonFormatter().format(_record("start-up")))


def test_an_error_keeps_its_traceback_in_one_line() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        record = _record("failed")
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line and "ValueError: broken" in json.loads(line)["error"]
