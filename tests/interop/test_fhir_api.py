"""The FHIR API through Django's test client: SMART Backend Services tokens (signatures,
exp, replayed jti, scopes), the establishment boundary and emergency access, OperationOutcome
errors, paging and the audit trail with the system's identity."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from alerts.models import Alert
from patients.models import AuditEvent, CrisisPlan, EmergencyAccess, User
from tests.factories import EstablishmentFactory, UserFactory

from .conftest import INS, assertion, days_of_data, token_form, with_ins

TOKEN_URL = "http://testserver/fhir/auth/token"


def get_token(client: Any, key: Any, scope: str = "system/*.rs", **kw: Any) -> Any:
    return client.post("/fhir/auth/token", token_form(assertion(key, token_url=TOKEN_URL, **kw), scope))


def bearer(client: Any, key: Any, scope: str = "system/*.rs") -> dict[str, str]:
    response = get_token(client, key, scope)
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['access_token']}"}


def validated(body: dict[str, Any]) -> Bundle:
    bundle = Bundle.model_validate(body)
    for entry in body.get("entry", []):
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    return bundle


@pytest.mark.django_db
def test_metadata_is_a_capability_statement(client):
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    statement = get_fhir_model_class("CapabilityStatement").model_validate(response.json())
    assert statement.fhirVersion == "4.0.1"
    types = {r.type for r in statement.rest[0].resource}
    assert {"Patient", "Observation", "QuestionnaireResponse", "Flag", "CarePlan", "Composition"} <= types


def test_token_with_es384_and_rs384(client, fhir_system, ec_key, rsa_key):
    for key, alg, kid in ((ec_key, "ES384", "ec-1"), (rsa_key, "RS384", "rsa-1")):
        response = get_token(client, key, alg=alg, kid=kid)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["token_type"] == "bearer" and body["expires_in"] <= 300
        assert "refresh_token" not in body
        assert body["scope"] == "system/*.rs"


def test_token_refused_for_a_bad_signature(client, fhir_system):
    from cryptography.hazmat.primitives.asymmetric import ec

    stranger = ec.generate_private_key(ec.SECP384R1())
    response = get_token(client, stranger)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_refused_for_expired_or_too_long_assertions(client, fhir_system, ec_key):
    assert get_token(client, ec_key, lifetime=-10).status_code == 401
    too_long = get_token(client, ec_key, lifetime=600)
    assert too_long.status_code == 401
    assert "5 minutes" in too_long.json()["error_description"]


def test_token_refused_for_a_replayed_jti(client, fhir_system, ec_key):
    signed = assertion(ec_key, token_url=TOKEN_URL, jti="once-only")
    assert client.post("/fhir/auth/token", token_form(signed)).status_code == 200
    replay = client.post("/fhir/auth/token", token_form(signed))
    assert replay.status_code == 401
    assert "already used" in replay.json()["error_description"]


def test_token_refused_for_a_wrong_audience_or_grant(client, fhir_system, ec_key):
    other_aud = assertion(ec_key, token_url="http://elsewhere/token")
    assert client.post("/fhir/auth/token", token_form(other_aud)).status_code == 401
    form = token_form(assertion(ec_key, token_url=TOKEN_URL))
    assert client.post("/fhir/auth/token", {**form, "grant_type": "password"}).status_code == 400


def test_scopes_limit_what_a_token_reads(client, fhir_system, ec_key, patient):
    headers = bearer(client, ec_key, scope="system/Patient.rs")
    assert client.get(f"/fhir/Patient/{patient.pk}", **headers).status_code == 200
    denied = client.get(f"/fhir/Observation?patient={patient.pk}", **headers)
    assert denied.status_code == 403
    assert denied.json()["resourceType"] == "OperationOutcome"
    # A scope the system is not registered for is not granted.
    fhir_system.allowed_scopes = "system/Patient.rs"
    fhir_system.save()
    assert get_token(client, ec_key, scope="system/Observation.rs").status_code == 400


def test_no_token_no_data(client, patient):
    response = client.get(f"/fhir/Patient/{patient.pk}")
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"
    forged = client.get(f"/fhir/Patient/{patient.pk}", HTTP_AUTHORIZATION="Bearer not.a.token")
    assert forged.status_code == 401


def test_patient_search_by_ins_and_read(client, fhir_system, ec_key, patient):
    with_ins(patient)
    headers = bearer(client, ec_key)
    body = client.get(f"/fhir/Patient?identifier=urn:oid:1.2.250.1.213.1.4.8|{INS}", **headers).json()
    validated(body)
    assert body["total"] == 1
    resource = body["entry"][0]["resource"]
    assert resource["id"] == str(patient.pk)
    assert {"system": "urn:oid:1.2.250.1.213.1.4.8", "value": INS}.items() <= resource["identifier"][0].items()
    assert client.get("/fhir/Patient?identifier=189127512501283", **headers).json()["total"] == 0
    # No browsing: a search without an identifier is refused.
    assert client.get("/fhir/Patient", **headers).status_code == 400
    # The audit trail has the read with the system's identity, and never the INS.
    event = AuditEvent.objects.filter(resource="fhir_Patient", patient_id=patient.pk).latest("at")
    assert event.actor_username == "fhir:his-a" and event.actor_role == "fhir_system"
    assert INS not in str(event.detail) and INS not in event.path


def test_other_establishment_patient_is_not_found(client, fhir_system, ec_key, other_patient):
    other_team = other_patient.care_team
    other_team.establishment = EstablishmentFactory(code="elsewhere")
    other_team.save()
    with_ins(other_patient)
    headers = bearer(client, ec_key)
    assert client.get(f"/fhir/Patient/{other_patient.pk}", **headers).status_code == 404
    assert client.get(f"/fhir/Patient/{other_patient.pk}/$everything", **headers).status_code == 404
    assert client.get(f"/fhir/Patient?identifier={INS}", **headers).json()["total"] == 0
    assert client.get(f"/fhir/Observation?patient={other_patient.pk}", **headers).json()["total"] == 0
    # ... until a clinician of the system's establishment opens an emergency access.
    er = UserFactory(username="er-a", role="emergency", establishment=fhir_system.establishment)
    now = timezone.now()
    access = EmergencyAccess.objects.create(
        patient=other_patient,
        clinician=er,
        establishment=fhir_system.establishment,
        reason="suicide_risk",
        reason_text="arrived at the ED",
        started_at=now,
        expires_at=now + dt.timedelta(hours=4),
    )
    assert client.get(f"/fhir/Patient/{other_patient.pk}", **headers).status_code == 200
    access.ended_at, access.end_kind = timezone.now(), "revoked"
    access.save()
    assert client.get(f"/fhir/Patient/{other_patient.pk}", **headers).status_code == 404
    assert User.objects.filter(username="er-a").exists()


def test_observations_page_filter_and_validate(client, fhir_system, ec_key, patient):
    days_of_data(patient, 30)
    headers = bearer(client, ec_key)
    first = client.get(f"/fhir/Observation?patient=Patient/{patient.pk}&_count=25", **headers)
    assert first["Content-Type"] == "application/fhir+json"
    body = first.json()
    validated(body)
    assert body["type"] == "searchset" and len(body["entry"]) == 25
    assert body["total"] == 30 * 5  # mood, anxiety, medication, sleep hours, steps
    seen = {e["resource"]["id"] for e in body["entry"]}
    next_url = next(link["url"] for link in body["link"] if link["relation"] == "next")
    second = client.get(next_url.removeprefix("http://testserver"), **headers).json()
    assert not seen & {e["resource"]["id"] for e in second["entry"]}
    activity = client.get(f"/fhir/Observation?patient={patient.pk}&category=activity", **headers).json()
    assert activity["total"] == 30 * 2
    since = (timezone.localdate(timezone=patient.tz) - dt.timedelta(days=5)).isoformat()
    recent = client.get(f"/fhir/Observation?patient={patient.pk}&date=ge{since}", **headers).json()
    assert recent["total"] == 5 * 5
    updated = client.get(f"/fhir/Observation?patient={patient.pk}&_lastUpdated=ge{since}", **headers).json()
    assert updated["total"] == 5 * 5


def test_flags_care_plan_and_everything(client, fhir_system, ec_key, patient):
    days_of_data(patient, 10)
    Alert.objects.create(patient=patient, care_team=patient.care_team, kind="risk", severity="high", title="Risk up")
    CrisisPlan.objects.create(patient=patient, warning_signs="stops sleeping", who_to_call="sister")
    headers = bearer(client, ec_key)
    flags = validated(client.get(f"/fhir/Flag?patient={patient.pk}", **headers).json())
    assert flags.total == 1 and flags.entry[0].resource.status == "active"
    plans = client.get(f"/fhir/CarePlan?patient={patient.pk}", **headers).json()
    validated(plans)
    assert "stops sleeping" in plans["entry"][0]["resource"]["text"]["div"]
    everything = client.get(f"/fhir/Patient/{patient.pk}/$everything?_count=200", **headers).json()
    validated(everything)
    kinds = [e["resource"]["resourceType"] for e in everything["entry"]]
    assert kinds[0] == "Patient" and {"Flag", "CarePlan", "Composition", "Observation"} <= set(kinds)
    assert everything["total"] == 1 + 1 + 1 + 1 + 10 * 5  # patient, flag, crisis plan, summary, 10 days x 5


def test_everything_has_no_care_plan_or_summary_where_none_exists(client, fhir_system, ec_key, patient):
    headers = bearer(client, ec_key)
    everything = client.get(f"/fhir/Patient/{patient.pk}/$everything", **headers).json()
    validated(everything)
    assert [e["resource"]["resourceType"] for e in everything["entry"]] == ["Patient"]
    assert client.get(f"/fhir/Composition?patient={patient.pk}", **headers).json()["total"] == 0


def test_errors_are_operation_outcomes(client, fhir_system, ec_key):
    headers = bearer(client, ec_key)
    for path in ("/fhir/Observation", "/fhir/Medication", "/fhir/Patient/not-a-uuid"):
        response = client.get(path, **headers)
        assert response.status_code in (400, 404)
        assert response.json()["resourceType"] == "OperationOutcome"
    assert client.post("/fhir/Patient", **headers).status_code == 405
