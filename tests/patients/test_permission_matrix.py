"""Every patient-data endpoint of the foundation × every role × own/other team or record.

Each cell asserts the status and that nothing leaked (the other patient's code never appears)
or changed (no write happened on a refusal)."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from patients.models import ClinicalEvent, ConsentRecord, Patient
from tests.conftest import auth_client
from tests.factories import ClinicianFactory, UserFactory

DAY = (dt.date.today() - dt.timedelta(days=3)).isoformat()


@pytest.fixture
def actors(nurse, psychiatrist, other_nurse, patient, other_patient, team):
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    other_psy = ClinicianFactory(username="psy-b", role="psychiatrist", teams=[other_patient.care_team])
    return {
        "anonymous": APIClient(),
        "patient_own": auth_client(patient.user),
        "patient_other": auth_client(other_patient.user),
        "nurse_in": auth_client(nurse),
        "nurse_out": auth_client(other_nurse),
        "psy_in": auth_client(psychiatrist),
        "psy_out": auth_client(other_psy),
        "admin": auth_client(admin),
    }


# (method, path template, body) — {pid} is the team-a patient's id.
CLINICIAN_ENDPOINTS = [
    ("get", "/api/v1/patients/{pid}/", None),
    ("get", "/api/v1/patients/{pid}/events/", None),
    ("post", "/api/v1/patients/{pid}/events/", {"kind": "crisis_visit", "date": DAY, "note": "x"}),
    ("post", "/api/v1/patients/{pid}/enrollment-code/", None),
]
CLINICIAN_EXPECT = {
    "anonymous": 401,
    "patient_own": 403,
    "patient_other": 403,
    "nurse_in": "ok",
    "nurse_out": 404,
    "psy_in": "ok",
    "psy_out": 404,
    "admin": 403,
}


@pytest.mark.parametrize("method, template, body", CLINICIAN_ENDPOINTS)
@pytest.mark.parametrize("actor", list(CLINICIAN_EXPECT))
def test_clinician_patient_endpoints(actors, patient, method, template, body, actor):
    if template.endswith("enrollment-code/"):
        patient.user = None
        patient.save(update_fields=["user"])
    events_before = ClinicalEvent.objects.count()

    response = getattr(actors[actor], method)(template.format(pid=patient.pk), body, format="json")

    expected = CLINICIAN_EXPECT[actor]
    if expected == "ok":
        assert response.status_code in (200, 201)
        assert "PB1" not in response.content.decode()
    else:
        assert response.status_code == expected
        assert "PA1" not in response.content.decode()
        assert ClinicalEvent.objects.count() == events_before


LIST_EXPECT = {
    "anonymous": 401,
    "patient_own": 403,
    "patient_other": 403,
    "nurse_in": ["PA1"],
    "nurse_out": ["PB1"],
    "psy_in": ["PA1"],
    "psy_out": ["PB1"],
    "admin": 403,
}


@pytest.mark.parametrize("actor", list(LIST_EXPECT))
def test_patient_list(actors, actor):
    response = actors[actor].get("/api/v1/patients/")
    expected = LIST_EXPECT[actor]
    if isinstance(expected, list):
        assert [p["code"] for p in response.json()["results"]] == expected
    else:
        assert response.status_code == expected


PATIENT_SELF_EXPECT = {
    "anonymous": 401,
    "patient_own": "ok",
    "patient_other": "ok",
    "nurse_in": 403,
    "nurse_out": 403,
    "psy_in": 403,
    "psy_out": 403,
    "admin": 403,
}


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/api/v1/me/consents/", None),
        ("post", "/api/v1/me/consents/", {"version": "9", "scopes": ["speech"]}),
        ("post", "/api/v1/me/consents/withdraw/", {"scopes": ["speech"]}),
    ],
)
@pytest.mark.parametrize("actor", list(PATIENT_SELF_EXPECT))
def test_patient_self_endpoints(actors, patient, other_patient, method, path, body, actor):
    before = list(ConsentRecord.objects.order_by("id").values_list("id", "withdrawn_at", "version"))

    response = getattr(actors[actor], method)(path, body, format="json")

    expected = PATIENT_SELF_EXPECT[actor]
    if expected == "ok":
        assert response.status_code in (200, 201)
        # Own consent only: the other patient's rows are untouched.
        mine = patient if actor == "patient_own" else other_patient
        theirs = other_patient if actor == "patient_own" else patient
        after_theirs = list(
            ConsentRecord.objects.filter(patient=theirs).order_by("id").values_list("id", "withdrawn_at", "version")
        )
        assert after_theirs == [
            row for row in before if ConsentRecord.objects.filter(pk=row[0], patient=theirs).exists()
        ]
        assert ConsentRecord.objects.filter(patient=mine).exists()
    else:
        assert response.status_code == expected
        assert list(ConsentRecord.objects.order_by("id").values_list("id", "withdrawn_at", "version")) == before


def test_patient_create_needs_team_membership(actors, team, other_team):
    body = {
        "code": "NEWX",
        "care_team": team.pk,
        "timezone": "Europe/Paris",
        "birth_year": 1970,
        "sex": "M",
        "diagnosis": "F20",
    }
    results = {
        actor: client.post("/api/v1/patients/", body, format="json").status_code for actor, client in actors.items()
    }
    assert results == {
        "anonymous": 401,
        "patient_own": 403,
        "patient_other": 403,
        "nurse_in": 201,
        "nurse_out": 400,
        "psy_in": 400,
        "psy_out": 400,
        "admin": 403,
    }
    assert Patient.objects.filter(code="NEWX").count() == 1
