"""Daily-summary writes: the patient-days that new rows touched are recomputed from those
days' raw rows by the one rule set (`monitoring.summaries`) and upserted."""

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, timedelta
from typing import Any

import pandas as pd
from django.db import connection
from django.db.models import Aggregate, Avg, Count, Max, Sum
from django.utils import timezone

from patients.models import Patient

from .. import summaries
from ..bulk import inserter
from ..models import ActivityDay, CheckIn, DailySummary, QuestionnaireResponse, SignalKind, SignalRecord


def _day_filter(days: set[date]) -> dict[str, Any]:
    lo, hi = min(days), max(days)
    if (hi - lo).days + 1 <= 2 * len(days):
        return {"day__range": (lo, hi)}
    return {"day__in": sorted(days)}


# The database's forms of summaries.REDUCERS: ORM aggregates for the per-(day, kind) query, SQL
# for the check-in upsert. Both are built from summaries' aggregate table, never written out.
_ORM_AGGREGATES: dict[str, Callable[[str], Aggregate]] = {"count": Count, "sum": Sum, "max": Max, "mean": Avg}
_CHECKIN_SQL: dict[str, Callable[[str], str]] = {
    "count": lambda column: f"COUNT({column})",
    # Rounded here, the rows going straight from this SELECT into the table (summaries.stored).
    "mean": lambda column: f"ROUND(AVG({column}), 3)",
    "any": lambda column: (
        f"CASE MAX(CASE WHEN {column} THEN 1 WHEN NOT {column} THEN 0 END) WHEN 1 THEN TRUE WHEN 0 THEN FALSE END"
    ),
}
# In summaries.KIND_ROW's order after day and kind (annotation names may not be field names).
_KIND_AGGREGATES: dict[str, Aggregate] = {
    "agg_n": Count("pk"),
    **{
        f"agg_{a.column}": _ORM_AGGREGATES[a.function](a.source)  # type: ignore[arg-type]  # why: the stubs type a source as a Combinable or str union
        for aggregates in summaries.SIGNAL_AGGREGATES.values()
        for a in aggregates
    },
}


def actigraphy_measures(*, patient: Patient, days: Iterable[date]) -> pd.DataFrame:
    """`summaries.actigraphy_days` for these local days, from the stored minutes of the days
    their measures read (the 7 days before each: the night before and the rhythm's window)."""
    wanted = set(days)
    if not wanted:
        return pd.DataFrame()
    lo = min(wanted) - timedelta(days=summaries.ACTIGRAPHY_DAYS_BEFORE)
    rows = (
        ActivityDay.objects.filter(patient=patient, date__range=(lo, max(wanted)))
        .order_by("date")
        .values_list("date", "minutes")
    )
    tz = patient.tz
    return summaries.actigraphy_days(summaries.minute_counts(rows, tz), tz)


def daily_summaries_recompute(
    *,
    patient: Patient,
    days: Iterable[date],
    parts: Sequence[str] = ("checkins", "questionnaires", "signals", "actigraphy"),
    actigraphy: pd.DataFrame | None = None,
) -> int:
    """Recompute the named parts of the patient's summary rows for these local days from
    those days' raw rows only (the actigraphy part: from the minutes of its 7-day window, or
    `actigraphy` when the caller has computed `actigraphy_measures` already), and upsert them
    (one query per part plus one write)."""
    wanted = set(days)
    if not wanted:
        return 0
    where = _day_filter(wanted)
    values: dict[date, dict[str, Any]] = {day: {} for day in wanted}
    if "actigraphy" in parts:
        measures = actigraphy if actigraphy is not None else actigraphy_measures(patient=patient, days=wanted)
        for day in wanted:
            values[day].update(summaries.actigraphy_part(measures, day))
    if "questionnaires" in parts:
        answers = QuestionnaireResponse.objects.filter(patient=patient, **where).values_list(
            *summaries.QUESTIONNAIRE_ROW
        )
        for day, day_rows in summaries.group_by_day(answers, wanted).items():
            values[day].update(summaries.questionnaire_part(day_rows))
    if "signals" in parts:
        signals = SignalRecord.objects.filter(patient=patient, **where)
        sleep = summaries.group_by_day(signals.filter(kind=SignalKind.SLEEP).values_list(*summaries.SLEEP_ROW), wanted)
        kinds = summaries.group_by_day(
            signals.order_by()
            .values("day", "kind")
            .annotate(**_KIND_AGGREGATES)
            .values_list("day", "kind", *_KIND_AGGREGATES),
            wanted,
        )
        tz = patient.tz
        for day in wanted:
            values[day].update(summaries.signal_part(sleep[day], kinds[day], tz))
    if "checkins" in parts:
        _checkin_summaries_upsert(patient=patient, days=wanted)
        parts = [part for part in parts if part != "checkins"]
        if not parts:
            return len(wanted)
    # Every column goes into a new row (the parts not recomputed take their defaults: a new
    # row means no data of theirs that day); an existing row gets the recomputed parts only.
    recomputed = [name for part in parts for name in summaries.PARTS[part]]
    now = timezone.now()
    rows = [
        (
            patient.pk,
            day,
            *[summaries.stored(fields.get(name, summaries.DEFAULTS.get(name))) for name in summaries.ALL_COLUMNS],
            now,
        )
        for day, fields in sorted(values.items())
    ]
    inserter(
        DailySummary,
        ["patient", "date", *summaries.ALL_COLUMNS, "updated_at"],
        upsert_on=["patient", "date"],
        update=[*recomputed, "updated_at"],
    ).insert(rows)
    return len(values)


def _checkin_summaries_upsert(*, patient: Patient, days: set[date]) -> None:
    """The self-report columns of these days, aggregated (summaries.CHECKIN_AGGREGATES) and
    upserted by the database in one statement: the hot path of every check-in. A day without
    check-ins is left as it is."""
    sql = _checkin_summaries_sql(connection.vendor, len(days))
    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    params: list[Any] = [
        now.astimezone(UTC).replace(tzinfo=None).isoformat(" ") if sqlite else now,
        patient.pk.hex if sqlite else patient.pk,
        *[day.isoformat() for day in sorted(days)],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@functools.lru_cache(maxsize=32)
def _checkin_summaries_sql(vendor: str, day_count: int) -> str:
    """The statement of `_checkin_summaries_upsert` for this database and number of days, built
    once per process (quoting its 40-odd names on every check-in cost more than sending it)."""
    qn = connection.ops.quote_name
    summary, checkin = qn(DailySummary._meta.db_table), qn(CheckIn._meta.db_table)
    aggregates = summaries.CHECKIN_AGGREGATES
    selected = ", ".join(_CHECKIN_SQL[a.function](qn(a.source) if a.source else "*") for a in aggregates)
    updated = [*(a.column for a in aggregates), "updated_at"]
    columns = ["patient_id", "date", *(a.column for a in aggregates), "passive_records", "updated_at"]
    placeholders = ", ".join(["%s"] * day_count)
    return (
        f"INSERT INTO {summary} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608  # nosec B608
        f"SELECT {qn('patient_id')}, {qn('day')}, {selected}, 0, %s "
        f"FROM {checkin} WHERE {qn('patient_id')} = %s AND {qn('day')} IN ({placeholders}) "
        f"GROUP BY {qn('patient_id')}, {qn('day')} "
        f"ON CONFLICT ({qn('patient_id')}, {qn('date')}) DO UPDATE SET "
        + ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in updated)
    )


def daily_summaries_rebuild(*, patient: Patient) -> int:
    """Every summary row of the patient from all raw rows (repairs, imports)."""
    days: set[date] = set()
    for model in (CheckIn, QuestionnaireResponse, SignalRecord):
        days.update(model._default_manager.filter(patient=patient).values_list("day", flat=True).distinct())
    days.update(ActivityDay.objects.filter(patient=patient).values_list("date", flat=True))
    return daily_summaries_recompute(patient=patient, days=days)
