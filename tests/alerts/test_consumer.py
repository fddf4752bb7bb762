"""/ws/alerts/ through the full ASGI stack (origin check, session middleware, routing), on the
channel layer the environment names (Redis when REDIS_URL is set)."""

import asyncio
import datetime as dt
import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from alerts import services
from alerts.models import AlertEvent
from ml.alerting import risk_alerts_evaluate
from patients.models import AuditEvent
from patients.services import (
    care_team_members_remove,
    care_team_members_set,
    clinician_care_teams_set,
    clinician_deactivate,
)
from tests.alerts.conftest import OPEN_SOCKETS, connect, raise_safety, receive, receive_type
from tests.conftest import SERVICES_MODE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_url", "close_sockets")]


async def jwt_socket(user, token=None):
    communicator = await connect()
    token = token or str(await sync_to_async(lambda: AccessToken.for_user(user))())
    await communicator.send_json_to({"type": "auth", "token": token})
    return communicator


async def assert_closed_with(communicator, code):
    error = await receive(communicator)
    assert error["type"] == "error"
    closing = await communicator.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": code}
    await communicator.disconnect()  # as the client does: the consumer stops listening
    return error


async def test_session_authenticated_nurse_receives_her_teams_alert(nurse, patient):
    ws = await connect(user=nurse)
    hello = await receive(ws)
    assert (
        hello["type"] == "authenticated"
        and hello["method"] == "session"
        and hello["care_teams"] == [patient.care_team_id]
    )

    alert = await sync_to_async(raise_safety)(patient)

    message = await receive(ws)
    assert message["type"] == "alert" and message["event"] == "created"
    assert message["seq"] > hello["last_seq"]
    assert message["alert"]["id"] == str(alert.pk) and message["alert"]["severity"] == "critical"
    assert message["alert"]["patient_code"] == "PA1"
    await ws.disconnect()


async def test_first_message_jwt_authentication(psychiatrist, patient):
    ws = await jwt_socket(psychiatrist)
    hello = await receive(ws)
    assert hello["type"] == "authenticated" and hello["method"] == "jwt" and hello["user"] == "psy-a"

    await sync_to_async(raise_safety)(patient)

    assert (await receive_type(ws, "alert"))["event"] == "created"
    await ws.disconnect()


@pytest.mark.parametrize("kind", ["expired", "forged", "refresh", "garbage", "not_a_string"])
async def test_bad_tokens_are_refused_and_the_socket_closed(nurse, kind, settings):
    def make():
        if kind == "expired":
            token = AccessToken.for_user(nurse)
            token.set_exp(lifetime=-dt.timedelta(seconds=1))
            return str(token)
        if kind == "forged":
            header, payload, _sig = str(AccessToken.for_user(nurse)).split(".")
            return f"{header}.{payload}.c2lnbmF0dXJlLWZyb20tc29tZW9uZS1lbHNl"
        if kind == "refresh":
            return str(RefreshToken.for_user(nurse))
        if kind == "garbage":
            return "not.a.jwt"
        return 12345

    token = await sync_to_async(make)()
    ws = await connect()
    await ws.send_json_to({"type": "auth", "token": token})
    error = await assert_closed_with(ws, 4401)
    assert error["detail"] == "Invalid or expired access token."


async def test_unauthenticated_first_message_closes(patient):
    ws = await connect()
    await ws.send_json_to({"type": "resume", "after": 0})
    await assert_closed_with(ws, 4401)


async def test_unauthenticated_socket_is_closed_after_a_few_seconds(settings):
    settings.ALERTS_WS_AUTH_TIMEOUT_SECONDS = 0.2
    ws = await connect()
    error = await assert_closed_with(ws, 4401)
    assert error["detail"] == "Authentication timed out."


async def test_patients_and_inactive_clinicians_are_refused(patient, other_nurse):
    ws = await connect(user=patient.user)
    assert (await assert_closed_with(ws, 4403))["detail"] == "Only care-team clinicians may follow alerts."

    ws = await jwt_socket(patient.user)
    await assert_closed_with(ws, 4403)

    token = str(await sync_to_async(lambda: AccessToken.for_user(other_nurse))())
    other_nurse.is_active = False
    await sync_to_async(other_nurse.save)()
    ws = await jwt_socket(other_nurse, token=token)
    await assert_closed_with(ws, 4401)


async def test_wrong_origin_is_refused(nurse):
    from config.asgi import application

    ws = WebsocketCommunicator(application, "/ws/alerts/", headers=[(b"origin", b"http://evil.example")])
    OPEN_SOCKETS.append(ws)
    connected, _ = await ws.connect(timeout=5)
    assert connected is False
    no_origin = WebsocketCommunicator(application, "/ws/alerts/")
    OPEN_SOCKETS.append(no_origin)
    assert (await no_origin.connect(timeout=5))[0] is False


async def test_a_nurse_of_another_team_receives_nothing(nurse, other_nurse, patient, other_patient):
    mine = await connect(user=nurse)
    theirs = await connect(user=other_nurse)
    await receive(mine)
    await receive(theirs)

    await sync_to_async(raise_safety)(patient)
    other_alert = await sync_to_async(raise_safety)(other_patient)

    assert (await receive(mine))["alert"]["patient_code"] == "PA1"
    message = await receive(theirs)
    assert message["alert"]["id"] == str(other_alert.pk)  # only their own team's alert ...
    assert await theirs.receive_nothing(timeout=0.5)  # ... and nothing else
    assert await mine.receive_nothing(timeout=0.5)

    # Replay is scoped too.
    await theirs.send_json_to({"type": "resume", "after": 0})
    replayed = []
    while (m := await receive(theirs))["type"] == "alert":
        replayed.append(m["alert"]["patient_code"])
    assert replayed == ["PB1"] and m["type"] == "resumed"
    await mine.disconnect()
    await theirs.disconnect()


async def test_resume_replays_every_event_after_seq(nurse, patient):
    first = await sync_to_async(raise_safety)(patient)
    await sync_to_async(services.alert_acknowledge)(alert=first, user=nurse)
    second = await sync_to_async(raise_safety)(patient)
    seqs = await sync_to_async(lambda: list(AlertEvent.objects.order_by("seq").values_list("seq", flat=True)))()

    ws = await connect(user=nurse)
    hello = await receive(ws)
    assert hello["last_seq"] == seqs[-1]
    await ws.send_json_to({"type": "resume", "after": seqs[0]})

    one = await receive(ws)
    two = await receive(ws)
    done = await receive(ws)
    assert [(one["event"], one["alert"]["id"]), (two["event"], two["alert"]["id"])] == [
        ("acknowledged", str(first.pk)),
        ("created", str(second.pk)),
    ]
    assert [one["seq"], two["seq"]] == seqs[1:]
    assert done == {"type": "resumed", "after": seqs[0], "last_seq": seqs[-1], "count": 2, "complete": True}
    assert await sync_to_async(
        AuditEvent.objects.filter(resource="alert_events", actor_id=nurse.pk, detail__count=2).exists
    )()

    # Dashboards also resume periodically; an empty replay reads nothing and is not audited.
    await ws.send_json_to({"type": "resume", "after": seqs[-1]})
    assert (await receive(ws))["count"] == 0
    assert await sync_to_async(AuditEvent.objects.filter(resource="alert_events").count)() == 1
    await ws.disconnect()


@pytest.mark.parametrize(
    "frame, detail",
    [
        ("{not json", "Malformed JSON."),
        ("[1, 2]", 'A message is a JSON object with a "type".'),
        ('"hello"', 'A message is a JSON object with a "type".'),
        ('{"type": "subscribe"}', 'Unknown message type. Expected "resume" or "ping".'),
        ("{}", 'Unknown message type. Expected "resume" or "ping".'),
        ('{"type": "resume"}', '"after" must be a non-negative integer (the last seq you received).'),
        ('{"type": "resume", "after": "5"}', '"after" must be a non-negative integer (the last seq you received).'),
        ('{"type": "resume", "after": -1}', '"after" must be a non-negative integer (the last seq you received).'),
        ('{"type": "resume", "after": true}', '"after" must be a non-negative integer (the last seq you received).'),
        ('{"type": "resume", "after": 1.5}', '"after" must be a non-negative integer (the last seq you received).'),
        ('{"type": "auth", "token": "x"}', "Already authenticated."),
        ("[" * 4000 + "]" * 4000, "Malformed JSON."),  # nesting deeper than the parser allows
        (json.dumps({"type": "ping", "pad": "x" * 10000}), "Message too large (at most 8192 characters)."),
    ],
)
async def test_malformed_input_gets_an_error_and_the_socket_stays_usable(nurse, patient, frame, detail):
    ws = await connect(user=nurse)
    await receive(ws)

    await ws.send_to(text_data=frame)
    assert await receive(ws) == {"type": "error", "detail": detail}

    await ws.send_json_to({"type": "ping"})
    assert await receive(ws) == {"type": "pong"}
    await sync_to_async(raise_safety)(patient)
    assert (await receive(ws))["event"] == "created"
    await ws.disconnect()


async def test_binary_frames_get_an_error(nurse):
    ws = await connect(user=nurse)
    await receive(ws)
    await ws.send_to(bytes_data=b"\x00\x01")
    assert (await receive(ws))["type"] == "error"
    await ws.send_json_to({"type": "ping"})
    assert await receive(ws) == {"type": "pong"}
    await ws.disconnect()


async def test_every_transition_is_pushed(nurse, psychiatrist, patient):
    ws = await connect(user=psychiatrist)
    await receive(ws)
    alert = await sync_to_async(raise_safety)(patient)
    await sync_to_async(services.alert_acknowledge)(alert=alert, user=nurse)
    await sync_to_async(services.alert_resolve)(alert=alert, user=nurse, note="Seen.")

    events = [await receive(ws) for _ in range(3)]
    assert [e["event"] for e in events] == ["created", "acknowledged", "resolved"]
    assert events[1]["alert"]["acknowledged_by"] == "nurse-a"
    assert events[2]["alert"]["status"] == "resolved" and events[2]["alert"]["resolution_note"] == "Seen."
    assert events[0]["seq"] < events[1]["seq"] < events[2]["seq"]
    await ws.disconnect()


async def test_escalation_is_pushed_again(nurse, patient):
    ws = await connect(user=nurse)
    await receive(ws)
    alert = await sync_to_async(raise_safety)(patient)
    await receive(ws)

    escalated = await sync_to_async(services.alert_escalate)(alert_id=alert.pk, minutes=15)

    message = await receive(ws)
    assert escalated and message["event"] == "escalated" and message["alert"]["escalated"] is True
    await ws.disconnect()


async def test_deactivating_a_clinician_closes_her_sockets(nurse, psychiatrist):
    ws = await connect(user=nurse)
    other = await connect(user=psychiatrist)
    await receive(ws)
    await receive(other)

    await sync_to_async(clinician_deactivate)(user=nurse)

    assert (await assert_closed_with(ws, 4403))["detail"] == "Your account was deactivated."
    await other.send_json_to({"type": "ping"})
    assert await receive(other) == {"type": "pong"}
    await other.disconnect()


async def test_a_jwt_socket_closes_when_its_token_expires(psychiatrist):
    def short_token() -> str:
        token = AccessToken.for_user(psychiatrist)
        token.set_exp(lifetime=dt.timedelta(seconds=4))  # time enough to connect on a busy machine
        return str(token)

    ws = await jwt_socket(psychiatrist, token=await sync_to_async(short_token)())
    assert (await receive(ws))["type"] == "authenticated"
    await ws.send_json_to({"type": "ping"})
    assert await receive(ws) == {"type": "pong"}  # open while the token is valid
    error = await receive(ws, timeout=15)
    assert error["type"] == "error" and error["detail"].startswith("Access token expired")
    assert await ws.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
    await ws.disconnect()


async def test_taking_a_nurse_off_a_team_rescopes_her_open_sockets(nurse, psychiatrist, patient):
    ws = await connect(user=nurse)
    other = await connect(user=psychiatrist)
    assert (await receive(ws))["care_teams"] == [patient.care_team_id]
    await receive(other)

    await sync_to_async(care_team_members_remove)(team=patient.care_team, users=[nurse])

    error = await assert_closed_with(ws, 4000)  # the dashboard reconnects on this code
    assert "care teams changed" in error["detail"]
    again = await connect(user=nurse)
    hello = await receive(again)
    assert hello["type"] == "authenticated" and hello["care_teams"] == []  # scoped anew: no team left
    await again.disconnect()
    # Her old team's alerts no longer reach her; the psychiatrist's socket is untouched.
    await sync_to_async(raise_safety)(patient)
    assert (await receive_type(other, "alert"))["alert"]["patient_code"] == "PA1"
    await other.disconnect()


async def test_adding_a_team_or_clearing_one_rescopes_the_sockets(nurse, other_team, patient):
    ws = await connect(user=nurse)
    assert (await receive(ws))["care_teams"] == [patient.care_team_id]

    # From the user's side of the relation.
    await sync_to_async(clinician_care_teams_set)(user=nurse, teams=[patient.care_team, other_team])
    await assert_closed_with(ws, 4000)
    ws = await connect(user=nurse)
    assert (await receive(ws))["care_teams"] == sorted([patient.care_team_id, other_team.pk])

    await sync_to_async(care_team_members_set)(team=other_team, users=[])
    await assert_closed_with(ws, 4000)


@pytest.mark.slow
async def test_an_idle_dashboard_stays_connected_past_the_layers_blocking_read(nurse, patient):
    # channels-redis waits for messages with a 5 s blocking read (BZPOPMIN); the Redis client's
    # socket timeout must be longer, or every idle cycle kills a consumer (close 1011).
    if not SERVICES_MODE:
        pytest.skip("about the Redis channel layer (REDIS_URL)")
    ws = await connect(user=nurse)
    await receive(ws)
    await asyncio.sleep(12)

    await sync_to_async(raise_safety)(patient)

    assert (await receive(ws, timeout=10))["event"] == "created"
    await ws.disconnect()


SLEEP_FACTOR = {
    "feature": "sleep_hours",
    "label": "sleep 2.1 h below this patient's usual (5.2 h vs 7.3 h)",
    "direction": "up",
    "weight": 0.3,
    "params": {"value": 5.2, "usual": 7.3},
}
SLEEP_FR = "sommeil 2,1 h en dessous de l'habitude de ce patient (5,2 h contre 7,3 h)"


def raise_risk_with_factors(patient, model_version):  # type: ignore[no-untyped-def]
    from tests.alerts.conftest import make_score

    score = make_score(patient, model_version, dt.date.today() - dt.timedelta(days=1), 0.9)
    score.explanation = [SLEEP_FACTOR]
    score.save(update_fields=["explanation"])
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 1


async def test_risk_alert_factors_reach_each_dashboard_in_its_language(nurse, psychiatrist, patient, model_version):
    """The stored factor labels are English; a French dashboard gets them in French, from
    the stored numbers, live and in replays; an English one in English."""
    french = await connect(user=nurse, headers=[(b"accept-language", b"fr-FR,fr;q=0.9")])
    english = await connect(user=psychiatrist, headers=[(b"accept-language", b"en")])
    start = (await receive(french))["last_seq"]
    await receive(english)

    await sync_to_async(raise_risk_with_factors)(patient, model_version)

    live_fr = await receive_type(french, "alert")
    live_en = await receive_type(english, "alert")
    assert live_fr["alert"]["detail"]["explanation"][0]["label"] == SLEEP_FR
    assert live_en["alert"]["detail"]["explanation"][0]["label"] == SLEEP_FACTOR["label"]
    assert live_fr["alert"]["title"] == live_en["alert"]["title"] == "Relapse risk above the team threshold"
    assert live_fr["alert"]["title_display"] == "Risque de rechute au-dessus du seuil de l’équipe"
    assert live_en["alert"]["title_display"] == "Relapse risk above the team threshold"
    await french.send_json_to({"type": "resume", "after": start})
    replayed = await receive_type(french, "alert")
    assert replayed["alert"]["detail"]["explanation"][0]["label"] == SLEEP_FR
    assert replayed["alert"]["title_display"] == "Risque de rechute au-dessus du seuil de l’équipe"
    await french.disconnect()
    await english.disconnect()


def _signed_in(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client, client.cookies["sessionid"].value


async def session_socket(session_key):  # type: ignore[no-untyped-def]
    """A dashboard socket opened with this session, authenticated."""
    ws = await connect(headers=[(b"cookie", f"sessionid={session_key}".encode())])
    hello = await receive(ws)
    assert hello["type"] == "authenticated" and hello["method"] == "session"
    return ws


async def test_signing_out_closes_the_sockets_that_session_opened_and_no_other(nurse):
    office, office_key = await sync_to_async(_signed_in)(nurse)
    _ward, ward_key = await sync_to_async(_signed_in)(nurse)  # the same nurse on another computer
    on_office = await session_socket(office_key)
    on_ward = await session_socket(ward_key)

    response = await sync_to_async(office.post)("/accounts/logout/")

    assert response.status_code == 302
    error = await assert_closed_with(on_office, 4401)
    assert "signed out" in error["detail"]
    await on_ward.send_json_to({"type": "ping"})
    assert await receive(on_ward) == {"type": "pong"}
    await on_ward.disconnect()


async def test_a_session_socket_lives_as_long_as_its_session(nurse, settings):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    settings.ALERTS_WS_SESSION_CHECK_SECONDS = 0.3
    _client, key = await sync_to_async(_signed_in)(nurse)
    ws = await session_socket(key)
    await asyncio.sleep(1.0)  # several checks while the session holds
    await ws.send_json_to({"type": "ping"})
    assert await receive(ws) == {"type": "pong"}

    # The session runs out (30 idle minutes pass, say).
    await sync_to_async(Session.objects.filter(session_key=key).update)(expire_date=timezone.now())

    error = await receive(ws, timeout=10)
    assert error == {"type": "error", "detail": "Your session ended: sign in again to follow alerts."}
    assert await ws.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
    await ws.disconnect()


async def test_a_session_socket_closes_when_the_password_changes(nurse, settings):
    settings.ALERTS_WS_SESSION_CHECK_SECONDS = 0.3
    _client, key = await sync_to_async(_signed_in)(nurse)
    ws = await session_socket(key)

    def change_password():
        nurse.set_password("a-brand-new-passphrase")
        nurse.save()

    await sync_to_async(change_password)()

    error = await receive(ws, timeout=10)
    assert error["detail"].startswith("Your session ended")
    assert await ws.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
    await ws.disconnect()


async def test_a_failed_session_check_keeps_the_socket_and_checks_again(nurse, settings, monkeypatch):
    from django.db import OperationalError

    from alerts import consumers
    from patients.websocket_auth import session_user

    settings.ALERTS_WS_SESSION_CHECK_SECONDS = 0.2
    calls = []

    def database_away_then_gone(key):  # type: ignore[no-untyped-def]
        calls.append(key)
        if len(calls) <= 3:
            raise OperationalError("the database is restarting")
        if len(calls) == 4:
            return session_user(key)  # back: the session still holds
        return None  # then the session has ended

    _client, key = await sync_to_async(_signed_in)(nurse)
    monkeypatch.setattr(consumers, "session_user", database_away_then_gone)
    ws = await session_socket(key)

    error = await receive(ws, timeout=10)

    assert len(calls) == 5  # three failed checks kept the socket open, the fourth passed
    assert error["detail"].startswith("Your session ended")
    assert await ws.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
    await ws.disconnect()
