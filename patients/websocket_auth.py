"""Authentication for WebSockets.

Session cookies are read by channels' AuthMiddlewareStack (dashboards in a browser). A client
without a session (the phone, a script) authenticates with its first message
`{"type": "auth", "token": "<access JWT>"}`, checked here by `user_and_expiry_from_access_token`: a token
never travels in a URL, where proxies and logs would keep it.

A socket lives no longer than what opened it: a JWT-opened socket closes at the token's
expiry; a session-opened one closes when `session_user` no longer finds its user (the
session expired, was flushed by a logout, or the password changed)."""

import hashlib
from importlib import import_module
from types import SimpleNamespace
from typing import Any, cast

from channels.auth import AuthMiddlewareStack
from django.conf import settings
from django.http import HttpRequest

MAX_TOKEN_LENGTH = 4096


def JWTOrSessionAuthMiddlewareStack(inner: Any) -> Any:  # noqa: N802 - mirrors channels' naming
    return AuthMiddlewareStack(inner)


def user_and_expiry_from_access_token(token: Any) -> tuple[Any | None, float | None]:
    """The active user an *access* JWT names and the token's expiry (a Unix time), or
    (None, None): expired, forged (bad signature), refresh-type or otherwise invalid tokens,
    and inactive users, are all refused. Sync (ORM). A socket it opens closes at the expiry."""
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken, TokenError

    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None, None
    auth = JWTAuthentication()
    try:
        validated = auth.get_validated_token(token.encode())
        user = auth.get_user(validated)
    except (InvalidToken, AuthenticationFailed, TokenError):
        return None, None
    if user is None or not user.is_active:
        return None, None
    expiry = validated.get("exp")
    return user, float(expiry) if isinstance(expiry, int | float) else None


def session_user(session_key: str | None) -> Any | None:
    """The active user a stored, unexpired session still authenticates, or None: Django's own
    `auth.get_user` on the session as a request would load it (expiry, the password hash the
    session was opened with, `is_active`). Sync (ORM or cache)."""
    from django.contrib.auth import get_user

    if not session_key:
        return None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    # A stand-in request: get_user reads only its session.
    user = get_user(cast(HttpRequest, SimpleNamespace(session=store)))
    return user if user.is_authenticated and user.is_active else None


def session_ref(session_key: str) -> str:
    """A session's reference in channel-layer messages: a digest, never the key itself."""
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]
