from celery import shared_task

from .audit import audit_purge_expired
from .emergency import emergency_accesses_close_expired


@shared_task(acks_late=True)
def purge_expired_audit() -> int:
    return audit_purge_expired()


@shared_task(acks_late=True)
def close_expired_emergency_accesses() -> int:
    return emergency_accesses_close_expired()
