"""Subscriber access: a signed, expiring token a news site gives its logged-in subscribers.

A token is ``EXPIRES.SIGNATURE``: ``EXPIRES`` the Unix time (seconds) it stops being valid,
``SIGNATURE`` the hex HMAC-SHA256 of ``newsbot-subscriber:v1:EXPIRES`` under
``NEWSBOT_SUBSCRIBER_SECRET`` (the prefix: a signature made for something else never passes). The
site's server mints one per page view (any language can; ``python -m bot.web.subscribers``
prints one), the widget sends it as ``X-Newsbot-Subscriber`` (its ``data-subscriber-token``
attribute), and a request carrying a valid one may be answered from subscriber-only articles.
Nothing else about the reader is needed or kept. Without the secret, every reader is
anonymous: subscriber-only articles answer no one.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import re
import sys
import time
from collections.abc import Sequence

from fastapi import Request
from pydantic import SecretStr

from bot.config import Settings
from bot.web.errors import UnauthorizedError

HEADER = "X-Newsbot-Subscriber"
MAX_TTL_S = 24 * 3600  # a token valid for longer is refused: a leaked one must not last
SIGNED = "newsbot-subscriber:v1:"
_EXPIRES = re.compile(r"[0-9]{1,12}")  # ASCII digits only ("²".isdigit() is True)


def sign(secret: str, expires: int) -> str:
    signature = hmac.new(secret.encode(), f"{SIGNED}{expires}".encode(), hashlib.sha256).hexdigest()
    return f"{expires}.{signature}"


def is_subscriber(request: Request, secret: SecretStr | None) -> bool:
    """Whether the request carries a valid subscriber token; a bad or expired one is a 401
    (the site's integration is broken: say so rather than quietly answer less)."""
    token = request.headers.get(HEADER)
    if token is None or secret is None:
        return False
    expires, _, _ = token.partition(".")
    now = time.time()
    valid = (
        _EXPIRES.fullmatch(expires) is not None
        and now < int(expires) <= now + MAX_TTL_S
        and hmac.compare_digest(token.encode(), sign(secret.get_secret_value(), int(expires)).encode())
    )
    if not valid:
        raise UnauthorizedError("The subscriber token is invalid or expired.")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.web.subscribers",
        description="Print a subscriber token signed with NEWSBOT_SUBSCRIBER_SECRET.",
    )
    parser.add_argument("--ttl", type=int, default=3600, help="seconds it stays valid (default 3600)")
    args = parser.parse_args(argv)
    # The app's own settings (environment and .env): the token is signed as the app checks it.
    configured = Settings().subscriber_secret
    secret = configured.get_secret_value() if configured else ""
    if not secret:
        print("error: set NEWSBOT_SUBSCRIBER_SECRET", file=sys.stderr)
        return 2
    if not 0 < args.ttl <= MAX_TTL_S:
        print(f"error: --ttl must be between 1 and {MAX_TTL_S}", file=sys.stderr)
        return 2
    print(sign(secret, int(time.time()) + args.ttl))
    return 0


if __name__ == "__main__":
    sys.exit(main())
