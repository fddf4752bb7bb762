"""Reads: a patient's effective schedule and what is due on their local day."""

from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from monitoring.models import DailySummary
from patients.models import CrisisPlan, Patient
from patients.phones import phone_national, phones_in_text
from patients.selectors import crisis_plan_for_patient

from .due import DEFAULT_CHECKIN_TIME, Cadence, QuestionnaireDue, default_cadences, questionnaire_due
from .models import AppPreference, PatientSchedule, PushSubscription
from .push import vapid_public_key

# Daily-summary column holding each instrument's total (its latest of the day).
_SUMMARY_FIELD = {"PHQ-9": "phq9", "GAD-7": "gad7", "ASRM": "asrm"}


@dataclass(frozen=True)
class EffectiveSchedule:
    source: str  # "care_team" or "default"
    checkin_time: time
    cadences: tuple[Cadence, ...]
    updated_at: datetime | None
    updated_by: str | None


@dataclass(frozen=True)
class ScheduleStatus:
    today: date
    timezone: str
    schedule: EffectiveSchedule
    checkin_done_today: bool
    questionnaires: tuple[QuestionnaireDue, ...]

    @property
    def due_today(self) -> list[str]:
        due = [] if self.checkin_done_today else ["checkin"]
        return due + [q.instrument for q in self.questionnaires if q.due]


def schedule_effective(*, patient: Patient) -> EffectiveSchedule:
    row = (
        PatientSchedule.objects.select_related("updated_by")
        .prefetch_related("questionnaires")
        .filter(patient=patient)
        .first()
    )
    if row is None:
        return EffectiveSchedule(
            source="default",
            checkin_time=DEFAULT_CHECKIN_TIME,
            cadences=default_cadences(patient.diagnosis),
            updated_at=None,
            updated_by=None,
        )
    return EffectiveSchedule(
        source="care_team",
        checkin_time=row.checkin_time,
        cadences=tuple(Cadence(q.instrument, q.every_days) for q in row.questionnaires.all()),
        updated_at=row.updated_at,
        updated_by=row.updated_by.get_username() if row.updated_by else None,
    )


def schedule_status(*, patient: Patient, now: datetime | None = None) -> ScheduleStatus:
    """The schedule plus what is due today, `today` being the patient's own local day.
    Completion is read from the daily summaries, one aggregate query for all instruments."""
    today = timezone.localdate(now or timezone.now(), timezone=patient.tz)
    schedule = schedule_effective(patient=patient)
    aggregates = {
        instrument: Max("date", filter=Q(**{f"{field}__isnull": False})) for instrument, field in _SUMMARY_FIELD.items()
    }
    last = DailySummary.objects.filter(patient=patient, date__lte=today).aggregate(
        checkin_today=Max("date", filter=Q(date=today, checkins__gt=0)), **aggregates
    )
    return ScheduleStatus(
        today=today,
        timezone=patient.timezone,
        schedule=schedule,
        checkin_done_today=last["checkin_today"] is not None,
        questionnaires=tuple(
            questionnaire_due(cadence=c, last_completed=last.get(c.instrument), today=today) for c in schedule.cadences
        ),
    )


def push_status(*, patient: Patient, endpoint: str | None = None) -> dict[str, Any]:
    """Whether the server can send reminders by Web Push (and its key to subscribe with), how
    many of the patient's devices are subscribed, and whether `endpoint` is one of them."""
    devices = PushSubscription.objects.filter(patient=patient)
    public_key = vapid_public_key()
    return {
        "enabled": public_key is not None,
        "public_key": public_key,
        "devices": devices.count(),
        "subscribed": bool(endpoint) and devices.filter(endpoint=endpoint).exists(),
    }


def care_team_contact(*, patient: Patient) -> dict[str, Any]:
    """How the patient reaches their care team: its phone, opening hours (its local time, ISO
    weekdays) and out-of-hours line, as the team's admin set them (blank when not set)."""
    team = patient.care_team
    return {
        "name": team.name,
        "phone": team.phone,
        "phone_e164": team.phone_e164,
        "phone_national": phone_national(team.phone_e164) or team.phone,
        "opening_days": [int(day) for day in sorted(set(team.opening_days))],
        "opens_at": team.opens_at,
        "closes_at": team.closes_at,
        "timezone": team.timezone,
        "out_of_hours_phone": team.out_of_hours_phone,
        "out_of_hours_phone_e164": team.out_of_hours_phone_e164,
        "out_of_hours_phone_national": phone_national(team.out_of_hours_phone_e164) or team.out_of_hours_phone,
    }


def my_crisis_plan(*, patient: Patient) -> dict[str, Any]:
    """The patient's crisis plan as the phone shows it: `written` False (blank texts, null
    `updated_at`) while the care team has written none, as the clinicians' endpoint does. Phone
    numbers in "who to call" are cut out with the number to dial, so the app links them (tel:)
    without reading the text itself."""
    plan = crisis_plan_for_patient(patient=patient)
    if plan is None or not any(getattr(plan, name).strip() for name in CrisisPlan.FIELDS):
        return {
            "written": False,
            "warning_signs": "",
            "what_helped": "",
            "who_to_call": "",
            "who_to_call_parts": [],
            "updated_at": None,
        }
    return {
        "written": True,
        "warning_signs": plan.warning_signs,
        "what_helped": plan.what_helped,
        "who_to_call": plan.who_to_call,
        "who_to_call_parts": [asdict(part) for part in phones_in_text(plan.who_to_call)],
        "updated_at": plan.updated_at,
    }


def easy_read_chosen(*, patient: Patient) -> bool:
    """Whether the care team chose the easy-read app for this patient."""
    return AppPreference.objects.filter(patient=patient, easy_read=True).exists()


def app_preference_export(*, patient: Patient) -> dict[str, Any] | None:
    """The care team's choice of app display for the GDPR export (None when never set)."""
    preference = AppPreference.objects.filter(patient=patient).select_related("updated_by").first()
    if preference is None:
        return None
    return {
        "easy_read": preference.easy_read,
        "updated_at": preference.updated_at.isoformat(),
        "updated_by": preference.updated_by.username if preference.updated_by else None,
    }
