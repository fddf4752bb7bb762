"""Writes of the read side: GDPR erasure, which removes what every app holds of a patient, and
the edit of a clinical event by its author."""

import functools
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from ml.models import RiskScore
from mobile.models import PushSubscription, ReminderSent
from monitoring.models import CheckIn, DailySummary, QuestionnaireResponse, SignalRecord, SpeechRecording
from patients.errors import DomainError
from patients.models import (
    ClinicalEvent,
    ClinicalEventKind,
    ConsentScope,
    Patient,
    PatientStatus,
    User,
    patient_lock,
)
from patients.services import consent_withdraw


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def patient_erase(*, patient: Patient) -> dict[str, int]:
    """GDPR erasure, at once and for good (docs/ingestion.md): collection and scoring stop
    (every consent withdrawn, status `erased`), the login goes (refresh tokens blacklisted, the
    account deleted), and the patient's own data and everything derived from it is deleted.
    Kept, as the law requires: the consent history, the audit trail, and the clinical record
    the care team made (alerts and what was done about them, clinical events)."""
    removed: dict[str, int] = {}
    audio: list[str] = []
    with transaction.atomic():
        patient_lock(patient.pk)
        consent_withdraw(patient=patient, scopes=list(ConsentScope.values))
        audio = [
            name for name in SpeechRecording.objects.filter(patient=patient).values_list("audio", flat=True) if name
        ]
        for label, model in (
            ("checkins", CheckIn),
            ("questionnaires", QuestionnaireResponse),
            ("signals", SignalRecord),
            ("speech_recordings", SpeechRecording),
            ("daily_summaries", DailySummary),
            ("risk_scores", RiskScore),
            ("push_subscriptions", PushSubscription),
            ("reminders_sent", ReminderSent),
        ):
            removed[label] = model._default_manager.filter(patient=patient).delete()[0]
        user = patient.user
        patient.user = None
        patient.status = PatientStatus.ERASED
        patient.save(update_fields=["user", "status", "updated_at"])
        patient.enrollment_codes.all().delete()
        if user is not None:
            tokens = OutstandingToken.objects.filter(user=user)
            BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in tokens], ignore_conflicts=True)
            user.delete()
        transaction.on_commit(functools.partial(_delete_files, audio))
    removed["audio_files"] = len(audio)
    return removed


class NotTheAuthor(Exception):
    """Only the clinician who recorded a clinical event may edit it."""


EDITABLE_EVENT_FIELDS = ("note", "end_date")


def clinical_event_edit(*, event: ClinicalEvent, editor: User, changes: dict[str, Any]) -> list[str]:
    """Edit a clinical event's note or (hospitalisations) the stay's last day, by its author
    only. Returns the names of the fields that changed (none: nothing is written); the caller
    audits them. `end_date` must not be before the event's day, and only a hospitalisation
    has one."""
    if event.recorded_by_id is None or event.recorded_by_id != editor.pk:
        raise NotTheAuthor
    fields = {name: value for name, value in changes.items() if name in EDITABLE_EVENT_FIELDS}
    if fields.get("end_date") is not None:
        if event.kind != ClinicalEventKind.HOSPITALIZATION:
            raise DomainError("Only a hospitalisation has a last day.")
        if fields["end_date"] < event.date:
            raise DomainError("The stay cannot end before it began.")
    changed = [name for name, value in fields.items() if getattr(event, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(event, name, fields[name])
    event.edited_at = timezone.now()
    event.save(update_fields=[*changed, "edited_at"])
    return changed
