"""The nightly monitoring run of the model in service, chained after a team's scoring: the
team's live performance (ml.performance) and the version's drift (ml.drift)."""

from __future__ import annotations

from datetime import date
from typing import Any

from celery import signature
from django.db import transaction
from django.db.models import Exists, OuterRef

from patients.models import CareTeam

from . import selectors
from .drift import drift_check
from .models import ModelDrift, ModelVersion, RiskScore
from .performance import performance_record

MONITORING_TASK = "ml.tasks.model_monitoring_team"


def team_night_scored(*, care_team_id: int, day: date, model_version: ModelVersion) -> bool:
    """Has every scorable patient of the team (enrolled by `day`) a score for it?"""
    scored = RiskScore.objects.filter(patient=OuterRef("pk"), date=day, model_version=model_version)
    return not (
        selectors.patients_scorable(care_team_ids=[care_team_id])
        .filter(enrolled_on__lte=day)
        .exclude(Exists(scored))
        .exists()
    )


def monitoring_enqueue_if_scored(*, care_team_id: int, day: date, model_version: ModelVersion) -> bool:
    if not team_night_scored(care_team_id=care_team_id, day=day, model_version=model_version):
        return False
    transaction.on_commit(signature(MONITORING_TASK, args=(care_team_id, day.isoformat(), model_version.pk)).delay)
    return True


def monitoring_run(*, care_team_id: int, day: date, model_version_id: int, drift: bool = True) -> dict[str, Any]:
    team = CareTeam.objects.get(pk=care_team_id)
    model_version = ModelVersion.objects.get(pk=model_version_id)
    perf = performance_record(team=team, model_version=model_version, day=day)
    drift_row = None
    if drift and not ModelDrift.objects.filter(model_version=model_version, day=day).exists():
        drift_row = drift_check(model_version=model_version, day=day)
    return {
        "performance": perf.pk,
        "drift": drift_row.pk if drift_row is not None else None,
        "moved": len(drift_row.moved) if drift_row is not None else 0,
    }
