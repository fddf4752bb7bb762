"""Emergency ("break-the-glass") access, the read side: opening one (the kernel's grant, then
the live alert to the patient's own team, in one transaction) and what the emergency view
shows. The rules of who, how long and the audit entries are in patients.emergency.

The view is read-only and covers the last EMERGENCY_DAYS days: identity, care team and key
worker with the team's phone numbers, the crisis plan, the current risk and what raised it,
the open alerts, and the pre-consultation summary's facts for the period (questionnaires,
medication adherence, clinical events), built by the same code as the summary page."""

from datetime import date, datetime, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from alerts.factors import raising, relabelled, risk_display
from alerts.models import AlertStatus
from alerts.rules import risk_threshold
from alerts.selectors import alerts_shaped
from alerts.serializers import alert_data, alert_for_reader
from alerts.services import alert_raise_emergency_access
from patients.emergency import GrantResult, emergency_access_grant
from patients.formatting import format_date, format_datetime
from patients.identifiers import ins_display
from patients.models import CrisisPlan, EmergencyAccess, Patient, User
from patients.phones import phone_national

from .cards import crisis_plan_data, diagnosis_label
from .presentation import SEX_LABELS
from .scores import scores_for_patient
from .summary_text import patient_summary

EMERGENCY_DAYS = 30
# The summary sections the emergency view shows (the rest of the page covers the others).
SUMMARY_SECTIONS = ("signals", "questionnaires", "adherence", "risk", "events")


def emergency_access_open(
    *,
    clinician: User,
    ins: str,
    birth_date: date,
    reason: str,
    reason_text: str,
    request: HttpRequest | None = None,
) -> GrantResult:
    """Open an emergency access and, for a new one, raise the owning team's live alert (pushed
    on commit). Errors as patients.emergency.emergency_access_grant."""
    return emergency_access_grant(
        clinician=clinician,
        ins=ins,
        birth_date=birth_date,
        reason=reason,
        reason_text=reason_text,
        request=request,
        on_created=lambda access: alert_raise_emergency_access(access=access),
    )


def emergency_period(*, patient: Patient, now: datetime) -> tuple[date, date]:
    """The days the emergency view covers: the last EMERGENCY_DAYS of the patient's calendar."""
    today = timezone.localdate(now, timezone=patient.tz)
    return today - timedelta(days=EMERGENCY_DAYS - 1), today


def access_data(access: EmergencyAccess, *, now: datetime, reader_zone: str = "Europe/Paris") -> dict[str, Any]:
    """An access as its clinician, the review and the API list it (times shown in `reader_zone`)."""
    remaining = max(0, int((access.expires_at - now).total_seconds())) if access.ended_at is None else 0
    return {
        "id": str(access.pk),
        "patient": str(access.patient_id),
        "patient_code": access.patient.code,
        "clinician": {
            "id": access.clinician_id,
            "username": access.clinician.get_username(),
            "name": access.clinician.get_full_name() or access.clinician.get_username(),
        },
        "establishment": access.establishment.name if access.establishment else None,
        "reason": access.reason,
        "reason_display": access.get_reason_display(),
        "reason_text": access.reason_text,
        "started_at": access.started_at.isoformat(),
        "expires_at": access.expires_at.isoformat(),
        # In the reader's zone: the emergency clinician's is not the patient's team's.
        "started_at_display": format_datetime(access.started_at, reader_zone),
        "expires_at_display": format_datetime(access.expires_at, reader_zone),
        "ended_at": access.ended_at.isoformat() if access.ended_at else None,
        "end_kind": access.end_kind or None,
        "active": access.active_at(now),
        "seconds_left": remaining,
        "verdict": access.verdict or None,
        "verdict_by": access.verdict_by.get_username() if access.verdict_by_id and access.verdict_by else None,
        "verdict_at": access.verdict_at.isoformat() if access.verdict_at else None,
        "verdict_note": access.verdict_note,
    }


def _current_risk(patient: Patient, *, start: date, end: date) -> dict[str, Any] | None:
    scores = scores_for_patient(patient_id=patient.pk, start=start, end=end)
    if not scores:
        return None
    latest = scores[-1]
    threshold = risk_threshold(team_threshold=patient.care_team.risk_threshold, score_threshold=latest.threshold)
    factors = relabelled(latest.explanation)
    return {
        "date": latest.date.isoformat(),
        "date_display": format_date(latest.date),
        "score": latest.score,
        "display": risk_display(latest.score, threshold, band=latest.band),
        "raising": raising(factors),
        "model_version": latest.model_version.version,
    }


def emergency_view_data(*, access: EmergencyAccess, now: datetime) -> dict[str, Any]:
    """Everything the emergency view shows, JSON-ready, in the active language. The caller
    checked that the access is in force and audited the read."""
    patient = Patient.objects.select_related("care_team", "care_team__establishment", "key_worker").get(
        pk=access.patient_id
    )
    start, end = emergency_period(patient=patient, now=now)
    team = patient.care_team
    try:
        plan: CrisisPlan | None = patient.crisis_plan
    except CrisisPlan.DoesNotExist:
        plan = None
    open_alerts = alerts_shaped().filter(patient=patient, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
    summary = patient_summary(patient=patient, start=start, end=end, explain=True, now=now)
    worker = patient.key_worker
    return {
        "access": access_data(access, now=now),
        "period": {"start": start.isoformat(), "end": end.isoformat(), "days": EMERGENCY_DAYS},
        "patient": {
            "id": str(patient.pk),
            "code": patient.code,
            "ins": ins_display(patient.ins),
            "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
            "birth_date_display": format_date(patient.birth_date) if patient.birth_date else "",
            "enrolled_on_display": format_date(patient.enrolled_on),
            "sex": patient.sex,
            "sex_display": str(SEX_LABELS.get(patient.sex, patient.sex)),
            "diagnosis": patient.diagnosis,
            "diagnosis_label": diagnosis_label(patient.diagnosis),
            "phone": patient.phone,
            "phone_display": phone_national(patient.phone) if patient.phone else "",
            "enrolled_on": patient.enrolled_on.isoformat(),
            "time_zone": team.timezone,
        },
        "care_team": {
            "name": team.name,
            "establishment": team.establishment.name,
            "finess": team.establishment.finess,
            "phone": team.phone,
            "phone_e164": team.phone_e164,
            "out_of_hours_phone": team.out_of_hours_phone,
            "out_of_hours_phone_e164": team.out_of_hours_phone_e164,
            "opening_days": team.opening_days,
            "opens_at": team.opens_at.strftime("%H:%M") if team.opens_at else None,
            "closes_at": team.closes_at.strftime("%H:%M") if team.closes_at else None,
            "key_worker": (
                {
                    "name": worker.get_full_name() or worker.get_username(),
                    "role": worker.get_role_display(),
                    # Clinicians are reached through their team's line.
                    "phone": team.phone,
                }
                if worker is not None
                else None
            ),
        },
        "crisis_plan": crisis_plan_data(plan) if plan is not None else None,
        "risk": _current_risk(patient, start=start, end=end),
        "open_alerts": [
            {**alert_for_reader(alert_data(a), role="psychiatrist"), "severity_display": a.get_severity_display()}
            for a in open_alerts
        ],
        "summary": [section for section in summary["sections"] if section["key"] in SUMMARY_SECTIONS],
    }
