"""Side by side, before a model change: a candidate version and the active one scored on the
same rows, (1) the candidate's held-out patients (its training split; the active model may
have seen them in its own training, said in the result) and (2) the last 90 days of each care
team's own data: the alerts each would have raised at the team's threshold and the relapses
and hospitalisations each would have caught (a day at or above the threshold in the 14 days
before the event). Computed in memory, nothing stored but the summary."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd
from django.utils import timezone
from sklearn.metrics import roc_auc_score

from patients.models import CareTeam

from . import selectors
from .features import LOOKBACK_DAYS, build_features
from .models import ModelVersion
from .registry import model_load
from .scoring import team_threshold
from .serving import RiskModel
from .training import build_dataset

RECENT_DAYS = 90
HORIZON_DAYS = 14


def alert_onsets(frame: pd.DataFrame, above: np.ndarray) -> int:
    """Alerts a rule would raise: a patient's day at or above the threshold after a day below
    it (or as their first scored day): hysteresis by crossing, as the risk rule's re-raise."""
    if not len(frame):
        return 0
    order = np.lexsort((frame["date"].to_numpy(), frame["patient"].to_numpy()))
    pats = frame["patient"].to_numpy()[order]
    hit = above[order]
    prev_hit = np.concatenate([[False], hit[:-1]])
    same = np.concatenate([[False], pats[1:] == pats[:-1]])
    return int((hit & ~(prev_hit & same)).sum())


def events_caught(frame: pd.DataFrame, above: np.ndarray, events: pd.DataFrame) -> tuple[int, int]:
    """(events with a day at or above the threshold in the 14 days before, events in view)."""
    if events.empty or not len(frame):
        return 0, 0
    hits = frame.loc[above, ["patient", "date"]]
    by_patient = {p: np.sort(g["date"].to_numpy()) for p, g in hits.groupby("patient")}
    first = frame.groupby("patient")["date"].min()
    last = frame.groupby("patient")["date"].max()
    caught = total = 0
    for pid, day in zip(events["patient"], pd.to_datetime(events["date"]), strict=True):
        if pid not in first.index or day <= first[pid] or day - pd.Timedelta(days=1) > last[pid]:
            continue
        total += 1
        days = by_patient.get(pid)
        if days is None:
            continue
        lo = np.searchsorted(days, np.datetime64(day - pd.Timedelta(days=HORIZON_DAYS)), "left")
        hi = np.searchsorted(days, np.datetime64(day), "left")
        caught += int(hi > lo)
    return caught, total


def _summary(
    frame: pd.DataFrame, scores: np.ndarray, threshold: np.ndarray | float, events: pd.DataFrame
) -> dict[str, Any]:
    above = scores >= threshold
    patient_months = len(frame) / 30.0
    caught, total = events_caught(frame, above, events)
    alerts = alert_onsets(frame, above)
    return {
        "patient_days": int(len(frame)),
        "alerts": alerts,
        "alerts_per_patient_month": round(alerts / patient_months, 3) if patient_months else None,
        "events": total,
        "events_caught": caught,
        "sensitivity": round(caught / total, 3) if total else None,
    }


def _is_uuid(value: Any) -> bool:
    try:
        UUID(str(value))
    except ValueError:
        return False
    return True


def _held_out(mv: ModelVersion, models: dict[str, RiskModel]) -> dict[str, Any]:
    ids = [p for p in (mv.held_out_patients or []) if _is_uuid(p)]
    if not ids:
        return {"available": False, "reason": "the candidate recorded no held-out patients"}
    patients = selectors.patients_frame(patient_ids=ids)
    summaries = selectors.daily_summaries_frame(patient_ids=ids)
    events = selectors.label_events_frame(patient_ids=ids)
    if summaries.empty:
        return {"available": False, "reason": "no data left for the held-out patients"}
    data = build_dataset(summaries, patients, events)
    labelled = data["y"].notna().to_numpy()
    out: dict[str, Any] = {"available": True, "patients": int(data["patient"].nunique())}
    for role, model in models.items():
        scores = model.predict(data)
        y = data.loc[labelled, "y"].to_numpy()
        auroc = float(roc_auc_score(y, scores[labelled])) if len(set(y.tolist())) == 2 else None
        out[role] = {
            **_summary(data, scores, model.threshold, events),
            "auroc": None if auroc is None else round(auroc, 3),
        }
    return out


def _team_recent(team: CareTeam, models: dict[str, RiskModel], end: date) -> dict[str, Any] | None:
    start = end - timedelta(days=RECENT_DAYS - 1)
    rows = list(selectors.patients_scorable(care_team_ids=[team.pk]).values_list("pk", "enrolled_on", "diagnosis"))
    if not rows:
        return None
    days = pd.date_range(start, end, freq="D")
    targets = pd.DataFrame(
        [(str(pk), d) for pk, enrolled, _dx in rows for d in days if d.date() >= enrolled], columns=["patient", "date"]
    )
    if targets.empty:
        return None
    ids = [pk for pk, *_ in rows]
    summaries = selectors.daily_summaries_frame(
        patient_ids=ids, start=start - timedelta(days=LOOKBACK_DAYS - 1), end=end
    )
    meta = pd.DataFrame({"patient": [str(r[0]) for r in rows], "diagnosis": [r[2] for r in rows]})
    features = build_features(summaries, patients=meta, targets=targets)
    events = selectors.label_events_frame(patient_ids=ids)
    events = events[(events["date"] > pd.Timestamp(start)) & (events["date"] <= pd.Timestamp(end + timedelta(days=1)))]
    out: dict[str, Any] = {"team": team.name, "team_id": team.pk, "from": start.isoformat(), "to": end.isoformat()}
    for role, model in models.items():
        threshold = team_threshold(team=team, model=model)
        out[role] = {**_summary(features, model.predict(features), threshold, events), "threshold": round(threshold, 4)}
    return out


def model_comparison(*, candidate: ModelVersion, end: date | None = None) -> dict[str, Any]:
    """The side-by-side comparison of `candidate` and the active version (if any)."""
    active = selectors.model_version_active()
    models: dict[str, RiskModel] = {"candidate": model_load(candidate)}
    if active is not None and active.pk != candidate.pk:
        models["active"] = model_load(active)
    end = end or timezone.localdate() - timedelta(days=1)
    teams = [t for t in (_team_recent(team, models, end) for team in CareTeam.objects.order_by("pk")) if t]
    return {
        "candidate": candidate.version,
        "active": active.version if active is not None and "active" in models else None,
        "computed_at": timezone.now().isoformat(),
        "held_out": _held_out(candidate, models),
        "held_out_note": "The candidate's held-out patients were held out of its evaluation folds, but the "
        "deployed candidate is refit on every patient after evaluation, and the active model may have been "
        "trained on them too: on these rows both are in-sample. Its out-of-sample figures are its evaluation "
        "(metrics); the teams' last 90 days are the fairer side by side.",
        "teams": teams,
    }
