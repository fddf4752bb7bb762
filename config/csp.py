"""Content security policy: django-csp with the site's own WebSocket origin in `connect-src`.

`connect-src 'self'` does not cover WebSockets in every browser, and `ws:`/`wss:` would let a
page (or injected script) connect to any host. The policy names exactly the origin the page
was served from, in its WebSocket scheme: `ws://host:port` over HTTP, `wss://host:port` over
HTTPS (behind a proxy: `SECURE_PROXY_SSL_HEADER`)."""

from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


def websocket_origin(request: HttpRequest) -> str | None:
    """The page's own origin, as a WebSocket address; None for a host not allowed."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


class SiteCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        own = websocket_origin(request)
        if own is not None:
            update: dict[str, Any] = dict(parts.update or {})
            existing = update.get("connect-src") or []
            update["connect-src"] = [*([existing] if isinstance(existing, str) else existing), own]
            parts.update = update
        return parts
