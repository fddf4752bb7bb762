"""Wrist-actigraphy writes: `activity_epochs` records stored compactly (one `ActivityDay` row
per patient-local-day holding its minutes), and what the platform derives from them (the
daily summary's activity and rhythm columns, and the nightly main sleep period as a `sleep`
record of source "actigraph"). The API's batch endpoint and `manage.py import_actigraphy`
both come through `activity_epochs_store`."""

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

import pandas as pd
from celery import signature
from django.db import transaction
from django.utils import timezone

from patients.models import ConsentScope, Patient
from patients.services import consent_refused

from .. import summaries
from ..bulk import STORED, inserter, store_rows
from ..models import ActivityDay, ActivityEpochRecord, SignalKind, SignalRecord, SleepSource
from ..validation import ActivityEpochsIn
from .daily_summaries import actigraphy_measures, daily_summaries_recompute

EPOCH_COLUMNS = ("id", "patient", "start", "end", "day", "epoch_seconds", "epochs", "digest", "received_at")
EPOCH_CONTENT = ("start", "end", "epoch_seconds", "digest")
DAY_COLUMNS = ("patient", "date", "minutes", "wear_minutes", "updated_at")
# The derived sleep episode of a patient-day has a fixed id: deriving again replaces it.
_DERIVED_SLEEP = uuid.UUID("5b0f3c52-8f1e-4c4e-9a57-6a1c0e2f7d31")

Derive = Literal["task", "now", "none"]
DERIVE_TASK = "monitoring.tasks.derive_activity"


def derived_sleep_id(patient_id: UUID, day: date) -> UUID:
    return uuid.uuid5(_DERIVED_SLEEP, f"{patient_id}/{day.isoformat()}")


def _day_slices(record: ActivityEpochsIn, tz: Any) -> Iterable[tuple[date, int, Sequence[float | None]]]:
    """The record's minutes cut at local midnights: (day, first minute's offset from the day's
    start, minutes). Offsets are elapsed minutes, so a fall-back day's repeated hour has its own
    60 places and a spring-forward day has 1380."""
    position = 0
    moment = record.start
    total = len(record.minutes)
    while position < total:
        day = summaries.local_day(moment, tz)
        begins = summaries.day_start(day, tz)
        offset = int((moment.astimezone(UTC) - begins.astimezone(UTC)).total_seconds() // 60)
        room = summaries.day_length_minutes(day, tz) - offset
        taken = min(room, total - position)
        yield day, offset, record.minutes[position : position + taken]
        position += taken
        moment = record.start + timedelta(minutes=position)


def _merge_days(*, patient: Patient, records: Sequence[ActivityEpochsIn]) -> set[date]:
    """Lay the records' minutes into the patient's day rows (upserted). A recorded minute
    replaces what the day held at that minute (the later record wins); a null leaves it."""
    tz = patient.tz
    slices = [piece for record in records for piece in _day_slices(record, tz)]
    days = {day for day, _offset, _values in slices}
    if not days:
        return set()
    held: dict[date, list[Any]] = dict(
        ActivityDay.objects.filter(patient=patient, date__in=sorted(days)).values_list("date", "minutes")
    )
    for day, offset, values in slices:
        minutes = held.get(day)
        if minutes is None:
            minutes = held[day] = [None] * summaries.day_length_minutes(day, tz)
        end = offset + len(values)
        if minutes[offset:end].count(None) == len(values):  # nothing there yet: the usual case
            minutes[offset:end] = values
            continue
        for i, value in enumerate(values, start=offset):
            if value is not None:
                minutes[i] = value
    now = timezone.now()
    rows = [
        (patient.pk, day, minutes, len(minutes) - minutes.count(None), now)
        for day, minutes in sorted(held.items())
        if day in days
    ]
    inserter(
        ActivityDay, DAY_COLUMNS, upsert_on=["patient", "date"], update=["minutes", "wear_minutes", "updated_at"]
    ).insert(rows)
    return days


def activity_epochs_store(
    *, patient: Patient, records: Sequence[ActivityEpochsIn], derive: Derive = "task"
) -> list[str]:
    """Store validated `activity_epochs` records of one patient (consent scope `activity`);
    statuses as `signals_store`. The days that received minutes get their derived measures
    recomputed: by the `derive_activity` task after commit (`"task"`), at once (`"now"`), or
    later by the caller (`"none"`, for bulk imports that derive once at the end)."""
    received_at = timezone.now()
    with transaction.atomic():
        if consent_refused(patient=patient, scopes=[ConsentScope.ACTIVITY], lock=True):
            return [f"consent:{ConsentScope.ACTIVITY}"] * len(records)
        statuses = store_rows(
            model=ActivityEpochRecord,
            patient=patient,
            records=records,
            columns=EPOCH_COLUMNS,
            content=EPOCH_CONTENT,
            row=lambda r: (
                r.id,
                patient.pk,
                r.start,
                r.end,
                r.day,
                r.epoch_seconds,
                r.epochs,
                r.digest,
                received_at,
            ),
        )
        new = [r for r, s in zip(records, statuses, strict=True) if s == STORED]
        days = _merge_days(patient=patient, records=new)
        if days and derive == "now":
            activity_derive(patient=patient, days=days)
        elif days and derive == "task":
            job = signature(DERIVE_TASK, args=(str(patient.pk), sorted(d.isoformat() for d in days)))
            # robust: with the broker down the counts are stored all the same; the next
            # import, upload or `manage.py import_actigraphy --derive-only` derives them.
            transaction.on_commit(job.delay, robust=True)
    return statuses


def activity_derive(*, patient: Patient, days: Iterable[date]) -> int:
    """Recompute what the patient's activity minutes give for the days whose counts changed
    and the 6 days after each (their 7-day rhythm windows include them): the summary's
    activity and rhythm columns, and the main sleep period ending on each day as an
    "actigraph" sleep record (with the `sleep` consent; a period cut by a gap or the end of
    the recording is not stored). Safe to run twice: the same input gives the same rows.
    Returns the number of days recomputed."""
    changed = set(days)
    if not changed:
        return 0
    lo, hi = min(changed), max(changed) + timedelta(days=summaries.ACTIGRAPHY_DAYS_AFTER)
    with transaction.atomic():
        refused = consent_refused(patient=patient, scopes=[ConsentScope.SLEEP], lock=True)
        targets = set(ActivityDay.objects.filter(patient=patient, date__range=(lo, hi)).values_list("date", flat=True))
        if not targets:
            return 0
        measures = actigraphy_measures(patient=patient, days=targets)
        derived = SignalRecord.objects.filter(
            patient=patient, kind=SignalKind.SLEEP, source=SleepSource.ACTIGRAPH, day__in=sorted(targets)
        )
        derived.delete()
        if not refused:
            SignalRecord.objects.bulk_create(_sleep_records(patient, measures, targets))
        daily_summaries_recompute(patient=patient, days=targets, parts=("signals", "actigraphy"), actigraphy=measures)
    return len(targets)


def _sleep_records(patient: Patient, measures: pd.DataFrame, days: set[date]) -> list[SignalRecord]:
    if measures.empty:
        return []
    now = timezone.now()
    records = []
    for day in sorted(days):
        if day not in measures.index:
            continue
        row = measures.loc[day]
        onset, wake = row["sleep_onset"], row["sleep_wake"]
        if pd.isna(onset) or pd.isna(wake) or bool(row["sleep_truncated"]):
            continue
        start: datetime = onset.to_pydatetime()
        end: datetime = wake.to_pydatetime()
        records.append(
            SignalRecord(
                id=derived_sleep_id(patient.pk, day),
                patient=patient,
                kind=SignalKind.SLEEP,
                source=SleepSource.ACTIGRAPH,
                start=start,
                end=end,
                day=day,
                efficiency=round(float(row["sleep_efficiency"]), 4),
                awakenings=int(row["sleep_awakenings"]),
                received_at=now,
            )
        )
    return records


def activity_days_derive(*, patient_id: str, days: Sequence[str]) -> int:
    """The task's entry: ids and ISO dates in, `activity_derive` on them (0 if the patient is
    gone)."""
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        return 0
    return activity_derive(patient=patient, days={date.fromisoformat(d) for d in days})
