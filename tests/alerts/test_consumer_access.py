"""Who may follow /ws/alerts/ and what reaches them: a session or a first-message JWT, refused
tokens, unauthenticated sockets, patients, inactive clinicians, a wrong origin, another team's
nurse. Through the full ASGI stack (origin check, session middleware, routing), on the channel
layer the environment names (Redis when REDIS_URL is set)."""

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tests.alerts.conftest import (
    OPEN_SOCKETS,
    assert_closed_with,
    connect,
    jwt_socket,
    raise_safety,
    receive,
    receive_type,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_url", "close_sockets")]


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
