"""List and search reads record the patients they returned (issue 21, item 12): a clinician
who saw a patient in a list, a search or the alert desk shows in that patient's
`/me/access-log/`; a patient the read did not return is not named."""

import pytest
from django.test import Client

from patients.models import AuditEvent
from tests.factories import AlertFactory, PatientFactory, grant_consents


@pytest.fixture
def hidden(team):  # type: ignore[no-untyped-def]
    """A patient of the same team that the searches below do not return."""
    p = PatientFactory(code="ZZ9", care_team=team, user__username="patient-z")
    grant_consents(p)
    return p


@pytest.fixture
def nurse_session(nurse) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(nurse)
    return client


def _log(client) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/me/access-log/").json()
    return {(e["who"], e["action"], e["resource"]) for e in body["results"]}


def test_patient_list_api_and_search(nurse_client, patient_client, patient, hidden):
    assert nurse_client.get("/api/v1/patients/").status_code == 200
    assert nurse_client.get("/api/v1/patients/", {"search": "PA"}).status_code == 200

    rows = AuditEvent.objects.filter(resource="patient_list", patient_id=patient.pk)
    assert rows.count() == 2
    assert rows.filter(detail__search="PA").count() == 1
    assert ("nurse-a", "read", "patient_list") in _log(patient_client)
    # The search did not return ZZ9: only the plain list names it.
    assert AuditEvent.objects.filter(resource="patient_list", patient_id=hidden.pk).count() == 1


def test_dashboard_patient_list_and_its_search(nurse_session, patient_client, patient, hidden):
    assert nurse_session.get("/dashboard/patients/", {"q": "PA1"}).status_code == 200

    assert ("nurse-a", "read", "patient_overview_page") in _log(patient_client)
    assert not AuditEvent.objects.filter(resource="patient_overview_page", patient_id=hidden.pk).exists()
    row = AuditEvent.objects.get(resource="patient_overview_page", patient_id=patient.pk)
    assert row.detail["q"] == "PA1"


def test_alert_list_desk_and_events(nurse_client, nurse_session, patient_client, patient, hidden, other_patient):
    AlertFactory(patient=patient)
    AlertFactory(patient=other_patient)

    assert nurse_client.get("/api/v1/alerts/").status_code == 200
    assert nurse_client.get("/api/v1/alerts/events/").status_code == 200
    assert nurse_session.get("/dashboard/").status_code == 200

    log = _log(patient_client)
    for resource in ("alert_list", "alert_events", "alert_dashboard"):
        assert ("nurse-a", "read", resource) in log, resource
    # Neither the patient without alerts nor another team's patient is named.
    assert (
        not AuditEvent.objects.filter(patient_id__in=[hidden.pk, other_patient.pk])
        .exclude(resource__in=["patient_list"])
        .filter(actor_username="nurse-a")
        .exists()
    )


def test_an_empty_list_is_still_on_record(nurse_client):
    assert nurse_client.get("/api/v1/patients/", {"search": "nobody"}).status_code == 200

    row = AuditEvent.objects.get(resource="patient_list")
    assert row.patient_id is None and row.detail["count"] == 0


def test_an_audit_search_names_the_patients_whose_trail_it_showed(nurse_client, patient_client, patient, hidden):
    from tests.conftest import auth_client
    from tests.factories import UserFactory

    nurse_client.get(f"/api/v1/patients/{patient.pk}/")
    admin = UserFactory(username="root", role="admin", is_staff=True)

    assert auth_client(admin).get("/api/v1/audit/", {"actor": "nurse-a", "action": "read"}).status_code == 200

    assert ("root", "read", "audit_trail") in _log(patient_client)
    assert not AuditEvent.objects.filter(resource="audit_trail", patient_id=hidden.pk).exists()
