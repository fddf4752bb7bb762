"""Celery tasks: thin shells over the services, safe to run twice. Only transient errors (the
database or broker unreachable for a moment) are retried; a bug fails at once, visibly."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@shared_task(autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=300, max_retries=5)
def check_escalations() -> int:
    return services.alerts_escalate_due()
