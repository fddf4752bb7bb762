"""Writes of the read side: GDPR erasure, which removes what every app holds of a patient, and
the edit of a clinical event by its author."""

import functools
from collections.abc import Iterable
from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from ml.models import RiskScore
from mobile.models import AppPreference, PatientSchedule, PushSubscription, ReminderSent
from monitoring.models import (
    ActivityDay,
    ActivityEpochRecord,
    CheckIn,
    DailySummary,
    QuestionnaireResponse,
    SignalRecord,
    SpeechRecording,
)
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

from .search_index import search_words_forget, search_words_of_checkins


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


# What erasure keeps, and why (the erasure response and docs/ingestion.md say the same).
ERASURE_KEEPS: dict[str, str] = {
    "audit_trail": "Who accessed what and when: a security obligation of health-data hosting (HDS) and "
    "GDPR art. 32; purged after AUDIT_RETENTION_DAYS.",
    "consent_history": "Grants and withdrawals with dates: the controller must show consent was given "
    "(GDPR art. 7(1)).",
    "alerts": "The care team's clinical record (alerts and what was done): medical record kept 20 years "
    "(Code de la santé publique, art. R1112-7), exempt under GDPR art. 17(3)(b) and (c).",
    "clinical_events": "Relapses, hospitalisations and medication changes the team recorded: medical record, "
    "as for alerts.",
    "alert_notes": "The team's call attempts and notes on each alert: part of the medical record, as for alerts.",
    "crisis_plan": "The crisis plan the care team wrote with the patient: part of the medical record, as for alerts.",
    "emergency_accesses": "Who opened the record in an emergency, from where, why, and the review's verdict: "
    "the trace of an access to health data (HDS, GDPR art. 32), kept with the audit trail.",
    "patient_code": "A pseudonymous tombstone (code, care team, year of birth, sex, diagnosis, enrolment date, "
    "status erased) so that the kept records still point somewhere.",
    "token_ids": "The identifiers and expiry dates of the erased login's tokens, with no user and no token "  # nosec B105 - a description, not a password
    "text, so that a copied token stays refused until it expires (at most JWT_REFRESH_DAYS).",
}


def patient_erase(*, patient: Patient) -> dict[str, int]:
    """GDPR erasure, at once and for good (docs/ingestion.md): collection and scoring stop
    (every consent withdrawn, status `erased`), the login goes (refresh tokens blacklisted and
    emptied, the sign-in records of the username deleted, the account deleted), and the
    patient's own data and everything derived from it is deleted. Kept, as the law requires:
    ERASURE_KEEPS (the consent history, the audit trail, and the clinical record the care team
    made: alerts, their notes and what was done about them, clinical events, the crisis plan).
    The phone number goes: nobody is to call an erased patient; so do the INS and the date of
    birth."""
    removed: dict[str, int] = {}
    audio: list[str] = []
    with transaction.atomic():
        patient_lock(patient.pk)
        consent_withdraw(patient=patient, scopes=list(ConsentScope.values))
        audio = [
            name for name in SpeechRecording.objects.filter(patient=patient).values_list("audio", flat=True) if name
        ]
        # The words of their check-in notes that nobody else wrote leave the search's vocabulary.
        words = search_words_of_checkins(connection=connection, patient_id=patient.pk)
        for label, model in (
            ("checkins", CheckIn),
            ("questionnaires", QuestionnaireResponse),
            ("signals", SignalRecord),
            ("activity_epoch_records", ActivityEpochRecord),
            ("activity_days", ActivityDay),
            ("speech_recordings", SpeechRecording),
            ("daily_summaries", DailySummary),
            ("risk_scores", RiskScore),
            ("push_subscriptions", PushSubscription),
            ("reminders_sent", ReminderSent),
            ("app_preference", AppPreference),
        ):
            removed[label] = model._default_manager.filter(patient=patient).delete()[0]
        # The questionnaire schedule the team set (its cadences go with it).
        removed["search_words"] = search_words_forget(connection=connection, words=words)
        removed["schedule"] = int(
            PatientSchedule.objects.filter(patient=patient).delete()[1].get(PatientSchedule._meta.label, 0)
        )
        user = patient.user
        patient.user = None
        patient.status = PatientStatus.ERASED
        patient.phone = ""
        # The national identifier and the date of birth identify the person: gone too.
        patient.ins, patient.birth_date = "", None
        patient.save(update_fields=["user", "status", "phone", "ins", "birth_date", "updated_at"])
        patient.enrollment_codes.all().delete()
        removed["tokens"] = 0
        removed["login_records"] = 0
        if user is not None:
            removed["tokens"], removed["login_records"] = _login_erase(user)
        transaction.on_commit(functools.partial(_delete_files, audio))
    removed["audio_files"] = len(audio)
    return removed


def _login_erase(user: User) -> tuple[int, int]:
    """The traces of a login: its refresh tokens are blacklisted (a copy stays refused until it
    expires) and emptied of the user and the token text; django-axes' attempts and logs of the
    username (with IP address and user agent) are deleted; then the account. Returns the
    number of tokens and of sign-in records."""
    tokens = list(OutstandingToken.objects.filter(user=user))
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in tokens], ignore_conflicts=True)
    OutstandingToken.objects.filter(pk__in=[t.pk for t in tokens]).update(user=None, token="")  # nosec B106 - emptying a stored token, not setting a password
    username = user.get_username()
    records = sum(
        model.objects.filter(username=username).delete()[0] for model in (AccessAttempt, AccessLog, AccessFailureLog)
    )
    user.delete()
    return len(tokens), records


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
