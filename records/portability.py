"""Everything stored about a patient, for GDPR portability (art. 20) and access (art. 15):
one JSON document gathered from every app's tables."""

from datetime import date, datetime, time
from typing import Any

from axes.models import AccessFailureLog, AccessLog

from alerts.models import Alert, AlertNote
from alerts.selectors import alerts_shaped
from alerts.serializers import event_followed
from ml.models import RiskScore
from mobile.models import PatientSchedule, PushSubscription, ReminderSent
from mobile.selectors import app_preference_export
from monitoring.models import (
    ActivityDay,
    ActivityEpochRecord,
    CheckIn,
    DailySummary,
    QuestionnaireResponse,
    SignalRecord,
    SpeechRecording,
)
from monitoring.validation import CHECKIN_VALUE_FIELDS, SIGNAL_VALUE_FIELDS
from patients.models import AuditEvent, ClinicalEvent, ConsentRecord, CrisisPlan, EmergencyAccess, Patient

from .timeline import SUMMARY_FIELDS


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
    profile = {
        "id": str(patient.pk),
        "code": patient.code,
        "username": patient.user.get_username() if patient.user else None,
        "care_team": patient.care_team.name,
        "timezone": patient.timezone,
        "birth_year": patient.birth_year,
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
        "ins": patient.ins,
        "sex": patient.sex,
        "diagnosis": patient.diagnosis,
        "status": patient.status,
        "enrolled_on": patient.enrolled_on.isoformat(),
        "phone": patient.phone,
        "key_worker": patient.key_worker.get_username() if patient.key_worker else None,
    }
    signal_fields = ("id", "kind", "source", "start", "end", "day", *SIGNAL_VALUE_FIELDS, "received_at")
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
            ("id", "recorded_at", "day", *CHECKIN_VALUE_FIELDS, "note", "for_next_appointment", "received_at"),
        ),
        "questionnaires": _rows(
            QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_at", "pk"),
            ("id", "instrument", "answers", "total", "severity", "flags", "completed_at", "day", "received_at"),
        ),
        "signals": signals,
        # Wrist actigraphy: the records as received (their counts are in the day rows) and
        # each local day's minutes from midnight (null: not recorded).
        "activity_epoch_records": [
            {**row, "id": str(row["id"])}
            for row in _rows(
                ActivityEpochRecord.objects.filter(patient=patient).order_by("start", "pk"),
                ("id", "start", "end", "day", "epoch_seconds", "epochs", "digest", "received_at"),
            )
        ],
        "activity_days": _rows(
            ActivityDay.objects.filter(patient=patient).order_by("date"), ("date", "minutes", "wear_minutes")
        ),
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
                "sleep_source",
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
                "recorded_at",
                "received_at",
                "outcome",
                "outcome_at",
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
    # The team's work on each alert: call attempts and notes.
    notes: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(
        AlertNote.objects.filter(alert__patient=patient).order_by("created_at", "pk"),
        ("alert_id", "kind", "outcome", "text", "created_at"),
    ):
        notes.setdefault(str(row.pop("alert_id")), []).append(row)
    # Risk alerts: whether a relapse or hospitalisation followed within the horizon (computed).
    followed = {str(a.pk): event_followed(a) for a in alerts_shaped(Alert.objects.filter(patient=patient))}
    for row in data["alerts"]:
        row["notes"] = notes.get(row["id"], [])
        row["event_followed"] = followed.get(row["id"])
    plan = _rows(
        CrisisPlan.objects.filter(patient=patient),
        ("warning_signs", "who_to_call", "what_helped", "updated_at"),
    )
    data["crisis_plan"] = plan[0] if plan else None
    data["schedule"] = _schedule_rows(patient)
    data["push_subscriptions"] = _push_rows(patient)
    data["sign_in_records"] = _sign_in_rows(patient)
    data["app_preference"] = app_preference_export(patient=patient)
    # Emergency ("break-the-glass") accesses to the record: who, from where, why, the verdict.
    data["emergency_accesses"] = [
        {
            "clinician": access.clinician.get_username(),
            "establishment": access.establishment.name if access.establishment else None,
            "reason": access.reason,
            "reason_text": access.reason_text,
            "started_at": access.started_at.isoformat(),
            "expires_at": access.expires_at.isoformat(),
            "ended_at": access.ended_at.isoformat() if access.ended_at else None,
            "end_kind": access.end_kind or None,
            "verdict": access.verdict or None,
        }
        for access in EmergencyAccess.objects.filter(patient=patient)
        .select_related("clinician", "establishment")
        .order_by("started_at", "pk")
    ]
    # Who accessed the record (GDPR art. 15); the enrolment codes are secrets (hashes), not data.
    data["access_log"] = _rows(
        AuditEvent.objects.filter(patient_id=patient.pk).exclude(actor_id__isnull=True).order_by("at", "id"),
        ("at", "actor_username", "actor_role", "action", "resource"),
    )
    return data


def _push_rows(patient: Patient) -> dict[str, Any]:
    """The devices subscribed to reminders (their push service addresses) and the days a
    reminder was sent."""
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


def _sign_in_rows(patient: Patient) -> dict[str, Any]:
    """django-axes' records of the patient's username: sign-ins (with sign-out) and failed
    attempts, each with its IP address and user agent (erasure deletes them)."""
    username = patient.user.get_username() if patient.user else None
    if username is None:
        return {"sign_ins": [], "failed_attempts": []}
    return {
        "sign_ins": _rows(
            AccessLog.objects.filter(username=username).order_by("attempt_time", "pk"),
            ("attempt_time", "logout_time", "ip_address", "user_agent"),
        ),
        "failed_attempts": _rows(
            AccessFailureLog.objects.filter(username=username).order_by("attempt_time", "pk"),
            ("attempt_time", "ip_address", "user_agent", "locked_out"),
        ),
    }
