"""The day-by-day timeline of a patient (API, charts, CSV/FHIR exports): one entry per local
day with the daily summary, the day's score (`records.scores`), alerts and clinical events.
Constant query counts whatever the range."""

from datetime import date, datetime, time, timedelta
from typing import Any

from alerts.models import Alert
from monitoring.models import DailySummary, QuestionnaireResponse, SignalKind, SignalRecord
from monitoring.summaries import SUMMARY_COLUMNS
from patients.models import ClinicalEvent, Patient

from .scores import day_scores

MAX_TIMELINE_DAYS = 1100
MAX_EXPORT_DAYS = 20 * 366

# The timeline day of API.md, in its order. The first group comes from DailySummary: the
# columns the model reads (monitoring.summaries.SUMMARY_COLUMNS), less the bookkeeping count.
SUMMARY_FIELDS = tuple(column for column in SUMMARY_COLUMNS if column != "passive_records")
DAY_FIELDS = ("date", *SUMMARY_FIELDS, "risk_score", "risk_band", "alerts", "events")
_TIMES = {"sleep_onset", "sleep_wake"}


_TIME_INDEXES = [i for i, name in enumerate(SUMMARY_FIELDS) if name in ("sleep_onset", "sleep_wake")]


def _presented(row: tuple) -> list[Any]:
    """Summary values as the API shows them (local HH:MM times); floats are stored rounded."""
    values = list(row)
    for i in _TIME_INDEXES:
        if values[i] is not None:
            values[i] = values[i].strftime("%H:%M")
    return values


def _local_bounds(patient: Patient, start: date, end: date) -> tuple[datetime, datetime]:
    tz = patient.tz
    return datetime.combine(start, time(0), tzinfo=tz), datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)


# A nap: a sleep episode shorter than this that starts in the daytime (local hours below).
NAP_MAX_HOURS = 3.0
NAP_DAYTIME = (9, 20)


def _sleep_episodes(patient: Patient, start: date, end: date) -> dict[date, list[dict[str, Any]]]:
    """Each day's sleep episodes (the day an episode ends, as DailySummary counts them), in
    local time, oldest first: {start, end} as local "YYYY-MM-DDTHH:MM" and `nap` (a daytime
    episode of under three hours). One query."""
    tz = patient.tz
    found: dict[date, list[dict[str, Any]]] = {}
    for day, began, ended in (
        SignalRecord.objects.filter(patient=patient, kind=SignalKind.SLEEP, day__range=(start, end))
        .order_by("start", "pk")
        .values_list("day", "start", "end")
    ):
        local_start, local_end = began.astimezone(tz), ended.astimezone(tz)
        hours = (ended - began).total_seconds() / 3600
        nap = hours < NAP_MAX_HOURS and NAP_DAYTIME[0] <= local_start.hour < NAP_DAYTIME[1]
        found.setdefault(day, []).append(
            {
                "start": local_start.strftime("%Y-%m-%dT%H:%M"),
                "end": local_end.strftime("%Y-%m-%dT%H:%M"),
                "hours": round(hours, 2),
                "nap": nap,
            }
        )
    return found


def timeline_for_patient(
    *, patient: Patient, start: date, end: date, sleep_episodes: bool = False
) -> list[dict[str, Any]]:
    """One dict per local day from start to end inclusive, in API.md's day shape; missing
    measurements are None. Four queries whatever the range; with `sleep_episodes` (the
    timeline API, not the exports) a fifth adds each day's `sleep_episodes`."""
    rows = {
        row[0]: _presented(row[1:])
        for row in DailySummary.objects.filter(patient=patient, date__range=(start, end)).values_list(
            "date", *SUMMARY_FIELDS
        )
    }
    scores = {
        day: (value, band)
        for day, value, band in day_scores()
        .filter(patient=patient, date__range=(start, end))
        .values_list("date", "score", "band")
    }
    tz = patient.tz
    lo, hi = _local_bounds(patient, start, end)
    alerts: dict[date, list[str]] = {}
    for pk, created_at in (
        Alert.objects.filter(patient=patient, created_at__gte=lo, created_at__lt=hi)
        .order_by("created_at", "pk")
        .values_list("pk", "created_at")
    ):
        alerts.setdefault(created_at.astimezone(tz).date(), []).append(str(pk))
    events: dict[date, list[str]] = {}
    for day, kind in (
        ClinicalEvent.objects.filter(patient=patient, date__range=(start, end))
        .order_by("date", "kind")
        .values_list("date", "kind")
    ):
        events.setdefault(day, []).append(kind)

    episodes = _sleep_episodes(patient, start, end) if sleep_episodes else {}

    empty = [0] + [None] * (len(SUMMARY_FIELDS) - 1)
    days = []
    day = start
    one_day = timedelta(days=1)
    while day <= end:
        entry: dict[str, Any] = {"date": day.isoformat()}
        entry.update(zip(SUMMARY_FIELDS, rows.get(day, empty), strict=True))
        value, band = scores.get(day, (None, None))
        entry["risk_score"] = value
        entry["risk_band"] = band
        entry["alerts"] = alerts.get(day, [])
        entry["events"] = events.get(day, [])
        if sleep_episodes:
            entry["sleep_episodes"] = episodes.get(day, [])
        days.append(entry)
        day += one_day
    return days


def data_range_for_patient(*, patient: Patient, today: date) -> tuple[date, date]:
    """From the enrolment day (or the first summary, if earlier) to today."""
    first = DailySummary.objects.filter(patient=patient).order_by("date").values_list("date", flat=True).first()
    start = min(d for d in (patient.enrolled_on, first) if d is not None)
    return start, max(today, start)


def questionnaires_for_patient(*, patient: Patient) -> list[dict[str, Any]]:
    rows = (
        QuestionnaireResponse.objects.filter(patient=patient)
        .order_by("completed_at", "pk")
        .values("id", "instrument", "answers", "total", "severity", "flags", "completed_at", "day")
    )
    return [dict(row) for row in rows]
