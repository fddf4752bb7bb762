"""The score of a patient-day is one rule (records/scores.py): the patient list, its sparkline,
the chart API, the timeline and the risk alert all carry the same value for the same day, even
when several model versions scored that day and the rows were written in an awkward order."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts.models import Alert
from ml.alerting import risk_alerts_evaluate
from ml.models import ModelVersion, RiskScore
from patients.models import CareTeam
from records.overview import patients_for_overview
from records.scores import day_scores, score_sparklines
from tests.conftest import auth_client


def _version(name: str, *, active: bool, created: dt.datetime) -> ModelVersion:
    mv = ModelVersion.objects.create(
        version=name, artifact_path="/tmp/none", artifact_sha256="0" * 64, threshold=0.3, is_active=active
    )
    ModelVersion.objects.filter(pk=mv.pk).update(created_at=created)
    return mv


def _score(patient, mv: ModelVersion, day: dt.date, value: float) -> RiskScore:  # type: ignore[no-untyped-def]
    return RiskScore.objects.create(
        patient=patient,
        date=day,
        model_version=mv,
        score=value,
        band="high" if value >= 0.3 else "low",
        threshold=0.3,
        explanation=[],
    )


@pytest.fixture
def scored_three_ways(patient):  # type: ignore[no-untyped-def]
    now = timezone.now()
    old = _version("old", active=False, created=now - dt.timedelta(days=30))
    active = _version("active", active=True, created=now - dt.timedelta(days=10))
    newest_inactive = _version("candidate", active=False, created=now - dt.timedelta(days=1))
    day = timezone.localdate(timezone=patient.tz) - dt.timedelta(days=1)
    # The active version's row is written first, the old version's later (a backfill): a rule
    # "newest row wins" would show the old model's score.
    chosen = _score(patient, active, day, 0.4321)
    _score(patient, old, day, 0.1111)
    _score(patient, old, day - dt.timedelta(days=1), 0.2222)  # only the old version scored it
    _score(patient, active, day - dt.timedelta(days=2), 0.3333)
    _score(patient, newest_inactive, day - dt.timedelta(days=2), 0.9)  # a candidate, not active
    expected = {day - dt.timedelta(days=2): 0.3333, day - dt.timedelta(days=1): 0.2222, day: 0.4321}
    return day, chosen, expected


def test_the_list_the_sparkline_the_chart_api_the_timeline_and_the_alert_agree(
    patient, psychiatrist, scored_three_ways
):
    day, chosen, expected = scored_three_ways
    start = day - dt.timedelta(days=2)
    client = auth_client(psychiatrist)

    # The rule itself: one row per day.
    rows = day_scores().filter(patient=patient).values_list("date", "score")
    assert dict(rows) == expected and len(rows) == 3

    # The patient list (API and page) shows the latest day's score.
    listed = client.get("/api/v1/patients/").json()["results"]
    assert [(p["latest_risk"]["date"], p["latest_risk"]["score"]) for p in listed] == [(day.isoformat(), 0.4321)]
    detail = client.get(f"/api/v1/patients/{patient.pk}/").json()
    assert detail["latest_risk"]["score"] == 0.4321
    row = patients_for_overview(user=psychiatrist).get(pk=patient.pk)
    assert row.latest_risk_score == 0.4321 and row.latest_risk_date == day

    # The sparkline beside it.
    assert score_sparklines(patient_ids=[patient.pk], per_patient=30)[patient.pk] == sorted(expected.items())

    # The chart API and the timeline.
    charted = client.get(f"/api/v1/patients/{patient.pk}/risk-scores/?start={start}&end={day}").json()
    assert {dt.date.fromisoformat(s["date"]): s["score"] for s in charted} == expected
    assert [s["model_version"] for s in charted] == ["active", "old", "active"]
    timeline = client.get(f"/api/v1/patients/{patient.pk}/timeline/?start={start}&end={day}").json()["days"]
    assert {dt.date.fromisoformat(d["date"]): d["risk_score"] for d in timeline} == expected

    # The risk alert raised from that day's score carries the same value.
    CareTeam.objects.filter(pk=patient.care_team_id).update(risk_threshold=0.3)
    assert risk_alerts_evaluate(score_ids=[chosen.pk]) == 1
    alert = client.get(f"/api/v1/alerts/?patient={patient.pk}").json()["results"][0]
    assert alert["detail"]["score"] == 0.4321 and alert["detail"]["score_date"] == day.isoformat()
    assert Alert.objects.get().detail["model_version_id"] == chosen.model_version_id
