"""Live performance of the risk model in service, per care team and model version (issue 17):
what the alerts cost the team and what they were worth, from what happened after them.

- alerts per patient-month, against the team's budget;
- share of risk alerts followed by a relapse or hospitalisation within 14 days (alerts whose
  horizon has passed);
- share judged useful by the team (of the alerts with an outcome);
- sensitivity in service: share of relapses and hospitalisations preceded by a risk alert in
  the 14 days before, and the median lead time (days from the first such alert to the event);
- calibration: mean score against observed 14-day event rate, by score band, for scores whose
  14-day horizon has passed;
- the same by sex, age band and diagnosis group when counts allow (else said so).

Recomputed nightly after scoring (ml.tasks.model_monitoring_team) and stored per team,
version and day (ModelPerformance, update_or_create: idempotent)."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd

from alerts.models import OUTCOME_HORIZON_DAYS, Alert, AlertKind, AlertOutcome
from patients.models import LABEL_EVENT_KINDS, CareTeam, ClinicalEvent, Patient

from .features import age_band, dx_group
from .models import ModelPerformance, ModelVersion, RiskScore

PERIOD_DAYS = 90
# A subgroup's share is shown when its denominator reaches this; below it, "too few".
MIN_SUBGROUP_COUNT = 5
CALIBRATION_EDGES = (0.0, 0.05, 0.1, 0.2, 0.4, 1.0001)


@dataclass
class AlertRow:
    patient: UUID
    risk_date: date
    horizon: date
    outcome: str


def _share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _followed(alert: AlertRow, events: dict[UUID, list[date]]) -> bool:
    return any(alert.risk_date < d <= alert.horizon for d in events.get(alert.patient, []))


def figures(
    *,
    alerts: list[AlertRow],
    events: list[tuple[UUID, date]],
    scores: list[tuple[UUID, date, float]],
    patient_days: int,
    budget: float,
    day: date,
) -> dict[str, Any]:
    """The figures from plain rows (pure, so a fixture with known answers tests them).
    `alerts`: the version's risk alerts of the period; `events`: label events (patient, date)
    of the period's patients, dated up to `day` + the horizon; `scores`: (patient, date, score)
    of the period; `patient_days`: the scores' count (the exposure)."""
    by_patient: dict[UUID, list[date]] = defaultdict(list)
    for pid, d in events:
        by_patient[pid].append(d)
    matured = [a for a in alerts if a.horizon < day]
    followed = sum(_followed(a, by_patient) for a in matured)
    judged = [a for a in alerts if a.outcome]
    useful = sum(a.outcome == AlertOutcome.USEFUL for a in judged)
    # Sensitivity in service: events of the period preceded by an alert in the 14 days before.
    alert_days: dict[UUID, list[date]] = defaultdict(list)
    for a in alerts:
        alert_days[a.patient].append(a.risk_date)
    period_start = day - timedelta(days=PERIOD_DAYS - 1)
    in_period = [(pid, d) for pid, d in events if period_start < d <= day]
    leads: list[int] = []
    for pid, d in in_period:
        before = [a for a in alert_days.get(pid, []) if d - timedelta(days=OUTCOME_HORIZON_DAYS) <= a < d]
        if before:
            leads.append((d - min(before)).days)
    months = patient_days / 30.0
    return {
        "alerts": len(alerts),
        "patient_days": patient_days,
        "alerts_per_patient_month": round(len(alerts) / months, 3) if months else None,
        "budget_per_patient_month": budget,
        "over_budget": bool(months and len(alerts) / months > budget),
        "alerts_matured": len(matured),
        "alerts_followed_by_event": followed,
        "share_followed_by_event": _share(followed, len(matured)),
        "alerts_judged": len(judged),
        "alerts_useful": useful,
        "share_useful": _share(useful, len(judged)),
        "events": len(in_period),
        "events_preceded_by_alert": len(leads),
        "sensitivity": _share(len(leads), len(in_period)),
        "median_lead_days": statistics.median(leads) if leads else None,
        "calibration": calibration(scores=scores, events=by_patient, day=day),
    }


def calibration(*, scores: list[tuple[UUID, date, float]], events: dict[UUID, list[date]], day: date) -> dict[str, Any]:
    """Mean score against the observed rate of an event in the 14 days after, by score band,
    for scores whose horizon has passed (date + 14 < day). Vectorised (a night's monitoring
    reads 90 days of a team's scores): the first event after each scored day, by merge_asof."""
    cutoff = (day - timedelta(days=OUTCOME_HORIZON_DAYS)).isoformat()
    frame = pd.DataFrame(scores, columns=["patient", "date", "score"])
    if len(frame):
        frame["date"] = pd.to_datetime(frame["date"])
        frame = frame[frame["date"] + pd.Timedelta(days=OUTCOME_HORIZON_DAYS) < pd.Timestamp(day)]
    bins: list[dict[str, Any]] = []
    if len(frame):
        frame["patient"] = frame["patient"].astype(str)
        ev = pd.DataFrame(
            [(str(pid), pd.Timestamp(d)) for pid, days in events.items() for d in days], columns=["patient", "event"]
        )
        frame = frame.sort_values("date").reset_index(drop=True)
        if len(ev):
            ev = ev.sort_values("event")
            merged = pd.merge_asof(
                frame,
                ev,
                left_on="date",
                right_on="event",
                by="patient",
                direction="forward",
                allow_exact_matches=False,
            )
            hit = (merged["event"] - merged["date"]).dt.days.le(OUTCOME_HORIZON_DAYS).fillna(False).to_numpy(dtype=bool)
        else:
            hit = np.zeros(len(frame), dtype=bool)
        values = frame["score"].to_numpy(dtype=float)
    else:
        values, hit = np.zeros(0), np.zeros(0, dtype=bool)
    for lo, hi in zip(CALIBRATION_EDGES[:-1], CALIBRATION_EDGES[1:], strict=True):
        inside = (values >= lo) & (values < hi)
        n = int(inside.sum())
        bins.append(
            {
                "from": lo,
                "to": min(hi, 1.0),
                "n": n,
                "mean_score": round(float(values[inside].mean()), 4) if n else None,
                "observed": round(float(hit[inside].mean()), 4) if n else None,
            }
        )
    return {"scores": int(len(values)), "horizon_passed_before": cutoff, "bins": bins}


def _subgroups(
    *, alerts: list[AlertRow], events: list[tuple[UUID, date]], keys: dict[UUID, dict[str, str]], day: date
) -> dict[str, Any]:
    """Share followed by an event and sensitivity per sex, age band and diagnosis group, with
    "too few" below MIN_SUBGROUP_COUNT."""
    out: dict[str, Any] = {}
    for axis in ("sex", "age_band", "diagnosis"):
        groups: dict[str, Any] = {}
        for value in sorted({k[axis] for k in keys.values()}):
            members = {pid for pid, k in keys.items() if k[axis] == value}
            sub = figures(
                alerts=[a for a in alerts if a.patient in members],
                events=[(p, d) for p, d in events if p in members],
                scores=[],
                patient_days=0,
                budget=0.0,
                day=day,
            )
            entry: dict[str, Any] = {
                "alerts_matured": sub["alerts_matured"],
                "events": sub["events"],
            }
            for share, base in (("share_followed_by_event", "alerts_matured"), ("sensitivity", "events")):
                if sub[base] >= MIN_SUBGROUP_COUNT:
                    entry[share] = sub[share]
                else:
                    entry[share] = None
                    entry[f"{share}_note"] = f"too few ({sub[base]} < {MIN_SUBGROUP_COUNT}) to say"
            groups[value] = entry
        out[axis] = groups
    return out


def team_performance(*, team: CareTeam, model_version: ModelVersion, day: date) -> dict[str, Any]:
    """The figures of one team and version for the PERIOD_DAYS up to `day`, read from the
    database (the team's patients now; its risk alerts then)."""
    start = day - timedelta(days=PERIOD_DAYS - 1)
    patients = list(Patient.objects.filter(care_team=team).values_list("pk", "sex", "birth_year", "diagnosis"))
    alerts = [
        AlertRow(patient=pid, risk_date=rd, horizon=hz, outcome=outcome)
        for pid, rd, hz, outcome, detail in Alert.objects.filter(
            care_team=team, kind=AlertKind.RISK, risk_date__gte=start, risk_date__lte=day
        ).values_list("patient_id", "risk_date", "risk_horizon", "outcome", "detail")
        if pid is not None
        and rd is not None
        and hz is not None
        and isinstance(detail, dict)
        and detail.get("model_version_id") == model_version.pk
    ]
    events = list(
        ClinicalEvent.objects.filter(
            patient__care_team=team,
            kind__in=LABEL_EVENT_KINDS,
            date__gt=start,
            date__lte=day + timedelta(days=OUTCOME_HORIZON_DAYS),
        ).values_list("patient_id", "date")
    )
    scores = list(
        RiskScore.objects.filter(
            patient__care_team=team, model_version=model_version, date__gte=start, date__lte=day
        ).values_list("patient_id", "date", "score")
    )
    result = figures(
        alerts=alerts,
        events=events,
        scores=scores,
        patient_days=len(scores),
        budget=float(team.alert_budget_per_patient_month),
        day=day,
    )
    keys = {
        pid: {
            "sex": sex or "unknown",
            "age_band": age_band(day.year - int(by)) if by else "unknown",
            "diagnosis": dx_group(dx or ""),
        }
        for pid, sex, by, dx in patients
    }
    result["subgroups"] = _subgroups(alerts=alerts, events=events, keys=keys, day=day)
    result["period"] = {"from": start.isoformat(), "to": day.isoformat()}
    result["min_subgroup_count"] = MIN_SUBGROUP_COUNT
    return result


def performance_record(*, team: CareTeam, model_version: ModelVersion, day: date) -> ModelPerformance:
    """Compute and store one team-version-day's figures; running it again replaces them."""
    data = team_performance(team=team, model_version=model_version, day=day)
    row, _ = ModelPerformance.objects.update_or_create(
        care_team=team, model_version=model_version, day=day, defaults={"figures": data}
    )
    return row


def performance_latest(*, model_version: ModelVersion, team_ids: Iterable[int] | None = None) -> list[ModelPerformance]:
    qs = ModelPerformance.objects.filter(model_version=model_version).select_related("care_team")
    if team_ids is not None:
        qs = qs.filter(care_team_id__in=list(team_ids))
    return list(qs.order_by("care_team_id", "day"))


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{100 * float(value):.0f}%"


def in_service_card(*, model_version: ModelVersion, team_ids: Iterable[int] | None = None) -> str:
    """The model card's "In service" section: each team's latest live figures, with dates."""
    rows = performance_latest(model_version=model_version, team_ids=team_ids)
    latest: dict[int, ModelPerformance] = {}
    for row in rows:
        latest[row.care_team_id] = row
    lines = ["", "## In service", ""]
    if not latest:
        lines.append("No live figures yet: they are computed each night after scoring.")
        return "\n".join(lines) + "\n"
    lines += [
        "| care team | period | alerts / patient-month (budget) | followed by an event | judged useful "
        "| sensitivity in service | median lead (days) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in latest.values():
        f = row.figures
        period = f.get("period", {})
        lines.append(
            f"| {row.care_team.name} | {period.get('from')} to {period.get('to')} "
            f"| {f.get('alerts_per_patient_month')} ({f.get('budget_per_patient_month')}) "
            f"| {_pct(f.get('share_followed_by_event'))} of {f.get('alerts_matured')} "
            f"| {_pct(f.get('share_useful'))} of {f.get('alerts_judged')} "
            f"| {_pct(f.get('sensitivity'))} of {f.get('events')} | {f.get('median_lead_days') or 'n/a'} |"
        )
    lines.append("")
    lines.append(
        "Shares of alerts count alerts whose 14-day horizon has passed; subgroup figures are on the model page "
        f"when a group has at least {MIN_SUBGROUP_COUNT} alerts or events."
    )
    return "\n".join(lines) + "\n"
