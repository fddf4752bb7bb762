"""Celery tasks of the phone app: thin shells over services."""

from celery import shared_task

from .push import checkin_reminders_send


@shared_task(acks_late=True)
def send_checkin_reminders() -> dict[str, int]:
    """Web Push check-in reminders that are due (mobile/push.py); safe to run at any moment."""
    return checkin_reminders_send()
