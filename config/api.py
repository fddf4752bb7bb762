"""API-wide error handling: DRF's standard shapes, and domain errors mapped to them."""

import logging
from typing import Any

from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from patients.errors import ConsentRequired, DomainError, IdempotencyConflict

logger = logging.getLogger(__name__)

RETRY_DETAIL = "The service is briefly unavailable. Nothing was saved from this request; send it again."


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, OperationalError | InterfaceError):
        # The database went away mid-request (restart, failover). Writes are atomic, so
        # nothing was half-written; client ids make the retry idempotent.
        logger.warning("database unavailable", extra={"error": type(exc).__name__})
        return Response(
            {"detail": RETRY_DETAIL}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"}
        )
    if isinstance(exc, RecursionError):
        # JSON nested deeper than the parser's recursion limit (e.g. 100,000 '['): the
        # request is refused as unreadable, before any view code ran on it.
        logger.warning("request body nested too deeply")
        exc = exceptions.ParseError("JSON parse error: the document is nested too deeply.")
    elif isinstance(exc, ConsentRequired):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, IdempotencyConflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, DomainError):
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
