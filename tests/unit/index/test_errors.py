"""The error family's contract with every edge: CLI exit codes, HTTP statuses, error types."""

from __future__ import annotations

import pytest

from index.errors import (
    ConfigError,
    IndexBusyError,
    IndexUnavailableError,
    InputError,
    NewsbotError,
    NotFoundError,
    TooLargeError,
)


@pytest.mark.parametrize(
    ("error", "exit_code", "status", "kind"),
    [
        (NewsbotError, 1, 500, "internal_error"),
        (ConfigError, 2, 500, "config_error"),
        (InputError, 2, 400, "bad_request"),
        (TooLargeError, 2, 413, "too_large"),
        (NotFoundError, 3, 404, "not_found"),
        (IndexUnavailableError, 4, 503, "index_unavailable"),
        (IndexBusyError, 5, 503, "index_busy"),
    ],
)
def test_each_error_says_how_every_edge_reports_it(
    error: type[NewsbotError], exit_code: int, status: int, kind: str
) -> None:
    assert (error.exit_code, error.http_status, error.kind) == (exit_code, status, kind)
    assert str(error("shown to the user")) == "shown to the user" and issubclass(error, NewsbotError)


def test_too_large_is_a_kind_of_bad_input() -> None:
    assert issubclass(TooLargeError, InputError)
