from patients.models import AuditEvent
from tests.conftest import auth_client
from tests.factories import UserFactory


def test_patient_sees_who_accessed_their_record(nurse_client, patient_client, patient, other_patient):
    nurse_client.get(f"/api/v1/patients/{patient.pk}/")
    patient_client.get("/api/v1/me/consents/")

    entries = patient_client.get("/api/v1/me/access-log/").json()["results"]

    assert [(e["who"], e["role"], e["action"], e["resource"]) for e in entries] == [
        ("nurse-a", "nurse", "read", "patient")
    ]


def test_admin_searches_audit_trail_and_search_is_audited(nurse_client, patient):
    admin = UserFactory(username="root", role="admin", is_staff=True)
    nurse_client.get(f"/api/v1/patients/{patient.pk}/")

    body = auth_client(admin).get("/api/v1/audit/", {"patient": str(patient.pk), "action": "read"}).json()

    assert body["count"] == 1
    assert body["results"][0]["actor_username"] == "nurse-a"
    assert AuditEvent.objects.filter(resource="audit_trail", actor_username="root").count() == 1


def test_non_admins_cannot_search_audit(nurse_client, patient_client):
    assert nurse_client.get("/api/v1/audit/").status_code == 403
    assert patient_client.get("/api/v1/audit/").status_code == 403


def test_no_mass_assignment_on_enrolment_or_patient_create(nurse_client, team, other_team):
    created = nurse_client.post(
        "/api/v1/patients/",
        {
            "code": "MA1",
            "care_team": team.pk,
            "timezone": "Europe/Paris",
            "birth_year": 1980,
            "sex": "F",
            "diagnosis": "F31",
            "status": "erased",
            "id": "00000000-0000-0000-0000-000000000001",
            "user": 1,
        },
        format="json",
    ).json()
    assert created["status"] == "active"
    assert created["id"] != "00000000-0000-0000-0000-000000000001"

    from rest_framework.test import APIClient

    from patients.models import User

    APIClient().post(
        "/api/v1/auth/enroll/",
        {
            "enrollment_code": created["enrollment_code"],
            "username": "mass1",
            "password": "Long-pass-phrase-1",
            "role": "admin",
            "is_staff": True,
        },
    )
    user = User.objects.get(username="mass1")
    assert (user.role, user.is_staff, user.is_superuser) == ("patient", False, False)
