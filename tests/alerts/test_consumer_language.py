"""End to end: a patient posts a check-in whose note holds risk language through the API, and a
nurse's dashboard socket (full ASGI stack, the channel layer the environment names: Redis with
REDIS_URL) receives the new `language` alert live, with the matched sentence; the same check-in
posted again pushes nothing."""

import pytest
from asgiref.sync import sync_to_async

from monitoring.risk_language import pipelines
from tests.alerts.conftest import connect, receive_type
from tests.conftest import auth_client
from tests.monitoring.conftest import checkin_body

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_url", "close_sockets")]


async def test_a_note_posted_through_the_api_reaches_the_nurses_socket_as_a_live_alert(nurse, patient):
    await sync_to_async(pipelines)()  # built at start-up by a server (config.asgi)
    ws = await connect(user=nurse)
    await receive_type(ws, "authenticated")
    client = await sync_to_async(auth_client)(patient.user)
    body = checkin_body(note="Rien ne va. Ce soir je prends toute la boite de xanax.")

    response = await sync_to_async(client.post)("/api/v1/checkins/", body, format="json")

    assert response.status_code == 201 and response.json()["crisis_line"] is True
    message = await receive_type(ws, "alert")
    assert message["event"] == "created"
    alert = message["alert"]
    assert (alert["kind"], alert["severity"], alert["patient_code"]) == ("language", "critical", "PA1")
    (match,) = alert["detail"]["matches"]
    assert match["sentence"] == "Ce soir je prends toute la boite de xanax."
    assert match["sentence"][match["start"] - match["sentence_start"] :].startswith(match["expression"])

    again = await sync_to_async(client.post)("/api/v1/checkins/", body, format="json")
    assert again.status_code == 200
    assert await ws.receive_nothing(timeout=1)
    await ws.disconnect()
