"""The nightly monitoring run is chained after a team's scoring: the chunk that completes the
team's night enqueues it; it stores the team's live figures and the version's drift, and is
idempotent. Drift on the real pipeline: fires when an input is shifted in the last 30 days,
with a `model` alert naming it, and not on the data as it came."""

import datetime as dt

import pytest
from django.db.models import F

from alerts.models import Alert, AlertKind
from ml import scoring
from ml.drift import drift_check
from ml.models import ModelDrift, ModelPerformance
from ml.monitoring import monitoring_run
from monitoring.models import DailySummary
from tests.ml.helpers import load_patients_and_summaries, register, trained

DAY = dt.date(2026, 6, 20)
pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(team):  # type: ignore[no-untyped-def]
    model, report = trained()
    mv = register(model, report, activate=True)
    patients = load_patients_and_summaries(team, n=8)
    return mv, patients


def test_scoring_a_team_night_chains_its_monitoring(setup, team, django_capture_on_commit_callbacks):
    mv, patients = setup
    with django_capture_on_commit_callbacks(execute=True):
        scoring.risk_scoring_dispatch(day=DAY, care_team_ids=[team.pk], alerts=False, chunk_size=3)
    assert ModelPerformance.objects.filter(care_team=team, model_version=mv, day=DAY).count() == 1
    row = ModelPerformance.objects.get()
    assert row.figures["patient_days"] == len(patients)
    assert ModelDrift.objects.filter(model_version=mv, day=DAY).count() == 1
    # Idempotent: running it again changes no count.
    monitoring_run(care_team_id=team.pk, day=DAY, model_version_id=mv.pk)
    assert ModelPerformance.objects.count() == 1 and ModelDrift.objects.count() == 1


def test_drift_fires_on_a_shifted_input_and_not_on_the_data_as_it_came(setup, team):
    mv, _patients = setup
    quiet = drift_check(model_version=mv, day=DAY)
    assert not [m for m in quiet.moved if m["feature"].startswith("sleep_hours")]
    assert not any("sleep_hours__z7" in a.detail["features"] for a in Alert.objects.filter(kind=AlertKind.MODEL))

    # A new phone model reports 3 hours less sleep from 30 days back.
    DailySummary.objects.filter(date__gt=DAY - dt.timedelta(days=30), sleep_hours__isnull=False).update(
        sleep_hours=F("sleep_hours") - 3
    )
    moved = drift_check(model_version=mv, day=DAY + dt.timedelta(days=1)).moved
    features = {m["feature"] for m in moved}
    assert any(f.startswith("sleep_hours") for f in features), moved
    alert = Alert.objects.get(
        kind=AlertKind.MODEL, care_team=team, detail__day=(DAY + dt.timedelta(days=1)).isoformat()
    )
    assert any(f.startswith("sleep_hours") for f in alert.detail["features"])
