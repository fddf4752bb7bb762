"""The admin site is audited like every other way to patient data (issue 21, item 3): each
list, search, view, history, change and deletion of a model holding patient data writes an
audit row with the right action, the patients concerned (each patient's access log shows it),
the search query and the names of the changed fields (never their values). Clinical events
and consent records are read-only in the admin: they change through the services."""

import datetime as dt

import pytest
from django.test import Client

from mobile.models import PatientSchedule, PushSubscription
from patients.audit import audit_record
from patients.models import AuditEvent, ClinicalEvent
from tests.factories import (
    ClinicalEventFactory,
    PatientFactory,
    PatientScheduleFactory,
    PushSubscriptionFactory,
    UserFactory,
)


@pytest.fixture
def admin_client(db) -> Client:  # type: ignore[no-untyped-def]
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def _rows(**filters):  # type: ignore[no-untyped-def]
    return list(AuditEvent.objects.filter(actor_username="root", **filters).order_by("id"))


MODELS = [
    ("patients", "patient"),
    ("patients", "clinicalevent"),
    ("patients", "consentrecord"),
    ("patients", "auditevent"),
    ("mobile", "patientschedule"),
    ("mobile", "pushsubscription"),
    ("mobile", "remindersent"),
]


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_every_admin_list_is_audited_with_the_patients_shown(admin_client, patient, other_patient, app, model):
    ClinicalEventFactory(patient=patient)
    PatientScheduleFactory(patient=patient)
    PushSubscriptionFactory(patient=patient)
    from tests.factories import ReminderSentFactory

    ReminderSentFactory(patient=patient)
    audit_record(action="read", resource="timeline", patient_id=patient.pk)
    before = AuditEvent.objects.count()

    response = admin_client.get(f"/admin/{app}/{model}/")

    assert response.status_code == 200
    rows = [r for r in _rows(resource=f"admin:{model}_list") if r.pk > before]
    assert rows, f"no audit row for the {model} change list"
    assert {r.action for r in rows} == {"read"}
    assert str(patient.pk) in {str(r.patient_id) for r in rows}


def test_admin_search_is_audited_with_query_and_patients_found(admin_client, patient, other_patient):
    response = admin_client.get("/admin/patients/patient/", {"q": patient.code})

    assert response.status_code == 200
    rows = _rows(resource="admin:patient_list")
    assert {str(r.patient_id) for r in rows} == {str(patient.pk)}
    assert rows[0].detail["query"] == patient.code
    assert rows[0].detail["count"] == 1


def test_search_shows_in_the_patients_access_log(admin_client, patient, patient_client):
    admin_client.get("/admin/patients/patient/", {"q": patient.code})

    entries = patient_client.get("/api/v1/me/access-log/").json()["results"]

    assert ("root", "admin", "read", "admin:patient_list") in {
        (e["who"], e["role"], e["action"], e["resource"]) for e in entries
    }


def test_admin_view_history_change_and_delete_are_audited_with_actions(admin_client, patient):
    schedule = PatientScheduleFactory(patient=patient)
    url = f"/admin/mobile/patientschedule/{schedule.pk}/change/"

    assert admin_client.get(url).status_code == 200
    assert admin_client.get(f"/admin/mobile/patientschedule/{schedule.pk}/history/").status_code == 200
    form = {
        "patient": str(patient.pk),
        "checkin_time": "07:45",
        "updated_by": str(schedule.updated_by_id),
        "questionnaires-TOTAL_FORMS": "0",
        "questionnaires-INITIAL_FORMS": "0",
        "questionnaires-MIN_NUM_FORMS": "0",
        "questionnaires-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    assert PatientSchedule.objects.get(pk=schedule.pk).checkin_time == dt.time(7, 45)

    rows = _rows(resource="admin:patientschedule", patient_id=patient.pk)
    assert [r.action for r in rows] == ["read", "read", "update"]
    assert rows[1].detail.get("view") == "history"
    assert rows[2].detail["changed"] == ["checkin_time"]
    assert "07:45" not in str(rows[2].detail)  # the names of the fields, never their values

    subscription = PushSubscriptionFactory(patient=patient)
    delete_url = f"/admin/mobile/pushsubscription/{subscription.pk}/delete/"
    assert admin_client.get(delete_url).status_code == 200
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
    actions = [r.action for r in _rows(resource="admin:pushsubscription", patient_id=patient.pk)]
    assert actions == ["read", "delete"]


def test_admin_patient_change_records_update_not_read(admin_client, team):
    patient = PatientFactory(care_team=team, code="ADM-1", diagnosis="F31")
    url = f"/admin/patients/patient/{patient.pk}/change/"
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["diagnosis"] = "F33"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:3000]

    rows = _rows(resource="admin:patient", patient_id=patient.pk)
    assert [r.action for r in rows] == ["read", "update"]
    assert rows[1].detail["changed"] == ["diagnosis"]


def test_clinical_events_and_consents_are_read_only_in_the_admin(admin_client, patient, psychiatrist):
    event = ClinicalEventFactory(patient=patient, recorded_by=psychiatrist, kind="relapse")
    url = f"/admin/patients/clinicalevent/{event.pk}/change/"

    page = admin_client.get(url)
    assert page.status_code == 200
    response = admin_client.post(url, {"patient": str(patient.pk), "kind": "crisis_visit", "date": str(event.date)})
    assert response.status_code == 403
    event.refresh_from_db()
    assert (event.kind, event.recorded_by_id) == ("relapse", psychiatrist.pk)
    assert admin_client.get("/admin/patients/clinicalevent/add/").status_code == 403
    assert admin_client.post(f"/admin/patients/clinicalevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ClinicalEvent.objects.filter(pk=event.pk).exists()

    consent = patient.consents.first()
    assert admin_client.get(f"/admin/patients/consentrecord/{consent.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/patients/consentrecord/{consent.pk}/change/", {}).status_code == 403
    assert admin_client.get("/admin/patients/consentrecord/add/").status_code == 403
    assert admin_client.post(f"/admin/patients/consentrecord/{consent.pk}/delete/", {"post": "yes"}).status_code == 403

    # Viewing them is audited as a read of that patient's data.
    assert {r.action for r in _rows(resource="admin:clinicalevent", patient_id=patient.pk)} == {"read"}
    assert {r.action for r in _rows(resource="admin:consentrecord", patient_id=patient.pk)} == {"read"}
