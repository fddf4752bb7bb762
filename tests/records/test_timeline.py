"""Timelines: API.md's day shape, nulls, risk scores, alerts and events per local day,
constant query count, ranges, and care-team scoping."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert
from ml.models import ModelVersion, RiskScore
from monitoring.models import DailySummary
from patients.models import AuditEvent
from records.timeline import timeline_for_patient
from tests.factories import ClinicalEventFactory
from tests.monitoring.conftest import uid

DAY_KEYS = [
    "date",
    "checkins",
    "mood",
    "anxiety",
    "energy",
    "irritability",
    "sleep_quality",
    "medication_taken",
    "phq9",
    "gad7",
    "asrm",
    "sleep_hours",
    "sleep_onset",
    "sleep_wake",
    "sleep_efficiency",
    "steps",
    "time_at_home_min",
    "distance_km",
    "speech_rate_wpm",
    "pause_ratio",
    "pitch_sd_hz",
    "screen_minutes",
    "unlocks",
    # wrist actigraphy (issue 15), added after API.md's columns
    "activity_mean",
    "activity_zero_share",
    "rhythm_is",
    "rhythm_iv",
    "rhythm_ra",
    "rhythm_l5",
    "rhythm_m10",
    "rhythm_l5_onset",
    "rhythm_m10_onset",
    "risk_score",
    "risk_band",
    "alerts",
    "events",
]


def model_version(name, active=False):
    return ModelVersion.objects.create(
        version=name, is_active=active, artifact_path="x", artifact_sha256="0" * 64, threshold=0.3
    )


def timeline(client, patient, start, end):
    return client.get(f"/api/v1/patients/{patient.pk}/timeline/?start={start}&end={end}")


def test_shape_and_nulls(nurse_client, patient):
    today = timezone.localdate(timezone=patient.tz)
    start = today - dt.timedelta(days=2)
    DailySummary.objects.create(
        patient=patient,
        date=start,
        checkins=2,
        mood=0.5,
        sleep_hours=7.25,
        sleep_onset=dt.time(23, 5),
        sleep_wake=dt.time(6, 20),
        steps=0,
        medication_taken=False,
        unlocks=7,
    )
    response = timeline(nurse_client, patient, start, today)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["patient", "start", "end", "days"]
    assert body["patient"] == str(patient.pk) and body["start"] == str(start) and body["end"] == str(today)
    assert [d["date"] for d in body["days"]] == [str(start + dt.timedelta(days=i)) for i in range(3)]
    first, empty = body["days"][0], body["days"][1]
    # The API adds each day's sleep episodes (records.timeline: not in the exports' columns).
    assert list(first) == [*DAY_KEYS, "sleep_episodes"]
    assert first["checkins"] == 2 and first["mood"] == 0.5 and first["sleep_hours"] == 7.25
    assert (first["sleep_onset"], first["sleep_wake"]) == ("23:05", "06:20")
    assert (first["steps"], first["medication_taken"], first["unlocks"]) == (0, False, 7)
    assert first["anxiety"] is None and first["screen_minutes"] is None
    assert empty == {k: ([] if k in ("alerts", "events") else 0 if k == "checkins" else None) for k in DAY_KEYS} | {
        "date": str(start + dt.timedelta(days=1)),
        "sleep_episodes": [],
    }


def test_risk_score_active_version_else_newest(nurse_client, patient):
    today = timezone.localdate(timezone=patient.tz)
    d1, d2 = today - dt.timedelta(days=2), today - dt.timedelta(days=1)
    old, active, newer = model_version("v1"), model_version("v2", active=True), model_version("v3")
    RiskScore.objects.create(patient=patient, date=d1, model_version=old, score=0.9, band="high", threshold=0.3)
    RiskScore.objects.create(patient=patient, date=d1, model_version=active, score=0.2, band="low", threshold=0.3)
    RiskScore.objects.create(patient=patient, date=d1, model_version=newer, score=0.5, band="medium", threshold=0.3)
    RiskScore.objects.create(patient=patient, date=d2, model_version=old, score=0.4, band="medium", threshold=0.3)
    RiskScore.objects.create(patient=patient, date=d2, model_version=newer, score=0.7, band="high", threshold=0.3)
    days = timeline(nurse_client, patient, d1, today).json()["days"]
    assert [(d["risk_score"], d["risk_band"]) for d in days] == [(0.2, "low"), (0.7, "high"), (None, None)]


def test_alerts_and_events_by_local_day(nurse_client, make_patient):
    patient, _ = make_patient(tz="Pacific/Auckland")
    tz = ZoneInfo("Pacific/Auckland")
    day = timezone.localdate(timezone=tz) - dt.timedelta(days=3)
    # 23:30 UTC on the day before is already `day` in Auckland.
    at = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(23, 30), tzinfo=dt.UTC)
    assert at.astimezone(tz).date() == day
    alert = Alert.objects.create(patient=patient, care_team=patient.care_team, kind="manual", severity="low", title="t")
    Alert.objects.filter(pk=alert.pk).update(created_at=at)
    ClinicalEventFactory(patient=patient, kind="relapse", date=day)
    ClinicalEventFactory(patient=patient, kind="crisis_visit", date=day)
    days = timeline(nurse_client, patient, day - dt.timedelta(days=1), day).json()["days"]
    assert days[0]["alerts"] == [] and days[0]["events"] == []
    assert days[1]["alerts"] == [str(alert.pk)]
    assert days[1]["events"] == ["crisis_visit", "relapse"]


def test_query_count_is_constant(nurse_client, patient):
    today = timezone.localdate(timezone=patient.tz)
    version = model_version("v1", active=True)
    for i in range(400):
        day = today - dt.timedelta(days=i)
        DailySummary.objects.create(patient=patient, date=day, checkins=1, mood=1)
        RiskScore.objects.create(patient=patient, date=day, model_version=version, score=0.1, band="low", threshold=0.3)
        if i % 30 == 0:
            ClinicalEventFactory(patient=patient, kind="medication_change", date=day)
    with CaptureQueriesContext(connection) as short:
        assert timeline(nurse_client, patient, today - dt.timedelta(days=6), today).status_code == 200
    with CaptureQueriesContext(connection) as long:
        body = timeline(nurse_client, patient, today - dt.timedelta(days=364), today).json()
    assert len(body["days"]) == 365
    assert len(long.captured_queries) == len(short.captured_queries)
    with CaptureQueriesContext(connection) as selector_only:
        timeline_for_patient(patient=patient, start=today - dt.timedelta(days=1000), end=today)
    assert len(selector_only.captured_queries) == 4


@pytest.mark.parametrize(
    "query, field",
    [
        ("start=2026-02-30&end=2026-03-01", "start"),
        ("start=2026-03-01&end=tomorrow", "end"),
        ("start=2026-03-02&end=2026-03-01", "end"),
        ("start=2023-01-01&end=2026-01-05", "end"),  # 1,101 days
    ],
)
def test_bad_ranges_are_400(nurse_client, patient, query, field):
    response = nurse_client.get(f"/api/v1/patients/{patient.pk}/timeline/?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_range_of_1100_days_is_allowed(nurse_client, patient):
    response = nurse_client.get(f"/api/v1/patients/{patient.pk}/timeline/?start=2023-01-01&end=2026-01-04")
    assert response.status_code == 200
    assert len(response.json()["days"]) == 1100


def test_default_range_is_last_30_days(nurse_client, patient):
    body = nurse_client.get(f"/api/v1/patients/{patient.pk}/timeline/").json()
    assert len(body["days"]) == 30
    assert body["end"] == str(timezone.localdate(timezone=patient.tz))


def test_other_team_gets_404_and_nothing(nurse_client, other_patient):
    DailySummary.objects.create(patient=other_patient, date=timezone.localdate(), checkins=1, mood=-3)
    response = nurse_client.get(f"/api/v1/patients/{other_patient.pk}/timeline/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such patient."}
    assert AuditEvent.objects.filter(action="denied", patient_id=other_patient.pk, resource="timeline").count() == 1


def test_timeline_read_is_audited(psychiatrist_client, patient):
    psychiatrist_client.get(f"/api/v1/patients/{patient.pk}/timeline/")
    assert AuditEvent.objects.filter(action="read", resource="timeline", patient_id=patient.pk).count() == 1


def test_patient_cannot_use_clinician_timeline(patient_client, patient):
    assert patient_client.get(f"/api/v1/patients/{patient.pk}/timeline/").status_code == 403


def test_my_timeline(patient_client, patient, other_patient):
    day = timezone.localdate(timezone=patient.tz) - dt.timedelta(days=1)
    patient_client.post(
        "/api/v1/checkins/",
        {"id": uid(), "recorded_at": dt.datetime.combine(day, dt.time(12), tzinfo=patient.tz).isoformat(), "mood": 3},
        format="json",
    )
    DailySummary.objects.create(patient=other_patient, date=day, checkins=1, mood=-3)
    body = patient_client.get(f"/api/v1/me/timeline/?start={day}&end={day}").json()
    assert body["patient"] == str(patient.pk)
    assert [(d["date"], d["mood"], d["checkins"]) for d in body["days"]] == [(str(day), 3.0, 1)]


def test_clinician_cannot_use_my_timeline(nurse_client):
    assert nurse_client.get("/api/v1/me/timeline/").status_code == 403
