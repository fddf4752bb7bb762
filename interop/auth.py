"""SMART Backend Services authorization (client-credentials grant with a signed JWT assertion):
https://hl7.org/fhir/smart-app-launch/backend-services.html. PyJWT verifies the signatures; the
access tokens it issues are JWTs signed with the server's secret (HS256), valid 5 minutes at
most, never refreshed. A `jti` seen once is kept in the cache (Redis) until its `exp` and
refused again."""

import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.core.cache import cache

from .models import FhirSystem

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ["RS384", "ES384"]
MAX_ASSERTION_LIFETIME = 300  # seconds: `exp` at most 5 minutes ahead
TOKEN_LIFETIME = 300  # seconds
ACCESS_AUDIENCE = "relapse-monitoring:fhir"
RESOURCE_TYPES = ("Patient", "Observation", "QuestionnaireResponse", "Flag", "CarePlan", "Composition")


def _access_key() -> str:
    """The key of the access tokens: derived from SECRET_KEY, so that it differs from the key
    of the users' API tokens (simplejwt) and neither kind is ever taken for the other."""
    return hashlib.sha256(f"relapse-monitoring:fhir-access:{settings.SECRET_KEY}".encode()).hexdigest()


class AuthError(Exception):
    """An OAuth error: `error` is the RFC 6749 code, `description` says why."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class SystemActor:
    """The system behind a FHIR call, as the audit trail's actor."""

    system: FhirSystem
    scopes: frozenset[str]
    pk: None = None
    is_authenticated: bool = True
    role: str = "fhir_system"

    def get_username(self) -> str:
        return f"fhir:{self.system.client_id}"[:150]

    def may_read(self, resource_type: str) -> bool:
        return any(
            scope in self.scopes
            for scope in (
                f"system/{resource_type}.rs",
                f"system/{resource_type}.read",
                "system/*.rs",
                "system/*.read",
            )
        )


def _scope_reads(scope: str) -> bool:
    if not scope.startswith("system/") or "." not in scope:
        return False
    resource, _, access = scope[len("system/") :].partition(".")
    return (resource == "*" or resource in RESOURCE_TYPES) and access in ("rs", "read", "r", "s")


def _granted(requested: str, allowed: str) -> list[str]:
    allowed_set = set(allowed.split())
    granted = []
    for scope in requested.split():
        if not _scope_reads(scope):
            continue
        resource = scope[len("system/") :].partition(".")[0]
        if scope in allowed_set or f"system/{resource}.rs" in allowed_set or "system/*.rs" in allowed_set:
            granted.append(scope)
    return granted


def _signing_key(system: FhirSystem, token: str) -> Any:
    header = jwt.get_unverified_header(token)
    if header.get("alg") not in ALGORITHMS:
        raise AuthError("invalid_client", "The assertion must be signed with RS384 or ES384.")
    kid = header.get("kid")
    if system.jwks:
        keys = [k for k in jwt.PyJWKSet.from_dict(system.jwks).keys if kid is None or k.key_id == kid]
        if not keys:
            raise AuthError("invalid_client", "No registered key matches the assertion's kid.")
        return keys[0]
    try:
        return jwt.PyJWKClient(system.jwks_uri, cache_keys=True, timeout=5).get_signing_key_from_jwt(token)
    except jwt.PyJWKClientError as error:
        raise AuthError("invalid_client", "The system's published keys could not be read.") from error


def token_issue(*, form: dict[str, str], token_url: str, now: float | None = None) -> dict[str, Any]:
    """Check a client-credentials request and issue an access token (or raise AuthError)."""
    now = time.time() if now is None else now
    if form.get("grant_type") != "client_credentials":
        raise AuthError("unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise AuthError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}.")
    assertion = form.get("client_assertion") or ""
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise AuthError("invalid_request", "client_assertion is not a JWT.") from error
    client_id = unverified.get("iss")
    system = FhirSystem.objects.select_related("establishment").filter(client_id=client_id, active=True).first()
    if system is None or unverified.get("sub") != client_id:
        raise AuthError("invalid_client", "Unknown client.")
    try:
        key = _signing_key(system, assertion)
        claims = jwt.decode(
            assertion,
            key=key,
            algorithms=ALGORITHMS,
            audience=token_url,
            issuer=client_id,
            options={"require": ["iss", "sub", "aud", "exp", "jti"]},
        )
    except jwt.PyJWTError as error:
        raise AuthError("invalid_client", f"The assertion was refused: {error}.") from error
    if claims["exp"] > now + MAX_ASSERTION_LIFETIME:
        raise AuthError("invalid_client", "The assertion's exp is more than 5 minutes ahead.")
    jti_ttl = max(1, int(claims["exp"] - now) + 1)
    if not cache.add(f"fhir:jti:{client_id}:{claims['jti']}"[:240], 1, timeout=jti_ttl):
        raise AuthError("invalid_client", "This assertion (jti) was already used.")
    scopes = _granted(form.get("scope", ""), system.allowed_scopes)
    if not scopes:
        raise AuthError("invalid_scope", "None of the requested scopes can be granted.")
    scope = " ".join(scopes)
    token = jwt.encode(
        {
            "iss": ACCESS_AUDIENCE,
            "aud": ACCESS_AUDIENCE,
            "sub": system.client_id,
            "scope": scope,
            "iat": int(now),
            "exp": int(now) + TOKEN_LIFETIME,
            "jti": uuid.uuid4().hex,
        },
        _access_key(),
        algorithm="HS256",
    )
    return {
        "access_token": token,
        "token_type": "bearer",  # nosec B105 - the OAuth token type, not a password
        "expires_in": TOKEN_LIFETIME,
        "scope": scope,
        "client_id": system.client_id,  # for the audit trail; the view drops it from the answer
    }


def system_from_bearer(header: str) -> SystemActor:
    """The system of an `Authorization: Bearer` access token (or raise AuthError)."""
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token:
        raise AuthError("invalid_token", "A bearer access token is required.")
    try:
        claims = jwt.decode(
            token,
            _access_key(),
            algorithms=["HS256"],
            audience=ACCESS_AUDIENCE,
            issuer=ACCESS_AUDIENCE,
            options={"require": ["sub", "exp", "scope"]},
        )
    except jwt.PyJWTError as error:
        raise AuthError("invalid_token", "The access token is invalid or expired.") from error
    system = FhirSystem.objects.select_related("establishment").filter(client_id=claims["sub"], active=True).first()
    if system is None:
        raise AuthError("invalid_token", "The system is no longer registered.")
    return SystemActor(system=system, scopes=frozenset(claims["scope"].split()))
