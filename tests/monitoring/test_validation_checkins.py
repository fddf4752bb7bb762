"""The validation rules of API.md ("Patient data") for check-ins, through the API: the status,
the field named, and nothing stored; the timestamp rules, JSON only, errors in French. The
questionnaires: test_validation_questionnaires.py; the signal records: test_validation_signals.py."""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring.models import CheckIn
from tests.monitoring.conftest import checkin_body, uid


def post_checkin(client, body):
    return client.post("/api/v1/checkins/", body, format="json")


def test_checkin_minimal_is_stored(patient_client, patient):
    body = checkin_body(mood=-3)
    response = post_checkin(patient_client, body)
    assert response.status_code == 201
    stored = CheckIn.objects.get(pk=body["id"])
    assert (stored.mood, stored.anxiety, stored.medication_taken, stored.note) == (-3, None, None, "")


def test_checkin_full_is_stored(patient_client):
    body = checkin_body(
        mood=3, anxiety=10, energy=0, irritability=5, sleep_quality=7, medication_taken=True, note="é" * 2000
    )
    response = post_checkin(patient_client, body)
    assert response.status_code == 201
    assert response.json()["note"] == "é" * 2000
    assert response.json()["energy"] == 0


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"mood": None}, "mood", "This field is required."),
        ({"mood": 4}, "mood", "Ensure this value is less than or equal to 3."),
        ({"mood": -4}, "mood", "Ensure this value is greater than or equal to -3."),
        ({"mood": 1.5}, "mood", "A valid integer is required."),
        ({"mood": "2"}, "mood", "A valid integer is required."),
        ({"mood": True}, "mood", "A valid integer is required."),
        ({"anxiety": 11}, "anxiety", "Ensure this value is less than or equal to 10."),
        ({"energy": -1}, "energy", "Ensure this value is greater than or equal to 0."),
        ({"irritability": 12}, "irritability", "Ensure this value is less than or equal to 10."),
        ({"sleep_quality": 10.5}, "sleep_quality", "A valid integer is required."),
        ({"medication_taken": "yes"}, "medication_taken", "Must be a valid boolean."),
        ({"note": "x" * 2001}, "note", "Ensure this field has no more than 2000 characters."),
        ({"note": 12}, "note", "Not a valid string."),
        ({"id": "not-a-uuid"}, "id", "Must be a valid UUID."),
        ({"id": None}, "id", "This field is required."),
        ({"recorded_at": None}, "recorded_at", "This field is required."),
    ],
)
def test_checkin_field_rules(patient_client, change, field, message):
    body = checkin_body()
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    response = post_checkin(patient_client, body)
    assert response.status_code == 400
    assert response.json()[field] == [message]
    assert CheckIn.objects.count() == 0


def test_checkin_several_errors_at_once(patient_client):
    response = post_checkin(patient_client, {"id": "x", "mood": 9, "anxiety": -2})
    assert response.status_code == 400
    assert set(response.json()) == {"id", "recorded_at", "mood", "anxiety"}


def test_checkin_accepts_integral_float(patient_client):
    response = post_checkin(patient_client, checkin_body(mood=2.0))
    assert response.status_code == 201
    assert response.json()["mood"] == 2


@pytest.mark.parametrize(
    "value, message",
    [
        ("2026-01-05T07:30:00", "A UTC offset is required (e.g. 2026-01-05T07:30:00+01:00 or ...Z)."),
        ("2026-01-05", "Datetime has wrong format. Use ISO 8601 with a UTC offset, e.g. 2026-01-05T07:30:00+01:00."),
        (
            "yesterday morning",
            "Datetime has wrong format. Use ISO 8601 with a UTC offset, e.g. 2026-01-05T07:30:00+01:00.",
        ),
        (1767600000, "Datetime has wrong format. Use ISO 8601 with a UTC offset, e.g. 2026-01-05T07:30:00+01:00."),
    ],
)
def test_timestamp_needs_iso_with_offset(patient_client, value, message):
    response = post_checkin(patient_client, checkin_body() | {"recorded_at": value})
    assert response.status_code == 400
    assert response.json() == {"recorded_at": [message]}


def test_timestamp_future_limit_is_five_minutes(patient_client):
    near = post_checkin(patient_client, checkin_body(timezone.now() + dt.timedelta(minutes=4)))
    far = post_checkin(patient_client, checkin_body(timezone.now() + dt.timedelta(minutes=6)))
    assert near.status_code == 201
    assert far.status_code == 400
    assert far.json() == {"recorded_at": ["Timestamps more than 5 minutes in the future are not accepted."]}


def test_timestamp_before_enrolment_rejected(make_patient):
    patient, client = make_patient(tz="Europe/Paris", enrolled_days_ago=10)
    start_of_enrolment = dt.datetime.combine(patient.enrolled_on, dt.time(0), tzinfo=patient.tz)
    before = post_checkin(client, checkin_body(start_of_enrolment - dt.timedelta(seconds=1)))
    at = post_checkin(client, checkin_body(start_of_enrolment))
    assert before.status_code == 400
    assert before.json() == {
        "recorded_at": [f"Timestamps before the patient's enrolment ({patient.enrolled_on}) are not accepted."]
    }
    assert at.status_code == 201


def test_checkin_body_must_be_an_object(patient_client):
    response = patient_client.post("/api/v1/checkins/", [checkin_body()], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_only_json_accepted(patient_client):
    response = patient_client.post("/api/v1/checkins/", {"mood": "1"}, format="multipart")
    assert response.status_code == 415


def test_errors_in_french_when_asked(patient_client):
    response = patient_client.post("/api/v1/checkins/", {"id": uid()}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response.json()["mood"] == ["Ce champ est obligatoire."]
    assert response.json()["recorded_at"] == ["Ce champ est obligatoire."]
