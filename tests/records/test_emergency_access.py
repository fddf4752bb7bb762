"""Emergency ("break-the-glass") access, the whole lifecycle through the API: grant by INS +
date of birth (exact only), the owning team's live alert, the read-only view, expiry,
early revoke, the review list with verdicts, the consent refusal, and the audit entries."""

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone
from rest_framework.test import APIClient

from alerts.models import Alert
from patients.emergency import emergency_accesses_close_expired
from patients.models import AuditEvent, ConsentScope, EmergencyAccess
from patients.services import consent_grant, consent_withdraw, patient_identity_set
from tests.alerts.conftest import close_sockets, connect, receive, receive_type  # noqa: F401 - fixture
from tests.conftest import auth_client
from tests.factories import ClinicianFactory, EstablishmentFactory, UserFactory

INS = "189127512501282"
BORN = dt.date(1989, 12, 3)
REASON = {"reason": "suicide_risk", "reason_text": "Brought in by the fire brigade after a fall, confused."}


@pytest.fixture
def identified(patient):
    patient_identity_set(patient=patient, ins=INS, birth_date=BORN)
    return patient


@pytest.fixture
def er_doctor(db):
    where = EstablishmentFactory(code="cum", name="Centre d'urgences du Mistral")
    return UserFactory(username="dr-er", role="emergency", establishment=where, first_name="Inès", last_name="Roux")


@pytest.fixture
def er_client(er_doctor):
    return auth_client(er_doctor)


def _open(client, ins=INS, born=BORN, **extra):
    return client.post(
        "/api/v1/emergency/accesses/", {"ins": ins, "birth_date": born.isoformat(), **REASON, **extra}, format="json"
    )


@pytest.mark.django_db
def test_grant_alerts_the_owning_team_and_opens_a_read_only_view(identified, er_client, er_doctor, nurse_client):
    response = _open(er_client, ins="1 89 12 75 125 012 82")
    assert response.status_code == 201, response.content
    access = response.json()
    assert access["patient"] == str(identified.pk) and access["active"] is True
    assert access["establishment"] == "Centre d'urgences du Mistral"
    assert 4 * 3600 - 60 < access["seconds_left"] <= 4 * 3600

    # The owning team's alert says who, from where and why.
    alert = Alert.objects.get(patient=identified, kind="emergency_access")
    assert alert.care_team_id == identified.care_team_id and alert.status == "open"
    assert alert.detail["clinician"] == "Inès Roux"
    assert alert.detail["establishment"] == "Centre d'urgences du Mistral"
    desk = nurse_client.get(f"/api/v1/alerts/{alert.pk}/").json()
    assert "Inès Roux" in desk["message"] and "Mistral" in desk["message"] and "fire brigade" in desk["message"]

    # Asking again while it is open gives the same access, and no second alert.
    again = _open(er_client)
    assert again.status_code == 200 and again.json()["id"] == access["id"]
    assert Alert.objects.filter(kind="emergency_access").count() == 1

    # The view: identity, team, crisis plan, risk, alerts, summary; the chart reads.
    view = er_client.get(f"/api/v1/emergency/accesses/{access['id']}/")
    assert view.status_code == 200
    body = view.json()
    assert body["patient"]["code"] == identified.code and body["patient"]["ins"] == "1 89 12 75 125 012 82"
    assert body["care_team"]["name"] == identified.care_team.name
    assert body["period"]["days"] == 30
    assert {s["key"] for s in body["summary"]} == {"signals", "questionnaires", "adherence", "risk", "events"}
    assert [a["kind"] for a in body["open_alerts"]] == ["emergency_access"]
    base = f"/api/v1/emergency/accesses/{access['id']}"
    timeline = er_client.get(f"{base}/timeline/?start=2000-01-01")
    assert timeline.status_code == 200
    today = timezone.localdate(timezone=identified.tz)
    assert timeline.json()["start"] == (today - dt.timedelta(days=29)).isoformat()  # never more than 30 days
    for part in ("risk-scores/", "risk-episodes/", "events/", "alerts/"):
        assert er_client.get(f"{base}/{part}").status_code == 200, part

    # Read-only: no write reaches the patient through it, and nothing else opens.
    assert (
        er_client.post(f"{base}/events/", {"kind": "relapse", "date": "2026-01-01"}, format="json").status_code == 405
    )
    assert er_client.get(f"/api/v1/patients/{identified.pk}/").status_code == 403
    assert er_client.get(f"/api/v1/patients/{identified.pk}/timeline/").status_code == 403

    # Audit: a FHIR-style start entry, and each read on the patient's trail.
    start = AuditEvent.objects.get(action="btg_start", patient_id=identified.pk)
    assert start.actor_id == er_doctor.pk
    codes = [c["coding"][0]["code"] for c in start.detail["purposeOfEvent"]]
    assert codes == ["BTG", "ETREAT"]
    assert AuditEvent.objects.filter(
        resource="emergency:view", patient_id=identified.pk, actor_id=er_doctor.pk
    ).exists()


@pytest.mark.django_db
def test_the_patient_sees_the_emergency_access_in_their_access_log(identified, er_client, patient_client):
    access = _open(er_client).json()
    er_client.get(f"/api/v1/emergency/accesses/{access['id']}/")
    log = patient_client.get("/api/v1/me/access-log/").json()
    rows = log["results"] if isinstance(log, dict) else log
    actions = {(r["who"], r["action"]) for r in rows}
    assert ("dr-er", "btg_start") in actions
    assert ("dr-er", "read") in actions


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ins", "born"),
    [
        (INS, BORN + dt.timedelta(days=1)),  # right INS, wrong birth date
        ("285052A00401220", BORN),  # a valid INS nobody has
        (INS[:13] + "00", BORN),  # a wrong key: 400
        ("1891275", BORN),  # partial: 400
    ],
)
def test_only_an_exact_ins_and_birth_date_match_opens_anything(identified, er_client, ins, born):
    response = _open(er_client, ins=ins, born=born)
    assert response.status_code in (400, 404)
    assert identified.code not in response.content.decode()
    assert not EmergencyAccess.objects.exists()
    assert not Alert.objects.filter(kind="emergency_access").exists()


@pytest.mark.django_db
def test_only_the_emergency_role_may_open_one(identified, nurse_client, other_nurse, psychiatrist_client):
    for client in (nurse_client, auth_client(other_nurse), psychiatrist_client, APIClient()):
        assert _open(client).status_code in (401, 403)
    assert not EmergencyAccess.objects.exists()


@pytest.mark.django_db
def test_look_ups_are_rate_limited(identified, er_client, settings):
    from rest_framework.throttling import SimpleRateThrottle

    monkey = {**SimpleRateThrottle.THROTTLE_RATES, "emergency_search": "3/hour"}
    SimpleRateThrottle.THROTTLE_RATES = monkey
    try:
        statuses = [_open(er_client, born=BORN + dt.timedelta(days=n + 1)).status_code for n in range(4)]
    finally:
        from rest_framework.settings import api_settings

        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses == [404, 404, 404, 429]


@pytest.mark.django_db
def test_consent_can_exclude_emergency_access_and_the_refusal_is_explained(identified, er_client, patient_client):
    withdraw = patient_client.post("/api/v1/me/consents/withdraw/", {"scopes": ["emergency_access"]}, format="json")
    assert withdraw.status_code in (200, 204), withdraw.content
    refused = _open(er_client)
    assert refused.status_code == 403
    assert refused.json()["code"] == "excluded_by_consent"
    assert "consent" in refused.json()["detail"]
    assert not EmergencyAccess.objects.exists()
    assert AuditEvent.objects.filter(action="denied", resource="emergency_access", patient_id=identified.pk).exists()
    # Granting it again allows it.
    consent_grant(patient=identified, version="2", scopes=[ConsentScope.EMERGENCY_ACCESS])
    assert _open(er_client).status_code == 201


@pytest.mark.django_db
def test_opt_out_without_any_earlier_grant_is_recorded(er_client):
    from tests.factories import PatientFactory

    patient = PatientFactory()
    patient_identity_set(patient=patient, ins=INS, birth_date=BORN)
    assert consent_withdraw(patient=patient, scopes=[ConsentScope.EMERGENCY_ACCESS]) == 1
    assert _open(er_client).status_code == 403


@pytest.mark.django_db
def test_withdrawing_consent_during_an_access_ends_it(identified, er_client):
    access = _open(er_client).json()
    consent_withdraw(patient=identified, scopes=[ConsentScope.EMERGENCY_ACCESS])
    assert er_client.get(f"/api/v1/emergency/accesses/{access['id']}/").status_code == 404
    assert EmergencyAccess.objects.get(pk=access["id"]).end_kind == "consent"


@pytest.mark.django_db
def test_expiry_is_enforced_on_the_next_request_and_writes_the_stop_entry(identified, er_client, settings):
    access = _open(er_client).json()
    EmergencyAccess.objects.filter(pk=access["id"]).update(
        started_at=timezone.now() - dt.timedelta(hours=5), expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    base = f"/api/v1/emergency/accesses/{access['id']}"
    for part in ("", "timeline/", "risk-scores/", "alerts/"):
        response = er_client.get(f"{base}/{part}")
        assert response.status_code == 404, part
        assert identified.code not in response.content.decode()
    ended = EmergencyAccess.objects.get(pk=access["id"])
    assert ended.end_kind == "expired" and ended.ended_at == ended.expires_at
    stops = AuditEvent.objects.filter(action="btg_stop", patient_id=identified.pk)
    assert stops.count() == 1
    assert stops.get().detail["purposeOfEvent"][0]["coding"][0]["code"] == "BTG"
    # The beat task finds nothing left to close (idempotent).
    assert emergency_accesses_close_expired() == 0


@pytest.mark.django_db
def test_the_beat_task_closes_accesses_nobody_looked_at(identified, er_client):
    access = _open(er_client).json()
    later = timezone.now() + dt.timedelta(hours=4, minutes=1)
    assert emergency_accesses_close_expired(now=later) == 1
    assert emergency_accesses_close_expired(now=later) == 0
    assert AuditEvent.objects.filter(action="btg_stop", detail__emergency_access=access["id"]).count() == 1


@pytest.mark.django_db
def test_the_default_duration_is_a_setting(identified, er_client, settings):
    settings.EMERGENCY_ACCESS_HOURS = 1
    access = _open(er_client).json()
    assert 3500 < access["seconds_left"] <= 3600


@pytest.mark.django_db
def test_the_owning_team_or_an_admin_revokes_early_and_others_cannot(identified, er_client, nurse_client, other_nurse):
    access = _open(er_client).json()
    base = f"/api/v1/emergency/accesses/{access['id']}"
    assert auth_client(other_nurse).post(f"{base}/revoke/").status_code == 404
    revoked = nurse_client.post(f"{base}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["end_kind"] == "revoked"
    assert er_client.get(f"{base}/").status_code == 404
    assert AuditEvent.objects.filter(action="btg_stop", patient_id=identified.pk).count() == 1
    # Revoking again changes nothing.
    assert nurse_client.post(f"{base}/revoke/").status_code == 200
    assert AuditEvent.objects.filter(action="btg_stop", patient_id=identified.pk).count() == 1


@pytest.mark.django_db
def test_the_clinician_ends_her_own_access(identified, er_client):
    access = _open(er_client).json()
    assert er_client.post(f"/api/v1/emergency/accesses/{access['id']}/revoke/").json()["active"] is False


@pytest.mark.django_db
def test_review_list_verdicts_and_repeated_use(identified, er_client, er_doctor, psychiatrist, other_patient):
    first = _open(er_client).json()
    er_client.post(f"/api/v1/emergency/accesses/{first['id']}/revoke/")
    second = _open(er_client).json()
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    psy_out = ClinicianFactory(username="psy-b", role="psychiatrist", teams=[other_patient.care_team])

    rows = auth_client(admin).get("/api/v1/emergency/reviews/").json()
    assert [r["id"] for r in rows] == [second["id"], first["id"]]
    assert rows[0]["clinician_recent"] == 2 and rows[0]["reason_text"] == REASON["reason_text"]
    assert auth_client(psy_out).get("/api/v1/emergency/reviews/").json() == []
    assert auth_client(psychiatrist).get("/api/v1/emergency/reviews/").status_code == 200
    assert er_client.get("/api/v1/emergency/reviews/").status_code == 403

    # The patient's psychiatrist judges; a psychiatrist of another team cannot.
    url = f"/api/v1/emergency/accesses/{first['id']}/verdict/"
    assert auth_client(psy_out).post(url, {"verdict": "justified"}, format="json").status_code == 404
    judged = auth_client(psychiatrist).post(
        url, {"verdict": "not_justified", "note": "Known patient, no need."}, format="json"
    )
    assert judged.status_code == 200 and judged.json()["verdict"] == "not_justified"
    assert (
        auth_client(admin)
        .post(f"/api/v1/emergency/accesses/{second['id']}/verdict/", {"verdict": "justified"}, format="json")
        .status_code
        == 200
    )
    rows = auth_client(admin).get("/api/v1/emergency/reviews/").json()
    assert {r["id"]: r["verdict"] for r in rows} == {first["id"]: "not_justified", second["id"]: "justified"}
    assert all(r["clinician_unjustified"] == 1 for r in rows)
    assert AuditEvent.objects.filter(resource="emergency_access_verdict", action="update").count() == 2


@pytest.mark.django_db
def test_the_audit_api_shows_start_and_stop(identified, er_client):
    access = _open(er_client).json()
    er_client.post(f"/api/v1/emergency/accesses/{access['id']}/revoke/")
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    for action in ("btg_start", "btg_stop"):
        body = auth_client(admin).get(f"/api/v1/audit/?patient={identified.pk}&action={action}").json()
        rows = body["results"] if isinstance(body, dict) else body
        assert len(rows) == 1, action
        assert rows[0]["detail"]["emergency_access"] == access["id"]
        assert rows[0]["detail"]["resourceType"] == "AuditEvent"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_url", "close_sockets")
async def test_the_owning_team_gets_the_alert_live(identified, nurse, er_doctor, other_nurse):
    team_socket = await connect(user=nurse)
    await receive(team_socket)
    other_socket = await connect(user=other_nurse)
    await receive(other_socket)

    response = await sync_to_async(lambda: _open(auth_client(er_doctor)))()
    assert response.status_code == 201

    pushed = await receive_type(team_socket, "alert")
    assert pushed["event"] == "created" and pushed["alert"]["kind"] == "emergency_access"
    assert "Inès Roux" in pushed["alert"]["message"]
    assert "Mistral" in pushed["alert"]["message"]
    await other_socket.send_json_to({"type": "ping"})
    assert await receive(other_socket) == {"type": "pong"}  # nothing reached the other team


@pytest.mark.django_db
def test_erasure_removes_the_ins_and_birth_date_and_keeps_the_accesses_as_the_audit_does(identified, er_client):
    from records.services import ERASURE_KEEPS, patient_erase

    _open(er_client)
    patient_erase(patient=identified)
    identified.refresh_from_db()
    assert identified.ins == "" and identified.birth_date is None
    assert EmergencyAccess.objects.filter(patient=identified).count() == 1
    assert "emergency_accesses" in ERASURE_KEEPS
    # Nobody finds an erased patient by their former INS.
    assert _open(er_client).status_code == 404
