"""Team work reaches the team live: `assigned` and `noted` events pushed over /ws/alerts/ on the
channel layer the environment names (Redis when REDIS_URL is set), and replayed by `resume`."""

import pytest
from asgiref.sync import sync_to_async
from rest_framework.test import APIClient

from tests.alerts.conftest import connect, raise_safety, receive, receive_type
from tests.conftest import auth_client
from tests.factories import ClinicianFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_url", "close_sockets")]


def post(client: APIClient, url: str, body: dict) -> int:
    return client.post(url, body, format="json").status_code


async def test_claim_and_notes_are_pushed_to_the_teams_desks_and_replayed(nurse, team, patient):
    colleague = await sync_to_async(ClinicianFactory)(username="nurse-night", role="nurse", teams=[team])
    alert = await sync_to_async(raise_safety)(patient)
    mine = await connect(user=nurse)
    theirs = await connect(user=colleague)
    start = (await receive(mine))["last_seq"]
    await receive(theirs)
    client = await sync_to_async(auth_client)(colleague)

    assert await sync_to_async(post)(client, f"/api/v1/alerts/{alert.pk}/assign/", {"assignee": "me"}) == 200
    assigned = await receive_type(mine, "alert")
    assert assigned["event"] == "assigned"
    assert assigned["actor"]["username"] == "nurse-night"
    assert assigned["assignee"]["username"] == "nurse-night"
    assert assigned["alert"]["assigned_to"]["id"] == colleague.pk
    assert (await receive_type(theirs, "alert"))["event"] == "assigned"  # her own other desks too

    body = {"kind": "call", "outcome": "message_left", "text": "left a voicemail at 02:10"}
    assert await sync_to_async(post)(client, f"/api/v1/alerts/{alert.pk}/notes/", body) == 201
    noted = await receive_type(mine, "alert")
    assert noted["event"] == "noted"
    assert noted["note"]["kind"] == "call" and noted["note"]["outcome"] == "message_left"
    assert noted["note"]["text"] == "left a voicemail at 02:10"
    assert noted["note"]["author"]["username"] == "nurse-night"
    assert noted["alert"]["notes_count"] == 1

    # A desk that missed them gets both in its replay.
    await mine.send_json_to({"type": "resume", "after": start})
    replayed = [await receive_type(mine, "alert"), await receive_type(mine, "alert")]
    assert [m["event"] for m in replayed] == ["assigned", "noted"]
    assert replayed[1]["note"] == noted["note"]
    assert (await receive_type(mine, "resumed"))["count"] == 2
