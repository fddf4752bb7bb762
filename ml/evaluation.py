"""Evaluation of relapse-risk scorers: day-level discrimination and calibration, event-level
alerting at an alert budget, by subgroup, with patient-bootstrap intervals. Pure numpy/pandas.

Input to every function: a DataFrame of scored patient-days with `patient`, `date`, `y`
(1 if a relapse/hospitalisation follows within the horizon; days during and just after an
episode and days whose horizon is not yet observed are already removed) and `score`.

Alerts: a day is flagged when score >= threshold; consecutive flagged days are one alert
(the alert fires on the first day of the run). A relapse counts as alerted when some day of
the 14 days before it is flagged; lead time is relapse date minus the first flagged day in
that window. An alert is false when no relapse follows within the horizon of its first day.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from .features import AGE_BANDS, age_band, dx_group  # noqa: F401 - the subgroup rules, shared with ml.performance

DAYS_PER_MONTH = 30.44
HORIZON_DAYS = 14


def calibration_slope(y: np.ndarray, p: np.ndarray) -> float:
    """Slope b of logit P(y) = a + b logit(p), by Newton-Raphson (1 = well calibrated)."""
    p = np.clip(p, 1e-6, 1 - 1e-6)
    x = np.log(p / (1 - p))
    X = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    for _ in range(50):
        eta = np.clip(X @ beta, -30, 30)
        mu = 1 / (1 + np.exp(-eta))
        w = mu * (1 - mu) + 1e-9
        grad = X.T @ (y - mu)
        hess = (X * w[:, None]).T @ X
        try:
            step = np.linalg.solve(hess + 1e-9 * np.eye(2), grad)
        except np.linalg.LinAlgError:
            return float("nan")
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return float(beta[1])


def auroc(y: np.ndarray, score: np.ndarray) -> float:
    """Mann-Whitney AUROC (ties count one half), as sklearn's roc_auc_score."""
    pos = y == 1
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(score)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def average_precision(y: np.ndarray, score: np.ndarray) -> float:
    """Average precision (area under the precision-recall step curve), as sklearn's."""
    n_pos = int((y == 1).sum())
    if n_pos == 0:
        return float("nan")
    order = np.argsort(-score, kind="mergesort")
    s, t = score[order], (y[order] == 1).astype(float)
    # Precision and recall at each distinct threshold (tied scores enter together).
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]
    tp = np.cumsum(t)[last]
    precision = tp / (last + 1)
    recall = tp / n_pos
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def day_metrics(y: np.ndarray, score: np.ndarray) -> dict[str, float]:
    y = np.asarray(y).astype(int)
    score = np.asarray(score, dtype=float)
    if len(np.unique(y)) < 2:
        return {"auroc": float("nan"), "auprc": float("nan"), "brier": float("nan"), "calibration_slope": float("nan")}
    return {
        "auroc": auroc(y, score),
        "auprc": average_precision(y, score),
        "brier": float(np.mean((np.clip(score, 0, 1) - y) ** 2)),
        "calibration_slope": calibration_slope(y, score),
    }


def _alert_onsets(frame: pd.DataFrame, threshold: float) -> np.ndarray:
    """Boolean per row: first flagged day of a run (frame sorted by patient, date)."""
    flagged = frame["score"].to_numpy() >= threshold
    same = frame["patient"].to_numpy()[1:] == frame["patient"].to_numpy()[:-1]
    consecutive = np.diff(frame["date"].to_numpy().astype("datetime64[D]").astype(np.int64)) == 1
    prev_flagged = np.concatenate([[False], flagged[:-1] & same & consecutive])
    return flagged & ~prev_flagged


def per_patient_events(frame: pd.DataFrame, events: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per patient: evaluable relapses, alerted relapses, lead times, alerts, false alerts, months."""
    frame = frame.sort_values(["patient", "date"]).reset_index(drop=True)
    onsets = _alert_onsets(frame, threshold)
    flagged = frame["score"].to_numpy() >= threshold
    stats = pd.DataFrame(index=pd.Index(pd.unique(frame["patient"]), name="patient"))
    stats["days"] = frame.groupby("patient").size()
    stats["alerts"] = pd.Series(onsets, index=frame.index).groupby(frame["patient"]).sum()
    false_onsets = onsets & (frame["y"].to_numpy() == 0)
    stats["false_alerts"] = pd.Series(false_onsets, index=frame.index).groupby(frame["patient"]).sum()
    stats["events"] = 0
    stats["alerted"] = 0
    stats["leads"] = [[] for _ in range(len(stats))]
    ev = events[events["patient"].isin(stats.index)][["patient", "date"]].drop_duplicates()
    if len(ev):
        rows = frame[["patient", "date"]].copy()
        rows["flagged"] = flagged
        ev = ev.copy()
        ev["date"] = pd.to_datetime(ev["date"]).astype("datetime64[ns]")
        rows["date"] = pd.to_datetime(rows["date"]).astype("datetime64[ns]")
        # Each scored day is matched to the next event within the horizon (strictly after it).
        rows = rows.sort_values("date")
        ev = ev.sort_values("date").rename(columns={"date": "event_date"})
        ev["event_key"] = ev["event_date"]
        matched = pd.merge_asof(
            rows,
            ev,
            left_on="date",
            right_on="event_key",
            by="patient",
            direction="forward",
            allow_exact_matches=False,
            tolerance=pd.Timedelta(days=HORIZON_DAYS),
        ).dropna(subset=["event_date"])
        if len(matched):
            grouped = matched.groupby(["patient", "event_date"])
            evaluable = grouped.size().rename("n").reset_index()
            hit = matched[matched["flagged"]].groupby(["patient", "event_date"])["date"].min().rename("first")
            evaluable = evaluable.merge(hit.reset_index(), on=["patient", "event_date"], how="left")
            evaluable["lead"] = (evaluable["event_date"] - evaluable["first"]).dt.days
            stats["events"] = evaluable.groupby("patient").size().reindex(stats.index, fill_value=0)
            stats["alerted"] = evaluable.groupby("patient")["first"].count().reindex(stats.index, fill_value=0)
            leads = evaluable.dropna(subset=["lead"]).groupby("patient")["lead"].apply(list)
            stats["leads"] = [leads.get(p, []) for p in stats.index]
    return stats


def event_metrics(stats: pd.DataFrame) -> dict[str, float]:
    months = stats["days"].sum() / DAYS_PER_MONTH
    events = stats["events"].sum()
    leads = [lead for row in stats["leads"] for lead in row]
    return {
        "events": int(events),
        "event_sensitivity": float(stats["alerted"].sum() / events) if events else float("nan"),
        "median_lead_days": float(np.median(leads)) if leads else float("nan"),
        "alerts_per_patient_month": float(stats["alerts"].sum() / months) if months else float("nan"),
        "false_alerts_per_patient_month": float(stats["false_alerts"].sum() / months) if months else float("nan"),
    }


def alert_rate(frame: pd.DataFrame, threshold: float) -> float:
    """Alerts (runs of flagged days) per patient-month; frame sorted by patient, date."""
    months = len(frame) / DAYS_PER_MONTH
    return float(_alert_onsets(frame, threshold).sum() / months) if months else 0.0


def threshold_for_budget(frame: pd.DataFrame, budget: float) -> float:
    """The lowest threshold whose alert rate stays within `budget` alerts per patient-month."""
    frame = frame.sort_values(["patient", "date"]).reset_index(drop=True)
    scores = frame["score"].to_numpy()
    candidates = np.unique(np.quantile(scores, np.linspace(0.5, 0.9999, 400)))
    best = float(candidates[-1]) if len(candidates) else 1.0
    for threshold in candidates[::-1]:
        if alert_rate(frame, float(threshold)) <= budget:
            best = float(threshold)
        else:
            break
    return best


def budget_curve(frame: pd.DataFrame, budgets: tuple[float, ...] = (0.25, 0.5, 1.0, 2.0, 4.0)) -> list[list[float]]:
    return [[b, threshold_for_budget(frame, b)] for b in budgets]


def _summary(frame: pd.DataFrame, stats: pd.DataFrame) -> dict[str, float]:
    result = day_metrics(frame["y"].to_numpy(), frame["score"].to_numpy())
    result.update(event_metrics(stats))
    result["patients"] = int(frame["patient"].nunique())
    result["days"] = int(len(frame))
    result["positive_days"] = int(frame["y"].sum())
    return result


def _bootstrap(
    frame: pd.DataFrame, stats: pd.DataFrame, n_boot: int, rng: np.random.Generator
) -> dict[str, list[float]]:
    patients = stats.index.to_numpy()
    by_patient = {p: idx for p, idx in frame.groupby("patient").indices.items()}
    y_all = frame["y"].to_numpy()
    s_all = frame["score"].to_numpy()
    samples: dict[str, list[float]] = {}
    for _ in range(n_boot):
        pick = rng.choice(patients, size=len(patients), replace=True)
        idx = np.concatenate([by_patient[p] for p in pick])
        values = day_metrics(y_all[idx], s_all[idx]) if len(idx) else {}
        values.update(event_metrics(stats.loc[pick]))
        for key, value in values.items():
            samples.setdefault(key, []).append(value)
    return {
        key: [float(np.nanpercentile(v, 2.5)), float(np.nanpercentile(v, 97.5))]
        if np.isfinite(v).any()
        else [float("nan"), float("nan")]
        for key, v in ((k, np.asarray(vals, dtype=float)) for k, vals in samples.items())
    }


def evaluate_scorer(
    frame: pd.DataFrame,
    events: pd.DataFrame,
    *,
    threshold: float,
    n_boot: int = 200,
    seed: int = 0,
    subgroups: bool = True,
) -> dict[str, Any]:
    """All figures for one scorer at one threshold, overall and by sex, age band, diagnosis.
    `frame` needs `sex`, `age_band`, `dx_group` for subgroups."""
    frame = frame.sort_values(["patient", "date"]).reset_index(drop=True)
    stats = per_patient_events(frame, events, threshold)
    rng = np.random.default_rng(seed)
    result: dict[str, Any] = {
        "threshold": threshold,
        "overall": _with_ci(_summary(frame, stats), _bootstrap(frame, stats, n_boot, rng)),
    }
    if subgroups:
        for column, name in (("sex", "by_sex"), ("age_band", "by_age_band"), ("dx_group", "by_diagnosis")):
            if column not in frame:
                continue
            result[name] = {}
            for value, part in frame.groupby(column):
                part = part.reset_index(drop=True)
                part_stats = stats.loc[pd.unique(part["patient"])]
                result[name][str(value)] = _with_ci(
                    _summary(part, part_stats), _bootstrap(part, part_stats, max(50, n_boot // 4), rng)
                )
    return result


def _with_ci(values: dict[str, float], cis: dict[str, list[float]]) -> dict[str, Any]:
    return {
        k: {"value": _clean(v), "ci95": [_clean(x) for x in cis[k]]} if k in cis else _clean(v)
        for k, v in values.items()
    }


def _clean(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and not np.isfinite(value)) else round(float(value), 4)


def standing(model_auroc: float | None, ceiling_auroc: float | None) -> float | None:
    if model_auroc is None or ceiling_auroc is None or ceiling_auroc <= 0.5:
        return None
    return round((model_auroc - 0.5) / (ceiling_auroc - 0.5), 4)


def curves(frame: pd.DataFrame, events: pd.DataFrame, threshold: float, points: int = 60) -> dict[str, Any]:
    """Compact curves for the report plots: ROC (downsampled), calibration by decile of
    predicted risk, and the lead times of alerted relapses."""
    from sklearn.metrics import roc_curve

    frame = frame.sort_values(["patient", "date"]).reset_index(drop=True)
    y, s = frame["y"].to_numpy(), frame["score"].to_numpy()
    result: dict[str, Any] = {"roc": [], "calibration": [], "leads": []}
    if len(np.unique(y)) == 2:
        fpr, tpr, _t = roc_curve(y, s)
        pick = np.unique(np.linspace(0, len(fpr) - 1, min(points, len(fpr))).astype(int))
        result["roc"] = [[round(float(fpr[i]), 4), round(float(tpr[i]), 4)] for i in pick]
    edges = np.unique(np.quantile(s, np.linspace(0, 1, 11))) if len(s) else np.array([])
    if len(edges) > 1:
        bins = np.clip(np.searchsorted(edges, s, side="right") - 1, 0, len(edges) - 2)
        for b in range(len(edges) - 1):
            mask = bins == b
            if mask.any():
                result["calibration"].append(
                    [round(float(s[mask].mean()), 5), round(float(y[mask].mean()), 5), int(mask.sum())]
                )
    stats = per_patient_events(frame, events, threshold)
    result["leads"] = [int(lead) for row in stats["leads"] for lead in row]
    return result
