"""No data for a scope the patient has not consented to, judged when the data arrives."""

import datetime as dt

import pytest

from monitoring.models import CheckIn, DailySummary, QuestionnaireResponse, SignalRecord
from monitoring.services import SCOPE_FOR_KIND
from patients.services import consent_withdraw
from tests.monitoring.conftest import checkin_body, iso, recent, sleep_record, uid

H = dt.timedelta(hours=1)
RECORDS = {
    "sleep": {"efficiency": 0.9},
    "steps": {"count": 10},
    "mobility": {"time_at_home_min": 10, "distance_km": 1},
    "speech": {"speech_rate_wpm": 100, "pause_ratio": 0.2, "pitch_mean_hz": 120, "pitch_sd_hz": 10},
    "screen": {"screen_minutes": 10, "unlocks": 3},
}


def record(kind, start):
    return {"id": uid(), "type": kind, "start": iso(start), "end": iso(start + H), **RECORDS[kind]}


def test_scope_of_each_record_type():
    assert SCOPE_FOR_KIND == {
        "sleep": "sleep",
        "steps": "activity",
        "mobility": "mobility",
        "speech": "speech",
        "screen": "activity",
    }


def test_checkin_without_self_report_consent_is_403(make_patient):
    patient, client = make_patient(scopes=["sleep"])
    response = client.post("/api/v1/checkins/", checkin_body(), format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "The patient has not consented to the 'self_report' data scope."}
    assert CheckIn.objects.count() == 0 and DailySummary.objects.count() == 0


def test_questionnaire_without_self_report_consent_is_403(make_patient):
    patient, client = make_patient(scopes=["sleep", "activity"])
    body = {"id": uid(), "instrument": "PHQ-9", "answers": [0] * 8 + [3], "completed_at": iso(recent(hours=1))}
    response = client.post("/api/v1/questionnaires/", body, format="json")
    assert response.status_code == 403
    assert QuestionnaireResponse.objects.count() == 0
    assert not patient.alerts.exists()


@pytest.mark.parametrize("granted", [["sleep"], ["activity"], ["mobility"], ["speech"], ["self_report"]])
def test_batch_rejects_only_unconsented_types(make_patient, granted):
    patient, client = make_patient(scopes=granted)
    start = recent(days=2)
    records = [record(kind, start) for kind in RECORDS]
    body = client.post("/api/v1/signals/batch/", {"records": records}, format="json").json()
    allowed = [kind for kind in RECORDS if SCOPE_FOR_KIND[kind] in granted]
    assert body["accepted"] == len(allowed)
    assert sorted(SignalRecord.objects.values_list("kind", flat=True)) == sorted(allowed)
    for entry in body["rejected"]:
        kind = records[entry["index"]]["type"]
        assert kind not in allowed
        assert entry["errors"] == {
            "non_field_errors": [f"The patient has not consented to the '{SCOPE_FOR_KIND[kind]}' data scope."]
        }


def test_withdrawal_applies_to_data_arriving_after_it(patient, patient_client):
    old = sleep_record(recent(days=3))
    assert patient_client.post("/api/v1/signals/batch/", {"records": [old]}, format="json").json()["accepted"] == 1
    consent_withdraw(patient=patient, scopes=["sleep"])
    # Recorded before the withdrawal, arriving after it: refused (consent is judged on arrival).
    late = sleep_record(recent(days=4))
    body = patient_client.post("/api/v1/signals/batch/", {"records": [late]}, format="json").json()
    assert body["accepted"] == 0 and body["rejected"][0]["index"] == 0
    assert SignalRecord.objects.count() == 1


def test_discharged_patient_cannot_send(patient, patient_client):
    patient.status = "discharged"
    patient.save(update_fields=["status"])
    response = patient_client.post("/api/v1/checkins/", checkin_body(), format="json")
    assert response.status_code == 403
    assert CheckIn.objects.count() == 0


def test_clinicians_cannot_post_patient_data(nurse_client):
    response = nurse_client.post("/api/v1/checkins/", checkin_body(), format="json")
    assert response.status_code == 403
    assert CheckIn.objects.count() == 0


def test_anonymous_cannot_post(client):
    response = client.post("/api/v1/signals/batch/", {"records": []}, content_type="application/json")
    assert response.status_code == 401
