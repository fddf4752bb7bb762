"""Writes of the read side: GDPR erasure, which removes what every app holds of a patient."""

import functools
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.db import transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from ml.models import RiskScore
from mobile.models import AppPreference, PushSubscription, ReminderSent
from monitoring.models import CheckIn, DailySummary, QuestionnaireResponse, SignalRecord, SpeechRecording
from patients.models import ConsentScope, Patient, PatientStatus, patient_lock
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
            ("app_preference", AppPreference),
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
