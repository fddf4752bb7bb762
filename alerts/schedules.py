"""Celery beat entries of the alerts app (merged in config/celery.py)."""

BEAT: dict = {
    # A critical alert left unacknowledged past its team's delay (default 15 min) escalates
    # within a minute of the deadline.
    "alerts-check-escalations": {"task": "alerts.tasks.check_escalations", "schedule": 60.0},
}
