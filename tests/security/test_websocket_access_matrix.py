"""Every WebSocket route × every actor, both ways of authenticating (session cookie and
first-message JWT). A route missing from the table fails the suite."""

import pytest
from asgiref.sync import sync_to_async
from rest_framework_simplejwt.tokens import AccessToken

from config.routing import websocket_urlpatterns
from tests.alerts.conftest import close_sockets, connect, receive  # noqa: F401 - fixture
from tests.factories import ClinicianFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_url", "close_sockets")]

# actor -> what the socket does: ("ok", team) accepted with exactly that care team; or the close code.
WS_ROUTES = {
    "ws/alerts/": {
        "anonymous": 4401,
        "patient_a": 4403,
        "patient_b": 4403,
        "nurse_in": "team_a",
        "nurse_out": "team_b",
        "psy_in": "team_a",
        "psy_out": "team_b",
        "admin": 4403,
        # Emergency clinicians get no alert socket, with or without an access in force: the
        # emergency view is read by request, each request checking the access.
        "emergency_none": 4403,
        "emergency_on": 4403,
    },
}


def test_every_websocket_route_is_in_the_table():
    routes = sorted(str(p.pattern).lstrip("^").rstrip("$") for p in websocket_urlpatterns)
    assert routes == sorted(WS_ROUTES)


@pytest.fixture
def ws_actors(patient, other_patient, nurse, other_nurse, psychiatrist):  # type: ignore[no-untyped-def]
    return {
        "anonymous": None,
        "patient_a": patient.user,
        "patient_b": other_patient.user,
        "nurse_in": nurse,
        "nurse_out": other_nurse,
        "psy_in": psychiatrist,
        "psy_out": ClinicianFactory(username="psy-b", role="psychiatrist", teams=[other_patient.care_team]),
        "admin": UserFactory(username="root", role="admin", is_staff=True, is_superuser=True),
        "emergency_none": UserFactory(username="er-none", role="emergency"),
        "emergency_on": _with_access(patient, UserFactory(username="er-on", role="emergency")),
        "team_a": patient.care_team_id,
        "team_b": other_patient.care_team_id,
    }


def _with_access(patient, clinician):  # type: ignore[no-untyped-def]
    import datetime as dt

    from patients.emergency import emergency_access_grant
    from patients.services import patient_identity_set

    patient_identity_set(patient=patient, ins="189127512501282", birth_date=dt.date(1989, 12, 3))
    emergency_access_grant(
        clinician=clinician, ins="189127512501282", birth_date=dt.date(1989, 12, 3), reason="other", reason_text="ws"
    )
    return clinician


async def _outcome(ws):  # type: ignore[no-untyped-def]
    first = await receive(ws)
    if first["type"] == "authenticated":
        await ws.disconnect()
        return ("ok", first["care_teams"])
    closing = await ws.receive_output(timeout=5)
    await ws.disconnect()
    return ("closed", closing.get("code"))


@pytest.mark.parametrize("actor", list(WS_ROUTES["ws/alerts/"]))
async def test_alert_socket_by_session_and_by_token(ws_actors, actor):
    expected = WS_ROUTES["ws/alerts/"][actor]
    user = ws_actors[actor]
    want = ("ok", [ws_actors[expected]]) if isinstance(expected, str) else ("closed", expected)

    if user is None:
        # No cookie: the socket waits for a first-message token; a bad one closes it (4401).
        socket = await connect()
        await socket.send_json_to({"type": "auth", "token": "not-a-token"})
        assert await _outcome(socket) == want
        return
    by_session = await _outcome(await connect(user=user))
    socket = await connect()
    token = str(await sync_to_async(lambda: AccessToken.for_user(user))())
    await socket.send_json_to({"type": "auth", "token": token})
    by_token = await _outcome(socket)

    assert by_session == want
    assert by_token == want
