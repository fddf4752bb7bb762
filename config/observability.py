"""Request ids, JSON access logs and cache headers.

Logs carry a request id, the method, the route pattern, the status and the duration: never
bodies, query strings, notes or tokens, so no patient data can reach a log from here.
"""

import contextvars
import logging
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
access_log = logging.getLogger("relapse.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def _clean_request_id(raw: str | None) -> str:
    # Accept a load balancer's id only if it is short and plain, so a log line cannot be forged.
    if raw and len(raw) <= 64 and all(c.isalnum() or c in "-_" for c in raw):
        return raw
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = _clean_request_id(request.headers.get("X-Request-ID"))
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            match = getattr(request, "resolver_match", None)
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": match.route if match else "",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class NoStoreApiMiddleware:
    """Patient data must not be kept by browsers or shared caches."""

    PREFIXES = ("/api/", "/dashboard/", "/accounts/", "/admin/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(self.PREFIXES):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response
