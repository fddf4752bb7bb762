"""Deny by default, proven route by route.

Every URL pattern the resolver knows (and every WebSocket route) must appear in ROUTES with
the access rule it follows; a route missing from the table fails the suite. Each route is
then called by every actor, and the status must match the rule: refusals are 401 (no
identity), 403 (wrong role) or 404 (another team's or patient's object), and a refusal's
body never carries the target patient's code."""

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.models import Alert
from patients.models import ClinicalEvent
from tests.conftest import auth_client
from tests.factories import ClinicianFactory, UserFactory

ACTORS = [
    "anonymous",
    "patient_a",
    "patient_b",
    "nurse_in",
    "nurse_out",
    "psy_in",
    "psy_out",
    "admin",
    # Emergency clinicians (another establishment, no care team): one without any access, one
    # with an active emergency access to patient A (the `access_id` routes name).
    "emergency_none",
    "emergency_on",
    # FHIR client systems (SMART Backend Services tokens): one of patient A's establishment,
    # one of another establishment. Outside /fhir/ their tokens are nobody's.
    "fhir_in",
    "fhir_out",
]
FHIR_ACTORS = {"fhir_in", "fhir_out"}
EMERGENCY_ACTORS = {"emergency_none", "emergency_on"}
CLINICIANS_IN = {"nurse_in", "psy_in"}
CLINICIANS = {"nurse_in", "nurse_out", "psy_in", "psy_out"}
PATIENTS = {"patient_a", "patient_b"}
OK = "ok"  # any status that is not a refusal (2xx, 3xx, 400, 405, 409)

# Rules: actor -> expected. The object a route names always belongs to patient A / team A.
PUBLIC = dict.fromkeys(ACTORS, OK)
AUTHENTICATED = {a: (401 if a == "anonymous" else OK) for a in ACTORS}
PATIENT_SELF = {a: (401 if a == "anonymous" else OK if a in PATIENTS else 403) for a in ACTORS}
PATIENT_OWN_OBJECT = {**PATIENT_SELF, "patient_b": 404}
CLINICIAN = {a: (401 if a == "anonymous" else OK if a in CLINICIANS else 403) for a in ACTORS}
CLINICIAN_TEAM_OBJECT = {**CLINICIAN, "nurse_out": 404, "psy_out": 404}
PSYCHIATRIST_OR_ADMIN = {**dict.fromkeys(ACTORS, 403), "anonymous": 401, "psy_in": OK, "psy_out": OK, "admin": OK}
ADMIN = {**dict.fromkeys(ACTORS, 403), "anonymous": 401, "admin": OK}
PAGE_CLINICIAN = {a: ("login" if a == "anonymous" else OK if a in CLINICIANS else 403) for a in ACTORS}
# A patient page answers 404 to anyone who may not see that patient, whatever their role.
PAGE_CLINICIAN_PATIENT = {
    **PAGE_CLINICIAN,
    "nurse_out": 404,
    "psy_out": 404,
    "patient_a": 404,
    "patient_b": 404,
    "admin": 404,
    "emergency_none": 404,
    "emergency_on": 404,
}
# Emergency access: the role only; an access's routes for its own clinician while it is in force.
EMERGENCY = {a: (401 if a == "anonymous" else OK if a in EMERGENCY_ACTORS else 403) for a in ACTORS}
EMERGENCY_ACCESS_OBJECT = {**EMERGENCY, "emergency_none": 404}
PAGE_EMERGENCY = {**EMERGENCY, "anonymous": "login"}
PAGE_EMERGENCY_ACCESS = {**PAGE_EMERGENCY, "emergency_none": 404}
# Ending an access early: its clinician, the patient's team, an administrator.
EMERGENCY_REVOKE = {
    **EMERGENCY_ACCESS_OBJECT,
    "nurse_in": OK,
    "psy_in": OK,
    "nurse_out": 404,
    "psy_out": 404,
    "admin": OK,
}
# The verdict: the patient's psychiatrist or an administrator.
EMERGENCY_VERDICT = {**PSYCHIATRIST_OR_ADMIN, "psy_out": 404}
PAGE_REVIEW = {**PSYCHIATRIST_OR_ADMIN, "anonymous": "login"}
# Issue 17: a risk alert's outcome is corrected by a psychiatrist of the patient's team.
PSYCHIATRIST_TEAM_OBJECT = {**dict.fromkeys(ACTORS, 403), "anonymous": 401, "psy_in": OK, "psy_out": 404}
PAGE_PSYCHIATRIST_OR_ADMIN = {
    **dict.fromkeys(ACTORS, 403),
    "anonymous": "login",
    "psy_in": OK,
    "psy_out": OK,
    "admin": OK,
}
DJANGO_ADMIN = {**dict.fromkeys(ACTORS, "login"), "admin": OK}
FHIR_PATIENT_SEARCHES = ["Observation", "QuestionnaireResponse", "Flag", "CarePlan", "Composition"]

ROUTES: dict[str, dict[str, object]] = {
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "api/v1/auth/token/": PUBLIC,
    "api/v1/auth/token/refresh/": PUBLIC,
    "api/v1/auth/enroll/": PUBLIC,
    "api/v1/auth/logout/": PUBLIC,  # the refresh token in the body is the credential
    "api/v1/app/config/": PUBLIC,
    "api/schema/": PUBLIC,
    "api/docs/": PUBLIC,
    "accounts/login/": PUBLIC,
    "accounts/logout/": PUBLIC,
    "i18n/setlang/": PUBLIC,
    "app/": PUBLIC,
    "app/sw.js": PUBLIC,
    "app/manifest.webmanifest": PUBLIC,
    "app/i18n/<str:lang>.json": PUBLIC,
    "api/v1/me/": AUTHENTICATED,
    "api/v1/me/consents/": PATIENT_SELF,
    "api/v1/me/consents/withdraw/": PATIENT_SELF,
    "api/v1/me/access-log/": PATIENT_SELF,
    "api/v1/me/timeline/": PATIENT_SELF,
    "api/v1/me/export/": PATIENT_SELF,
    "api/v1/me/erase/": PATIENT_SELF,
    "api/v1/me/schedule/": PATIENT_SELF,
    "api/v1/me/push/": PATIENT_SELF,
    "api/v1/me/care-team/": PATIENT_SELF,
    "api/v1/me/crisis-plan/": PATIENT_SELF,
    # Search: clinicians only, over their own teams' patients (tests/records/test_search.py).
    "api/v1/search/": CLINICIAN,
    "api/v1/checkins/": PATIENT_SELF,
    "api/v1/questionnaires/": PATIENT_SELF,
    "api/v1/signals/batch/": PATIENT_SELF,
    "api/v1/speech/recordings/": PATIENT_SELF,
    "api/v1/speech/recordings/<uuid:recording_id>/": PATIENT_OWN_OBJECT,
    "api/v1/audit/": ADMIN,
    "api/v1/patients/": CLINICIAN,
    "api/v1/patients/<uuid:patient_id>/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/enrollment-code/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/events/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/timeline/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/export/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/risk-scores/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/risk-episodes/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/events/<uuid:event_id>/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/summary/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/schedule/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/card/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/crisis-plan/": CLINICIAN_TEAM_OBJECT,
    "api/v1/patients/<uuid:patient_id>/app-preferences/": CLINICIAN_TEAM_OBJECT,
    "api/v1/models/": PSYCHIATRIST_OR_ADMIN,
    "api/v1/models/<str:version>/": PSYCHIATRIST_OR_ADMIN,
    # Four eyes (issue 17): psychiatrists and admins review model changes (not the trainer).
    "api/v1/models/<str:version>/activate/": PSYCHIATRIST_OR_ADMIN,
    "api/v1/models/<str:version>/compare/": PSYCHIATRIST_OR_ADMIN,
    "api/v1/models/<str:version>/monitoring/": PSYCHIATRIST_OR_ADMIN,
    "api/v1/models/rollback/": PSYCHIATRIST_OR_ADMIN,
    "api/v1/alerts/": CLINICIAN,
    "api/v1/alerts/events/": CLINICIAN,
    "api/v1/alerts/<uuid:alert_id>/": CLINICIAN_TEAM_OBJECT,
    "api/v1/alerts/<uuid:alert_id>/acknowledge/": CLINICIAN_TEAM_OBJECT,
    "api/v1/alerts/<uuid:alert_id>/resolve/": CLINICIAN_TEAM_OBJECT,
    "api/v1/alerts/<uuid:alert_id>/assign/": CLINICIAN_TEAM_OBJECT,
    "api/v1/alerts/<uuid:alert_id>/notes/": CLINICIAN_TEAM_OBJECT,
    "api/v1/alerts/<uuid:alert_id>/outcome/": PSYCHIATRIST_TEAM_OBJECT,
    "api/v1/alerts/handover/": CLINICIAN,
    "api/v1/care-teams/<int:team_id>/risk-alerts/": CLINICIAN_TEAM_OBJECT,
    # An emergency clinician signing in lands on her emergency page (a redirect).
    "dashboard/": {**PAGE_CLINICIAN, "emergency_none": OK, "emergency_on": OK},
    "dashboard/patients/": PAGE_CLINICIAN,
    "dashboard/search/": PAGE_CLINICIAN,
    "dashboard/model/": PAGE_PSYCHIATRIST_OR_ADMIN,
    "dashboard/handover/": PAGE_CLINICIAN,
    "dashboard/patients/<uuid:patient_id>/": PAGE_CLINICIAN_PATIENT,
    "dashboard/patients/<uuid:patient_id>/summary/": PAGE_CLINICIAN_PATIENT,
    "api/v1/emergency/accesses/": EMERGENCY,
    "api/v1/emergency/accesses/<uuid:access_id>/": EMERGENCY_ACCESS_OBJECT,
    "api/v1/emergency/accesses/<uuid:access_id>/timeline/": EMERGENCY_ACCESS_OBJECT,
    "api/v1/emergency/accesses/<uuid:access_id>/risk-scores/": EMERGENCY_ACCESS_OBJECT,
    "api/v1/emergency/accesses/<uuid:access_id>/risk-episodes/": EMERGENCY_ACCESS_OBJECT,
    "api/v1/emergency/accesses/<uuid:access_id>/events/": EMERGENCY_ACCESS_OBJECT,
    "api/v1/emergency/accesses/<uuid:access_id>/alerts/": EMERGENCY_ACCESS_OBJECT,
    "api/v1/emergency/accesses/<uuid:access_id>/revoke/": EMERGENCY_REVOKE,
    "api/v1/emergency/accesses/<uuid:access_id>/verdict/": EMERGENCY_VERDICT,
    "api/v1/emergency/reviews/": PSYCHIATRIST_OR_ADMIN,
    "dashboard/emergency/": PAGE_EMERGENCY,
    "dashboard/emergency/review/": PAGE_REVIEW,
    "dashboard/emergency/<uuid:access_id>/": PAGE_EMERGENCY_ACCESS,
    "dashboard/emergency/<uuid:access_id>/end/": {
        **EMERGENCY_REVOKE,
        "anonymous": "login",
        "patient_a": 404,
        "patient_b": 404,
    },
}
# Outside /fhir/ a FHIR system's token is no identity: what an anonymous caller gets, except
# that an invalid bearer token on a public API route may be refused (401) where none is not.
for _rule in ROUTES.values():
    for _actor in FHIR_ACTORS:
        _rule[_actor] = _rule["anonymous"] if _rule["anonymous"] != OK else "ok_or_401"
# The FHIR API: system tokens only; a patient of another establishment is not found.
FHIR_PUBLIC = dict.fromkeys(ACTORS, OK)
FHIR_SYSTEM = {a: (OK if a in FHIR_ACTORS else 401) for a in ACTORS}
FHIR_PATIENT = {**FHIR_SYSTEM, "fhir_out": 404}
ROUTES.update(
    {
        "fhir/metadata": FHIR_PUBLIC,
        "fhir/.well-known/smart-configuration": FHIR_PUBLIC,
        "fhir/auth/token": FHIR_PUBLIC,  # the signed assertion in the body is the credential
        "fhir/Patient": FHIR_SYSTEM,  # no identifier: 400 (no browsing)
        "fhir/Patient/<str:patient_id>": FHIR_PATIENT,
        "fhir/Patient/<str:patient_id>/$everything": FHIR_PATIENT,
        "fhir/Observation": FHIR_SYSTEM,  # no patient: 400; the patient's data below
        "fhir/QuestionnaireResponse": FHIR_SYSTEM,
        "fhir/Flag": FHIR_SYSTEM,
        "fhir/CarePlan": FHIR_SYSTEM,
        "fhir/Composition": FHIR_SYSTEM,
        "fhir/<path:rest>": dict.fromkeys(ACTORS, 404),
    }
)
# Django's admin site: staff only, everyone else is sent to its login page.
ADMIN_SITE_PREFIX = "admin/"


def _walk(patterns, prefix=""):  # type: ignore[no-untyped-def]
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


ALL_ROUTES = sorted(set(_walk(get_resolver().url_patterns)))
APP_ROUTES = [r for r in ALL_ROUTES if not r.startswith(ADMIN_SITE_PREFIX) and r != ""]


def test_every_route_is_in_the_table():
    missing = [r for r in APP_ROUTES if r not in ROUTES]
    stale = [r for r in ROUTES if r not in APP_ROUTES]
    assert missing == [], f"routes without an access rule: {missing}"
    assert stale == [], f"rules for routes that no longer exist: {stale}"


@pytest.fixture
def world(patient, other_patient, nurse, other_nurse, psychiatrist, team):
    from ml.models import ModelVersion

    psy_out = ClinicianFactory(username="psy-b", role="psychiatrist", teams=[other_patient.care_team])
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    alert = Alert.objects.create(patient=patient, care_team=team, kind="manual", severity="medium", title="t")
    event = ClinicalEvent.objects.create(patient=patient, kind="relapse", date=timezone.localdate(), recorded_by=nurse)
    version = ModelVersion.objects.create(
        version="v-test", artifact_path="/nonexistent", artifact_sha256="0" * 64, threshold=0.5
    )
    recording_id = _recording_for(patient)
    emergency_none = UserFactory(username="er-none", role="emergency")
    emergency_on = UserFactory(username="er-on", role="emergency")
    access = _emergency_access_for(patient, emergency_on)
    from tests.factories import EstablishmentFactory
    from tests.interop.conftest import system_token

    token_url = "http://testserver/fhir/auth/token"
    fhir_tokens = {
        "fhir_in": system_token(Client(), establishment=team.establishment, client_id="his-in", token_url=token_url),
        "fhir_out": system_token(
            Client(), establishment=EstablishmentFactory(code="est-out"), client_id="his-out", token_url=token_url
        ),
    }
    clients = {
        "anonymous": APIClient(),
        "patient_a": auth_client(patient.user),
        "patient_b": auth_client(other_patient.user),
        "nurse_in": auth_client(nurse),
        "nurse_out": auth_client(other_nurse),
        "psy_in": auth_client(psychiatrist),
        "psy_out": auth_client(psy_out),
        "admin": auth_client(admin),
        "emergency_none": auth_client(emergency_none),
        "emergency_on": auth_client(emergency_on),
    }
    for name, fhir_token in fhir_tokens.items():
        clients[name] = APIClient()
        clients[name].credentials(HTTP_AUTHORIZATION=f"Bearer {fhir_token}")
    sessions = {}
    for name, user in [
        ("nurse_in", nurse),
        ("nurse_out", other_nurse),
        ("psy_in", psychiatrist),
        ("psy_out", psy_out),
        ("admin", admin),
        ("patient_a", patient.user),
        ("patient_b", other_patient.user),
        ("emergency_none", emergency_none),
        ("emergency_on", emergency_on),
    ]:
        c = APIClient()
        c.force_login(user)
        sessions[name] = c
    sessions["anonymous"] = APIClient()
    sessions["fhir_in"], sessions["fhir_out"] = clients["fhir_in"], clients["fhir_out"]
    kwargs = {
        "patient_id": str(patient.pk),
        "alert_id": str(alert.pk),
        "event_id": str(event.pk),
        "team_id": str(team.pk),
        "version": version.version,
        "recording_id": str(recording_id),
        "access_id": str(access.pk),
        "lang": "fr",
        "rest": "Medication",
    }
    return {"clients": clients, "sessions": sessions, "kwargs": kwargs, "secret": patient.code}


def _emergency_access_for(patient, clinician):  # type: ignore[no-untyped-def]
    from patients.emergency import emergency_access_grant
    from patients.services import patient_identity_set

    patient_identity_set(patient=patient, ins="189127512501282", birth_date=dt.date(1989, 12, 3))
    return emergency_access_grant(
        clinician=clinician,
        ins="189127512501282",
        birth_date=dt.date(1989, 12, 3),
        reason="other",
        reason_text="route matrix",
    ).access


def _recording_for(patient):  # type: ignore[no-untyped-def]
    from monitoring.models import SpeechRecording

    return SpeechRecording.objects.create(
        id=uuid.uuid4(),
        patient=patient,
        recorded_at=timezone.now() - dt.timedelta(hours=1),
        sha256="0" * 64,
        size_bytes=1000,
        duration_s=10.0,
        status="done",
    ).pk


def _fill(route: str, kwargs: dict[str, str]) -> str:
    import re

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: kwargs[m.group(1)], route)


def _check(response, expected, secret):  # type: ignore[no-untyped-def]
    status = response.status_code
    assert status < 500, f"server error {status}"
    if expected == OK:
        assert status not in (401, 403, 404), f"refused with {status}"
    elif expected == "ok_or_401":
        assert status not in (403, 404), f"refused with {status}"
    elif expected == "login":
        assert status == 302 and "login" in response.headers.get("Location", ""), f"got {status}"
    else:
        assert status == expected, f"expected {expected}, got {status}"
        assert secret not in response.content.decode(errors="replace"), "refusal leaked the patient's code"


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_access(world, route):
    if route not in APP_ROUTES:
        pytest.fail(f"{route} is in the table but not routed")
    url = _fill(route, world["kwargs"])
    problems = []
    for actor in ACTORS:
        expected = ROUTES[route][actor]
        # Pages are driven with the session cookie, the API with the access token.
        client = world["sessions"][actor] if route.startswith(("dashboard/", "app/")) else world["clients"][actor]
        response = client.get(url)
        if response.status_code == 405:
            # A write-only route: probe it with the method it accepts (an empty body).
            response = client.post(url, {}, format="json")
        try:
            _check(response, expected, world["secret"])
        except AssertionError as exc:
            problems.append(f"{actor}: {exc}")
    assert problems == []


@pytest.mark.parametrize("search", FHIR_PATIENT_SEARCHES)
def test_fhir_searches_about_patient_a(world, search):
    """With `patient=` patient A: her establishment's system gets her data; the other
    establishment's system an empty searchset; every other actor 401. Nobody else sees her."""
    url = f"/fhir/{search}?patient={world['kwargs']['patient_id']}"
    for actor in ACTORS:
        response = world["clients"][actor].get(url)
        if actor == "fhir_in":
            assert response.status_code == 200, actor
        elif actor == "fhir_out":
            assert response.status_code == 200 and response.json()["total"] == 0, actor
            assert world["secret"] not in response.content.decode()
        else:
            assert response.status_code == 401, actor


@pytest.mark.parametrize("actor", ACTORS)
def test_admin_site(world, actor):
    client = world["sessions"][actor]
    _check(client.get("/admin/"), DJANGO_ADMIN[actor], world["secret"])
    patient_id = world["kwargs"]["patient_id"]
    _check(client.get(f"/admin/patients/patient/{patient_id}/change/"), DJANGO_ADMIN[actor], world["secret"])
