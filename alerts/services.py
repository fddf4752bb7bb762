"""Alert writes. An alert is always written to the database first and pushed second:
every change is an AlertEvent (the log dashboards replay with `resume`), and the push to
the care team's channel-layer group happens on commit. A push that fails is logged and
forgotten; it never fails the request or task that raised the alert, and nothing is lost
because the database is the record."""

import asyncio
import functools
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from patients.errors import DomainError, IdempotencyConflict
from patients.models import CareTeam, Patient, PatientStatus, User

from . import rules
from .models import Alert, AlertEvent, AlertEventKind, AlertKind, AlertSeverity, AlertStatus
from .selectors import ALERT_RELATED
from .serializers import event_message

logger = logging.getLogger(__name__)

# Any constant: the key of the transaction-level advisory lock that orders AlertEvent seqs.
_SEQ_LOCK_KEY = 0x41_4C_45_52_54  # "ALERT"


class AlertTransitionError(DomainError):
    """The alert is not in a state that allows this change (409)."""


class AlertNoteRequired(DomainError):
    """Resolving records what was done: the note is required (400)."""


# --- channel-layer groups and the push -------------------------------------------------------


def team_group(team_id: int) -> str:
    return f"alerts-team-{team_id}"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def _push_timeout() -> float:
    return float(getattr(settings, "ALERTS_PUSH_TIMEOUT_SECONDS", 2.0))


async def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # Bounded: a Redis that hangs must not hold the request that raised the alert.
    await asyncio.wait_for(layer.group_send(group, message), timeout=_push_timeout())


_push_loop: asyncio.AbstractEventLoop | None = None
_push_loop_pid: int | None = None
_push_loop_lock = threading.Lock()


def _redis_layer() -> bool:
    return "channels_redis" in str(settings.CHANNEL_LAYERS.get("default", {}).get("BACKEND", ""))


def _loop_for_pushes() -> asyncio.AbstractEventLoop:
    """One long-lived event loop per process for pushes to a Redis channel layer. Without it,
    a process with no running loop (Celery worker, command) would build a new loop, and so a
    new Redis connection pool, for every push (tens of ms each)."""
    global _push_loop, _push_loop_pid
    with _push_loop_lock:
        if _push_loop is None or _push_loop_pid != os.getpid() or _push_loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="alert-push", daemon=True).start()
            _push_loop, _push_loop_pid = loop, os.getpid()
        return _push_loop


def _inside_server_loop() -> bool:
    """True in a thread that asgiref runs for an event loop (an ASGI request, a consumer's
    database call): async_to_sync then hands the push to that loop, the fastest path."""
    from asgiref.sync import SyncToAsync

    local = SyncToAsync.threadlocal
    return (
        getattr(local, "main_event_loop", None) is not None
        and getattr(local, "main_event_loop_pid", None) == os.getpid()
    )


def _group_send_blocking(group: str, message: dict[str, Any]) -> None:
    if _redis_layer() and not _inside_server_loop():
        # A worker or a command: reuse one loop (and its Redis connections) for every push.
        future = asyncio.run_coroutine_threadsafe(_group_send(group, message), _loop_for_pushes())
        future.result(timeout=_push_timeout() + 1)
    else:
        # The server's own loop (and the in-memory layer, which lives on it).
        async_to_sync(_group_send)(group, message)


def _send(group: str, message: dict[str, Any], *, what: str, ref: object) -> bool:
    """Send to a group; never raises. Logs carry the event seq or user id, no patient data."""
    try:
        _group_send_blocking(group, message)
    except Exception as exc:  # noqa: BLE001 - a failed push is never a failed request
        logger.warning(
            "alert push failed; dashboards will replay it with resume",
            extra={"what": what, "ref": str(ref), "group": group, "error": type(exc).__name__},
        )
        return False
    return True


def alert_event_push(*, team_id: int, message: dict[str, Any]) -> bool:
    return _send(team_group(team_id), {"type": "alert.event", "message": message}, what="alert", ref=message["seq"])


def user_sockets_close(user_id: int) -> bool:
    """Close every dashboard socket of this user (deactivation). Never raises."""
    return _send(user_group(user_id), {"type": "user.close"}, what="close", ref=user_id)


def session_sockets_close(user_id: int, session_key: str) -> bool:
    """Close the dashboard sockets this session of the user opened (she signed out). Never
    raises; a socket the message misses closes at its next session check."""
    from config.websocket_auth import session_ref

    message = {"type": "user.close", "reason": "session", "session": session_ref(session_key)}
    return _send(user_group(user_id), message, what="signout", ref=user_id)


def user_sockets_rescope(user_id: int) -> bool:
    """Make every dashboard socket of this user reconnect (its care teams changed): the
    socket closes with 4000, the dashboard reconnects at once and is scoped anew, so a nurse
    taken off a team stops receiving that team's alerts now, not at her next reconnection.
    Never raises."""
    return _send(user_group(user_id), {"type": "user.close", "reason": "teams"}, what="rescope", ref=user_id)


def care_team_members_changed(*, user_ids: Iterable[int]) -> None:
    """After the commit, rescope the sockets of clinicians added to or removed from a team."""
    for user_id in sorted(set(user_ids)):
        transaction.on_commit(functools.partial(user_sockets_rescope, user_id))


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
    shows (selectors.ALERT_RELATED). The push is registered for after the commit."""
    _seq_order_lock()
    record = AlertEvent.objects.create(
        alert=alert, care_team_id=alert.care_team_id, event=event, actor=actor, detail=detail or {}
    )
    message = event_message(record, alert)
    team_id = alert.care_team_id
    transaction.on_commit(lambda: alert_event_push(team_id=team_id, message=message))
    return record


def _reload(alert_id: UUID) -> Alert:
    return Alert.objects.select_related(*ALERT_RELATED).get(pk=alert_id)


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
    risk_score_id: int | None = None,
) -> tuple[Alert, bool]:
    """Store an alert and its `created` event, push on commit. With a dedupe key the same
    alert is raised once however often a retry or replay calls this: `(alert, False)`.
    Runs inside the caller's transaction when there is one (a savepoint here)."""
    if kind not in AlertKind.values or severity not in AlertSeverity.values:
        raise DomainError("Unknown alert kind or severity.")
    if dedupe_key is not None:
        existing = Alert.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing, False
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
                risk_score_id=risk_score_id,
            )
            _event_append(alert=alert, event=AlertEventKind.CREATED, actor=created_by)
    except IntegrityError:
        if dedupe_key is None:
            raise
        # A concurrent retry stored it first (PostgreSQL waited for its commit).
        return Alert.objects.get(dedupe_key=dedupe_key), False
    return alert, True


def alert_raise_safety(*, patient: Patient, questionnaire_id: UUID, item9: int, completed_at: datetime) -> Alert:
    """PHQ-9 item 9 above 0: a critical alert, raised inside the caller's transaction (the
    questionnaire and its alert commit together). Idempotent: the same questionnaire raises
    one alert however often it is replayed. Safety alerts are never paused."""
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


def alert_resolve(*, alert: Alert, user: User, note: str) -> tuple[Alert, bool]:
    """open or acknowledged → resolved, with who, when and what was done. Resolving an open
    alert acknowledges it too. The same resolution sent again is a no-op."""
    note = (note or "").strip()
    if not note:
        raise AlertNoteRequired("A resolution note is required.")
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
        )
        current = _reload(alert.pk)
        if not changed:
            if current.resolved_by_id == user.pk and current.resolution_note == note:
                return current, False
            raise AlertTransitionError("This alert is already resolved.")
        _event_append(alert=current, event=AlertEventKind.RESOLVED, actor=user)
    return current, True


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
        .select_related("care_team")
        .only("pk", "severity", "status", "escalated_at", "created_at", "care_team__escalation_minutes")
    )
    count = 0
    for alert in candidates:
        minutes = alert.care_team.escalation_minutes
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


# --- the risk rule -----------------------------------------------------------------------------


def risk_alerts_evaluate(*, score_ids: list[int]) -> int:
    """Apply the risk rule to freshly stored RiskScore rows; returns the number of alerts
    raised. Called by nightly scoring after its scores are committed; re-running it on the
    same scores raises nothing more (dedupe key per score, hysteresis per patient)."""
    from ml.models import RiskScore

    scores = list(
        RiskScore.objects.filter(pk__in=list(score_ids), patient__status=PatientStatus.ACTIVE)
        .select_related("patient__care_team")
        .order_by("patient_id", "date", "pk")
    )
    by_patient: dict[UUID, list[Any]] = defaultdict(list)
    for score in scores:
        team = score.patient.care_team
        if team.risk_alerts_paused:
            continue
        threshold = rules.risk_threshold(team_threshold=team.risk_threshold, score_threshold=score.threshold)
        if score.score >= threshold:
            by_patient[score.patient_id].append(score)
    raised = 0
    for patient_id in sorted(by_patient):
        raised += _risk_evaluate_patient(patient_id=patient_id, scores=by_patient[patient_id])
    return raised


def _risk_evaluate_patient(*, patient_id: UUID, scores: list[Any]) -> int:
    raised = 0
    with transaction.atomic():
        # One evaluation per patient at a time (hysteresis is check-then-act otherwise).
        patient = Patient.objects.select_for_update(no_key=True).select_related("care_team").get(pk=patient_id)
        team = patient.care_team
        existing = list(
            Alert.objects.filter(patient_id=patient_id, kind=AlertKind.RISK).values("dedupe_key", "status", "detail")
        )
        keys = {row["dedupe_key"] for row in existing}
        prior = [
            rules.PriorRiskAlert(
                score_date=date.fromisoformat(row["detail"]["score_date"]),
                band=row["detail"].get("band", "high"),
                unresolved=row["status"] != AlertStatus.RESOLVED,
            )
            for row in existing
            if isinstance(row["detail"], dict) and row["detail"].get("score_date")
        ]
        for score in scores:
            key = rules.risk_dedupe_key(score.pk)
            if key in keys:
                continue
            threshold = rules.risk_threshold(team_threshold=team.risk_threshold, score_threshold=score.threshold)
            decision = rules.risk_alert_decision(
                score=score.score,
                band=score.band,
                score_date=score.date,
                threshold=threshold,
                paused=team.risk_alerts_paused,
                prior=prior,
            )
            if not decision.raise_alert:
                continue
            _alert, created = alert_raise(
                patient=patient,
                kind=AlertKind.RISK,
                severity=rules.risk_severity(score.band),
                title=rules.TITLE_RISK_WORSE if decision.worse else rules.TITLE_RISK,
                detail={
                    "score": round(float(score.score), 4),
                    "band": score.band,
                    "threshold": round(float(threshold), 4),
                    "score_date": score.date.isoformat(),
                    "model_version_id": score.model_version_id,
                    "explanation": score.explanation[:5] if isinstance(score.explanation, list) else [],
                    "reason": decision.reason,
                },
                dedupe_key=key,
                risk_score_id=score.pk,
            )
            prior.append(rules.PriorRiskAlert(score_date=score.date, band=score.band, unresolved=True))
            raised += int(created)
    return raised


def care_team_risk_alerts_set(*, team: CareTeam, paused: bool) -> bool:
    """Pause or resume a team's risk alerts (safety alerts never pause). True if it changed."""
    changed = CareTeam.objects.filter(pk=team.pk, risk_alerts_paused=not paused).update(
        risk_alerts_paused=paused, updated_at=timezone.now()
    )
    team.risk_alerts_paused = paused
    return bool(changed)


# --- the adherence rule ------------------------------------------------------------------------


def adherence_alerts_evaluate(*, now: datetime | None = None, patient_ids: Iterable[UUID] | None = None) -> int:
    """One alert per data gap of `adherence_gap_days` (default 3) complete local days with no
    check-in and no passive data. Safe to run as often as wanted: a gap is keyed by its
    first day."""
    now = now or timezone.now()
    has_data = Q(daily_summaries__checkins__gt=0) | Q(daily_summaries__passive_records__gt=0)
    patients = (
        Patient.objects.filter(status=PatientStatus.ACTIVE)
        .select_related("care_team")
        .annotate(last_data_day=Max("daily_summaries__date", filter=has_data))
        .order_by("pk")
    )
    if patient_ids is not None:
        patients = patients.filter(pk__in=list(patient_ids))
    due: list[tuple[Any, date, int, date]] = []
    for candidate in patients.iterator(chunk_size=2000):
        today = now.astimezone(candidate.tz).date()
        gap_days = candidate.care_team.adherence_gap_days or 3
        start = rules.adherence_gap_start(
            last_data_day=candidate.last_data_day,
            enrolled_on=candidate.enrolled_on,
            today=today,
            gap_days=gap_days,
        )
        if start is not None:
            due.append((candidate, start, gap_days, today))
    if not due:
        return 0
    known = set(
        Alert.objects.filter(
            dedupe_key__in=[rules.adherence_dedupe_key(p.pk, start) for p, start, _g, _t in due]
        ).values_list("dedupe_key", flat=True)
    )
    raised = 0
    for patient, start, gap_days, today in due:
        key = rules.adherence_dedupe_key(patient.pk, start)
        if key in known:
            continue
        last = patient.last_data_day
        _alert, created = alert_raise(
            patient=patient,
            kind=AlertKind.ADHERENCE,
            severity=AlertSeverity.MEDIUM,
            title=rules.TITLE_ADHERENCE,
            detail={
                "gap_start": start.isoformat(),
                "days_without_data": (today - start).days,
                "gap_days": gap_days,
                "last_data_day": last.isoformat() if last else None,
            },
            dedupe_key=key,
        )
        raised += int(created)
    return raised


# --- accounts ----------------------------------------------------------------------------------


def clinician_deactivate(*, user: User) -> bool:
    """Deactivate a clinician: no new sign-in, refresh tokens blacklisted, and every open
    dashboard socket of theirs closed (after the commit). True if the account changed."""
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
        outstanding = OutstandingToken.objects.filter(user_id=user.pk).exclude(blacklistedtoken__isnull=False)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
        )
        user_id = user.pk
        transaction.on_commit(lambda: user_sockets_close(user_id))
    user.is_active = False
    return bool(changed)
