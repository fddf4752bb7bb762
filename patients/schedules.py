"""Celery beat entries of the patients app (merged in config/celery.py)."""

from celery.schedules import crontab

BEAT: dict = {
    "audit-retention-purge": {"task": "patients.tasks.purge_expired_audit", "schedule": crontab(hour=3, minute=30)},
}
