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
from urllib.parse import urlsplit

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http import HttpRequest
from django.http.request import split_domain_port, validate_host

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


# --- Origin: the full origin (scheme, host, port), not an allowed host on any port ------------

_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_origin(value: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a web origin, the port made explicit; None if it is not one
    (`null`, another scheme, a path, credentials)."""
    parts = urlsplit(value.strip().lower())
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or parts.username or parts.password:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return None
    return parts.scheme, parts.hostname, port


def websocket_origin_allowed(scope: dict[str, Any]) -> bool:
    """May a browser page of this origin open a socket here? With `ALLOWED_WS_ORIGINS` set,
    only those origins, exactly (scheme, host and port). Otherwise the page's own origin: its
    host is in ALLOWED_HOSTS and it is the host *and port* the socket was opened on (the Host
    header; without one, the scheme's default port), and `https` when the connection is `wss`.
    (Behind a TLS-ending proxy the connection is `ws` and the page `https`: same host and port.)"""
    headers = dict(scope.get("headers") or [])
    raw_origin = headers.get(b"origin")
    if raw_origin is None:
        return False
    origin = parse_origin(raw_origin.decode("latin-1"))
    if origin is None:
        return False
    listed = list(settings.ALLOWED_WS_ORIGINS)
    if listed:
        return origin in {parse_origin(entry) for entry in listed}
    scheme, host, port = origin
    if scope.get("scheme") == "wss" and scheme != "https":
        return False
    if not validate_host(host, list(settings.ALLOWED_HOSTS)):
        return False
    raw_host = headers.get(b"host")
    if raw_host is None:
        return port == _DEFAULT_PORTS[scheme]
    domain, host_port = split_domain_port(raw_host.decode("latin-1"))
    if not domain:
        return False
    return domain.strip("[]") == host.strip("[]") and port == (int(host_port) if host_port else _DEFAULT_PORTS[scheme])


class SameOriginValidator:
    """Refuses a socket whose Origin is not allowed (`websocket_origin_allowed`) with a
    handshake denial (HTTP 403), before any authentication."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not websocket_origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
