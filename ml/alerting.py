"""The risk-alert decision: after nightly scoring, each fresh score is judged by the risk rule
(`alerts.rules.risk_alert_decision`: threshold, hysteresis, pause) and an alert is raised
through `alerts`. Run by the `ml.tasks.evaluate_risk_scores` task that scoring enqueues on
commit."""

import zoneinfo
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.db import transaction

from alerts import rules
from alerts.models import Alert, AlertKind, AlertStatus
from alerts.services import alert_raise
from patients.models import Patient, PatientStatus, patient_lock

from .models import RiskScore


def score_day_end(day: date, tz: zoneinfo.ZoneInfo) -> datetime:
    """The end of a scored local day (the next local midnight): when its data was complete."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def risk_alerts_evaluate(*, score_ids: list[int]) -> int:
    """Apply the risk rule to freshly stored RiskScore rows; returns the number of alerts
    raised. Called by nightly scoring after its scores are committed; re-running it on the
    same scores raises nothing more (dedupe key per score, hysteresis per patient)."""
    scores = list(
        RiskScore.objects.filter(pk__in=list(score_ids), patient__status=PatientStatus.ACTIVE)
        .select_related("patient__care_team")
        .order_by("patient_id", "date", "pk")
    )
    by_patient: dict[UUID, list[RiskScore]] = defaultdict(list)
    for score in scores:
        team = score.patient.care_team
        if team.risk_alerts_paused:
            continue
        threshold = rules.risk_threshold(team_threshold=team.risk_threshold, score_threshold=score.threshold)
        if score.score >= threshold:
            by_patient[score.patient_id].append(score)
    raised = 0
    for patient_id in sorted(by_patient):
        raised += _risk_evaluate_patient(patient_id=patient_id, scores=by_patient[patient_id])
    return raised


def _risk_evaluate_patient(*, patient_id: UUID, scores: list[RiskScore]) -> int:
    raised = 0
    with transaction.atomic():
        # One evaluation per patient at a time (hysteresis is check-then-act otherwise).
        patient_lock(patient_id)
        patient = Patient.objects.select_related("care_team").get(pk=patient_id)
        team = patient.care_team
        existing = list(
            Alert.objects.filter(patient_id=patient_id, kind=AlertKind.RISK).values("dedupe_key", "status", "detail")
        )
        keys = {row["dedupe_key"] for row in existing}
        prior = [
            rules.PriorRiskAlert(
                score_date=date.fromisoformat(row["detail"]["score_date"]),
                band=row["detail"].get("band", "high"),
                unresolved=row["status"] != AlertStatus.RESOLVED,
            )
            for row in existing
            if isinstance(row["detail"], dict) and row["detail"].get("score_date")
        ]
        for score in scores:
            key = rules.risk_dedupe_key(score.pk)
            if key in keys:
                continue
            threshold = rules.risk_threshold(team_threshold=team.risk_threshold, score_threshold=score.threshold)
            decision = rules.risk_alert_decision(
                score=score.score,
                band=score.band,
                score_date=score.date,
                threshold=threshold,
                paused=team.risk_alerts_paused,
                prior=prior,
            )
            if not decision.raise_alert:
                continue
            _alert, created = alert_raise(
                patient=patient,
                kind=AlertKind.RISK,
                severity=rules.risk_severity(score.band),
                title=rules.TITLE_RISK_WORSE if decision.worse else rules.TITLE_RISK,
                detail={
                    "score": float(score.score),  # unrounded: the display rounds once (risk_display)
                    "band": score.band,
                    "threshold": float(threshold),
                    "score_date": score.date.isoformat(),
                    "model_version_id": score.model_version_id,
                    "explanation": score.explanation[:5] if isinstance(score.explanation, list) else [],
                    "reason": decision.reason,
                },
                dedupe_key=key,
                # The data behind it: the scored local day, complete at its end. A backfill of
                # old days raises alerts that read as late (and is run with --no-alerts).
                recorded_at=score_day_end(score.date, patient.tz),
            )
            prior.append(rules.PriorRiskAlert(score_date=score.date, band=score.band, unresolved=True))
            raised += int(created)
    return raised
