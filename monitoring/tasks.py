"""Celery tasks of the monitoring app: thin shells over services."""

from celery import Task, shared_task
from django.db import DatabaseError, InterfaceError

from .alerting import adherence_alerts_evaluate
from .services import activity_days_derive, speech_recording_process, speech_recordings_requeue_pending


@shared_task(
    bind=True,
    autoretry_for=(DatabaseError, InterfaceError, OSError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def process_speech_recording(self: Task, recording_id: str) -> str:
    """Extract a voice diary's features; safe to run twice (the service is guarded by state)."""
    return speech_recording_process(recording_id=recording_id)


@shared_task(acks_late=True)
def requeue_pending_speech_recordings() -> int:
    return speech_recordings_requeue_pending()


@shared_task(autoretry_for=(DatabaseError, InterfaceError), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def check_adherence() -> int:
    """One adherence alert per data gap; safe to run twice (a gap is keyed by its first day)."""
    return adherence_alerts_evaluate()


@shared_task(
    autoretry_for=(DatabaseError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=5,
    acks_late=True,
)
def derive_activity(patient_id: str, days: list[str]) -> int:
    """The measures derived from a patient's activity minutes for the days whose counts
    changed (and the 6 after them); safe to run twice (the service recomputes from the stored
    minutes and replaces what it derived)."""
    return activity_days_derive(patient_id=patient_id, days=days)
