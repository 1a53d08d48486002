"""Bearer tokens of the operator's routes (publishing API, metrics): one check, in constant time."""

from __future__ import annotations

import hmac

from fastapi import Request
from pydantic import SecretStr

from bot.web.errors import UnauthorizedError


def require_bearer(request: Request, token: SecretStr, what: str) -> None:
    """Pass when ``Authorization: Bearer <token>`` carries ``token``; 401 otherwise."""
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        sent.encode(), token.get_secret_value().encode()
    ):
        raise UnauthorizedError(f"{what} needs its bearer token.")
