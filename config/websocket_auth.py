"""Authentication for WebSockets.

Session cookies are read by channels' AuthMiddlewareStack (dashboards in a browser). A client
without a session (the phone, a script) authenticates with its first message
`{"type": "auth", "token": "<access JWT>"}`, checked here by `user_and_expiry_from_access_token`: a token
never travels in a URL, where proxies and logs would keep it."""

from typing import Any

from channels.auth import AuthMiddlewareStack

MAX_TOKEN_LENGTH = 4096


def JWTOrSessionAuthMiddlewareStack(inner):  # type: ignore[no-untyped-def]  # noqa: N802 - mirrors channels' naming
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
