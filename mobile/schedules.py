"""Celery beat entries of the phone app (merged in config/celery.py)."""

BEAT: dict = {
    # Check-in reminders go out within 5 minutes of each patient's local check-in time.
    "mobile-send-checkin-reminders": {"task": "mobile.tasks.send_checkin_reminders", "schedule": 300.0},
}
