"""The adherence decision: monitoring knows when a patient's data stops arriving, and raises
the alert through `alerts` (the rule itself, pure, is `alerts.rules.adherence_gap_start`)."""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db.models import Max, Q
from django.utils import timezone

from alerts import rules
from alerts.models import Alert, AlertKind, AlertSeverity
from alerts.services import alert_raise
from patients.models import Patient, PatientStatus


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
