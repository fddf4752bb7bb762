"""Celery tasks of the ml app: thin shells over ml.services.

Chunk tasks run with acks_late (settings): a worker killed mid-chunk leaves the message for
another worker, and rerunning a chunk is harmless because scores are unique per patient, day
and model version and written with ignore_conflicts."""

from datetime import date

from celery import shared_task
from django.db import OperationalError

from . import services
from .models import ModelVersion


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def risk_scoring_chunk(patient_ids: list[str], day: str, model_version_id: int, alerts: bool = True) -> int:
    model_version = ModelVersion.objects.get(pk=model_version_id)
    return len(
        services.risk_scores_compute(
            patient_ids=patient_ids, days=[date.fromisoformat(day)], model_version=model_version, alerts=alerts
        )
    )


@shared_task(acks_late=True)
def risk_scoring_nightly() -> int:
    return services.risk_scoring_nightly()


@shared_task(acks_late=True)
def risk_scoring_dispatch(day: str, care_team_ids: list[int] | None = None, alerts: bool = True) -> int:
    return services.risk_scoring_dispatch(day=date.fromisoformat(day), care_team_ids=care_team_ids, alerts=alerts)
