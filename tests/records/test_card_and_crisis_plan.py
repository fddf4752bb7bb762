"""The card context of the nurse's desk (`GET /api/v1/patients/{id}/card/`, `?context=1` on the
alert list), the crisis plan API, and the patient's phone and key worker (PATCH): happy paths,
404 for another team, 403 for a patient, 400s, audit rows with the changed fields."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts import services as alert_services
from alerts.models import Alert
from patients.models import AuditEvent, CrisisPlan, Patient
from tests.conftest import auth_client, make_score
from tests.factories import CheckInFactory, ClinicianFactory, SignalRecordFactory

pytestmark = pytest.mark.django_db


def raise_safety(patient):  # type: ignore[no-untyped-def]
    import uuid

    return alert_services.alert_raise_safety(
        patient=patient, questionnaire_id=uuid.uuid4(), item9=1, completed_at=timezone.now()
    )


# --- card --------------------------------------------------------------------------------------------


def test_card_gathers_what_a_nurse_needs(nurse, nurse_client, psychiatrist, patient, model_version):
    Patient.objects.filter(pk=patient.pk).update(phone="+33612345678", key_worker=psychiatrist, diagnosis="F31")
    CrisisPlan.objects.create(patient=patient, warning_signs="stops sleeping", who_to_call="sister", updated_by=nurse)
    today = timezone.localdate()
    make_score(patient, model_version, today - dt.timedelta(days=2), 0.048, band="high")
    make_score(patient, model_version, today - dt.timedelta(days=40), 0.2, band="high")  # outside the sparkline
    CheckInFactory(patient=patient)
    SignalRecordFactory(patient=patient)
    old = raise_safety(patient)
    Alert.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=100))
    recent = raise_safety(patient)

    response = nurse_client.get(f"/api/v1/patients/{patient.pk}/card/")

    assert response.status_code == 200
    card = response.data
    assert card["patient"]["diagnosis"] == "F31" and card["patient"]["diagnosis_label"] == "Bipolar disorder"
    assert card["patient"]["phone"] == "+33612345678"
    assert card["patient"]["key_worker"]["id"] == psychiatrist.pk
    assert card["patient"]["time_zone"] == patient.care_team.timezone
    assert card["risk"]["date"] == (today - dt.timedelta(days=2)).isoformat()
    assert card["risk"]["percent"] == 4.8 and "%" in card["risk"]["text"]
    assert card["risk"]["threshold_percent"] == 50.0
    assert len(card["sparkline"]) == 30 and card["sparkline"][-1]["date"] == today.isoformat()
    assert [p["score"] for p in card["sparkline"] if p["score"] is not None] == [0.048]
    assert card["last_checkin_at"] is not None and card["last_passive_data_at"] is not None
    assert card["crisis_plan"]["warning_signs"] == "stops sleeping"
    assert card["crisis_plan"]["updated_by"]["id"] == nurse.pk
    assert [a["id"] for a in card["previous_alerts"]] == [str(recent.pk)]  # the last 90 days only
    assert AuditEvent.objects.filter(resource="patient_card", action="read", patient_id=patient.pk).exists()


def test_card_of_a_quiet_patient_has_nulls_not_zeros(nurse_client, patient):
    card = nurse_client.get(f"/api/v1/patients/{patient.pk}/card/").data
    assert card["risk"] is None and card["crisis_plan"] is None
    assert card["last_checkin_at"] is None and card["last_passive_data_at"] is None
    assert all(p["score"] is None for p in card["sparkline"])
    assert card["previous_alerts"] == [] and card["patient"]["key_worker"] is None


def test_card_for_another_team_a_patient_or_nobody(patient, other_nurse):
    assert auth_client(other_nurse).get(f"/api/v1/patients/{patient.pk}/card/").status_code == 404
    assert AuditEvent.objects.filter(resource="patient_card", action="denied", actor_id=other_nurse.pk).exists()
    assert auth_client(patient.user).get(f"/api/v1/patients/{patient.pk}/card/").status_code == 403


def test_alert_list_embeds_the_same_card_with_context(nurse_client, patient, model_version):
    make_score(patient, model_version, timezone.localdate() - dt.timedelta(days=1), 0.3, band="medium")
    raise_safety(patient)
    listed = nurse_client.get("/api/v1/alerts/?context=1").data["results"][0]["context"]
    assert listed == nurse_client.get(f"/api/v1/patients/{patient.pk}/card/").data
    assert "context" not in nurse_client.get("/api/v1/alerts/").data["results"][0]


# --- crisis plan ------------------------------------------------------------------------------------------


def test_crisis_plan_read_edit_and_audit(nurse, nurse_client, psychiatrist_client, patient):
    url = f"/api/v1/patients/{patient.pk}/crisis-plan/"
    empty = nurse_client.get(url)
    assert empty.status_code == 200
    nothing = {"warning_signs": "", "who_to_call": "", "what_helped": "", "updated_by": None, "updated_at": None}
    assert empty.data == nothing

    body = {"warning_signs": "Stops sleeping; gives things away", "who_to_call": "Sister 06 12", "what_helped": ""}
    saved = nurse_client.put(url, body, format="json")
    assert saved.status_code == 200
    assert saved.data["warning_signs"] == body["warning_signs"] and saved.data["updated_by"]["id"] == nurse.pk
    changed = psychiatrist_client.put(url, {**body, "what_helped": "A walk with her dog"}, format="json")
    assert changed.status_code == 200 and changed.data["updated_by"]["username"] == "psy-a"

    audits = list(AuditEvent.objects.filter(resource="crisis_plan", patient_id=patient.pk).order_by("id"))
    updates = [a.detail["changed"] for a in audits if a.action == "update" and a.detail]
    assert updates == [["warning_signs", "who_to_call"], ["what_helped"]]
    assert [a.action for a in audits if not a.detail] == ["read", "update", "update"]
    assert CrisisPlan.objects.get(patient=patient).what_helped == "A walk with her dog"


@pytest.mark.parametrize(
    "body",
    [
        {"warning_signs": "x" * 2001, "who_to_call": "", "what_helped": ""},
        {"warning_signs": "only one field"},
        {},
    ],
)
def test_crisis_plan_bad_bodies_are_400(nurse_client, patient, body):
    response = nurse_client.put(f"/api/v1/patients/{patient.pk}/crisis-plan/", body, format="json")
    assert response.status_code == 400
    assert not CrisisPlan.objects.exists()


def test_crisis_plan_of_another_team_or_for_a_patient(patient, other_nurse):
    url = f"/api/v1/patients/{patient.pk}/crisis-plan/"
    body = {"warning_signs": "x", "who_to_call": "", "what_helped": ""}
    assert auth_client(other_nurse).get(url).status_code == 404
    assert auth_client(other_nurse).put(url, body, format="json").status_code == 404
    assert auth_client(patient.user).get(url).status_code == 403
    assert auth_client(patient.user).put(url, body, format="json").status_code == 403
    assert not CrisisPlan.objects.exists()


# --- phone and key worker ---------------------------------------------------------------------------------


def test_patch_phone_and_key_worker_audited(nurse, nurse_client, patient, team):
    colleague = ClinicianFactory(role="psychiatrist", teams=[team])
    url = f"/api/v1/patients/{patient.pk}/"
    response = nurse_client.patch(url, {"phone": "+33 6 12-34.56 78", "key_worker": colleague.pk}, format="json")
    assert response.status_code == 200
    assert response.data["phone"] == "+33612345678"
    assert response.data["key_worker"]["id"] == colleague.pk
    assert nurse_client.get(url).data["key_worker"]["id"] == colleague.pk
    cleared = nurse_client.patch(url, {"key_worker": None}, format="json")
    assert cleared.data["key_worker"] is None and cleared.data["phone"] == "+33612345678"
    audits = AuditEvent.objects.filter(resource="patient_contact", patient_id=patient.pk).order_by("id")
    assert [a.detail["changed"] for a in audits] == [["phone", "key_worker"], ["key_worker"]]


@pytest.mark.parametrize(
    "body, field", [({"phone": "06 12"}, "phone"), ({"phone": "call me"}, "phone"), ({}, "detail")]
)
def test_patch_bad_phone_is_400(nurse_client, patient, body, field):
    response = nurse_client.patch(f"/api/v1/patients/{patient.pk}/", body, format="json")
    assert response.status_code == 400 and field in response.data


def test_key_worker_must_be_a_clinician_of_the_team(nurse_client, patient, other_nurse):
    url = f"/api/v1/patients/{patient.pk}/"
    assert nurse_client.patch(url, {"key_worker": other_nurse.pk}, format="json").status_code == 400
    assert nurse_client.patch(url, {"key_worker": patient.user.pk}, format="json").status_code == 400
    assert auth_client(other_nurse).patch(url, {"phone": "+33612345678"}, format="json").status_code == 404
    assert auth_client(patient.user).patch(url, {"phone": "+33612345678"}, format="json").status_code == 403
    patient.refresh_from_db()
    assert patient.key_worker_id is None and patient.phone == ""
