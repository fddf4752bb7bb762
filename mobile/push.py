"""Web Push reminders for the phone app (W3C Push API, VAPID, `aes128gcm`, via pywebpush).

A patient who turns reminders on in the app gives the browser's subscription: a push
service address (`endpoint`) and the keys that encrypt what is sent to it. Every few
minutes beat runs `checkin_reminders_send`: a patient whose daily check-in time has come in
their own time zone, who has not checked in on that local day and has not been reminded yet,
gets one reminder on each subscribed device. The message says only what it is
(`{"type": "checkin_reminder"}`); the service worker writes the words in the device's
language, so no health data and no text from the server travels through the push service.

The server sends HTTP requests to an address a client gave it: only HTTPS addresses on the
known browser push services (`WEBPUSH_ENDPOINT_HOSTS`) are accepted.
"""

import base64
import binascii
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from monitoring.models import CheckIn
from patients.errors import DomainError
from patients.models import Patient, PatientStatus

from .due import DEFAULT_CHECKIN_TIME
from .models import PushSubscription, ReminderSent

logger = logging.getLogger(__name__)

# A reminder is sent from the check-in time for this long; a beat that was down longer does
# not wake the patient up in the night with the evening's reminder.
REMINDER_WINDOW = timedelta(hours=3)
# Consecutive failed deliveries after which a subscription is dropped.
MAX_FAILURES = 5
REMINDER_MESSAGE = {"type": "checkin_reminder"}


# --- keys ---------------------------------------------------------------------------------------


@cache
def _vapid(private_key: str) -> Any:
    from py_vapid import Vapid

    text = private_key.strip()
    if text.startswith("-----BEGIN"):
        return Vapid.from_pem(text.encode())
    return Vapid.from_string(text)


def vapid() -> Any | None:
    """The server's VAPID key pair (py_vapid), or None when Web Push is not configured:
    WEBPUSH_VAPID_PRIVATE_KEY (PEM, or base64url DER/raw), else the PEM file
    WEBPUSH_VAPID_PRIVATE_KEY_FILE if it exists."""
    key = getattr(settings, "WEBPUSH_VAPID_PRIVATE_KEY", "")
    if not key:
        path = getattr(settings, "WEBPUSH_VAPID_PRIVATE_KEY_FILE", "")
        if path and Path(path).is_file():
            key = Path(path).read_text()
    return _vapid(key) if key else None


def vapid_public_key() -> str | None:
    """The public key the browser needs to subscribe (`applicationServerKey`), base64url."""
    from cryptography.hazmat.primitives import serialization

    pair = vapid()
    if pair is None:
        return None
    raw = pair.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_private_pem_new() -> str:
    """A new VAPID private key, PEM (for `webpush_keys` and the demo)."""
    from py_vapid import Vapid

    pair = Vapid()
    pair.generate_keys()
    return pair.private_pem().decode()


# --- subscriptions ------------------------------------------------------------------------------


def _b64url(value: Any, *, field: str, length: int) -> str:
    if not isinstance(value, str) or not value:
        raise DomainError(f"keys.{field} is required (base64url).")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise DomainError(f"keys.{field} is not base64url.") from exc
    if len(raw) != length:
        raise DomainError(f"keys.{field} must encode {length} bytes.")
    return value


def endpoint_allowed(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if parts.scheme == "http" and getattr(settings, "WEBPUSH_ALLOW_LOOPBACK_HTTP", False):
        return host == "127.0.0.1"
    if parts.scheme != "https" or not host or parts.username or parts.password:
        return False
    return any(host == allowed or host.endswith("." + allowed) for allowed in settings.WEBPUSH_ENDPOINT_HOSTS)


@dataclass(frozen=True)
class SubscriptionIn:
    endpoint: str
    p256dh: str
    auth: str
    language: str


def _subscription_validated(*, endpoint: Any, keys: Any, language: Any = "") -> SubscriptionIn:
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 1000:
        raise DomainError("endpoint is required (the PushSubscription's endpoint, at most 1,000 characters).")
    if not endpoint_allowed(endpoint):
        raise DomainError("endpoint must be an https address of a browser push service.")
    if not isinstance(keys, dict):
        raise DomainError("keys is required: {p256dh, auth}, as PushSubscription.toJSON() gives them.")
    p256dh = _b64url(keys.get("p256dh"), field="p256dh", length=65)
    auth = _b64url(keys.get("auth"), field="auth", length=16)
    code = language if isinstance(language, str) else ""
    supported = {c for c, _name in settings.LANGUAGES}
    return SubscriptionIn(endpoint=endpoint, p256dh=p256dh, auth=auth, language=code if code in supported else "")


def push_subscription_save(
    *, patient: Patient, endpoint: Any, keys: Any, language: Any = ""
) -> tuple[PushSubscription, bool]:
    """Store (or refresh) the device's subscription for this patient, as
    `PushSubscription.toJSON()` gives it; DomainError (400) for an endpoint that is not a
    browser push service's, or keys of the wrong form. An endpoint is one browser: if another
    patient had it (a shared phone, signed out without unsubscribing), it moves to this one.
    True if it is new."""
    subscription = _subscription_validated(endpoint=endpoint, keys=keys, language=language)
    with transaction.atomic():
        existing = PushSubscription.objects.select_for_update().filter(endpoint=subscription.endpoint).first()
        if existing is None:
            try:
                with transaction.atomic():
                    created = PushSubscription.objects.create(
                        patient=patient,
                        endpoint=subscription.endpoint,
                        p256dh=subscription.p256dh,
                        auth=subscription.auth,
                        language=subscription.language,
                    )
                return created, True
            except IntegrityError:  # the same browser subscribing twice at once
                existing = PushSubscription.objects.select_for_update().get(endpoint=subscription.endpoint)
        existing.patient = patient
        existing.p256dh, existing.auth = subscription.p256dh, subscription.auth
        existing.language = subscription.language
        existing.failures = 0
        existing.save(update_fields=["patient", "p256dh", "auth", "language", "failures"])
        return existing, False


def push_subscription_delete(*, patient: Patient, endpoint: Any) -> bool:
    if not isinstance(endpoint, str) or not endpoint:
        raise DomainError("endpoint is required.")
    deleted, _ = PushSubscription.objects.filter(patient=patient, endpoint=endpoint).delete()
    return bool(deleted)


# --- sending ------------------------------------------------------------------------------------


def _deliver(subscription: PushSubscription, pair: Any) -> bool:
    """One encrypted message to one device. A 404/410 from the push service means the
    subscription is gone: it is deleted. Other failures count; at MAX_FAILURES in a row it is
    dropped. Never raises."""
    from pywebpush import WebPushException, webpush

    endpoint = urlsplit(subscription.endpoint)
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps({**REMINDER_MESSAGE, "lang": subscription.language}),
            vapid_private_key=pair,
            vapid_claims={"sub": settings.WEBPUSH_CONTACT, "aud": f"{endpoint.scheme}://{endpoint.netloc}"},
            ttl=int(REMINDER_WINDOW.total_seconds()),
            timeout=10,
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (404, 410):
            subscription.delete()
            logger.info("push subscription gone; deleted", extra={"status": status})
            return False
        _count_failure(subscription, reason=f"http {status}" if status else type(exc).__name__)
        return False
    except Exception as exc:  # noqa: BLE001 - network errors of any kind: counted, never raised
        _count_failure(subscription, reason=type(exc).__name__)
        return False
    PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now(), failures=0)
    return True


def _count_failure(subscription: PushSubscription, *, reason: str) -> None:
    """Count a failed delivery in the database (F(): two runs failing at once both count),
    then drop the subscription once MAX_FAILURES failures in a row are recorded."""
    PushSubscription.objects.filter(pk=subscription.pk).update(failures=F("failures") + 1)
    failures = PushSubscription.objects.filter(pk=subscription.pk).values_list("failures", flat=True).first()
    if failures is None:
        return  # deleted meanwhile (unsubscribed, or gone)
    if failures >= MAX_FAILURES:
        PushSubscription.objects.filter(pk=subscription.pk, failures__gte=MAX_FAILURES).delete()
        logger.warning("push subscription dropped after repeated failures", extra={"reason": reason})
        return
    logger.warning("push delivery failed", extra={"reason": reason, "failures": failures})


def _checkin_time(patient: Patient) -> time:
    schedule = getattr(patient, "schedule", None)
    return schedule.checkin_time if schedule is not None else DEFAULT_CHECKIN_TIME


def _due_day(patient: Patient, now: datetime) -> date | None:
    """The patient's local day if their check-in time has come at `now` (within
    REMINDER_WINDOW), else None."""
    local = now.astimezone(patient.tz)
    at = datetime.combine(local.date(), _checkin_time(patient), tzinfo=patient.tz)
    return local.date() if at <= local < at + REMINDER_WINDOW else None


def checkin_reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """Remind every subscribed patient whose check-in time has come and who has not checked
    in that local day (see the module's docstring). Safe to run at any moment and from
    several workers: a day's reminder is claimed (a unique row) before it is sent, so it goes
    out at most once. Three queries whatever the number of patients, plus the claims."""
    pair = vapid()
    counts = {"patients": 0, "reminded": 0, "devices": 0, "failed": 0}
    if pair is None:
        return counts
    now = now or timezone.now()
    patients = list(
        Patient.objects.filter(status=PatientStatus.ACTIVE, push_subscriptions__isnull=False)
        .select_related("schedule")
        .prefetch_related("push_subscriptions")
        .distinct()
        .order_by("pk")
    )
    counts["patients"] = len(patients)
    # (patient, day) pairs in pk order: model instances are not dict keys (their hash is the pk,
    # which an unsaved or deleted row does not have).
    due = [(patient, day) for patient in patients if (day := _due_day(patient, now)) is not None]
    checked_in = set(
        CheckIn.objects.filter(patient__in=[p for p, _d in due], day__in={d for _p, d in due}).values_list(
            "patient_id", "day"
        )
    )
    for patient, day in due:
        if (patient.pk, day) in checked_in:
            continue
        try:
            with transaction.atomic():
                claim = ReminderSent.objects.create(patient=patient, day=day)
        except IntegrityError:
            continue  # reminded already (another run got there first)
        sent = 0
        for subscription in patient.push_subscriptions.all():
            if _deliver(subscription, pair):
                sent += 1
            else:
                counts["failed"] += 1
        ReminderSent.objects.filter(pk=claim.pk).update(devices=sent)
        counts["reminded"] += int(sent > 0)
        counts["devices"] += sent
    return counts
