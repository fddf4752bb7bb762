"""Celery beat entries of the ml app (merged in config/celery.py).

Every 15 minutes the nightly task looks for care teams whose local time has passed 02:00 and
scores their previous local day once (ml.services.risk_scoring_nightly)."""

from celery.schedules import crontab

BEAT: dict = {
    "ml-nightly-risk-scoring": {
        "task": "ml.tasks.risk_scoring_nightly",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
}
