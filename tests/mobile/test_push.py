"""Web Push check-in reminders (mobile/push.py): the subscription API, and delivery to a push
service that runs here on 127.0.0.1, which decrypts what it receives with the subscriber's
keys as a browser would."""

import base64
import datetime as dt
import json
import os
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import http_ece
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command

from mobile import push
from mobile.models import PatientSchedule, PushSubscription, ReminderSent
from monitoring.models import CheckIn
from tests.conftest import auth_client
from tests.factories import PatientFactory, grant_consents

VAPID_PEM = push.vapid_private_pem_new()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Device:
    """A browser's side of a subscription: its key pair and auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def subscription(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth))


class PushService:
    """A push service on 127.0.0.1: it records every message; paths containing "gone" answer
    410 (the browser unsubscribed), "broken" 500."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.received.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                code = 410 if "gone" in self.path else 500 if "broken" in self.path else 201
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def device(self, name: str) -> Device:
        return Device(f"{self.base}/push/{name}-{uuid.uuid4().hex[:8]}")


@pytest.fixture
def push_service(settings):  # type: ignore[no-untyped-def]
    settings.WEBPUSH_VAPID_PRIVATE_KEY = VAPID_PEM
    settings.WEBPUSH_ALLOW_LOOPBACK_HTTP = True
    service = PushService()
    yield service
    service.server.shutdown()
    service.server.server_close()


def subscribe(patient, device: Device, language: str = "fr") -> None:  # type: ignore[no-untyped-def]
    response = auth_client(patient.user).post(
        "/api/v1/me/push/", {**device.subscription(), "language": language}, format="json"
    )
    assert response.status_code == 201, response.content


def at(patient, hour: int, minute: int = 0, day: dt.date = dt.date(2026, 11, 20)) -> dt.datetime:  # type: ignore[no-untyped-def]
    """A moment given in the patient's own local time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(patient.timezone))


# --- delivery -----------------------------------------------------------------------------------


def test_a_due_reminder_reaches_every_device_encrypted_signed_and_saying_nothing_clinical(push_service, patient):
    phone, tablet = push_service.device("phone"), push_service.device("tablet")
    subscribe(patient, phone, language="fr")
    subscribe(patient, tablet, language="en")

    counts = push.checkin_reminders_send(now=at(patient, 20, 5))

    assert counts == {"patients": 1, "reminded": 1, "devices": 2, "failed": 0}
    by_path = {m["path"]: m for m in push_service.received}
    assert set(by_path) == {
        phone.endpoint.removeprefix(push_service.base),
        tablet.endpoint.removeprefix(push_service.base),
    }
    phone_message = by_path[phone.endpoint.removeprefix(push_service.base)]
    assert phone.decrypt(phone_message["body"]) == {"type": "checkin_reminder", "lang": "fr"}
    assert tablet.decrypt(by_path[tablet.endpoint.removeprefix(push_service.base)]["body"])["lang"] == "en"
    headers = phone_message["headers"]
    assert headers["content-encoding"] == "aes128gcm" and int(headers["ttl"]) == 3 * 3600
    # VAPID (RFC 8292): a JWT for this push service, signed with the server's key.
    scheme, _, params = headers["authorization"].partition(" ")
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert scheme == "vapid" and fields["k"] == push.vapid_public_key()
    claims = jwt.decode(fields["t"], options={"verify_signature": False})
    assert claims["aud"] == push_service.base and claims["sub"].startswith("mailto:")
    assert ReminderSent.objects.get(patient=patient).devices == 2


def test_no_reminder_before_the_time_after_the_window_after_a_checkin_or_twice(push_service, patient):
    subscribe(patient, push_service.device("phone"))

    assert push.checkin_reminders_send(now=at(patient, 19, 55))["reminded"] == 0  # default time is 20:00
    assert push.checkin_reminders_send(now=at(patient, 23, 30))["reminded"] == 0  # the evening is over
    assert push.checkin_reminders_send(now=at(patient, 20, 0))["reminded"] == 1
    assert push.checkin_reminders_send(now=at(patient, 20, 5))["reminded"] == 0  # once a day
    assert len(push_service.received) == 1

    next_day = dt.date(2026, 11, 21)
    when = at(patient, 20, 30, day=next_day)
    CheckIn.objects.create(
        id=uuid.uuid4(),
        patient=patient,
        recorded_at=when - dt.timedelta(hours=2),
        day=next_day,
        mood=0,
        received_at=when,
    )
    assert push.checkin_reminders_send(now=when)["reminded"] == 0  # checked in already that day


def test_the_care_teams_checkin_time_in_each_patients_own_time_zone(push_service, team):
    auckland = PatientFactory(code="AKL", care_team=team, timezone="Pacific/Auckland", user__username="p-akl")
    los_angeles = PatientFactory(code="LAX", care_team=team, timezone="America/Los_Angeles", user__username="p-lax")
    for p in (auckland, los_angeles):
        grant_consents(p)
        PatientSchedule.objects.create(patient=p, checkin_time=dt.time(9, 0))
        subscribe(p, push_service.device(p.code))

    # 09:10 in Auckland is 12:10 the day before in Los Angeles: only Auckland is due.
    now = at(auckland, 9, 10)
    assert push.checkin_reminders_send(now=now) == {"patients": 2, "reminded": 1, "devices": 1, "failed": 0}
    assert ReminderSent.objects.get().patient == auckland
    assert ReminderSent.objects.get().day == dt.date(2026, 11, 20)
    later = at(los_angeles, 9, 10, day=dt.date(2026, 11, 20))
    assert push.checkin_reminders_send(now=later)["reminded"] == 1
    assert ReminderSent.objects.get(patient=los_angeles).day == dt.date(2026, 11, 20)


def test_a_gone_device_is_forgotten_and_a_failing_one_dropped_after_five_failures(push_service, patient):
    gone, broken, fine = push_service.device("gone"), push_service.device("broken"), push_service.device("fine")
    for device in (gone, broken, fine):
        subscribe(patient, device)

    counts = push.checkin_reminders_send(now=at(patient, 20, 0))

    assert counts == {"patients": 1, "reminded": 1, "devices": 1, "failed": 2}
    assert set(PushSubscription.objects.values_list("endpoint", flat=True)) == {broken.endpoint, fine.endpoint}
    assert PushSubscription.objects.get(endpoint=broken.endpoint).failures == 1
    for day in range(21, 25):  # four more evenings of failures: the fifth drops it
        push.checkin_reminders_send(now=at(patient, 20, 0, day=dt.date(2026, 11, day)))
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [fine.endpoint]


def test_without_a_key_nothing_is_sent_and_subscribing_says_why(settings, patient_client):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    device = Device("https://fcm.googleapis.com/fcm/send/abc")

    status = patient_client.get("/api/v1/me/push/").json()
    refused = patient_client.post("/api/v1/me/push/", device.subscription(), format="json")

    assert status == {"enabled": False, "public_key": None, "devices": 0, "subscribed": False}
    assert refused.status_code == 409 and "not configured" in refused.json()["detail"]
    assert push.checkin_reminders_send() == {"patients": 0, "reminded": 0, "devices": 0, "failed": 0}


def test_the_beat_task_sends_what_is_due(push_service, patient):
    from mobile.tasks import send_checkin_reminders

    PatientSchedule.objects.create(
        patient=patient, checkin_time=dt.datetime.now(ZoneInfo(patient.timezone)).time().replace(second=0)
    )
    subscribe(patient, push_service.device("phone"))

    result = send_checkin_reminders.delay().get(timeout=30)

    assert result["reminded"] == 1 and len(push_service.received) == 1


# --- the subscription API -----------------------------------------------------------------------


def test_subscribe_again_refreshes_and_unsubscribe_is_idempotent(push_service, patient, patient_client):
    device = push_service.device("phone")

    first = patient_client.post("/api/v1/me/push/", device.subscription(), format="json")
    again = patient_client.post("/api/v1/me/push/", {**device.subscription(), "language": "en"}, format="json")
    status = patient_client.get("/api/v1/me/push/", {"endpoint": device.endpoint}).json()

    assert (first.status_code, again.status_code) == (201, 200)
    assert status["enabled"] and status["public_key"] == push.vapid_public_key()
    assert status["devices"] == 1 and status["subscribed"] is True
    assert PushSubscription.objects.get().language == "en"
    for _ in range(2):
        gone = patient_client.delete("/api/v1/me/push/", {"endpoint": device.endpoint}, format="json")
        assert gone.status_code == 200 and gone.json()["devices"] == 0


def test_a_browser_moves_to_whoever_subscribes_it_last(push_service, patient, other_patient):
    device = push_service.device("shared-phone")
    subscribe(patient, device)
    response = auth_client(other_patient.user).post("/api/v1/me/push/", device.subscription(), format="json")

    assert response.status_code == 200
    assert PushSubscription.objects.get().patient == other_patient
    # The first patient cannot unsubscribe what is no longer theirs.
    auth_client(patient.user).delete("/api/v1/me/push/", {"endpoint": device.endpoint}, format="json")
    assert PushSubscription.objects.filter(patient=other_patient).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"endpoint": "https://evil.example.org/push/1"}, "push service"),
        ({"endpoint": "http://fcm.googleapis.com/fcm/send/1"}, "push service"),
        ({"endpoint": "https://user:pw@fcm.googleapis.com/fcm/send/1"}, "push service"),
        ({"endpoint": "https://fcm.googleapis.com.evil.org/send/1"}, "push service"),
        ({"keys": {"p256dh": "AAAA", "auth": b64(b"x" * 16)}}, "p256dh"),
        ({"keys": {"p256dh": b64(b"\x04" + b"x" * 64), "auth": "!!"}}, "auth"),
    ],
)
def test_bad_subscriptions_are_refused_clearly(settings, patient_client, change, message):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = VAPID_PEM
    body = {**Device("https://fcm.googleapis.com/fcm/send/ok").subscription(), **change}

    response = patient_client.post("/api/v1/me/push/", body, format="json")

    assert response.status_code == 400 and message in json.dumps(response.json())
    assert not PushSubscription.objects.exists()


def test_real_push_services_are_accepted(settings, patient_client):
    settings.WEBPUSH_VAPID_PRIVATE_KEY = VAPID_PEM
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGuQyavXutnMH",
    ):
        response = patient_client.post("/api/v1/me/push/", Device(endpoint).subscription(), format="json")
        assert response.status_code == 201, response.content


def test_erasure_forgets_the_devices(push_service, patient, patient_client):
    subscribe(patient, push_service.device("phone"))
    push.checkin_reminders_send(now=at(patient, 20, 0))

    response = patient_client.post("/api/v1/me/erase/")

    assert response.status_code == 200, response.content
    assert not PushSubscription.objects.exists() and not ReminderSent.objects.exists()


def test_webpush_keys_command_writes_a_key_once(tmp_path, settings):
    target = tmp_path / "vapid.pem"
    call_command("webpush_keys", write=str(target))
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    settings.WEBPUSH_VAPID_PRIVATE_KEY_FILE = str(target)

    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert push.vapid_public_key() is not None and len(base64.urlsafe_b64decode(push.vapid_public_key() + "=")) == 65
    with pytest.raises(Exception, match="exists"):
        call_command("webpush_keys", write=str(target))


def test_the_command_sends_what_is_due_and_says_so(push_service, patient, capsys):
    PatientSchedule.objects.create(
        patient=patient, checkin_time=dt.datetime.now(ZoneInfo(patient.timezone)).time().replace(second=0)
    )
    subscribe(patient, push_service.device("phone"))

    call_command("send_checkin_reminders")
    call_command("send_checkin_reminders")

    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1 patients reminded on 1 devices") and out[1].startswith("0 patients reminded")
    assert len(push_service.received) == 1


def test_a_status_query_with_an_impossible_endpoint_is_refused_clearly(patient_client):
    response = patient_client.get("/api/v1/me/push/", {"endpoint": "https://fcm.googleapis.com/\x00x"})

    assert response.status_code == 400 and "endpoint" in response.json()


def test_support_sees_and_can_remove_a_patients_devices_in_the_admin(push_service, patient, client):
    from tests.factories import UserFactory

    subscribe(patient, push_service.device("phone"))
    push.checkin_reminders_send(now=at(patient, 20, 0))
    admin = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    subscription = PushSubscription.objects.get()

    listing = client.get("/admin/mobile/pushsubscription/")
    sent = client.get("/admin/mobile/remindersent/")
    deleted = client.post(f"/admin/mobile/pushsubscription/{subscription.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200 and "PA1" in listing.content.decode()
    assert sent.status_code == 200 and "PA1" in sent.content.decode()
    assert deleted.status_code == 302 and not PushSubscription.objects.exists()


def test_failures_counted_at_once_are_all_counted_and_the_fifth_drops_the_device(patient):
    """Two reminder runs holding the same stale row both count their failure (no lost update)."""
    first = PushSubscription.objects.create(
        patient=patient, endpoint="https://fcm.googleapis.com/fcm/send/broken-1", p256dh="k", auth="a", language="fr"
    )
    second = PushSubscription.objects.get(pk=first.pk)  # the other run's copy, read at the same time
    push._count_failure(first, reason="http 500")
    push._count_failure(second, reason="http 500")
    assert PushSubscription.objects.get(pk=first.pk).failures == 2
    for _ in range(push.MAX_FAILURES - 2):
        push._count_failure(first, reason="http 500")
    assert not PushSubscription.objects.filter(pk=first.pk).exists()
