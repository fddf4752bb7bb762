"""The relapse-risk model as a model version's artifact holds it, and all scoring needs of it:
scores, operating thresholds and bands, and explanations. Pure computation.

Artifacts are pickles (joblib) of `RiskModel`. ml.training builds one; this module and
ml.registry, which loads artifacts, import nothing of training. Artifacts saved before this
module existed name the class `ml.training.RiskModel`: ml.training imports it under that name,
so they still unpickle (to this class, importing ml.training on the way).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # scikit-learn is imported where a model is used, not when a server starts
    from sklearn.pipeline import Pipeline

from .features import CHANNELS, GROUPS, neutral_values

DEFAULT_BUDGET = 1.0
# Explanations: a factor group within this distance of the patient's usual values in every
# feature (baseline SDs for deviations, days for gaps, shares for missingness) is not computed.
EXPLAIN_TOLERANCE = 0.25
EXPLAIN_BATCH_ROWS = 2000


@dataclass
class RiskModel:
    """What a model version's artifact holds: the fitted pipeline and how to use it."""

    pipeline: Pipeline
    feature_names: list[str]
    threshold: float
    budget_curve: list[list[float]] = field(default_factory=list)
    seed: int = 0
    info: dict[str, Any] = field(default_factory=dict)

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        if not len(features):
            return np.zeros(0)
        return self.pipeline.predict_proba(features[self.feature_names].to_numpy(dtype=float))[:, 1]

    def threshold_for_budget(self, budget: float) -> float:
        """Operating threshold for another alert budget (log-interpolated on the curve)."""
        curve = sorted(self.budget_curve)
        if not curve:
            return self.threshold
        budgets = np.log([b for b, _t in curve])
        thresholds = [t for _b, t in curve]
        return float(np.interp(np.log(max(budget, 1e-3)), budgets, thresholds))

    @property
    def medium_ratio(self) -> float:
        budget = float(self.info.get("budget", DEFAULT_BUDGET))
        lower = self.threshold_for_budget(budget * MEDIUM_BUDGET_FACTOR)
        return float(min(1.0, max(0.05, lower / self.threshold))) if self.threshold > 0 else 0.5

    def explain(self, features: pd.DataFrame, scores: np.ndarray | None = None, top: int = 3) -> list[list[dict]]:
        """Per row, the `top` factor groups whose replacement by the patient's usual values
        moves the calibrated score most: {group, direction, weight, params}. `weight` is the
        change in probability the factor causes (score minus score with the factor as usual)."""
        return self.score_and_explain(features, scores, top)[1]

    def score_and_explain(
        self, features: pd.DataFrame, scores: np.ndarray | None = None, top: int = 3
    ) -> tuple[np.ndarray, list[list[dict]]]:
        """The scores (those given, else `predict`'s, computed in the same pass over the
        trees as the explanations) and the explanations of `explain`."""
        if not len(features):
            return np.zeros(0), []
        if len(features) > EXPLAIN_BATCH_ROWS:
            # Bounded memory: the counterfactual matrix is (groups x rows) feature rows.
            parts = [
                self.score_and_explain(
                    features.iloc[i : i + EXPLAIN_BATCH_ROWS],
                    None if scores is None else scores[i : i + EXPLAIN_BATCH_ROWS],
                    top,
                )
                for i in range(0, len(features), EXPLAIN_BATCH_ROWS)
            ]
            return np.concatenate([p[0] for p in parts]), [f for p in parts for f in p[1]]
        X = features[self.feature_names].to_numpy(dtype=float)
        neutral = neutral_values(features)[self.feature_names].to_numpy(dtype=float)
        col = {name: i for i, name in enumerate(self.feature_names)}
        names: list[str] = []
        blocks: list[np.ndarray] = []
        where: list[tuple[int, np.ndarray]] = []
        for group, feats in GROUPS.items():
            idx = [col[f] for f in feats if f in col]
            if not idx:
                continue
            names.append(group)
            usual = np.where(np.isnan(neutral[:, idx]), X[:, idx], neutral[:, idx])
            # A group within EXPLAIN_TOLERANCE of usual in every feature cannot be a reason: skip
            # those rows (weight 0) instead of predicting them.
            moved = np.nan_to_num(np.abs(X[:, idx] - usual), nan=0.0).max(axis=1) > EXPLAIN_TOLERANCE
            rows = np.flatnonzero(moved | (np.isnan(X[:, idx]) != np.isnan(usual)).any(axis=1))
            if not len(rows):
                continue
            altered = X[rows].copy()
            altered[:, idx] = usual[rows]
            blocks.append(altered)
            where.append((len(names) - 1, rows))
        deltas = np.zeros((len(X), len(names)))
        changed = [[col[f] for f in GROUPS[names[j]] if f in col] for j, _rows in where]
        by_tree = _counterfactuals_by_tree(self.pipeline, X, [rows for _j, rows in where], blocks, changed)
        if by_tree is None:
            base = self.predict(features) if scores is None else scores
            per_group: list[np.ndarray] = []
            if blocks:
                # Any other estimator: one predict_proba over every counterfactual at once.
                flat = self.pipeline.predict_proba(np.concatenate(blocks))[:, 1]
                bounds = np.cumsum([0, *(len(rows) for _j, rows in where)])
                per_group = [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        else:
            computed, per_group = by_tree
            base = computed if scores is None else scores
        for (j, rows), counterfactual in zip(where, per_group, strict=True):
            deltas[rows, j] = base[rows] - counterfactual
        out: list[list[dict]] = []
        order = np.argsort(-np.abs(deltas), axis=1)[:, :top]
        needed = [c for c in features.columns if c.startswith("ref__") or c in REF_FEATURES]
        values = features[needed].to_numpy(dtype=float)
        positions = {name: j for j, name in enumerate(needed)}
        for i in range(len(X)):
            factors = []
            for j in order[i]:
                weight = float(deltas[i, j])
                if abs(weight) < 1e-4:
                    continue
                group = names[j]
                factors.append(
                    {
                        "feature": group,
                        "direction": "up" if weight > 0 else "down",
                        "weight": round(weight, 4),
                        "params": factor_params(group, _Row(values[i], positions)),
                    }
                )
            out.append(factors)
        return base, out


def _counterfactuals_by_tree(
    pipeline: Pipeline,
    X: np.ndarray,
    rows_per_group: list[np.ndarray],
    altered_per_group: list[np.ndarray],
    columns_per_group: list[list[int]],
) -> tuple[np.ndarray, list[np.ndarray]] | None:
    """Calibrated probabilities of the rows of X and of each group's counterfactual rows, the
    same numbers as `pipeline.predict_proba(X)` and `pipeline.predict_proba(altered)` but
    computed tree by tree: a boosted tree that splits on
    none of a group's features gives the same value with the group as usual, so only the
    trees that read the group are evaluated again and the others are reused from the
    original rows. With depth-2 trees and ~25 groups this is several times less work than a
    predict_proba per group. Returns None for any pipeline other than the sigmoid-calibrated,
    binary, numeric HistGradientBoostingClassifier this module trains (the caller then
    predicts the counterfactuals whole); a test checks both give the same probabilities."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    if len(pipeline.steps) != 1 or not isinstance(pipeline.steps[0][1], CalibratedClassifierCV):
        return None
    calibrated = pipeline.steps[0][1]
    members = calibrated.calibrated_classifiers_
    for member in members:
        est = member.estimator
        if (
            not isinstance(est, HistGradientBoostingClassifier)
            or member.method != "sigmoid"
            or len(member.calibrators) != 1
            or est.n_trees_per_iteration_ != 1
            or est.is_categorical_ is not None
        ):
            return None
    first = members[0].estimator
    Xp = first._preprocess_X(X, reset=False)
    altered = [first._preprocess_X(block, reset=False) for block in altered_per_group]
    probas = [np.zeros(len(rows)) for rows in rows_per_group]
    base = np.zeros(len(X))
    for member in members:
        est = member.estimator
        known, f_idx_map = est._bin_mapper.make_known_categories_bitsets()
        trees = [predictor for iteration in est._predictors for predictor in iteration]

        def tree_predict(tree: Any, data: np.ndarray, known: Any = known, f_idx_map: Any = f_idx_map) -> np.ndarray:
            return tree.predict(data, known_cat_bitsets=known, f_idx_map=f_idx_map, n_threads=1)

        readers: dict[int, list[int]] = {}
        for t, tree in enumerate(trees):
            for f in np.unique(tree.nodes["feature_idx"][~tree.nodes["is_leaf"].astype(bool)]):
                readers.setdefault(int(f), []).append(t)
        raw = np.full(len(Xp), float(np.ravel(est._baseline_prediction)[0]))
        per_tree: dict[int, np.ndarray] = {}
        needed = {t for idx in columns_per_group for f in idx for t in readers.get(f, [])}
        for t, tree in enumerate(trees):
            values = tree_predict(tree, Xp)
            raw += values
            if t in needed:
                per_tree[t] = values
        base += member.calibrators[0].predict(raw)
        for g, (rows, block, idx) in enumerate(zip(rows_per_group, altered, columns_per_group, strict=True)):
            cf_raw = raw[rows].copy()
            for t in sorted({t for f in idx for t in readers.get(f, [])}):
                cf_raw += tree_predict(trees[t], block) - per_tree[t][rows]
            probas[g] += member.calibrators[0].predict(cf_raw)
    return base / len(members), [p / len(members) for p in probas]


# Feature columns that factor labels read besides the ref__ columns.
REF_FEATURES = {
    "checkin_days7", "passive_days7", "days_since_checkin", "days_since_passive", "med_rate7",
    *(f"{q}__{s}" for q in ("phq9", "gad7", "asrm") for s in ("last", "age")),
    *(f"{ch}__{s}" for ch in CHANNELS for s in ("z7", "vol7")),
}  # fmt: skip


class _Row:
    """One feature row read by name (what factor_params needs), without building a dict of
    every column for every row."""

    __slots__ = ("positions", "values")

    def __init__(self, values: np.ndarray, positions: dict[str, int]) -> None:
        self.values = values
        self.positions = positions

    def get(self, name: str, default: Any = None) -> Any:
        j = self.positions.get(name)
        return default if j is None else self.values[j]


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if not np.isfinite(v) else round(v, 3)


def factor_params(group: str, row: Any) -> dict[str, Any]:
    """The numbers a nurse needs to read one factor (recent value, usual value, days)."""
    if group in ("logging", "sensors"):
        name = "checkin" if group == "logging" else "passive"
        rate = _num(row.get(f"ref__{name}__rate"))
        return {
            "days_since": _num(row.get(f"days_since_{name}")),
            "days7": _num(row.get(f"{name}_days7")),
            "usual7": None if rate is None else round(7 * rate, 1),
        }
    if group == "wearable":
        rate = _num(row.get("ref__wearable__rate"))
        return {
            "days_since": _num(row.get("ref__wearable__days_since")),
            "days7": _num(row.get("ref__wearable__days7")),
            "usual7": None if rate is None else round(7 * rate, 1),
        }
    if group == "medication":
        logged = _num(row.get("ref__medication__logged7"))
        rate = _num(row.get("med_rate7"))
        missed = None if logged is None or rate is None else round(logged * (1 - rate))
        return {"logged7": logged, "missed7": missed, "usual_rate": _num(row.get("ref__medication__base"))}
    if group == "history":
        return {
            "episodes": _num(row.get("ref__history__episodes")),
            "days_since": _num(row.get("ref__history__days_since")),
        }
    if group in ("phq9", "gad7", "asrm"):
        return {
            "value": _num(row.get(f"{group}__last")),
            "previous": _num(row.get(f"ref__{group}__prev")),
            "usual": _num(row.get(f"ref__{group}__base")),
            "age_days": _num(row.get(f"{group}__age")),
        }
    return {
        "value": _num(row.get(f"ref__{group}__mean7")),
        "usual": _num(row.get(f"ref__{group}__base")),
        "sd7": _num(row.get(f"ref__{group}__sd7")),
        "usual_sd": _num(row.get(f"ref__{group}__base_sd")),
        "z7": _num(row.get(f"{group}__z7")),
        "vol7": _num(row.get(f"{group}__vol7")),
        "days_since": _num(row.get(f"ref__{group}__days_since")),
    }


# The band rule itself (band_for) is the risk vocabulary's: alerts.factors. It is not imported
# here, since this module imports no Django (pyproject.toml's contracts).
MEDIUM_BUDGET_FACTOR = 4.0
