"""Alert writes. An alert is always written to the database first and pushed second:
every change is an AlertEvent (the log dashboards replay with `resume`), and the push to
the care team's channel-layer group happens on commit. A push that fails is logged and
forgotten; it never fails the request or task that raised the alert, and nothing is lost
because the database is the record."""

import functools
import logging
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from patients.errors import DomainError, IdempotencyConflict
from patients.models import CLINICAL_ROLES, CareTeam, EmergencyAccess, Patient, User

from . import rules
from .broadcast import alert_event_push
from .models import (
    OUTCOME_HORIZON_DAYS,
    Alert,
    AlertEvent,
    AlertEventKind,
    AlertKind,
    AlertNote,
    AlertNoteKind,
    AlertOutcome,
    AlertSeverity,
    AlertStatus,
    CallOutcome,
)
from .selectors import alerts_shaped
from .serializers import FULL_VIEW, event_message, note_data, user_ref

logger = logging.getLogger(__name__)

# Any constant: the key of the transaction-level advisory lock that orders AlertEvent seqs.
_SEQ_LOCK_KEY = 0x41_4C_45_52_54  # "ALERT"


class AlertTransitionError(DomainError):
    """The alert is not in a state that allows this change (409)."""


class AlertNoteRequired(DomainError):
    """Resolving records what was done: the note is required (400)."""


class AlertAssigneeInvalid(DomainError):
    """The assignee is not a nurse or psychiatrist of the patient's current team (400)."""


class AlertOutcomeInvalid(DomainError):
    """An outcome that is not one of AlertOutcome, or on an alert that is not a risk alert (400)."""


class AlertNoteInvalid(DomainError):
    """A call attempt without its outcome, a note without text, a text too long (400)."""


def _seq_order_lock() -> None:
    """Hold a transaction-level lock from the event insert to the commit, so sequence values
    are handed out in commit order: a dashboard that saw seq N can never later miss an
    event below N. SQLite serialises writers already. Alerts are rare: the wait is short."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEQ_LOCK_KEY])


def _event_append(
    *, alert: Alert, event: str, actor: User | None = None, detail: dict[str, Any] | None = None
) -> AlertEvent:
    """Caller is inside transaction.atomic and `alert` carries the related rows the message
    shows (selectors.ALERT_RELATED). The event belongs to, and is pushed to, the patient's
    current care team (security 21.2). The push is registered for after the commit; it carries
    the widest view, and each socket redacts it for its reader (serializers.alert_for_reader)."""
    _seq_order_lock()
    team_id = alert.patient.care_team_id
    record = AlertEvent.objects.create(alert=alert, care_team_id=team_id, event=event, actor=actor, detail=detail or {})
    message = event_message(record, alert, role=FULL_VIEW)
    transaction.on_commit(functools.partial(alert_event_push, team_id=team_id, message=message))
    return record


def _reload(alert_id: UUID) -> Alert:
    return alerts_shaped().get(pk=alert_id)


# --- raising ----------------------------------------------------------------------------------


def alert_raise(
    *,
    patient: Patient,
    kind: str,
    severity: str,
    title: str,
    detail: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    created_by: User | None = None,
    recorded_at: datetime | None = None,
    received_at: datetime | None = None,
) -> tuple[Alert, bool]:
    """Store an alert and its `created` event, push on commit. With a dedupe key the same
    alert is raised once however often a retry or replay calls this: `(alert, False)`.
    Runs inside the caller's transaction when there is one (a savepoint here).
    `recorded_at`: when the data behind it was recorded; `received_at`: when it reached the
    server (both default to now); far apart, the alert is `late`."""
    if kind not in AlertKind.values or severity not in AlertSeverity.values:
        raise DomainError("Unknown alert kind or severity.")
    if dedupe_key is not None:
        existing = Alert.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing, False
    now = timezone.now()
    risk_date = _risk_date(kind, detail)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                patient=patient,
                care_team_id=patient.care_team_id,
                kind=kind,
                severity=severity,
                title=title[:200],
                detail=detail or {},
                dedupe_key=dedupe_key,
                created_by=created_by,
                recorded_at=recorded_at or received_at or now,
                received_at=received_at or now,
                risk_date=risk_date,
                risk_horizon=risk_date + timedelta(days=OUTCOME_HORIZON_DAYS) if risk_date else None,
            )
            alert.notes_total = 0  # type: ignore[attr-defined]  # why: the shape reads it, a new alert has none
            _event_append(alert=alert, event=AlertEventKind.CREATED, actor=created_by)
    except IntegrityError:
        if dedupe_key is None:
            raise
        # A concurrent retry stored it first (PostgreSQL waited for its commit).
        return Alert.objects.get(dedupe_key=dedupe_key), False
    return alert, True


def _risk_date(kind: str, detail: dict[str, Any] | None) -> date | None:
    """A risk alert's scored day (detail.score_date): the start of its outcome window."""
    if kind != AlertKind.RISK or not isinstance(detail, dict) or not detail.get("score_date"):
        return None
    try:
        return date.fromisoformat(str(detail["score_date"]))
    except ValueError:
        return None


def alert_raise_model(
    *, care_team: CareTeam, title: str, detail: dict[str, Any], dedupe_key: str
) -> tuple[Alert, bool]:
    """A `model` alert (the risk model's inputs drifted) for a care team's psychiatrists and the
    admins: no patient, so not on the desk and not pushed; read on the model page and
    `GET /api/v1/models/alerts/`. Once per dedupe key."""
    existing = Alert.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                patient=None,
                care_team=care_team,
                kind=AlertKind.MODEL,
                severity=AlertSeverity.MEDIUM,
                title=title[:200],
                detail=detail,
                dedupe_key=dedupe_key,
                recorded_at=timezone.now(),
                received_at=timezone.now(),
            )
    except IntegrityError:
        return Alert.objects.get(dedupe_key=dedupe_key), False
    return alert, True


def alert_raise_safety(
    *, patient: Patient, questionnaire_id: UUID, item9: int, completed_at: datetime, received_at: datetime | None = None
) -> Alert:
    """PHQ-9 item 9 above 0: a critical alert, raised inside the caller's transaction (the
    questionnaire and its alert commit together). Idempotent: the same questionnaire raises
    one alert however often it is replayed. Safety alerts are never paused. Recorded when
    answered, received when uploaded: an answer uploaded days later is a late alert."""
    alert, _created = alert_raise(
        patient=patient,
        kind=AlertKind.SAFETY,
        severity=AlertSeverity.CRITICAL,
        title=rules.TITLE_SAFETY_PHQ9,
        detail={
            "instrument": "PHQ-9",
            "item9": int(item9),
            "questionnaire_id": str(questionnaire_id),
            "completed_at": completed_at.isoformat(),
        },
        dedupe_key=rules.safety_dedupe_key(questionnaire_id),
        recorded_at=completed_at,
        received_at=received_at,
    )
    return alert


def alert_raise_language(
    *,
    patient: Patient,
    source: str,
    record_id: UUID,
    matches: list[dict[str, Any]],
    recorded_at: datetime,
    received_at: datetime | None = None,
) -> tuple[Alert, bool] | None:
    """Risk language in a text the patient wrote (`source` names it: `checkin`), raised inside
    the caller's transaction like PHQ-9 item 9, never paused, at once. `matches` are the
    detector's expressions (kind, severity, expression, sentence and offsets); the severity is
    the gravest of them. Idempotent: one alert per record however often it is replayed.
    None when nothing was found."""
    severity = rules.language_alert_severity([m.get("severity", "") for m in matches])
    if severity is None:
        return None
    kinds = sorted({str(m.get("kind")) for m in matches})
    plan = severity == AlertSeverity.CRITICAL
    return alert_raise(
        patient=patient,
        kind=AlertKind.LANGUAGE,
        severity=severity,
        title=rules.TITLE_LANGUAGE_PLAN if plan else rules.TITLE_LANGUAGE,
        detail={"source": source, "record_id": str(record_id), "kinds": kinds, "matches": matches},
        dedupe_key=rules.language_dedupe_key(source, record_id),
        recorded_at=recorded_at,
        received_at=received_at,
    )


def alert_raise_emergency_access(*, access: EmergencyAccess) -> Alert:
    """The patient's own team learns at once that a clinician outside it opened the record
    in an emergency: who, from which establishment, why, until when. High severity (the desk
    shows it at the top; it does not page as a critical alert would). Once per access."""
    clinician = access.clinician
    alert, _created = alert_raise(
        patient=access.patient,
        kind=AlertKind.EMERGENCY_ACCESS,
        severity=AlertSeverity.HIGH,
        title=rules.TITLE_EMERGENCY_ACCESS,
        detail={
            "emergency_access": str(access.pk),
            "clinician": clinician.get_full_name() or clinician.get_username(),
            "clinician_username": clinician.get_username(),
            "establishment": access.establishment.name if access.establishment else "",
            "reason": access.reason,
            "reason_text": access.reason_text,
            "started_at": access.started_at.isoformat(),
            "expires_at": access.expires_at.isoformat(),
            "time_zone": access.patient.care_team.timezone,
        },
        dedupe_key=rules.emergency_dedupe_key(access.pk),
        created_by=clinician,
    )
    return alert


def alert_raise_manual(
    *,
    patient: Patient,
    title: str,
    note: str,
    severity: str,
    created_by: User,
    client_id: UUID | None = None,
) -> tuple[Alert, bool]:
    """A clinician's own alert. With a client id, sending it again creates nothing (and a
    different alert under the same id is a conflict)."""
    key = f"manual:{client_id}" if client_id is not None else None
    alert, created = alert_raise(
        patient=patient,
        kind=AlertKind.MANUAL,
        severity=severity,
        title=title,
        detail={"note": note} if note else {},
        dedupe_key=key,
        created_by=created_by,
    )
    if not created and (
        alert.patient_id != patient.pk
        or alert.title != title[:200]
        or alert.severity != severity
        or alert.detail.get("note", "") != note
    ):
        raise IdempotencyConflict(client_id)
    return alert, created


# --- lifecycle --------------------------------------------------------------------------------


def alert_acknowledge(*, alert: Alert, user: User) -> tuple[Alert, bool]:
    """open → acknowledged. Acknowledging again is a no-op `(alert, False)`; a resolved alert
    cannot be acknowledged (AlertTransitionError)."""
    now = timezone.now()
    with transaction.atomic():
        # Guarded by state: of two concurrent acknowledgements exactly one updates the row.
        changed = Alert.objects.filter(pk=alert.pk, status=AlertStatus.OPEN).update(
            status=AlertStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=user, updated_at=now
        )
        current = _reload(alert.pk)
        if not changed:
            if current.status == AlertStatus.ACKNOWLEDGED:
                return current, False
            raise AlertTransitionError("This alert is already resolved.")
        _event_append(alert=current, event=AlertEventKind.ACKNOWLEDGED, actor=user)
    return current, True


def _outcome_check(alert: Alert, outcome: str) -> str:
    outcome = outcome or ""
    if not outcome:
        return ""
    if outcome not in AlertOutcome.values:
        raise AlertOutcomeInvalid("Unknown outcome: useful, already_known, false_alarm or no_contact.")
    if alert.kind != AlertKind.RISK:
        raise AlertOutcomeInvalid("Only a relapse-risk alert has an outcome.")
    return outcome


def alert_resolve(*, alert: Alert, user: User, note: str, outcome: str = "") -> tuple[Alert, bool]:
    """open or acknowledged → resolved, with who, when and what was done, and for a risk alert
    optionally its outcome (AlertOutcome, one tap on the desk). Resolving an open alert
    acknowledges it too. The same resolution sent again is a no-op."""
    note = (note or "").strip()
    if not note:
        raise AlertNoteRequired("A resolution note is required.")
    outcome = _outcome_check(alert, outcome)
    now = timezone.now()
    with transaction.atomic():
        changed = Alert.objects.filter(pk=alert.pk, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]).update(
            status=AlertStatus.RESOLVED,
            resolved_at=now,
            resolved_by=user,
            resolution_note=note,
            acknowledged_at=Coalesce(F("acknowledged_at"), Value(now)),
            acknowledged_by_id=Coalesce(F("acknowledged_by_id"), Value(user.pk)),
            updated_at=now,
            **({"outcome": outcome, "outcome_at": now, "outcome_by": user} if outcome else {}),
        )
        current = _reload(alert.pk)
        if not changed:
            if current.resolved_by_id == user.pk and current.resolution_note == note and current.outcome == outcome:
                return current, False
            raise AlertTransitionError("This alert is already resolved.")
        _event_append(
            alert=current, event=AlertEventKind.RESOLVED, actor=user, detail={"outcome": outcome} if outcome else None
        )
    return current, True


def alert_outcome_set(*, alert: Alert, user: User, outcome: str) -> tuple[Alert, str]:
    """Set or correct a risk alert's outcome later (psychiatrists; the API checks the role and
    audits who changed it from what to what). Returns the alert and the previous outcome."""
    outcome = _outcome_check(alert, outcome)
    if not outcome:
        raise AlertOutcomeInvalid("An outcome is required.")
    now = timezone.now()
    with transaction.atomic():
        current = Alert.objects.select_for_update().get(pk=alert.pk)
        previous = current.outcome
        if previous != outcome:
            Alert.objects.filter(pk=alert.pk).update(outcome=outcome, outcome_at=now, outcome_by=user, updated_at=now)
    return _reload(alert.pk), previous


def alert_escalate(*, alert_id: UUID, minutes: int) -> bool:
    """Mark an unacknowledged critical alert escalated; an event, pushed again. Once only."""
    now = timezone.now()
    with transaction.atomic():
        changed = Alert.objects.filter(
            pk=alert_id, status=AlertStatus.OPEN, severity=AlertSeverity.CRITICAL, escalated_at__isnull=True
        ).update(escalated_at=now, updated_at=now)
        if not changed:
            return False
        _event_append(alert=_reload(alert_id), event=AlertEventKind.ESCALATED, detail={"after_minutes": minutes})
    return True


def alerts_escalate_due(*, now: datetime | None = None) -> int:
    """Escalate every critical alert left unacknowledged past its team's delay. Safe to run
    twice or concurrently: alert_escalate is guarded by state."""
    now = now or timezone.now()
    candidates = (
        Alert.objects.filter(severity=AlertSeverity.CRITICAL, status=AlertStatus.OPEN, escalated_at__isnull=True)
        .select_related("patient__care_team")
        .only("pk", "severity", "status", "escalated_at", "created_at", "patient__care_team__escalation_minutes")
    )
    count = 0
    for alert in candidates:
        # The patient's current team's delay (its alerts follow a patient who moved).
        minutes = alert.patient.care_team.escalation_minutes
        if rules.escalation_due(
            severity=alert.severity,
            status=alert.status,
            escalated=alert.escalated_at is not None,
            created_at=alert.created_at,
            minutes=minutes,
            now=now,
        ) and alert_escalate(alert_id=alert.pk, minutes=minutes):
            count += 1
    return count


# --- team work --------------------------------------------------------------------------------


def alert_assign(*, alert: Alert, user: User, assignee_id: int | None) -> tuple[Alert, bool]:
    """Claim an alert (assignee = the user), give it to a colleague (a nurse or psychiatrist of
    the patient's current team), or unassign it (None). An `assigned` event is pushed to the
    team. Assigning to whom it already is changes nothing `(alert, False)`; a resolved alert
    cannot be assigned (AlertTransitionError)."""
    assignee = None
    if assignee_id is not None:
        assignee = User.objects.filter(
            pk=assignee_id, is_active=True, role__in=CLINICAL_ROLES, care_teams__id=alert.patient.care_team_id
        ).first()
        if assignee is None:
            raise AlertAssigneeInvalid("The assignee must be a nurse or psychiatrist of the patient's care team.")
    now = timezone.now()
    with transaction.atomic():
        current = Alert.objects.select_for_update().get(pk=alert.pk)
        if current.status == AlertStatus.RESOLVED:
            raise AlertTransitionError("This alert is resolved.")
        if current.assigned_to_id == assignee_id:
            return _reload(alert.pk), False
        previous = current.assigned_to_id
        Alert.objects.filter(pk=alert.pk).update(
            assigned_to=assignee, assigned_at=now if assignee is not None else None, updated_at=now
        )
        reloaded = _reload(alert.pk)
        _event_append(
            alert=reloaded,
            event=AlertEventKind.ASSIGNED,
            actor=user,
            detail={"assignee": user_ref(assignee), "previous": previous},
        )
    return reloaded, True


def alert_note_add(*, alert: Alert, user: User, kind: str, outcome: str = "", text: str = "") -> AlertNote:
    """Add a call attempt (with its outcome: reached, no answer, message left) or a free note
    to an alert's thread; a `noted` event is pushed to the team. Resolved alerts take notes too
    (a follow-up)."""
    text = (text or "").strip()
    outcome = outcome or ""
    if kind not in AlertNoteKind.values:
        raise AlertNoteInvalid("A note is a call attempt or a note.")
    if kind == AlertNoteKind.CALL and outcome not in CallOutcome.values:
        raise AlertNoteInvalid("A call attempt needs its outcome: reached, no answer or message left.")
    if kind == AlertNoteKind.NOTE and (outcome or not text):
        raise AlertNoteInvalid("A note has text and no outcome.")
    if len(text) > AlertNote.TEXT_MAX:
        raise AlertNoteInvalid(f"At most {AlertNote.TEXT_MAX} characters.")
    with transaction.atomic():
        note = AlertNote.objects.create(alert_id=alert.pk, kind=kind, outcome=outcome, text=text, author=user)
        Alert.objects.filter(pk=alert.pk).update(updated_at=timezone.now())
        _event_append(alert=_reload(alert.pk), event=AlertEventKind.NOTED, actor=user, detail={"note": note_data(note)})
    return note


def care_team_risk_alerts_set(*, team: CareTeam, paused: bool) -> bool:
    """Pause or resume a team's risk alerts (safety alerts never pause). True if it changed."""
    changed = CareTeam.objects.filter(pk=team.pk, risk_alerts_paused=not paused).update(
        risk_alerts_paused=paused, updated_at=timezone.now()
    )
    team.risk_alerts_paused = paused
    return bool(changed)
