"""Who may use the operator's routes (publishing API, metrics, the editors' page).

Scripts send ``Authorization: Bearer <token>``, compared in constant time. Editors in a
browser log in once with the same token and get a cookie that proves it for 12 hours: an
HMAC of its expiry keyed by the token (the token itself never sits in the browser; changing
the token logs everyone out).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time

from fastapi import Request
from pydantic import SecretStr

from bot.web.errors import UnauthorizedError

EDITOR_COOKIE = "newsbot_editor"
EDITOR_COOKIE_S = 12 * 3600
# Checked before anything is parsed: a forged cookie is a refusal, never an error.
_COOKIE = re.compile(r"(?P<expires>\d{1,12})\.(?P<signature>[0-9a-f]{64})")


def has_bearer(request: Request, token: SecretStr) -> bool:
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and same_secret(sent, token)


def require_bearer(request: Request, token: SecretStr, what: str) -> None:
    """Pass when ``Authorization: Bearer <token>`` carries ``token``; 401 otherwise."""
    if not has_bearer(request, token):
        raise UnauthorizedError(f"{what} needs its bearer token.")


def same_secret(sent: str, token: SecretStr) -> bool:
    return hmac.compare_digest(sent.encode(), token.get_secret_value().encode())


def editor_cookie(token: SecretStr, now: float | None = None) -> str:
    """A logged-in editor's cookie value: ``EXPIRES.SIGNATURE``."""
    expires = int((now if now is not None else time.time()) + EDITOR_COOKIE_S)
    return f"{expires}.{_signature(token, expires)}"


def is_editor(request: Request, token: SecretStr, now: float | None = None) -> bool:
    """The bearer token, or a cookie from a login that has not expired."""
    if has_bearer(request, token):
        return True
    cookie = _COOKIE.fullmatch(request.cookies.get(EDITOR_COOKIE, ""))
    if cookie is None or int(cookie["expires"]) < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(
        cookie["signature"].encode(), _signature(token, int(cookie["expires"])).encode()
    )


def _signature(token: SecretStr, expires: int) -> str:
    message = f"newsbot-editor:v1:{expires}".encode()
    return hmac.new(token.get_secret_value().encode(), message, hashlib.sha256).hexdigest()
