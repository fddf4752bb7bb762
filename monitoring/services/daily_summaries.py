"""Daily-summary writes: the patient-days that new rows touched are recomputed from those
days' raw rows by the one rule set (`monitoring.summaries`) and upserted."""

from collections.abc import Iterable, Sequence
from datetime import UTC, date
from typing import Any

from django.db import connection
from django.db.models import Avg, Count, Max, Sum
from django.utils import timezone

from patients.models import Patient

from .. import summaries
from ..bulk import inserter
from ..models import CheckIn, DailySummary, QuestionnaireResponse, SignalKind, SignalRecord


def _day_filter(days: set[date]) -> dict[str, Any]:
    lo, hi = min(days), max(days)
    if (hi - lo).days + 1 <= 2 * len(days):
        return {"day__range": (lo, hi)}
    return {"day__in": sorted(days)}


# In summaries.KIND_ROW's order (names end in "_" where a model field has the plain name).
_KIND_AGGREGATES = {
    "n": Count("pk"),
    "steps": Sum("count"),
    "time_at_home_min_": Sum("time_at_home_min"),
    "distance_km_": Sum("distance_km"),
    "places_visited_": Max("places_visited"),
    "speech_rate_wpm_": Avg("speech_rate_wpm"),
    "pause_ratio_": Avg("pause_ratio"),
    "pitch_mean_hz_": Avg("pitch_mean_hz"),
    "pitch_sd_hz_": Avg("pitch_sd_hz"),
    "energy_db_": Avg("energy_db"),
    "screen_minutes_": Sum("screen_minutes"),
    "unlocks_": Sum("unlocks"),
}
_SUMMARY_COLUMNS = [name for part in summaries.PARTS.values() for name in part]
_SUMMARY_DEFAULTS = {"checkins": 0, "passive_records": 0}


def daily_summaries_recompute(
    *, patient: Patient, days: Iterable[date], parts: Sequence[str] = ("checkins", "questionnaires", "signals")
) -> int:
    """Recompute the named parts of the patient's summary rows for these local days from
    those days' raw rows only, and upsert them (one query per part plus one write)."""
    wanted = set(days)
    if not wanted:
        return 0
    where = _day_filter(wanted)
    values: dict[date, dict[str, Any]] = {day: {} for day in wanted}
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
            *[summaries.stored(fields.get(name, _SUMMARY_DEFAULTS.get(name))) for name in _SUMMARY_COLUMNS],
            now,
        )
        for day, fields in sorted(values.items())
    ]
    inserter(
        DailySummary,
        ["patient", "date", *_SUMMARY_COLUMNS, "updated_at"],
        upsert_on=["patient", "date"],
        update=[*recomputed, "updated_at"],
    ).insert(rows)
    return len(values)


def _checkin_summaries_upsert(*, patient: Patient, days: set[date]) -> None:
    """The self-report columns of these days, aggregated and upserted by the database in one
    statement (the hot path of every check-in): count, 3-decimal means of the scales (NULLs
    ignored), and medication taken if any check-in says so (false if some say not, NULL if
    none answered). A day without check-ins is left as it is."""
    qn = connection.ops.quote_name
    summary, checkin = qn(DailySummary._meta.db_table), qn(CheckIn._meta.db_table)
    scales = ("mood", "anxiety", "energy", "irritability", "sleep_quality")
    means = ", ".join(f"ROUND(AVG({qn(name)}), 3)" for name in scales)
    taken = f"MAX(CASE WHEN {qn('medication_taken')} THEN 1 WHEN NOT {qn('medication_taken')} THEN 0 END)"
    columns = ["patient_id", "date", "checkins", *scales, "medication_taken", "passive_records", "updated_at"]
    updated = ["checkins", *scales, "medication_taken", "updated_at"]
    placeholders = ", ".join(["%s"] * len(days))
    sql = (
        f"INSERT INTO {summary} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608  # nosec B608
        f"SELECT {qn('patient_id')}, {qn('day')}, COUNT(*), {means}, "
        f"CASE {taken} WHEN 1 THEN TRUE WHEN 0 THEN FALSE END, 0, %s "
        f"FROM {checkin} WHERE {qn('patient_id')} = %s AND {qn('day')} IN ({placeholders}) "
        f"GROUP BY {qn('patient_id')}, {qn('day')} "
        f"ON CONFLICT ({qn('patient_id')}, {qn('date')}) DO UPDATE SET "
        + ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in updated)
    )
    now = timezone.now()
    sqlite = connection.vendor == "sqlite"
    params: list[Any] = [
        now.astimezone(UTC).replace(tzinfo=None).isoformat(" ") if sqlite else now,
        patient.pk.hex if sqlite else patient.pk,
        *[day.isoformat() for day in sorted(days)],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def daily_summaries_rebuild(*, patient: Patient) -> int:
    """Every summary row of the patient from all raw rows (repairs, imports)."""
    days: set[date] = set()
    for model in (CheckIn, QuestionnaireResponse, SignalRecord):
        days.update(model._default_manager.filter(patient=patient).values_list("day", flat=True).distinct())
    return daily_summaries_recompute(patient=patient, days=days)
