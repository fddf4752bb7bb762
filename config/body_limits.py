"""Request bodies bounded before anything reads them.

Django's ASGI handler reads a request's whole body (spooling it to disk past
FILE_UPLOAD_MAX_MEMORY_SIZE) before any middleware or view runs, so before authentication: an
anonymous client could make the server store 150 MB to get its 401. This ASGI middleware wraps
the Django application (config.asgi) and

- answers `413` at once, without reading a byte of the body, when `Content-Length` is above
  the route's limit;
- counts the bytes of a body sent without `Content-Length` (chunked) as it streams, and
  answers `413` as soon as they pass the limit (Django sees a client that went away).

Limits (settings): `REQUEST_BODY_MAX_BYTES` for every route (2.5 MiB, Django's
DATA_UPLOAD_MAX_MEMORY_SIZE, which is set to the same value), and `REQUEST_BODY_ROUTE_LIMITS`,
longest path prefix first, for the routes that take more (voice diaries). The server in front
(daphne, and a reverse proxy in production) still receives what a client sends (Twisted, under
daphne, buffers the whole body before the application runs): the proxy's own limit (e.g. nginx
`client_max_body_size`) should match the largest route limit."""

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

access_log = logging.getLogger("relapse.access")


def body_limit_for(path: str) -> int:
    """The largest body this path accepts, in bytes."""
    routes: dict[str, int] = settings.REQUEST_BODY_ROUTE_LIMITS
    for prefix in sorted(routes, key=len, reverse=True):
        if path.startswith(prefix):
            return int(routes[prefix])
    return int(settings.REQUEST_BODY_MAX_BYTES)


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or []:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


class _BodyTooLarge(Exception):
    pass


class RequestBodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(scope.get("path", ""))
        declared = _declared_length(scope)
        if declared is not None and (declared < 0 or declared > limit):
            await self._refuse(scope, send, limit, status=413 if declared > limit else 400)
            return

        received = 0
        too_large = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Django stops reading (a client that went away) and answers nothing;
                    # the 413 is sent below.
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, watching_send)
        if too_large and not started:
            await self._refuse(scope, send, limit, status=413)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, limit: int, *, status: int) -> None:
        detail = (
            f"The request body is larger than the {limit} bytes this address accepts."
            if status == 413
            else "Content-Length is not a number."
        )
        body = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store"),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
        # Never the path: it may carry a patient's id.
        access_log.info("request", extra={"method": scope.get("method", ""), "route": "", "status": status})
