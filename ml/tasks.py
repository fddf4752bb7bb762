"""Celery tasks of the ml app: thin shells over ml.scoring and ml.alerting.

Chunk tasks run with acks_late (settings): a worker killed mid-chunk leaves the message for
another worker, and rerunning a chunk is harmless because scores are unique per patient, day
and model version and written with ignore_conflicts."""

from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import monitoring, scoring
from .alerting import risk_alerts_evaluate
from .models import ModelVersion


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def risk_scoring_chunk(
    patient_ids: list[str], day: str, model_version_id: int, alerts: bool = True, care_team_id: int | None = None
) -> int:
    model_version = ModelVersion.objects.get(pk=model_version_id)
    scored = len(
        scoring.risk_scores_compute(
            patient_ids=patient_ids, days=[date.fromisoformat(day)], model_version=model_version, alerts=alerts
        )
    )
    if care_team_id is not None:
        # The chunk that completes the team's night chains its monitoring (idempotent if two do).
        monitoring.monitoring_enqueue_if_scored(
            care_team_id=care_team_id, day=date.fromisoformat(day), model_version=model_version
        )
    return scored


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def model_monitoring_team(care_team_id: int, day: str, model_version_id: int) -> dict:
    """After a team's nightly scoring: its live performance, and the version's drift (once
    per version and day). Safe to run again: both are replaced, the drift alert is deduped."""
    return monitoring.monitoring_run(
        care_team_id=care_team_id, day=date.fromisoformat(day), model_version_id=model_version_id
    )


@shared_task(acks_late=True)
def risk_scoring_nightly() -> int:
    return scoring.risk_scoring_nightly()


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=5,
)
def evaluate_risk_scores(score_ids: list[int]) -> int:
    """The risk rule on freshly stored scores, enqueued by scoring on commit. Safe to run
    twice: one alert per score (dedupe key) and hysteresis per patient."""
    return risk_alerts_evaluate(score_ids=score_ids)
