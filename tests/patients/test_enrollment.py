import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from patients.models import EnrollmentCode, Patient
from tests.conftest import auth_client

ENROLL = "/api/v1/auth/enroll/"


def create_patient(nurse_client, team, code="NEW1") -> dict:
    response = nurse_client.post(
        "/api/v1/patients/",
        {
            "code": code,
            "care_team": team.pk,
            "timezone": "Europe/Paris",
            "birth_year": 1980,
            "sex": "F",
            "diagnosis": "f31",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_code_works_once(nurse_client, team):
    created = create_patient(nurse_client, team)
    code = created["enrollment_code"]

    first = APIClient().post(ENROLL, {"enrollment_code": code, "username": "amelie", "password": "Long-pass-phrase-1"})
    second = APIClient().post(
        ENROLL, {"enrollment_code": code, "username": "amelie2", "password": "Long-pass-phrase-1"}
    )

    assert first.status_code == 201
    assert set(first.json()) == {"access", "refresh", "patient_id"}
    assert first.json()["patient_id"] == created["id"]
    assert second.status_code == 400
    assert "enrollment_code" in second.json()
    assert Patient.objects.get(pk=created["id"]).user.username == "amelie"


def test_code_rejected_after_expiry(nurse_client, team):
    code = create_patient(nurse_client, team)["enrollment_code"]
    EnrollmentCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    response = APIClient().post(ENROLL, {"enrollment_code": code, "username": "bob", "password": "Long-pass-phrase-1"})

    assert response.status_code == 400
    assert Patient.objects.get(code="NEW1").user is None


def test_code_never_stored_in_clear(nurse_client, team):
    code = create_patient(nurse_client, team)["enrollment_code"]
    bare = code.replace("-", "")

    stored = list(EnrollmentCode.objects.values_list("code_hash", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM patients_enrollmentcode")
        raw_rows = repr(cursor.fetchall())

    assert len(stored) == 1
    assert bare not in raw_rows and code not in raw_rows
    assert bare.lower() not in raw_rows.lower()


def test_weak_password_refused_and_code_kept(nurse_client, team):
    code = create_patient(nurse_client, team)["enrollment_code"]

    weak = APIClient().post(ENROLL, {"enrollment_code": code, "username": "carl", "password": "123"})
    good = APIClient().post(ENROLL, {"enrollment_code": code, "username": "carl", "password": "Long-pass-phrase-1"})

    assert weak.status_code == 400 and "password" in weak.json()
    assert good.status_code == 201


def test_enrolled_patient_sees_own_me(nurse_client, team):
    code = create_patient(nurse_client, team)["enrollment_code"]
    tokens = APIClient().post(ENROLL, {"enrollment_code": code, "username": "dora", "password": "Long-pass-phrase-1"})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens.json()['access']}")

    me = client.get("/api/v1/me/").json()

    assert me["role"] == "patient"
    assert me["patient_id"] == tokens.json()["patient_id"]
    assert me["care_teams"] == [{"id": team.pk, "name": team.name}]


def test_new_code_invalidates_previous(nurse_client, team):
    created = create_patient(nurse_client, team)
    old = created["enrollment_code"]
    new = nurse_client.post(f"/api/v1/patients/{created['id']}/enrollment-code/").json()["enrollment_code"]

    old_try = APIClient().post(ENROLL, {"enrollment_code": old, "username": "edith", "password": "Long-pass-phrase-1"})
    new_try = APIClient().post(ENROLL, {"enrollment_code": new, "username": "edith", "password": "Long-pass-phrase-1"})

    assert old_try.status_code == 400
    assert new_try.status_code == 201


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"sex": "Q"}, "sex"),
        ({"diagnosis": "depression"}, "diagnosis"),
        ({"birth_year": 3000}, "birth_year"),
        ({"enrolled_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "enrolled_on"),
    ],
)
def test_patient_create_validation(nurse_client, team, payload, field):
    body = {
        "code": "V1",
        "care_team": team.pk,
        "timezone": "Europe/Paris",
        "birth_year": 1980,
        "sex": "F",
        "diagnosis": "F20",
        **payload,
    }

    response = nurse_client.post("/api/v1/patients/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Patient.objects.filter(code="V1").exists()


def test_patient_create_in_other_team_refused(nurse_client, other_team):
    body = {
        "code": "V2",
        "care_team": other_team.pk,
        "timezone": "Europe/Paris",
        "birth_year": 1980,
        "sex": "F",
        "diagnosis": "F20",
    }

    response = nurse_client.post("/api/v1/patients/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"care_team": ["Not one of your care teams."]}
    assert not Patient.objects.filter(code="V2").exists()


def test_patient_cannot_create_patients(patient, team):
    response = auth_client(patient.user).post(
        "/api/v1/patients/",
        {
            "code": "V3",
            "care_team": team.pk,
            "timezone": "Europe/Paris",
            "birth_year": 1980,
            "sex": "F",
            "diagnosis": "F20",
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Patient.objects.filter(code="V3").exists()
