"""Request ids, JSON access logs, log redaction and cache headers.

Logs carry a request id, the method, the route pattern, the status and the duration: never
bodies, paths, query strings, notes or tokens, so no patient data can reach a log from here.
`RedactingFilter` (on the one log handler) holds every other record to the same rule: Django's
request error records lose their path and request repr, exceptions their messages, and any
message its INS-shaped numbers (national health identifiers). The
server's own access log (daphne's, with full paths) is off (Procfile, Makefile).
"""

import contextvars
import logging
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from patients.identifiers import ins_redact

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
access_log = logging.getLogger("relapse.access")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


# Loggers whose records describe one request and carry its path (patient ids) and query string
# (`?search=` codes) in their message and a `request` attribute (its repr is the full URL).
REQUEST_LOGGERS = ("django.request", "django.server", "django.channels.server", "daphne")


def redacted_traceback(exc_info: tuple[Any, ...]) -> str:
    """A traceback without what could carry patient data: no exception message (a database
    error quotes the statement and its values), no source lines (an f-string may hold an
    SQL fragment); the exception types, files, lines and functions, causes included."""
    parts: list[str] = []
    seen: set[int] = set()
    exc: BaseException | None = exc_info[1]
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        frames = traceback.extract_tb(exc.__traceback__)
        lines = [f'  File "{f.filename}", line {f.lineno}, in {f.name}' for f in frames]
        parts.append(
            "\n".join(
                ["Traceback (most recent call last):", *lines, f"{type(exc).__module__}.{type(exc).__qualname__}"]
            )
        )
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "\n\nCaused by (the exception above was raised while handling it):\n\n".join(reversed(parts)) + (
        "\n(exception messages withheld from logs: they may quote patient data)"
    )


# A record's own attributes that never carry free text (the `extra` ones, the message and the
# traceback may: they are scrubbed).
_PLAIN_RECORD_ATTRS = frozenset(
    {"name", "levelname", "pathname", "filename", "module", "funcName", "processName", "threadName", "msg"}
    | {"request_id", "route", "method", "taskName", "asctime", "stack_info"}
)


class RedactingFilter(logging.Filter):
    """On the log handler: every exception is logged without its message or source lines
    (`redacted_traceback`), and a record about a request (`django.request`'s "Internal
    Server Error: /path?query" with the request object) keeps only the route pattern and
    the status, never the path, the query string or the request's repr."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redacted_traceback(record.exc_info)
            record.exc_info = None
        if record.name.startswith(REQUEST_LOGGERS):
            request = record.__dict__.pop("request", None)
            match = getattr(request, "resolver_match", None)
            record.route = match.route if match else ""
            record.method = getattr(request, "method", "") or ""
            record.msg = "request failed" if record.levelno >= logging.ERROR else "request"
            record.args = ()
        # A national health identifier (INS) never reaches a log, whoever logged it: the
        # message is formatted here and anything shaped like an INS masked.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        redacted = ins_redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        for key, value in list(record.__dict__.items()):
            if key not in _PLAIN_RECORD_ATTRS and isinstance(value, str):
                record.__dict__[key] = ins_redact(value)
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
