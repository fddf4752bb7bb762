"""Factories: mobile."""

import datetime as dt
import secrets
from base64 import urlsafe_b64encode
from typing import Any

import factory
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from mobile.due import default_cadences
from mobile.models import Instrument as ScheduleInstrument
from mobile.models import PatientSchedule, PushSubscription, ReminderSent, ScheduledQuestionnaire
from mobile.push import push_subscription_save
from mobile.services import schedule_set

from .base import ServiceFactory, _local_today, _require_derived
from .patients import PatientFactory, _team_clinician

# --- mobile --------------------------------------------------------------------------------


class PatientScheduleFactory(ServiceFactory):
    """A schedule set by a nurse of the patient's team through `schedule_set`: a 19:30 check-in
    and, unless `cadences=[Cadence(...), ...]` says otherwise, the questionnaires by diagnosis."""

    class Meta:
        model = PatientSchedule

    patient = factory.SubFactory(PatientFactory)
    checkin_time = dt.time(19, 30)
    updated_by = _team_clinician()
    cadences = factory.LazyAttribute(lambda o: list(default_cadences(o.patient.diagnosis)))
    _service_args = ("cadences",)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> PatientSchedule:
        return schedule_set(
            patient=kwargs["patient"],
            checkin_time=kwargs["checkin_time"],
            cadences=kwargs["cadences"],
            updated_by=kwargs["updated_by"],
        )


class ScheduledQuestionnaireFactory(factory.django.DjangoModelFactory):
    """One questionnaire cadence of a schedule (the default schedule has no other)."""

    class Meta:
        model = ScheduledQuestionnaire

    schedule = factory.SubFactory(PatientScheduleFactory, cadences=[])
    instrument = ScheduleInstrument.PHQ9
    every_days = 14


def _b64url(raw: bytes) -> str:
    return urlsafe_b64encode(raw).rstrip(b"=").decode()


def _p256dh() -> str:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    return _b64url(public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


class PushSubscriptionFactory(ServiceFactory):
    """A browser's Web Push subscription saved by `push_subscription_save`: an FCM endpoint,
    a real P-256 public key and a 16-byte auth secret. `failures` and `last_sent_at`, when
    given, are applied afterwards."""

    class Meta:
        model = PushSubscription

    patient = factory.SubFactory(PatientFactory)
    endpoint = factory.LazyFunction(lambda: f"https://fcm.googleapis.com/fcm/send/{secrets.token_urlsafe(24)}")
    p256dh = factory.LazyFunction(_p256dh)
    auth = factory.LazyFunction(lambda: _b64url(secrets.token_bytes(16)))
    language = "fr"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> PushSubscription:
        subscription, _created = push_subscription_save(
            patient=kwargs["patient"],
            endpoint=kwargs["endpoint"],
            keys={"p256dh": kwargs["p256dh"], "auth": kwargs["auth"]},
            language=kwargs["language"],
        )
        _require_derived(model_class, {"language": subscription.language}, kwargs)
        changes = {name: kwargs[name] for name in ("failures", "last_sent_at") if name in kwargs}
        if changes:
            PushSubscription.objects.filter(pk=subscription.pk).update(**changes)
            subscription.refresh_from_db()
        return subscription


class ReminderSentFactory(factory.django.DjangoModelFactory):
    """The check-in reminder of the patient's local today, claimed and sent to the one device
    the patient subscribed (`subscription=None`: no subscription is made)."""

    class Meta:
        model = ReminderSent
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    day = factory.LazyAttribute(lambda o: _local_today(o.patient))
    devices = 1
    subscription = factory.RelatedFactory(PushSubscriptionFactory, patient=factory.SelfAttribute("..patient"))
