"""Celery beat entries of the monitoring app (merged in config/celery.py)."""

from celery.schedules import crontab

BEAT: dict = {
    # Gaps are counted in complete local days; hourly runs catch every team's midnight. (The
    # entry keeps its first name, so a beat database updates its row in place.)
    "alerts-check-adherence": {"task": "monitoring.tasks.check_adherence", "schedule": crontab(minute=17)},
    # Voice diaries whose task was never queued (broker down) or lost (worker killed).
    "speech-requeue-pending": {"task": "monitoring.tasks.requeue_pending_speech_recordings", "schedule": 300.0},
}
