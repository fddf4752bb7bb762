"""Celery beat entries of the patients app (merged in config/celery.py)."""

from celery.schedules import crontab

BEAT: dict = {
    "audit-retention-purge": {"task": "patients.tasks.purge_expired_audit", "schedule": crontab(hour=3, minute=30)},
    # Emergency accesses nobody looked at after their expiry get their stop entry within 5 min.
    "emergency-access-expiry": {"task": "patients.tasks.close_expired_emergency_accesses", "schedule": 300.0},
}
