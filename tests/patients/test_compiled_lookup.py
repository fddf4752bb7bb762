"""The authentication's user lookup, compiled once (patients.compiled.CompiledLookup), gives
the objects the queryset gives, in one query, and rejects what the queryset rejects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from patients.authentication import USER_WITH_PATIENT
from patients.models import CareTeam, Patient, User


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_patient_user_comes_with_patient_and_team_as_the_queryset_gives_them(patient):
    expected = User.objects.select_related("patient__care_team").get(pk=patient.user.pk)

    with CaptureQueriesContext(connection) as queries:
        user = USER_WITH_PATIENT.get(patient.user.pk)
        team = user.patient.care_team

    assert len(queries) == 1
    assert type(user) is User and not user._state.adding and user._state.db == "default"
    assert _fields(user) == _fields(expected)
    assert _fields(user.patient) == _fields(expected.patient)
    assert isinstance(team, CareTeam) and _fields(team) == _fields(expected.patient.care_team)
    assert user.patient.user is user


def test_a_clinician_has_no_patient_and_asking_costs_no_query(nurse):
    user = USER_WITH_PATIENT.get(nurse.pk)

    with CaptureQueriesContext(connection) as queries, pytest.raises(Patient.DoesNotExist):
        user.patient  # noqa: B018

    assert _fields(user) == _fields(User.objects.get(pk=nurse.pk))
    assert len(queries) == 0


def test_the_same_compiled_query_serves_every_user(patient, other_patient, nurse):
    users = [USER_WITH_PATIENT.get(pk) for pk in (patient.user.pk, nurse.pk, other_patient.user.pk, "999999")]

    assert [u.username if u else None for u in users] == ["patient-a", "nurse-a", "patient-b", None]
    assert users[2].patient.code == "PB1" and users[2].patient.care_team.name == "team-b"


def test_no_value_finds_no_user(patient):
    assert USER_WITH_PATIENT.get(None) is None


@pytest.mark.parametrize("claim", ["not-a-number", "1.5", [1]])
def test_a_value_the_id_field_cannot_hold_raises_before_any_query(db, claim):
    with CaptureQueriesContext(connection) as queries, pytest.raises((TypeError, ValueError)):
        USER_WITH_PATIENT.get(claim)
    assert len(queries) == 0


def test_a_signed_token_with_an_unusable_user_claim_is_refused(patient):
    token = AccessToken.for_user(patient.user)
    token["user_id"] = "not-a-number"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert "user_not_found" in str(response.json())


def test_an_inactive_user_is_refused_at_once(patient_client, patient):
    assert patient_client.get("/api/v1/me/").status_code == 200
    User.objects.filter(pk=patient.user.pk).update(is_active=False)

    assert patient_client.get("/api/v1/me/").status_code == 401
