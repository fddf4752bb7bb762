"""Every factory of tests/factories/ makes a valid row the application could have written: it
passes full_clean, keeps the invariants its service keeps, and two of a kind coexist."""

import datetime as dt

import pytest
from django.utils import timezone

from patients.models import AuditAction, ConsentRecord, ConsentScope, EnrollmentCode, Patient, Role, User
from patients.services import consent_active_scopes, patient_enroll
from tests import factories as f

pytestmark = pytest.mark.django_db


# --- patients --------------------------------------------------------------------------------


def test_user_factory_makes_a_patient_account_with_the_default_password():
    user = f.UserFactory()

    user.refresh_from_db()
    user.full_clean()
    assert user.role == Role.PATIENT
    assert user.check_password(f.DEFAULT_PASSWORD)


def test_care_team_factory():
    team = f.CareTeamFactory()

    team.full_clean()
    assert (team.timezone, team.risk_threshold, team.risk_alerts_paused) == ("Europe/Paris", None, False)


def test_clinician_factory_joins_the_teams_given():
    team = f.CareTeamFactory()

    nurse = f.ClinicianFactory(teams=[team])

    nurse.full_clean()
    assert nurse.is_clinician
    assert list(team.members.all()) == [nurse]


def test_patient_factory_enrols_a_patient_with_an_account():
    patient = f.PatientFactory()

    patient.refresh_from_db()
    patient.full_clean()
    assert patient.user.role == Role.PATIENT
    assert patient.enrolled_on < timezone.localdate()
    assert patient.care_team.patients.get() == patient


def test_consented_patient_factory_grants_every_scope_through_the_service():
    patient = f.ConsentedPatientFactory()

    patient.full_clean()
    assert consent_active_scopes(patient=patient) == set(ConsentScope.values)
    assert set(patient.consents.values_list("version", flat=True)) == {"1"}


def test_consented_patient_factory_grants_only_the_scopes_given():
    patient = f.ConsentedPatientFactory(consents=[ConsentScope.SELF_REPORT])

    # Emergency access is opt-out: in force without a grant.
    assert consent_active_scopes(patient=patient) == {ConsentScope.SELF_REPORT, ConsentScope.EMERGENCY_ACCESS}


def test_clinical_event_factory():
    event = f.ClinicalEventFactory()

    event.full_clean()
    assert event.kind == "relapse"
    assert event.patient.enrolled_on < event.date < timezone.localdate()


def test_consent_record_factory_grants_through_the_service():
    record = f.ConsentRecordFactory()

    record.refresh_from_db()
    record.full_clean()
    assert (record.scope, record.version, record.withdrawn_at) == (ConsentScope.SELF_REPORT, "1", None)
    assert consent_active_scopes(patient=record.patient) == {ConsentScope.SELF_REPORT, ConsentScope.EMERGENCY_ACCESS}


def test_consent_record_factory_under_a_new_version_closes_the_old_grant():
    old = f.ConsentRecordFactory(version="1")

    new = f.ConsentRecordFactory(patient=old.patient, version="2", granted_at=timezone.now())

    old.refresh_from_db()
    assert old.withdrawn_at == new.granted_at
    assert new.withdrawn_at is None
    assert ConsentRecord.objects.filter(patient=old.patient).count() == 2


def test_consent_record_factory_withdraws_through_the_service():
    withdrawn_at = timezone.now() - dt.timedelta(days=1)

    record = f.ConsentRecordFactory(withdrawn_at=withdrawn_at)

    record.full_clean()
    assert record.withdrawn_at == withdrawn_at
    assert consent_active_scopes(patient=record.patient) == {ConsentScope.EMERGENCY_ACCESS}


def test_enrollment_code_factory_issues_a_code_the_patient_enrols_with():
    entry = f.EnrollmentCodeFactory()

    entry.full_clean()
    assert entry.created_by.care_teams.get() == entry.patient.care_team
    assert entry.expires_at > timezone.now()
    patient = patient_enroll(code=entry.clear_code, username="new-patient", password="a-long-passphrase-4-tests")
    assert patient.user.username == "new-patient"
    entry.refresh_from_db()
    assert entry.used_at is not None


def test_enrollment_code_factory_a_second_code_ends_the_first():
    first = f.EnrollmentCodeFactory()

    second = f.EnrollmentCodeFactory(patient=first.patient)

    first.refresh_from_db()
    assert first.expires_at <= second.created_at
    assert EnrollmentCode.objects.filter(patient=first.patient, expires_at__gt=timezone.now()).get() == second


def test_audit_event_factory_records_a_team_nurse_reading_the_patient():
    event = f.AuditEventFactory()

    event.full_clean()
    assert (event.action, event.method, event.status_code, event.ip) == (AuditAction.READ, "GET", 200, "192.0.2.10")
    actor = User.objects.get(pk=event.actor_id)
    patient = Patient.objects.get(pk=event.patient_id)
    assert (event.actor_username, event.actor_role) == (actor.username, Role.NURSE)
    assert patient.care_team in actor.care_teams.all()
    assert event.path == f"/api/v1/patients/{patient.pk}/"
    with pytest.raises(PermissionError):
        event.save()  # append-only
