"""The one family of errors whose messages are safe to show users.

It lives in the lowest layer so that ``index`` needs nothing from ``bot``; the bot and the
web layer raise the same classes (the web layer adds ``RateLimitError``). The core raises
these; each edge translates them (CLI: message + exit code, HTTP: status + JSON body via
``bot.web.errors``, UI: a visible message). Anything else is a bug.
"""


class NewsbotError(Exception):
    """Base class: ``str(err)`` is a message fit for an end user."""

    exit_code = 1
    http_status = 500
    kind = "internal_error"


class ConfigError(NewsbotError):
    """Settings are invalid or a configured resource cannot be opened."""

    exit_code = 2
    http_status = 500
    kind = "config_error"


class InputError(NewsbotError):
    """The user's input (question, path, article id) is unusable."""

    exit_code = 2
    http_status = 400
    kind = "bad_request"


class TooLargeError(InputError):
    """The input is over a size cap (question length, request body)."""

    http_status = 413
    kind = "too_large"


class NotFoundError(NewsbotError):
    """A named article or resource does not exist."""

    exit_code = 3
    http_status = 404
    kind = "not_found"


class ConflictError(NewsbotError):
    """The request collides with what is stored (an article id that another source owns)."""

    exit_code = 2
    http_status = 409
    kind = "conflict"


class IndexUnavailableError(NewsbotError):
    """The article index is missing, empty or its store cannot be reached."""

    exit_code = 4
    http_status = 503
    kind = "index_unavailable"


class IndexLoadingError(IndexUnavailableError):
    """The index is there but still being loaded (its lexical side built the first time)."""

    kind = "index_loading"
    retry_after_s = 5


class IndexBusyError(NewsbotError):
    """Another process is writing to the same index."""

    exit_code = 5
    http_status = 503
    kind = "index_busy"
