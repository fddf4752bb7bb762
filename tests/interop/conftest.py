"""A registered FHIR client system with an ES384 key pair (and an RS384 one), and helpers that
sign client assertions the way an establishment's record system does (PyJWT)."""

import datetime as dt
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.utils import timezone

from interop.models import FhirSystem
from monitoring.models import DailySummary
from patients.services import patient_identity_set

INS = "189127512501282"


def public_jwk(private_key: Any, alg: str, kid: str) -> dict[str, Any]:
    algorithm = jwt.algorithms.ECAlgorithm if alg == "ES384" else jwt.algorithms.RSAAlgorithm
    jwk = json.loads(algorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


@pytest.fixture(scope="session")
def ec_key() -> Any:
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture(scope="session")
def rsa_key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def fhir_system(db: Any, team: Any, ec_key: Any, rsa_key: Any) -> FhirSystem:
    return FhirSystem.objects.create(
        establishment=team.establishment,
        name="Hospital record system",
        client_id="his-a",
        jwks={"keys": [public_jwk(ec_key, "ES384", "ec-1"), public_jwk(rsa_key, "RS384", "rsa-1")]},
        allowed_scopes="system/*.rs",
    )


def assertion(
    key: Any,
    *,
    token_url: str,
    client_id: str = "his-a",
    alg: str = "ES384",
    kid: str = "ec-1",
    lifetime: int = 240,
    jti: str | None = None,
) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "exp": now + lifetime,
        "iat": now,
        "jti": jti or uuid.uuid4().hex,
    }
    return jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})


def token_form(signed: str, scope: str = "system/*.rs") -> dict[str, str]:
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": signed,
        "scope": scope,
    }


def with_ins(patient: Any, ins: str = INS) -> Any:
    patient_identity_set(patient=patient, ins=ins, birth_date=dt.date(1989, 12, 3))
    patient.refresh_from_db()
    return patient


def days_of_data(patient: Any, days: int) -> None:
    today = timezone.localdate(timezone=patient.tz)
    DailySummary.objects.bulk_create(
        DailySummary(
            patient=patient,
            date=today - dt.timedelta(days=n),
            checkins=1,
            mood=float(n % 5 - 2),
            anxiety=4.0,
            medication_taken=n % 3 != 0,
            sleep_hours=7.0,
            steps=5000 + n,
        )
        for n in range(1, days + 1)
    )


def system_token(client: Any, *, establishment: Any, client_id: str, token_url: str) -> str:
    """Register a system of `establishment` with a fresh ES384 key and get its access token
    from the token endpoint (as the route matrix's FHIR actors do)."""
    key = ec.generate_private_key(ec.SECP384R1())
    FhirSystem.objects.create(
        establishment=establishment,
        name=client_id,
        client_id=client_id,
        jwks={"keys": [public_jwk(key, "ES384", "k1")]},
    )
    signed = assertion(key, token_url=token_url, client_id=client_id, kid="k1")
    response = client.post("/fhir/auth/token", token_form(signed))
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])
