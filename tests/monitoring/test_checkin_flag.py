"""A check-in's note flagged by the patient "for my next appointment": optional in the API,
false by default, part of the check-in's content (idempotency), in the patient's own export."""

import pytest

from monitoring.models import CheckIn
from tests.monitoring.conftest import checkin_body

pytestmark = pytest.mark.django_db


def test_the_flag_is_optional_and_false_by_default(make_patient):
    patient, client = make_patient()
    response = client.post("/api/v1/checkins/", checkin_body(note="just a note"), format="json")
    assert response.status_code == 201
    assert response.json()["for_next_appointment"] is False
    assert CheckIn.objects.get(patient=patient).for_next_appointment is False


def test_a_flagged_note_is_stored_and_echoed(make_patient):
    patient, client = make_patient()
    body = checkin_body(note="Ask about the dose", for_next_appointment=True)
    response = client.post("/api/v1/checkins/", body, format="json")
    assert response.status_code == 201
    assert response.json()["for_next_appointment"] is True
    stored = CheckIn.objects.get(pk=body["id"])
    assert (stored.note, stored.for_next_appointment) == ("Ask about the dose", True)
    # The patient's own export carries it.
    exported = client.get("/api/v1/me/export/").json()["checkins"]
    assert [c["for_next_appointment"] for c in exported] == [True]


def test_the_flag_must_be_a_boolean(make_patient):
    patient, client = make_patient()
    response = client.post("/api/v1/checkins/", checkin_body(for_next_appointment="yes"), format="json")
    assert response.status_code == 400
    assert "for_next_appointment" in response.json()
    assert not CheckIn.objects.filter(patient=patient).exists()


def test_the_same_id_with_another_flag_is_a_conflict(make_patient):
    patient, client = make_patient()
    body = checkin_body(note="Ask about the dose", for_next_appointment=True)
    assert client.post("/api/v1/checkins/", body, format="json").status_code == 201
    assert client.post("/api/v1/checkins/", body, format="json").status_code == 200
    changed = {**body, "for_next_appointment": False}
    assert client.post("/api/v1/checkins/", changed, format="json").status_code == 409
    assert CheckIn.objects.get(pk=body["id"]).for_next_appointment is True
