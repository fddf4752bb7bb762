"""Celery beat entries of the monitoring app (merged in config/celery.py)."""

BEAT: dict = {
    # Voice diaries whose task was never queued (broker down) or lost (worker killed).
    "speech-requeue-pending": {"task": "monitoring.tasks.requeue_pending_speech_recordings", "schedule": 300.0},
}
