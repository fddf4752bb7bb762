"""When an open /ws/alerts/ socket is closed: its clinician deactivated, its JWT expired, her care
teams changed (4000: the dashboard reconnects with the new scope), its session signed out,
expired or invalidated by a password change; a failed session check keeps it open."""

import asyncio
import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from rest_framework_simplejwt.tokens import AccessToken

from patients.services import (
    care_team_members_add,
    care_team_members_set,
    clinician_deactivate,
)
from tests.alerts.conftest import assert_closed_with, connect, jwt_socket, raise_safety, receive, receive_type

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_url", "close_sockets")]


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

    await sync_to_async(care_team_members_set)(team=patient.care_team, users=[psychiatrist])  # the nurse off

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

    await sync_to_async(care_team_members_add)(team=other_team, users=[nurse])
    await assert_closed_with(ws, 4000)
    ws = await connect(user=nurse)
    assert (await receive(ws))["care_teams"] == sorted([patient.care_team_id, other_team.pk])

    await sync_to_async(care_team_members_set)(team=other_team, users=[])
    await assert_closed_with(ws, 4000)


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
    # At once (patients.signals: a password change ends every session), not at the next check.
    assert error["detail"] == "Your password was changed: sign in again to follow alerts."
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
