"""The care team's contact (GET /api/v1/me/care-team/), set by its admin, and the care team's
choice of the easy-read app (GET/PUT /api/v1/patients/{id}/app-preferences/, `easy_read` in
GET /me/schedule/)."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from patients.models import AuditEvent
from tests.conftest import auth_client

pytestmark = pytest.mark.django_db


def test_the_patient_reads_their_care_teams_phone_hours_and_out_of_hours_line(patient, patient_client, team):
    team.phone = "+33 1 45 65 00 00"
    team.opening_days = "12345"
    team.opens_at = time(9, 0)
    team.closes_at = time(17, 30)
    team.out_of_hours_phone = "15"
    team.full_clean()
    team.save()

    response = patient_client.get("/api/v1/me/care-team/")

    assert response.status_code == 200
    assert response.json() == {
        "name": team.name,
        "phone": "+33 1 45 65 00 00",
        "phone_e164": "+33145650000",
        "phone_national": "01 45 65 00 00",
        "opening_days": [1, 2, 3, 4, 5],
        "opens_at": "09:00",
        "closes_at": "17:30",
        "timezone": "Europe/Paris",
        "out_of_hours_phone": "15",
        "out_of_hours_phone_e164": "15",
        "out_of_hours_phone_national": "15",
    }
    assert AuditEvent.objects.filter(resource="care_team_contact", patient_id=patient.pk).exists()


def test_a_team_without_a_contact_gives_blanks_not_errors(patient, patient_client):
    body = patient_client.get("/api/v1/me/care-team/").json()
    assert (body["phone"], body["opens_at"], body["closes_at"], body["out_of_hours_phone"]) == ("", None, None, "")
    assert (body["phone_e164"], body["phone_national"], body["out_of_hours_phone_e164"]) == ("", "", "")


@pytest.mark.parametrize(
    ("field", "value"), [("phone", "call me"), ("out_of_hours_phone", "0800<script>"), ("opening_days", "0189")]
)
def test_the_admin_cannot_save_a_malformed_contact(team, field, value):
    setattr(team, field, value)
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert field in error.value.message_dict


def test_the_care_team_endpoint_is_for_patients_only(nurse_client, client):
    assert nurse_client.get("/api/v1/me/care-team/").status_code == 403
    assert client.get("/api/v1/me/care-team/").status_code == 401


def test_the_care_team_chooses_easy_read_and_the_patients_app_learns_it(patient, patient_client, nurse_client):
    url = f"/api/v1/patients/{patient.pk}/app-preferences/"
    assert nurse_client.get(url).json() == {"easy_read": False}
    assert patient_client.get("/api/v1/me/schedule/").json()["easy_read"] is False

    response = nurse_client.put(url, {"easy_read": True}, format="json")

    assert response.status_code == 200 and response.json() == {"easy_read": True}
    assert patient_client.get("/api/v1/me/schedule/").json()["easy_read"] is True
    assert nurse_client.put(url, {"easy_read": "maybe"}, format="json").status_code == 400


def test_another_team_cannot_read_or_set_the_app_preference(patient, other_nurse, patient_client):
    url = f"/api/v1/patients/{patient.pk}/app-preferences/"
    other = auth_client(other_nurse)
    assert other.get(url).status_code == 404
    assert other.put(url, {"easy_read": True}, format="json").status_code == 404
    assert patient_client.put(url, {"easy_read": True}, format="json").status_code == 403
    assert patient_client.get("/api/v1/me/schedule/").json()["easy_read"] is False


def test_the_easy_read_choice_is_exported_and_erased_with_the_patients_data(patient, patient_client, nurse):
    from mobile.models import AppPreference
    from mobile.services import app_preference_set
    from records.services import patient_erase

    app_preference_set(patient=patient, easy_read=True, updated_by=nurse)
    export = patient_client.get("/api/v1/me/export/").json()
    assert export["app_preference"]["easy_read"] is True and export["app_preference"]["updated_by"] == "nurse-a"

    removed = patient_erase(patient=patient)

    assert removed["app_preference"] == 1
    assert not AppPreference.objects.filter(patient=patient).exists()
