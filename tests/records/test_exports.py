"""CSV and FHIR exports (validated with fhir.resources R4B), GDPR export and erasure."""

import csv
import datetime as dt
import io
import json

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from alerts.models import Alert
from ml.models import ModelVersion, RiskScore
from monitoring.models import CheckIn, DailySummary, QuestionnaireResponse, SignalRecord, SpeechRecording
from patients.models import AuditEvent, ClinicalEvent, ConsentRecord, Patient, User
from tests.factories import ClinicalEventFactory
from tests.monitoring.conftest import uid


def local(patient, day, hour):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=patient.tz).isoformat()


@pytest.fixture
def history(patient, patient_client):
    """Two days of data of every kind for `patient`."""
    today = timezone.localdate(timezone=patient.tz)
    d1, d2 = today - dt.timedelta(days=3), today - dt.timedelta(days=2)
    patient_client.post(
        "/api/v1/checkins/",
        {
            "id": uid(),
            "recorded_at": local(patient, d1, 20),
            "mood": -1,
            "anxiety": 6,
            "medication_taken": True,
            "note": "slept badly, worried",
        },
        format="json",
    )
    for instrument, answers, day in (
        ("PHQ-9", [1, 2, 1, 0, 1, 2, 1, 0, 1], d1),
        ("GAD-7", [1] * 7, d2),
        ("ASRM", [2, 2, 2, 0, 1], d2),
    ):
        body = {"id": uid(), "instrument": instrument, "answers": answers, "completed_at": local(patient, day, 18)}
        assert patient_client.post("/api/v1/questionnaires/", body, format="json").status_code == 201
    records = [
        {"id": uid(), "type": "sleep", "start": local(patient, d1, 0), "end": local(patient, d1, 7), "efficiency": 0.9},
        {"id": uid(), "type": "steps", "start": local(patient, d2, 8), "end": local(patient, d2, 20), "count": 4321},
        {
            "id": uid(),
            "type": "mobility",
            "start": local(patient, d2, 8),
            "end": local(patient, d2, 20),
            "time_at_home_min": 400,
            "distance_km": 3.2,
        },
        {
            "id": uid(),
            "type": "speech",
            "start": local(patient, d2, 9),
            "end": local(patient, d2, 10),
            "speech_rate_wpm": 120,
            "pause_ratio": 0.3,
            "pitch_mean_hz": 160,
            "pitch_sd_hz": 18,
        },
        {
            "id": uid(),
            "type": "screen",
            "start": local(patient, d2, 8),
            "end": local(patient, d2, 20),
            "screen_minutes": 180,
            "unlocks": 55,
        },
    ]
    assert patient_client.post("/api/v1/signals/batch/", {"records": records}, format="json").json()["accepted"] == 5
    version = ModelVersion.objects.create(
        version="v1", is_active=True, artifact_path="x", artifact_sha256="0" * 64, threshold=0.3
    )
    RiskScore.objects.create(
        patient=patient,
        date=d2,
        model_version=version,
        score=0.42,
        band="medium",
        threshold=0.3,
        explanation=[{"feature": "sleep_hours", "label": "sleep", "direction": "down", "weight": 0.2}],
    )
    ClinicalEventFactory(patient=patient, kind="medication_change", date=d2, note="dose up")
    return d1, d2


def test_csv_export(nurse_client, patient, history):
    d1, d2 = history
    response = nurse_client.get(f"/api/v1/patients/{patient.pk}/export/?format=csv&start={d1}&end={d2}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["date"] for r in rows] == [str(d1), str(d2)]
    assert rows[0]["mood"] == "-1.0" and rows[0]["phq9"] == "9" and rows[0]["sleep_hours"] == "7.0"
    assert rows[0]["steps"] == "" and rows[1]["steps"] == "4321"
    assert rows[1]["risk_score"] == "0.42" and rows[1]["risk_band"] == "medium"
    assert rows[1]["events"] == "medication_change"
    assert rows[0]["alerts"] == ""  # the PHQ-9's item 9 is 1: its alert was created today
    assert AuditEvent.objects.filter(action="export", resource="export_csv", patient_id=patient.pk).count() == 1


def test_csv_default_range_starts_at_enrolment(nurse_client, patient, history):
    body = nurse_client.get(f"/api/v1/patients/{patient.pk}/export/?format=csv").content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["date"] == str(patient.enrolled_on)
    assert rows[-1]["date"] == str(timezone.localdate(timezone=patient.tz))


def test_fhir_export_is_a_valid_r4_bundle(nurse_client, patient, history):
    response = nurse_client.get(f"/api/v1/patients/{patient.pk}/export/?format=fhir")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate_json(response.content)
    assert bundle.type == "collection"
    resources = [entry.resource for entry in bundle.entry]
    kinds = [r.__resource_type__ for r in resources]
    assert kinds.count("Patient") == 1
    assert kinds.count("QuestionnaireResponse") == 3
    pat = resources[0]
    assert pat.id == str(patient.pk) and pat.identifier[0].value == "PA1" and pat.gender == "female"
    observations = [r for r in resources if r.__resource_type__ == "Observation"]
    codes = {(c.system, c.code) for o in observations for c in o.code.coding}
    assert ("http://loinc.org", "44261-6") in codes  # PHQ-9 total
    assert ("http://loinc.org", "70274-6") in codes  # GAD-7 total
    assert ("http://loinc.org", "93832-4") in codes  # sleep duration
    assert ("http://loinc.org", "41950-7") in codes  # steps in 24 h
    steps = next(o for o in observations if o.code.coding[0].code == "41950-7")
    assert steps.valueQuantity.value == 4321 and steps.subject.reference == f"Patient/{patient.pk}"
    phq = next(
        r for r in resources if r.__resource_type__ == "QuestionnaireResponse" and r.questionnaire.endswith("44249-1")
    )
    assert [item.answer[0].valueInteger for item in phq.item] == [1, 2, 1, 0, 1, 2, 1, 0, 1]
    assert phq.status == "completed"
    assert AuditEvent.objects.filter(action="export", resource="export_fhir", patient_id=patient.pk).count() == 1


def test_export_default_format_is_fhir(nurse_client, patient):
    response = nurse_client.get(f"/api/v1/patients/{patient.pk}/export/")
    assert response.status_code == 200
    Bundle.model_validate_json(response.content)


def test_export_unknown_format_is_400(nurse_client, patient):
    response = nurse_client.get(f"/api/v1/patients/{patient.pk}/export/?format=xml")
    assert response.status_code == 400
    assert response.json() == {"format": ["Choose fhir or csv."]}


@pytest.mark.parametrize("fmt", ["csv", "fhir"])
def test_export_other_team_is_404(nurse_client, other_patient, fmt):
    response = nurse_client.get(f"/api/v1/patients/{other_patient.pk}/export/?format={fmt}")
    assert response.status_code == 404
    assert "PB1" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="export", patient_id=other_patient.pk).exists()


def test_patient_cannot_use_clinician_export(patient_client, patient):
    assert patient_client.get(f"/api/v1/patients/{patient.pk}/export/?format=csv").status_code == 403


# --- GDPR -------------------------------------------------------------------------------------------


def test_gdpr_export_has_everything(patient_client, patient, history):
    response = patient_client.get("/api/v1/me/export/")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["profile"]["code"] == "PA1" and data["profile"]["username"] == "patient-a"
    assert {c["scope"] for c in data["consents"]} == {
        "self_report",
        "sleep",
        "activity",
        "mobility",
        "speech",
        "risk_scoring",
        "emergency_access",
    }
    assert data["checkins"][0]["note"] == "slept badly, worried"
    assert sorted(q["instrument"] for q in data["questionnaires"]) == ["ASRM", "GAD-7", "PHQ-9"]
    assert sorted(s["kind"] for s in data["signals"]) == ["mobility", "screen", "sleep", "speech", "steps"]
    assert len(data["daily_summaries"]) == 2
    assert data["risk_scores"][0]["explanation"][0]["feature"] == "sleep_hours"
    assert [a["kind"] for a in data["alerts"]] == ["safety"]
    assert data["clinical_events"][0]["note"] == "dose up"
    assert AuditEvent.objects.filter(action="export", resource="export_gdpr", patient_id=patient.pk).count() == 1


def test_gdpr_export_only_own_data(patient_client, other_patient):
    CheckIn.objects.create(
        id=uid(),
        patient=other_patient,
        recorded_at=timezone.now(),
        day=timezone.localdate(),
        mood=0,
        note="other's note",
        received_at=timezone.now(),
    )
    data = patient_client.get("/api/v1/me/export/").json()
    assert data["checkins"] == []
    assert "other's note" not in json.dumps(data)


def test_erasure(patient_client, patient, history):
    user_id = patient.user_id
    refresh = RefreshToken.for_user(patient.user)
    response = patient_client.post("/api/v1/me/erase/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "erased"
    assert body["removed"]["checkins"] == 1 and body["removed"]["signals"] == 5
    patient.refresh_from_db()
    assert patient.status == "erased" and patient.user_id is None
    assert not User.objects.filter(pk=user_id).exists()
    # Collection and scoring stop at once: no active consent is left, the history is kept.
    assert not ConsentRecord.objects.filter(patient=patient, withdrawn_at__isnull=True).exists()
    assert ConsentRecord.objects.filter(patient=patient).count() == 7  # the 7 scopes granted by the fixture
    for model in (CheckIn, QuestionnaireResponse, SignalRecord, DailySummary, RiskScore, SpeechRecording):
        assert not model.objects.filter(patient=patient).exists(), model
    # Kept: the care team's clinical record and the audit trail.
    assert Alert.objects.filter(patient=patient).count() == 1
    assert ClinicalEvent.objects.filter(patient=patient).count() == 1
    assert AuditEvent.objects.filter(action="erase", patient_id=patient.pk).count() == 1
    # The login is gone: the old access token and the refresh token no longer work.
    assert patient_client.get("/api/v1/me/timeline/").status_code == 401
    assert APIClient().post("/api/v1/auth/token/refresh/", {"refresh": str(refresh)}, format="json").status_code == 401
    assert (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "patient-a", "password": "correct-horse-battery-9"}, format="json")
        .status_code
        == 401
    )
    # Clinicians no longer see the patient.
    assert Patient.objects.get(pk=patient.pk).status == "erased"


def test_erased_patient_hidden_from_clinicians(patient_client, patient, nurse_client):
    patient_client.post("/api/v1/me/erase/")
    assert nurse_client.get(f"/api/v1/patients/{patient.pk}/timeline/").status_code == 404


def test_clinician_cannot_erase(nurse_client):
    assert nurse_client.post("/api/v1/me/erase/").status_code == 403
