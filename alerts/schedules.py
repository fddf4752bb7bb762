"""Celery beat entries of the alerts app (merged in config/celery.py)."""

from celery.schedules import crontab

BEAT: dict = {
    # A critical alert left unacknowledged past its team's delay (default 15 min) escalates
    # within a minute of the deadline.
    "alerts-check-escalations": {"task": "alerts.tasks.check_escalations", "schedule": 60.0},
    # Gaps are counted in complete local days; hourly runs catch every team's midnight.
    "alerts-check-adherence": {"task": "alerts.tasks.check_adherence", "schedule": crontab(minute=17)},
}
