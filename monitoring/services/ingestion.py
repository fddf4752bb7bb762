"""Ingestion writes: check-ins, questionnaires and signal records. Every path (API,
import_cohort, the speech task, the phone app) comes through here, so the consent gate,
idempotency (monitoring.bulk), the safety rule and the summary update cannot be skipped."""

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from alerts.rules import safety_alert_needed
from alerts.services import alert_raise_language, alert_raise_safety
from patients.audit import audit_append
from patients.errors import ConsentRequired, IdempotencyConflict
from patients.models import AuditEvent, ConsentScope, Patient
from patients.services import consent_refused

from ..bulk import CONFLICT, DUPLICATE, STORED, store_rows
from ..models import CheckIn, QuestionnaireResponse, SignalRecord
from ..questionnaires import SAFETY_ALERT, score
from ..risk_language import RiskMatch, detect
from ..validation import (
    ACTIVITY_EPOCHS,
    CHECKIN_VALUE_FIELDS,
    SIGNAL_VALUE_FIELDS,
    ActivityEpochsIn,
    CheckInIn,
    Context,
    QuestionnaireIn,
    SignalIn,
    validate_activity_epochs,
    validate_signal,
)
from .actigraphy import activity_epochs_store
from .daily_summaries import daily_summaries_recompute

logger = logging.getLogger(__name__)

SCOPE_FOR_KIND = {
    "sleep": ConsentScope.SLEEP,
    "steps": ConsentScope.ACTIVITY,
    "mobility": ConsentScope.MOBILITY,
    "speech": ConsentScope.SPEECH,
    # Screen use is phone activity: it needs the activity consent (see docs/ingestion.md).
    "screen": ConsentScope.ACTIVITY,
}
MAX_BATCH = 1000

SIGNAL_COLUMNS = ("id", "patient", "kind", "start", "end", "day", *SIGNAL_VALUE_FIELDS, "received_at")
SIGNAL_CONTENT = ("kind", "start", "end", *SIGNAL_VALUE_FIELDS)
CHECKIN_COLUMNS = (
    "id",
    "patient",
    "recorded_at",
    "day",
    *CHECKIN_VALUE_FIELDS,
    "note",
    "for_next_appointment",
    "received_at",
)
CHECKIN_CONTENT = ("recorded_at", *CHECKIN_VALUE_FIELDS, "note", "for_next_appointment")
QUESTIONNAIRE_COLUMNS = (
    "id",
    "patient",
    "instrument",
    "answers",
    "total",
    "severity",
    "flags",
    "completed_at",
    "day",
    "received_at",
)
QUESTIONNAIRE_CONTENT = ("instrument", "answers", "completed_at")


def ingestion_context(*, patient: Patient, now: datetime | None = None) -> Context:
    return Context.build(timezone_name=patient.timezone, enrolled_on=patient.enrolled_on, now=now or timezone.now())


# --- signals ---------------------------------------------------------------------------------


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


def _signal_row(patient_id: UUID, received_at: datetime) -> Callable[[SignalIn], tuple]:
    def row(r: SignalIn) -> tuple:
        return (r.id, patient_id, r.kind, r.start, r.end, r.day, *r.values, received_at)

    return row


def signals_store(*, patient: Patient, records: Sequence[SignalIn], update_summaries: bool = True) -> list[str]:
    """Store validated signal records of one patient. Returns one status per record: stored,
    duplicate, conflict, or `consent:<scope>` when the patient has not consented to it."""
    received_at = timezone.now()
    with transaction.atomic():
        refused = consent_refused(patient=patient, scopes={SCOPE_FOR_KIND[r.kind] for r in records}, lock=True)
        statuses = [f"consent:{SCOPE_FOR_KIND[r.kind]}" for r in records]
        allowed = [i for i, r in enumerate(records) if SCOPE_FOR_KIND[r.kind] not in refused]
        outcome = store_rows(
            model=SignalRecord,
            patient=patient,
            records=[records[i] for i in allowed],
            columns=SIGNAL_COLUMNS,
            content=SIGNAL_CONTENT,
            row=_signal_row(patient.pk, received_at),
        )
        for i, status in zip(allowed, outcome, strict=True):
            statuses[i] = status
        if update_summaries:
            days = {records[i].day for i in allowed if statuses[i] == STORED}
            daily_summaries_recompute(patient=patient, days=days, parts=("signals",))
    return statuses


def _consent_message(status: str) -> str:
    return str(ConsentRequired(status.removeprefix("consent:")))


CONFLICT_MESSAGE = "A different record with this id already exists."


def signal_batch_record(*, patient: Patient, records: list[Any], now: datetime | None = None) -> BatchResult:
    """The batch endpoint: validate each record, store every valid one, report the rest by
    index. The caller has checked the batch holds 1 to MAX_BATCH records."""
    ctx = ingestion_context(patient=patient, now=now)
    result = BatchResult()
    valid: list[SignalIn] = []
    positions: list[int] = []
    epochs: list[ActivityEpochsIn] = []
    epoch_positions: list[int] = []
    for index, raw in enumerate(records):
        record: SignalIn | ActivityEpochsIn | None
        if isinstance(raw, dict) and raw.get("type") == ACTIVITY_EPOCHS:
            record, errors = validate_activity_epochs(raw, ctx)
        else:
            record, errors = validate_signal(raw, ctx)
        if record is None:
            raw_id = raw.get("id") if isinstance(raw, dict) else None
            result.rejected.append(
                {"index": index, "id": raw_id if isinstance(raw_id, str) else None, "errors": errors}
            )
        elif isinstance(record, ActivityEpochsIn):
            epochs.append(record)
            epoch_positions.append(index)
        else:
            valid.append(record)
            positions.append(index)
    if valid or epochs:
        with transaction.atomic():
            statuses = signals_store(patient=patient, records=valid) if valid else []
            epoch_statuses = activity_epochs_store(patient=patient, records=epochs) if epochs else []
        stored: list[tuple[int, SignalIn | ActivityEpochsIn, str]] = [
            *zip(positions, valid, statuses, strict=True),
            *zip(epoch_positions, epochs, epoch_statuses, strict=True),
        ]
        for index, record, status in stored:
            if status == STORED:
                result.accepted += 1
            elif status == DUPLICATE:
                result.duplicates += 1
            else:
                errors = (
                    {"id": [CONFLICT_MESSAGE]}
                    if status == CONFLICT
                    else {"non_field_errors": [_consent_message(status)]}
                )
                result.rejected.append({"index": index, "id": str(record.id), "errors": errors})
        result.rejected.sort(key=lambda entry: entry["index"])
    return result


# --- check-ins -------------------------------------------------------------------------------------


def _checkin_row(patient_id: UUID, received_at: datetime) -> Callable[[CheckInIn], tuple]:
    def row(c: CheckInIn) -> tuple:
        return (
            c.id,
            patient_id,
            c.recorded_at,
            c.day,
            c.mood,
            c.anxiety,
            c.energy,
            c.irritability,
            c.sleep_quality,
            c.medication_taken,
            c.note,
            c.for_next_appointment,
            received_at,
        )

    return row


def checkin_risk_language(*, checkin: CheckInIn) -> list[RiskMatch]:
    """Risk language in the check-in's note (the note flagged for the next appointment is the
    same text)."""
    return detect(checkin.note) if checkin.note else []


def _checkins_store(
    *,
    patient: Patient,
    checkins: Sequence[CheckInIn],
    update_summaries: bool,
    raise_alerts: bool,
    audit: AuditEvent | None = None,
) -> tuple[list[str], dict[UUID, list[RiskMatch]]]:
    received_at = timezone.now()
    # The notes are read before the transaction: no row lock is held while the detector runs.
    found = {c.id: checkin_risk_language(checkin=c) for c in checkins} if raise_alerts else {}
    with transaction.atomic():
        # The request's audit row commits with the data (one commit, not two), written by the
        # consent gate's statement (one round trip, not two).
        if consent_refused(patient=patient, scopes=[ConsentScope.SELF_REPORT], lock=True, audit=audit):
            return [f"consent:{ConsentScope.SELF_REPORT}"] * len(checkins), {}
        statuses = store_rows(
            model=CheckIn,
            patient=patient,
            records=checkins,
            columns=CHECKIN_COLUMNS,
            content=CHECKIN_CONTENT,
            row=_checkin_row(patient.pk, received_at),
        )
        for checkin, status in zip(checkins, statuses, strict=True):
            # Only a newly stored check-in raises (a replay is a duplicate); the alert's dedupe
            # key makes it once-only even when two requests race.
            if status == STORED and found.get(checkin.id):
                alert_raise_language(
                    patient=patient,
                    source="checkin",
                    record_id=checkin.id,
                    matches=[m.as_dict() for m in found[checkin.id]],
                    recorded_at=checkin.recorded_at,
                    received_at=received_at,
                )
        if update_summaries:
            days = {c.day for c, s in zip(checkins, statuses, strict=True) if s == STORED}
            daily_summaries_recompute(patient=patient, days=days, parts=("checkins",))
    return statuses, found


def checkins_store(
    *, patient: Patient, checkins: Sequence[CheckInIn], update_summaries: bool = True, raise_alerts: bool = True
) -> list[str]:
    """Store validated check-ins; statuses as `signals_store`. A newly stored check-in whose
    note holds risk language (`monitoring.risk_language`) raises a `language` safety alert in
    the same transaction. `raise_alerts=False` is for loading history only (`import_cohort`
    without `--raise-alerts`)."""
    statuses, _found = _checkins_store(
        patient=patient, checkins=checkins, update_summaries=update_summaries, raise_alerts=raise_alerts
    )
    return statuses


def _raise_for(status: str, record_id: UUID) -> None:
    if status == CONFLICT:
        raise IdempotencyConflict(record_id)
    if status.startswith("consent:"):
        raise ConsentRequired(status.removeprefix("consent:"))


@dataclass(frozen=True)
class CheckInRecorded:
    created: bool
    # What the note says that raised (or, on a replay, had raised) a risk-language alert: the
    # phone shows the crisis line for it.
    risk_language: list[RiskMatch]


def checkin_record(*, patient: Patient, checkin: CheckInIn, audit: AuditEvent | None = None) -> CheckInRecorded:
    """One check-in from the API: `created` False when it was a duplicate; raises
    ConsentRequired (403) or IdempotencyConflict (409). `audit`, the request's audit row not
    yet written (`patients.access.request_patient_audit_pending`), is written in the check-in's
    transaction, or on its own when that transaction fails: it is written whatever happens."""
    try:
        (status,), found = _checkins_store(
            patient=patient, checkins=[checkin], update_summaries=True, raise_alerts=True, audit=audit
        )
    except Exception:
        if audit is not None:
            # Rolled back with the check-in (or never reached): on record all the same, unless
            # the database cannot take it either (the original error is the one to raise).
            with contextlib.suppress(Exception):
                audit_append(audit)
        raise
    _raise_for(status, checkin.id)
    return CheckInRecorded(created=status == STORED, risk_language=found.get(checkin.id, []))


# --- questionnaires ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoredQuestionnaire:
    record: QuestionnaireIn
    total: int | None
    severity: str
    flags: list[str]
    item9: int | None


def questionnaire_scored(record: QuestionnaireIn) -> ScoredQuestionnaire:
    result = score(record.instrument, record.answers)
    flags = [*result.flags, SAFETY_ALERT] if safety_alert_needed(item9=result.item9) else list(result.flags)
    return ScoredQuestionnaire(record, result.total, result.severity, flags, result.item9)


def questionnaires_store(
    *, patient: Patient, records: Sequence[QuestionnaireIn], update_summaries: bool = True, raise_alerts: bool = True
) -> list[str]:
    """Store validated questionnaires, scored. A newly stored PHQ-9 whose answers meet the
    safety rule (`alerts.rules.safety_alert_needed`: item 9 above 0) raises the safety alert in
    the same transaction: the response is never stored without it. The alert carries when the
    answer was recorded and when it arrived (an old answer uploaded late is a `late` alert).
    `raise_alerts=False` is for loading history only (`import_cohort` without
    `--raise-alerts`): the answers are stored, flagged, and raise no live alert."""
    received_at = timezone.now()
    scored = {r.id: questionnaire_scored(r) for r in records}

    def row(q: QuestionnaireIn) -> tuple:
        s = scored[q.id]
        return (
            q.id,
            patient.pk,
            q.instrument,
            q.answers,
            s.total,
            s.severity,
            s.flags,
            q.completed_at,
            q.day,
            received_at,
        )

    with transaction.atomic():
        if consent_refused(patient=patient, scopes=[ConsentScope.SELF_REPORT], lock=True):
            return [f"consent:{ConsentScope.SELF_REPORT}"] * len(records)
        statuses = store_rows(
            model=QuestionnaireResponse,
            patient=patient,
            records=records,
            columns=QUESTIONNAIRE_COLUMNS,
            content=QUESTIONNAIRE_CONTENT,
            row=row,
        )
        for record, status in zip(records, statuses, strict=True):
            item9 = scored[record.id].item9  # None when skipped: never an alert (CLINICAL.md)
            if raise_alerts and status == STORED and item9 is not None and safety_alert_needed(item9=item9):
                alert_raise_safety(
                    patient=patient,
                    questionnaire_id=record.id,
                    item9=item9,
                    completed_at=record.completed_at,
                    received_at=received_at,
                )
        if update_summaries:
            days = {r.day for r, s in zip(records, statuses, strict=True) if s == STORED}
            daily_summaries_recompute(patient=patient, days=days, parts=("questionnaires",))
    return statuses


def questionnaire_record(*, patient: Patient, record: QuestionnaireIn) -> tuple[ScoredQuestionnaire, bool]:
    (status,) = questionnaires_store(patient=patient, records=[record])
    _raise_for(status, record.id)
    return questionnaire_scored(record), status == STORED
