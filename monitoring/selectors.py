"""Ingestion reads: the day-by-day timeline (API, charts, CSV/FHIR exports) and the patient's
complete data for GDPR portability. Constant query counts whatever the range."""

from datetime import date, datetime, time, timedelta
from typing import Any

from ml.summaries import SUMMARY_COLUMNS
from patients.models import AuditEvent, ClinicalEvent, ConsentRecord, Patient

from .models import CheckIn, DailySummary, QuestionnaireResponse, SignalRecord, SpeechRecording
from .validation import SIGNAL_VALUE_FIELDS

MAX_TIMELINE_DAYS = 1100
MAX_EXPORT_DAYS = 20 * 366

# The timeline day of API.md, in its order. The first group comes from DailySummary: the
# columns the model reads (one list, kept in the pure ml module), less the bookkeeping count.
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


def timeline_for_patient(*, patient: Patient, start: date, end: date) -> list[dict[str, Any]]:
    """One dict per local day from start to end inclusive, in API.md's day shape; missing
    measurements are None. Four queries whatever the range."""
    from alerts.models import Alert
    from ml.models import RiskScore

    rows = {
        row[0]: _presented(row[1:])
        for row in DailySummary.objects.filter(patient=patient, date__range=(start, end)).values_list(
            "date", *SUMMARY_FIELDS
        )
    }
    # The active model version's score for the day, else the newest score of that day: in
    # this order the right one comes last for each day.
    scores: dict[date, tuple] = {}
    for day, value, band in (
        RiskScore.objects.filter(patient=patient, date__range=(start, end))
        .order_by("date", "model_version__is_active", "created_at", "pk")
        .values_list("date", "score", "band")
    ):
        scores[day] = (value, band)
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


def _iso(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def _rows(queryset: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {name: _iso(value) for name, value in zip(fields, row, strict=True)} for row in queryset.values_list(*fields)
    ]


def patient_data_export(*, patient: Patient) -> dict[str, Any]:
    """Everything stored about the patient, for GDPR portability (art. 20): profile,
    consents, check-ins with notes, questionnaires, raw signals, voice-diary status, daily
    summaries, risk scores with their explanations, alerts and clinical events."""
    from alerts.models import Alert
    from ml.models import RiskScore

    profile = {
        "id": str(patient.pk),
        "code": patient.code,
        "username": patient.user.get_username() if patient.user else None,
        "care_team": patient.care_team.name,
        "timezone": patient.timezone,
        "birth_year": patient.birth_year,
        "sex": patient.sex,
        "diagnosis": patient.diagnosis,
        "status": patient.status,
        "enrolled_on": patient.enrolled_on.isoformat(),
    }
    signal_fields = ("id", "kind", "start", "end", "day", *SIGNAL_VALUE_FIELDS, "received_at")
    signals = [
        {k: v for k, v in row.items() if v is not None}
        for row in _rows(SignalRecord.objects.filter(patient=patient).order_by("start", "pk"), signal_fields)
    ]
    for row in signals:
        row["id"] = str(row["id"])
    data: dict[str, Any] = {
        "format": "relapse-monitoring patient export v1",
        "profile": profile,
        "consents": _rows(
            ConsentRecord.objects.filter(patient=patient).order_by("granted_at", "scope"),
            ("scope", "version", "granted_at", "withdrawn_at"),
        ),
        "checkins": _rows(
            CheckIn.objects.filter(patient=patient).order_by("recorded_at", "pk"),
            (
                "id",
                "recorded_at",
                "day",
                "mood",
                "anxiety",
                "energy",
                "irritability",
                "sleep_quality",
                "medication_taken",
                "note",
                "received_at",
            ),
        ),
        "questionnaires": _rows(
            QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_at", "pk"),
            ("id", "instrument", "answers", "total", "severity", "flags", "completed_at", "day", "received_at"),
        ),
        "signals": signals,
        "speech_recordings": _rows(
            SpeechRecording.objects.filter(patient=patient).order_by("recorded_at", "pk"),
            ("id", "recorded_at", "duration_s", "status", "error", "received_at", "processed_at"),
        ),
        "daily_summaries": _rows(
            DailySummary.objects.filter(patient=patient).order_by("date"),
            (
                "date",
                *SUMMARY_FIELDS,
                "sleep_awakenings",
                "places_visited",
                "pitch_mean_hz",
                "energy_db",
                "passive_records",
            ),
        ),
        "risk_scores": _rows(
            RiskScore.objects.filter(patient=patient).order_by("date", "created_at"),
            ("date", "score", "band", "threshold", "model_version__version", "explanation", "created_at"),
        ),
        "alerts": _rows(
            Alert.objects.filter(patient=patient).order_by("created_at"),
            (
                "id",
                "kind",
                "severity",
                "status",
                "title",
                "created_at",
                "acknowledged_at",
                "resolved_at",
                "resolution_note",
            ),
        ),
        "clinical_events": _rows(
            ClinicalEvent.objects.filter(patient=patient).order_by("date", "kind"),
            ("kind", "date", "note", "created_at"),
        ),
    }
    for section in ("checkins", "questionnaires", "speech_recordings", "alerts"):
        for row in data[section]:
            row["id"] = str(row["id"])
    data["schedule"] = _schedule_rows(patient)
    data["push_subscriptions"] = _push_rows(patient)
    # Who accessed the record (GDPR art. 15); the enrolment codes are secrets (hashes), not data.
    data["access_log"] = _rows(
        AuditEvent.objects.filter(patient_id=patient.pk).exclude(actor_id__isnull=True).order_by("at", "id"),
        ("at", "actor_username", "actor_role", "action", "resource"),
    )
    return data


def _push_rows(patient: Patient) -> dict[str, Any]:
    """The devices subscribed to reminders (their push service addresses) and the days a
    reminder was sent."""
    from mobile.models import PushSubscription, ReminderSent

    return {
        "devices": _rows(
            PushSubscription.objects.filter(patient=patient).order_by("created_at", "pk"),
            ("endpoint", "language", "created_at", "last_sent_at"),
        ),
        "reminders_sent": _rows(
            ReminderSent.objects.filter(patient=patient).order_by("day"), ("day", "sent_at", "devices")
        ),
    }


def _schedule_rows(patient: Patient) -> dict[str, Any] | None:
    from mobile.models import PatientSchedule

    schedule = PatientSchedule.objects.filter(patient=patient).prefetch_related("questionnaires").first()
    if schedule is None:
        return None
    return {
        "checkin_time": schedule.checkin_time.strftime("%H:%M"),
        "questionnaires": [
            {"instrument": q.instrument, "every_days": q.every_days} for q in schedule.questionnaires.all()
        ],
        "updated_at": schedule.updated_at.isoformat(),
    }
