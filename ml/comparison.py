"""Side by side, before a model change: a candidate version and the active one scored on the
same rows, (1) the patients neither version was trained on (each version records the patients
its artifact was fitted on; when none is left, or a version did not record them, the result
says so and shows no figures: in-sample figures would flatter a model) and (2) the last 90
days of each care team's own data: the alerts each would have raised at the team's threshold and the relapses
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


def _trained_on(mv: ModelVersion) -> tuple[set[str] | None, str | None]:
    """(the patients this version's artifact was fitted on, None) or (None, why it is not known):
    not recorded (registered before this was kept), or trained on data from outside this
    database (a cohort file's patient codes, which name no patient here)."""
    if mv.trained_patients is None:
        return None, "not_recorded"
    ids = {str(p) for p in mv.trained_patients}
    if not all(_is_uuid(p) for p in ids):
        return None, "outside_data"
    return ids, None


def _held_out(candidate: ModelVersion, active: ModelVersion | None, models: dict[str, RiskModel]) -> dict[str, Any]:
    """Both models on the same patients, none of whom either model was trained on (patients
    scorable now, enrolled or with labelled days only after both trainings): an honest side by
    side, or why there is none. Never the in-sample figures of patients one of them saw."""
    versions = {"candidate": candidate, **({"active": active} if active is not None and "active" in models else {})}
    seen: set[str] = set()
    for role, mv in versions.items():
        ids, why = _trained_on(mv)
        if ids is None:
            return {"available": False, "patients": 0, "reason": why, "version": mv.version, "role": role}
        seen |= ids
    unseen = sorted(str(pk) for pk in selectors.patients_scorable().values_list("pk", flat=True) if str(pk) not in seen)
    if not unseen:
        return {"available": False, "patients": 0, "reason": "none_unseen"}
    patients = selectors.patients_frame(patient_ids=unseen)
    summaries = selectors.daily_summaries_frame(patient_ids=unseen)
    events = selectors.label_events_frame(patient_ids=unseen)
    if summaries.empty:
        return {"available": False, "patients": 0, "reason": "no_data"}
    data = build_dataset(summaries, patients, events)
    labelled = data["y"].notna().to_numpy()
    out: dict[str, Any] = {"available": True, "basis": "neither_trained", "patients": int(data["patient"].nunique())}
    for role, model in models.items():
        scores = model.predict(data)
        y = data.loc[labelled, "y"].to_numpy()
        auroc = float(roc_auc_score(y, scores[labelled])) if len(set(y.tolist())) == 2 else None
        out[role] = {
            **_summary(data, scores, model.threshold, events),
            "auroc": None if auroc is None else round(auroc, 3),
        }
    return out


# Why there are no held-out figures, in words (the model page translates them).
HELD_OUT_REASONS = {
    "none_unseen": "Every patient with data was used to train the candidate or the active model: there is no "
    "patient that neither has seen, so no held-out comparison (figures on patients a model was trained on would "
    "flatter it). The candidate's own out-of-sample evaluation is in its metrics.",
    "not_recorded": "A version does not record the patients it was trained on (registered before this was kept): "
    "a held-out comparison cannot be made honestly.",
    "outside_data": "A version was trained on data from outside this database: which patients here it saw "
    "cannot be told, so no held-out comparison.",
    "no_data": "The patients neither model was trained on have no daily summaries yet.",
}


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
    meta = pd.DataFrame(
        {"patient": [str(r[0]) for r in rows], "diagnosis": [r[2] for r in rows], "enrolled_on": [r[1] for r in rows]}
    )
    recorded = selectors.label_events_frame(patient_ids=ids)
    # The relapse history reads the events before each day (ml.features.relapse_history).
    features = build_features(summaries, patients=meta, targets=targets, events=recorded)
    events = recorded[
        (recorded["date"] > pd.Timestamp(start)) & (recorded["date"] <= pd.Timestamp(end + timedelta(days=1)))
    ]
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
    held_out = _held_out(candidate, active, models)
    return {
        "candidate": candidate.version,
        "active": active.version if active is not None and "active" in models else None,
        "computed_at": timezone.now().isoformat(),
        "held_out": held_out,
        "held_out_note": HELD_OUT_REASONS.get(str(held_out.get("reason")), "")
        or "Both models on the patients neither was trained on (recorded with each version).",
        "teams": teams,
    }
