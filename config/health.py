"""Liveness and readiness for load balancers. Neither reveals anything about patients."""

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        return False, type(exc).__name__


def _check_redis() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "not configured (embedded mode)"
    try:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return True, "ok"
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__


def _check_celery() -> tuple[bool, str]:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True, "in-process (embedded mode)"
    try:
        from config.celery import app

        replies = app.control.ping(timeout=1.0)
        return (True, f"{len(replies)} worker(s)") if replies else (False, "no worker answered")
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__


def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {}
    ready = True
    for name, check in (("database", _check_database), ("redis", _check_redis), ("celery", _check_celery)):
        ok, detail = check()
        checks[name] = {"ok": ok, "detail": detail}
        ready = ready and ok
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)
