"""The one family of errors whose messages are safe to show users.

The core raises these; each edge translates them (CLI: message + exit code,
HTTP: status + JSON body, UI: a visible message). Anything else is a bug.
"""


class BotError(Exception):
    """Base class: ``str(err)`` is a message fit for an end user."""

    exit_code = 1
    http_status = 500
    kind = "internal_error"


class ConfigError(BotError):
    """Settings are invalid or a configured resource cannot be opened."""

    exit_code = 2
    http_status = 500
    kind = "config_error"


class InputError(BotError):
    """The user's input (question, path, article id) is unusable."""

    exit_code = 2
    http_status = 400
    kind = "bad_request"


class TooLargeError(InputError):
    """The input is over a size cap (question length, request body)."""

    http_status = 413
    kind = "too_large"


class RateLimitError(BotError):
    """Too many requests from one client or session; ``retry_after_s`` says when to retry."""

    exit_code = 6
    http_status = 429
    kind = "rate_limited"

    def __init__(self, message: str, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class NotFoundError(BotError):
    """A named article or resource does not exist."""

    exit_code = 3
    http_status = 404
    kind = "not_found"


class IndexUnavailableError(BotError):
    """The article index is missing, empty or its store cannot be reached."""

    exit_code = 4
    http_status = 503
    kind = "index_unavailable"


class IndexBusyError(BotError):
    """Another process is writing to the same index."""

    exit_code = 5
    http_status = 503
    kind = "index_busy"
