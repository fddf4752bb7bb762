"""The context on every alert card of the nurse's desk, for a set of patients at once: the
diagnosis, the current risk in the shared vocabulary (`alerts.factors.risk_display`) with a
30-day sparkline, the last check-in and the last passive data, the phone and key worker, the
crisis plan, and the alerts of the last 90 days. A fixed number of queries whatever the number
of patients (one page of the desk: `GET /api/v1/alerts/?context=1`), none per patient.

The caller has scoped the patients to the reader's care teams."""

from collections import defaultdict
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.db.models import F, Max, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from alerts.factors import risk_display
from alerts.models import Alert
from alerts.rules import risk_threshold
from alerts.serializers import title_display, user_ref
from monitoring.models import CheckIn, SignalRecord
from patients.models import CrisisPlan, Patient
from patients.phones import phone_national

from .presentation import DIAGNOSIS_LABELS
from .scores import day_scores

SPARKLINE_DAYS = 30
PREVIOUS_ALERT_DAYS = 90


def crisis_plan_data(plan: CrisisPlan | None) -> dict[str, Any]:
    """A crisis plan as the API shows it (empty texts when the patient has none yet)."""
    if plan is None:
        return {"warning_signs": "", "who_to_call": "", "what_helped": "", "updated_by": None, "updated_at": None}
    return {
        "warning_signs": plan.warning_signs,
        "who_to_call": plan.who_to_call,
        "what_helped": plan.what_helped,
        "updated_by": user_ref(plan.updated_by),
        "updated_at": plan.updated_at.isoformat() if plan.updated_at else None,
    }


def diagnosis_label(code: str) -> str:
    label = DIAGNOSIS_LABELS.get((code or "")[:3].upper())
    return str(label) if label is not None else code


def patient_cards(*, patient_ids: list[UUID], user: Any = None) -> dict[UUID, dict[str, Any]]:
    """`{patient_id: card}` (docs/alerts.md, "Card context"), in the active language."""
    if not patient_ids:
        return {}
    patients = list(
        Patient.objects.filter(pk__in=patient_ids).select_related(
            "care_team", "key_worker", "crisis_plan", "crisis_plan__updated_by"
        )
    )
    today = timezone.localdate()
    first_day = today - timedelta(days=SPARKLINE_DAYS - 1)
    ranked = (
        day_scores()
        .filter(patient_id__in=patient_ids)
        .annotate(recent=Window(RowNumber(), partition_by=[F("patient_id")], order_by=[F("date").desc()]))
        .values_list("patient_id", "date", "score", "band", "threshold", "recent")
    )
    latest: dict[UUID, tuple[date, float, str, float]] = {}
    series: dict[UUID, dict[date, float]] = defaultdict(dict)
    for patient_id, day, score, band, threshold, recent in ranked:
        if recent == 1:
            latest[patient_id] = (day, float(score), band, float(threshold))
        if day >= first_day:
            series[patient_id][day] = float(score)
    last_checkin = dict(
        CheckIn.objects.filter(patient_id__in=patient_ids)
        .order_by()
        .values("patient_id")
        .annotate(last=Max("recorded_at"))
        .values_list("patient_id", "last")
    )
    last_passive = dict(
        SignalRecord.objects.filter(patient_id__in=patient_ids)
        .order_by()
        .values("patient_id")
        .annotate(last=Max("end"))
        .values_list("patient_id", "last")
    )
    previous: dict[UUID, list[dict[str, Any]]] = defaultdict(list)
    since = timezone.now() - timedelta(days=PREVIOUS_ALERT_DAYS)
    for alert in (
        Alert.objects.filter(patient_id__in=patient_ids, created_at__gte=since)
        .only("pk", "patient_id", "kind", "severity", "status", "title", "created_at", "resolved_at")
        .order_by("-created_at", "pk")
    ):
        previous[alert.patient_id].append(  # type: ignore[index]  # why: filtered on patient_id, never null here
            {
                "id": str(alert.pk),
                "kind": alert.kind,
                "severity": alert.severity,
                "status": alert.status,
                "title_display": title_display(alert.title),
                "created_at": alert.created_at.isoformat(),
                "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
            }
        )
    days = [first_day + timedelta(days=n) for n in range(SPARKLINE_DAYS)]
    cards: dict[UUID, dict[str, Any]] = {}
    for patient in patients:
        risk = None
        if patient.pk in latest:
            day, score, band, score_threshold = latest[patient.pk]
            # As the risk alert rule reads it: the team's own threshold, else the score's model's.
            threshold = risk_threshold(team_threshold=patient.care_team.risk_threshold, score_threshold=score_threshold)
            risk = {"date": day.isoformat(), "score": round(score, 4), **risk_display(score, threshold, band=band)}
        checkin, passive = last_checkin.get(patient.pk), last_passive.get(patient.pk)
        try:
            plan: CrisisPlan | None = patient.crisis_plan
        except CrisisPlan.DoesNotExist:
            plan = None
        cards[patient.pk] = {
            "patient": {
                "id": str(patient.pk),
                "code": patient.code,
                "diagnosis": patient.diagnosis,
                "diagnosis_label": diagnosis_label(patient.diagnosis),
                "phone": patient.phone,  # E.164: what tel: links dial
                "phone_national": phone_national(patient.phone),  # what is shown
                "key_worker": user_ref(patient.key_worker),
                "care_team": patient.care_team_id,
                "time_zone": patient.care_team.timezone,
            },
            "risk": risk,
            "sparkline": [{"date": d.isoformat(), "score": series[patient.pk].get(d)} for d in days],
            "last_checkin_at": checkin.isoformat() if checkin else None,
            "last_passive_data_at": passive.isoformat() if passive else None,
            "crisis_plan": crisis_plan_data(plan) if plan is not None else None,
            "previous_alerts": previous.get(patient.pk, []),
        }
    return cards
