"""The patient's phone (E.164) and key worker, the crisis plan service, and a patient moved to
another care team (by the service or the admin): both teams' open desks are rescoped."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from patients.errors import DomainError
from patients.models import AuditEvent, CrisisPlan, phone_normalized
from patients.services import crisis_plan_save, patient_care_team_move, patient_contact_update
from tests.factories import ClinicianFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 (6) 12-34-56-78", "+33612345678"),
        ("+44.20.7946.0958", "+442079460958"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_phone_is_stored_as_e164(raw, stored):
    assert phone_normalized(raw) == stored


# A number typed without its country code is read as French since the one phone rule
# (patients/phones.py): "06 12 34 56 78" is now +33612345678 (tests/patients/test_phones.py).
@pytest.mark.parametrize("raw", ["06 12", "+0612345678", "+33 6", "call me", "+1234567890123456", "3114"])
def test_phone_that_is_not_a_full_number_is_refused(raw):
    with pytest.raises(ValidationError):
        phone_normalized(raw)


def test_contact_update_reports_changed_fields_and_checks_the_team(patient, nurse, other_nurse):
    assert patient_contact_update(patient=patient, phone="+33 6 12 34 56 78", key_worker_id=nurse.pk) == [
        "phone",
        "key_worker",
    ]
    assert patient_contact_update(patient=patient, phone="+33612345678") == []
    with pytest.raises(DomainError):
        patient_contact_update(patient=patient, key_worker_id=other_nurse.pk)
    with pytest.raises(DomainError):
        patient_contact_update(patient=patient, phone="12")
    patient.refresh_from_db()
    assert (patient.phone, patient.key_worker_id) == ("+33612345678", nurse.pk)


def test_crisis_plan_save_writes_only_what_changed(patient, nurse):
    plan, changed = crisis_plan_save(patient=patient, user=nurse, warning_signs=" withdrawn ", who_to_call="GP")
    assert changed == ["warning_signs", "who_to_call"] and plan.warning_signs == "withdrawn"
    stamp = plan.updated_at
    plan, changed = crisis_plan_save(patient=patient, user=nurse, warning_signs="withdrawn")
    assert changed == [] and plan.updated_at == stamp
    with pytest.raises(DomainError):
        crisis_plan_save(patient=patient, user=nurse, what_helped="x" * 2001)
    with pytest.raises(DomainError):
        crisis_plan_save(patient=patient, user=nurse, diagnosis="F20")
    assert CrisisPlan.objects.count() == 1


def test_moving_a_patient_rescopes_both_teams_and_drops_a_key_worker_left_behind(
    patient, nurse, other_team, other_nurse, monkeypatch, django_capture_on_commit_callbacks
):
    from patients import services

    rescoped: list[int] = []
    monkeypatch.setattr(services, "user_sockets_rescope_on_commit", lambda *, user_ids: rescoped.extend(user_ids))
    patient_contact_update(patient=patient, key_worker_id=nurse.pk)

    assert patient_care_team_move(patient=patient, team=other_team) is True

    patient.refresh_from_db()
    assert patient.care_team_id == other_team.pk and patient.key_worker_id is None
    assert sorted(rescoped) == sorted([nurse.pk, other_nurse.pk])
    assert patient_care_team_move(patient=patient, team=other_team) is False


def test_admin_edits_are_audited_with_changed_fields_and_a_team_move_rescopes(patient, other_team, monkeypatch):
    from patients import admin as patients_admin

    rescoped: list[list[int]] = []
    monkeypatch.setattr(patients_admin, "care_team_sockets_rescope", lambda *, team_ids: rescoped.append(team_ids))
    admin_user = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    old_team = patient.care_team_id
    keeper = ClinicianFactory(role="nurse", teams=[other_team])
    form = {
        "code": patient.code,
        "care_team": other_team.pk,
        "timezone": patient.timezone,
        "birth_year": patient.birth_year,
        "sex": patient.sex,
        "diagnosis": patient.diagnosis,
        "status": patient.status,
        "enrolled_on": patient.enrolled_on.isoformat(),
        "phone": "+33 6 12 34 56 78",
        "key_worker": keeper.pk,
    }
    response = client.post(f"/admin/patients/patient/{patient.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    patient.refresh_from_db()
    assert (patient.care_team_id, patient.phone, patient.key_worker_id) == (other_team.pk, "+33612345678", keeper.pk)
    assert rescoped == [[old_team, other_team.pk]]
    audit = AuditEvent.objects.filter(resource="admin:patient", action="update").latest("id")
    assert sorted(audit.detail["changed"]) == ["care_team", "key_worker", "phone"]
    assert audit.detail["object"] == str(patient.pk)

    # A key worker outside the patient's team is refused.
    outsider = ClinicianFactory(role="nurse")
    response = client.post(f"/admin/patients/patient/{patient.pk}/change/", {**form, "key_worker": outsider.pk})
    assert response.status_code == 200 and "care team" in response.content.decode()
