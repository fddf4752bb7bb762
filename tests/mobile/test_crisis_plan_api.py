"""The patient's own crisis plan (GET /api/v1/me/crisis-plan/): what the care team wrote with
them, its phone numbers cut out to be dialled, audited; an empty state while there is none."""

import pytest

from patients.models import AuditEvent, CrisisPlan
from tests.conftest import auth_client
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

WHO = "My sister Anne 06 12 34 56 78, the CMP on 01 23 45 67 89, or 3114 at night."


def test_the_patient_reads_the_plan_the_care_team_wrote(patient, patient_client, nurse_client):
    written = nurse_client.put(
        f"/api/v1/patients/{patient.pk}/crisis-plan/",
        {"warning_signs": "Sleeping less than 5 h.\nSpending a lot.", "who_to_call": WHO, "what_helped": "Walking."},
        format="json",
    )
    assert written.status_code == 200

    response = patient_client.get("/api/v1/me/crisis-plan/")

    assert response.status_code == 200
    body = response.json()
    assert (body["warning_signs"], body["what_helped"], body["who_to_call"]) == (
        "Sleeping less than 5 h.\nSpending a lot.",
        "Walking.",
        WHO,
    )
    assert body["who_to_call_parts"] == [
        {"text": "My sister Anne ", "tel": None},
        {"text": "06 12 34 56 78", "tel": "+33612345678"},
        {"text": ", the CMP on ", "tel": None},
        {"text": "01 23 45 67 89", "tel": "+33123456789"},
        {"text": ", or ", "tel": None},
        {"text": "3114", "tel": "3114"},
        {"text": " at night.", "tel": None},
    ]
    assert "".join(part["text"] for part in body["who_to_call_parts"]) == WHO
    assert body["written"] is True and body["updated_at"] is not None
    assert AuditEvent.objects.filter(resource="crisis_plan", patient_id=patient.pk, action="read").exists()


@pytest.mark.parametrize("texts", [None, {"warning_signs": "", "who_to_call": "  ", "what_helped": ""}])
def test_no_plan_or_a_blank_one_is_the_empty_state(patient, patient_client, texts):
    if texts is not None:
        CrisisPlan.objects.create(patient=patient, **texts)
    response = patient_client.get("/api/v1/me/crisis-plan/")
    assert response.status_code == 200
    assert response.json() == {
        "written": False,
        "warning_signs": "",
        "what_helped": "",
        "who_to_call": "",
        "who_to_call_parts": [],
        "updated_at": None,
    }


def test_a_patient_sees_only_their_own_plan_and_clinicians_use_their_own_endpoint(patient, team, nurse_client, client):
    CrisisPlan.objects.create(patient=patient, warning_signs="Only for patient A.")
    other = PatientFactory(care_team=team, user__username="patient-b")

    response = auth_client(other.user).get("/api/v1/me/crisis-plan/")

    assert response.status_code == 200 and response.json()["written"] is False
    assert "Only for patient A." not in response.content.decode()
    assert nurse_client.get("/api/v1/me/crisis-plan/").status_code == 403
    assert client.get("/api/v1/me/crisis-plan/").status_code == 401


def test_the_schema_documents_the_endpoint(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/me/crisis-plan/"]["get"]
    assert set(operation["responses"]) >= {"200"}
    fields = schema["components"]["schemas"]["MyCrisisPlan"]["properties"]
    assert {"written", "warning_signs", "what_helped", "who_to_call", "who_to_call_parts", "updated_at"} <= set(fields)
