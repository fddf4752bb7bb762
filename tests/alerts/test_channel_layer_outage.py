"""Stored first, pushed second: with the channel layer's Redis stopped, the request that
raises an alert still succeeds and the alert is saved; once Redis is back, a dashboard that
resumes after its last seq receives it."""

import asyncio
import logging
import shutil
import socket
import subprocess
import time
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from alerts.models import Alert
from tests.alerts.conftest import connect, receive
from tests.conftest import free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("close_sockets")]


def start_redis(port: int) -> subprocess.Popen:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is needed for this test (apt-get install redis-server)")
    proc = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.05)
    proc.kill()
    pytest.fail("private redis-server did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait(timeout=10)


async def reconnect_until_live(user, attempts: int = 5):
    """What the dashboard script does: reconnect (with backoff) until the socket is live. The
    first attempt after a Redis restart may meet a stale pooled connection (closed with 1011)."""
    for _ in range(attempts):
        socket_ = await connect(user=user)
        message = await receive(socket_)
        if message["type"] == "authenticated":
            return socket_
        assert message == {"type": "error", "detail": "Live alerts are unavailable right now; reconnect later."}
        assert await socket_.receive_output(timeout=5) == {"type": "websocket.close", "code": 1011}
        await asyncio.sleep(0.2)
    pytest.fail("the dashboard socket never became live again")


async def test_alerts_raised_while_redis_is_down_reach_dashboards_after_it_returns(
    settings, nurse, patient, patient_client, nurse_client
):
    port = free_port()
    redis = start_redis(port)
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": f"redis://127.0.0.1:{port}/0", "socket_timeout": 15}]},
        }
    }
    settings.ALERTS_PUSH_TIMEOUT_SECONDS = 1.0
    failures: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.WARNING)
    handler.emit = failures.append  # type: ignore[method-assign]
    logging.getLogger("patients.sockets").addHandler(handler)
    try:
        dashboard = await connect(user=nurse)
        last_seq = (await receive(dashboard))["last_seq"]

        stop(redis)

        # The patient's PHQ-9 (item 9 = 2) and a clinician's manual alert, both while Redis is down.
        phq9 = await sync_to_async(patient_client.post)(
            "/api/v1/questionnaires/",
            {
                "id": str(uuid.uuid4()),
                "instrument": "PHQ-9",
                "answers": [1, 1, 1, 1, 1, 1, 1, 1, 2],
                "completed_at": timezone.now().isoformat(),
            },
            format="json",
        )
        manual = await sync_to_async(nurse_client.post)(
            "/api/v1/alerts/", {"patient": str(patient.pk), "title": "Call the family"}, format="json"
        )
        assert phq9.status_code == 201
        assert manual.status_code == 201
        saved = await sync_to_async(lambda: set(Alert.objects.values_list("kind", flat=True)))()
        assert saved == {"safety", "manual"}
        assert [r.getMessage() for r in failures] == ["channel push failed; dashboards will replay it with resume"] * 2

        # The dashboard lost its connection to the layer; it reconnects once Redis is back.
        try:
            await dashboard.disconnect()
        except Exception:  # noqa: BLE001 - the old socket died with the layer; that is the scenario
            pass
        if dashboard.future.done() and not dashboard.future.cancelled():
            assert dashboard.future.exception() is not None  # daphne closes such a socket; the page reconnects
        redis = start_redis(port)
        dashboard = await reconnect_until_live(nurse)
        await dashboard.send_json_to({"type": "resume", "after": last_seq})

        replayed = [await receive(dashboard), await receive(dashboard)]
        done = await receive(dashboard)
        assert [(m["event"], m["alert"]["kind"]) for m in replayed] == [("created", "safety"), ("created", "manual")]
        assert replayed[0]["alert"]["detail"]["item9"] == 2
        assert done["type"] == "resumed" and done["complete"] is True and done["count"] == 2

        # And live pushes work again.
        await sync_to_async(nurse_client.post)(
            "/api/v1/alerts/", {"patient": str(patient.pk), "title": "Back online"}, format="json"
        )
        live = await receive(dashboard)
        assert live["event"] == "created" and live["alert"]["title"] == "Back online"
        await dashboard.disconnect()
    finally:
        logging.getLogger("patients.sockets").removeHandler(handler)
        if redis.poll() is None:
            stop(redis)
