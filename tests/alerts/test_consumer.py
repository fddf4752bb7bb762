"""/ws/alerts/ through the full ASGI stack (origin check, session middleware, routing), on the
channel layer the environment names (Redis when REDIS_URL is set): every transition pushed, the
replay after a seq, malformed input, an idle dashboard, the factors in each reader's language.
Who may connect: test_consumer_access.py; when an open socket is closed: test_consumer_lifetime.py."""

import asyncio
import datetime as dt
import json

import pytest
from asgiref.sync import sync_to_async

from alerts import services
from alerts.models import AlertEvent
from ml.alerting import risk_alerts_evaluate
from patients.models import AuditEvent
from tests.alerts.conftest import connect, raise_safety, receive, receive_type
from tests.conftest import SERVICES_MODE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_url", "close_sockets")]


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


async def test_risk_alert_factors_reach_each_dashboard_in_its_language(psychiatrist, team, patient, model_version):
    """The stored factor labels are English; a French dashboard gets them in French, from
    the stored numbers, live and in replays; an English one in English. (Explanations are for
    psychiatrists: tests/alerts/test_desk_security.py.)"""
    from tests.factories import ClinicianFactory

    french_psychiatrist = await sync_to_async(ClinicianFactory)(username="psy-fr", role="psychiatrist", teams=[team])
    french = await connect(user=french_psychiatrist, headers=[(b"accept-language", b"fr-FR,fr;q=0.9")])
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
