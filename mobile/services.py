"""Writes: the care team's schedule for a patient, and signing a device out."""

from collections.abc import Iterable
from datetime import time

from django.db import transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken

from patients.errors import DomainError
from patients.models import Patient, User

from .due import INSTRUMENTS, MAX_EVERY_DAYS, MIN_EVERY_DAYS, Cadence
from .models import AppPreference, PatientSchedule, ScheduledQuestionnaire


@transaction.atomic
def schedule_set(
    *, patient: Patient, checkin_time: time, cadences: Iterable[Cadence], updated_by: User | None = None
) -> PatientSchedule:
    """Replace the patient's schedule as a whole (PUT semantics)."""
    cadences = list(cadences)
    instruments = [c.instrument for c in cadences]
    if len(set(instruments)) != len(instruments):
        raise DomainError("Each questionnaire may appear once.")
    for c in cadences:
        if c.instrument not in INSTRUMENTS:
            raise DomainError(f"Unknown questionnaire: {c.instrument}")
        if not MIN_EVERY_DAYS <= c.every_days <= MAX_EVERY_DAYS:
            raise DomainError(f"every_days must be between {MIN_EVERY_DAYS} and {MAX_EVERY_DAYS}.")
    schedule, _created = PatientSchedule.objects.update_or_create(
        patient=patient, defaults={"checkin_time": checkin_time, "updated_by": updated_by}
    )
    schedule.questionnaires.all().delete()
    ScheduledQuestionnaire.objects.bulk_create(
        ScheduledQuestionnaire(schedule=schedule, instrument=c.instrument, every_days=c.every_days) for c in cadences
    )
    return schedule


def schedule_reset(*, patient: Patient) -> None:
    """Back to the defaults for the patient's diagnosis."""
    PatientSchedule.objects.filter(patient=patient).delete()


def refresh_token_revoke(*, token: str) -> None:
    """Blacklist a refresh token. A token that is already unusable (expired, blacklisted,
    malformed) needs nothing more, so signing out is idempotent."""
    try:
        RefreshToken(token).blacklist()  # type: ignore[arg-type]  # why: simplejwt types `token` as Token; it takes the encoded str
    except TokenError:
        return


def app_preference_set(*, patient: Patient, easy_read: bool, updated_by: User | None = None) -> AppPreference:
    """The care team's choice of how the patient's app is shown (the patient may override it on
    the phone)."""
    preference, _created = AppPreference.objects.update_or_create(
        patient=patient, defaults={"easy_read": easy_read, "updated_by": updated_by}
    )
    return preference
