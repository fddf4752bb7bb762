"""Episodes of risk: runs of consecutive days whose score is at or above the alert threshold,
each with its start, end, peak and the risk alert it raised, or why none was raised.

The threshold of a day is the risk rule's (`alerts.rules.risk_threshold`: the care team's
own, else the threshold stored with the score), so an episode is exactly a run of days the
risk rule would have judged. Why no alert (`no_alert_reason`), checked in this order:

- `paused`: the care team's risk alerts are paused;
- `already_open`: a risk alert raised before the episode was still unresolved when it began;
- `quiet_period`: a risk alert was raised less than `RISK_QUIET_DAYS` days before it began;
- `scored_without_alerts`: none of the above, so the rule would have raised one: these days
  were scored without the alert rules (a backfill of past days, as the demo does for its
  history, is stored without paging anyone for last month's scores).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from alerts import rules
from alerts.models import Alert, AlertKind, AlertStatus
from patients.models import Patient

from .scores import scores_for_patient

NO_ALERT_REASONS = ("paused", "already_open", "quiet_period", "scored_without_alerts")


@dataclass
class RiskEpisode:
    start: date
    end: date
    peak_date: date
    peak_score: float
    threshold: float
    days: int
    ongoing: bool  # the last day scored in the range is still at or above the threshold
    peak_explanation: list[dict[str, Any]] = field(default_factory=list)
    alert: dict[str, Any] | None = None
    no_alert_reason: str | None = None


def _risk_alerts(patient_id: UUID) -> list[dict[str, Any]]:
    """The patient's risk alerts anchored on a score day, oldest first."""
    rows = (
        Alert.objects.filter(patient_id=patient_id, kind=AlertKind.RISK)
        .order_by("created_at", "pk")
        .values("id", "status", "title", "severity", "detail", "created_at", "resolved_at")
    )
    found = []
    for row in rows:
        detail = row["detail"] if isinstance(row["detail"], dict) else {}
        try:
            score_day = date.fromisoformat(str(detail.get("score_date")))
        except ValueError:
            continue
        found.append({**row, "score_date": score_day})
    return found


def _why_no_alert(*, start: date, paused: bool, alerts: list[dict[str, Any]], tz: Any) -> str:
    if paused:
        return "paused"
    before = [a for a in alerts if a["score_date"] < start]
    for a in before:
        resolved_on = a["resolved_at"].astimezone(tz).date() if a["resolved_at"] is not None else None
        if a["status"] != AlertStatus.RESOLVED or (resolved_on is not None and resolved_on >= start):
            return "already_open"
    if any((start - a["score_date"]).days < rules.RISK_QUIET_DAYS for a in before):
        return "quiet_period"
    return "scored_without_alerts"


def risk_episodes_for_patient(*, patient: Patient, start: date, end: date) -> list[RiskEpisode]:
    """The episodes of risk that overlap start..end (an episode is cut at the range's edges),
    oldest first. Two queries: the day scores and the patient's risk alerts."""
    scores = scores_for_patient(patient_id=patient.pk, start=start, end=end)
    team = patient.care_team
    runs: list[list[Any]] = []
    previous: date | None = None
    for s in scores:
        threshold = rules.risk_threshold(team_threshold=team.risk_threshold, score_threshold=s.threshold)
        if s.score < threshold:
            previous = None
            continue
        if previous is not None and s.date == previous + timedelta(days=1) and runs:
            runs[-1].append((s, threshold))
        else:
            runs.append([(s, threshold)])
        previous = s.date
    if not runs:
        return []
    alerts = _risk_alerts(patient.pk)
    last_scored = scores[-1].date
    episodes = []
    for run in runs:
        first, last = run[0][0].date, run[-1][0].date
        peak, peak_threshold = max(run, key=lambda pair: (pair[0].score, pair[0].date))
        episode = RiskEpisode(
            start=first,
            end=last,
            peak_date=peak.date,
            peak_score=peak.score,
            threshold=peak_threshold,
            days=(last - first).days + 1,
            ongoing=last == last_scored,
            peak_explanation=peak.explanation if isinstance(peak.explanation, list) else [],
        )
        raised = [a for a in alerts if first <= a["score_date"] <= last]
        if raised:
            a = raised[0]
            episode.alert = {
                "id": a["id"],
                "score_date": a["score_date"],
                "created_at": a["created_at"],
                "status": a["status"],
                "severity": a["severity"],
                "title": a["title"],
            }
        else:
            episode.no_alert_reason = _why_no_alert(
                start=first, paused=team.risk_alerts_paused, alerts=alerts, tz=patient.tz
            )
        episodes.append(episode)
    return episodes
