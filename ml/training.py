"""Training of the relapse-risk model and its comparison with baselines. Pure computation.

Target: for each patient-day, a relapse or hospitalisation in the next 14 days (days d+1 ..
d+14), from data up to and including d. Days from an event up to EXCLUDE_AFTER_EVENT days
after it (the episode and its recovery) are neither positive nor negative, and days whose
14-day horizon runs past the end of the known data are dropped unless an event is seen.

Scorers compared:
- `model`: scikit-learn Pipeline, HistGradientBoostingClassifier calibrated by
  CalibratedClassifierCV (sigmoid fitted on patient-grouped out-of-fold scores, one booster
  refitted on all training patients: `ensemble=False`);
- `logistic`: Pipeline of median imputation (+ missingness indicators), scaling and an
  L2 logistic regression on the same features;
- `heuristic`: the clinician's rule of thumb, latest PHQ-9 and how far the week's mood is
  from neutral, on absolute scales;
- `ceiling` (only when the generator's latent side table is given): the true prodrome
  intensity, Platt-calibrated on the training patients.

The fitted model it returns, and everything scoring needs of it, is `ml.serving.RiskModel`.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier, StackingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from . import evaluation
from .features import MODEL_FEATURES, build_features

# RiskModel is imported by this name on purpose: artifacts saved before ml.serving existed
# pickle the class as `ml.training.RiskModel`, and unpickle through this name (a test in
# tests/ml/test_serving.py loads one).
from .serving import DEFAULT_BUDGET, RiskModel

HORIZON_DAYS = 14
EXCLUDE_AFTER_EVENT = 45
TEST_SHARE = 0.25


def label_rows(rows: pd.DataFrame, events: pd.DataFrame, *, label_end: pd.Timestamp | None = None) -> pd.Series:
    """1/0 per (patient, date) row, NaN for excluded or not-yet-known days."""
    rows = rows[["patient", "date"]].copy()
    rows["date"] = pd.to_datetime(rows["date"]).astype("datetime64[ns]")
    rows["_order"] = np.arange(len(rows))
    ev = events[["patient", "date"]].drop_duplicates().copy()
    ev["date"] = pd.to_datetime(ev["date"]).astype("datetime64[ns]")
    ev = ev[ev["patient"].isin(set(rows["patient"]))].sort_values("date")
    ev["patient"] = ev["patient"].astype(rows["patient"].dtype)  # an empty frame's is `object`
    ev["next_event"] = ev["date"]
    ev["prev_event"] = ev["date"]
    ordered = rows.sort_values("date")
    nxt = pd.merge_asof(
        ordered,
        ev[["patient", "date", "next_event"]],
        on="date",
        by="patient",
        direction="forward",
        allow_exact_matches=False,
    )
    prv = pd.merge_asof(
        ordered,
        ev[["patient", "date", "prev_event"]],
        on="date",
        by="patient",
        direction="backward",
        allow_exact_matches=True,
    )
    nxt["prev_event"] = prv["prev_event"].to_numpy()
    nxt = nxt.sort_values("_order")
    days_to = (nxt["next_event"] - nxt["date"]).dt.days
    days_since = (nxt["date"] - nxt["prev_event"]).dt.days
    y = (days_to <= HORIZON_DAYS).astype(float)
    excluded = days_since.notna() & (days_since <= EXCLUDE_AFTER_EVENT)
    if label_end is None:
        label_end = nxt["date"].max()
    unknown = (y == 0) & (nxt["date"] + pd.Timedelta(days=HORIZON_DAYS) > pd.Timestamp(label_end))
    y[excluded | unknown] = np.nan
    return pd.Series(y.to_numpy(), index=rows.index)


def make_pipeline(kind: str, seed: int, cv: list[tuple[np.ndarray, np.ndarray]] | int = 3) -> Pipeline:
    if kind == "model":
        booster = make_booster("current", seed, [])
        # ensemble=False: one booster fitted on all training patients, its sigmoid fitted on
        # patient-grouped out-of-fold scores. The same discrimination and calibration as
        # averaging the three fold models (AUROC 0.635 vs 0.631 on the 300-patient cohort)
        # at a third of the cost of every prediction and explanation.
        return Pipeline([("calibrated_gbm", CalibratedClassifierCV(booster, method="sigmoid", cv=cv, ensemble=False))])
    if kind == "stack":
        # Evaluation only (ml.cross_cohort `stack+history-binary`): the served booster and the logistic
        # baseline on the same columns, combined by a logistic regression fitted on their
        # patient-grouped out-of-fold decision functions. Measured against the booster alone
        # with the relapse history on two fresh medium grids: the same AUROC (docs/model.md,
        # sixth part), so one booster stays.
        stack = StackingClassifier(
            estimators=[("gbm", make_booster("current", seed, [])), ("logistic", make_pipeline("logistic", seed))],
            final_estimator=LogisticRegression(C=1.0, max_iter=1000),
            cv=cv,
            stack_method="decision_function",
        )
        return Pipeline([("stack", stack)])
    if kind == "logistic":
        return Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)),
                ("scale", StandardScaler()),
                ("logistic", LogisticRegression(C=0.05, max_iter=2000)),
            ]
        )
    raise ValueError(kind)


def _grouped_folds(groups: np.ndarray, n_splits: int = 3) -> list[tuple[np.ndarray, np.ndarray]]:
    dummy = np.zeros(len(groups))
    return list(GroupKFold(n_splits=n_splits).split(dummy, dummy, groups))


def _groups(frame: pd.DataFrame) -> np.ndarray:
    """The patient of each row for grouped folds, by code when known: fold assignment then
    does not depend on primary keys (the same cohort in another database gets other UUIDs)."""
    return frame["code" if "code" in frame.columns else "patient"].to_numpy()


def usable_features(X: pd.DataFrame, groups: np.ndarray, names: list[str] | None = None) -> list[str]:
    """The MODEL_FEATURES (in their order) that have at least one value in the training rows of
    every patient-grouped fold, hence in all of X: gradient boosting cannot bin a column that
    is missing on every row it is fitted on (a wearable channel in a cohort without wearables,
    or whose only wearers fall in one fold). A cohort without any wearable keeps exactly the
    features of the phone-only model. `names`: another list of columns to choose from."""
    names = MODEL_FEATURES if names is None else names
    present = X[names].notna().to_numpy()
    keep = present.any(axis=0)
    if len(np.unique(groups)) >= 3:
        for train_idx, _test_idx in _grouped_folds(groups):
            keep &= present[train_idx].any(axis=0)
    return [name for name, kept in zip(names, keep, strict=True) if kept]


def fit_pipeline(
    kind: str, X: pd.DataFrame, y: np.ndarray, groups: np.ndarray, seed: int, columns: list[str] | None = None
) -> Pipeline:
    """Fit on `columns` (by default those usable_features keeps); predict with the same ones."""
    columns = usable_features(X, groups) if columns is None else columns
    pipeline = make_pipeline(kind, seed, cv=_grouped_folds(groups) if kind in ("model", "stack") else 3)
    pipeline.fit(X[columns].to_numpy(dtype=float), y.astype(int))
    return pipeline


# --- model choice (issue 20) ------------------------------------------------------------

# Booster variants compared by patient-grouped cross-validation on the TRAINING cohort only
# (GroupedChoice); `current` is the served booster (make_pipeline("model") builds it from here).
# Set once, before any grid.
BOOSTER_VARIANTS: dict[str, dict[str, Any]] = {
    "current": {"max_iter": 300, "max_depth": 2, "min_samples_leaf": 100, "l2_regularization": 2.0},
    "stumps": {"max_iter": 300, "max_depth": 1, "min_samples_leaf": 200, "l2_regularization": 5.0},
    "strong": {"max_iter": 150, "max_depth": 2, "min_samples_leaf": 300, "l2_regularization": 10.0},
    "monotone": {
        "max_iter": 300,
        "max_depth": 2,
        "min_samples_leaf": 100,
        "l2_regularization": 2.0,
        "monotone": True,
    },
}
# Features whose clinical direction is known (higher = more risk) for the `monotone` variant:
# the clinical composites (signed deviations in the pattern's direction), agreement across
# channels and the multivariate anomaly scores.
MONOTONE_UP_SUFFIXES = ("_signs__z7", "_signs__z14", "__agree")
MONOTONE_UP_PREFIXES = ("anomaly__",)


def make_booster(variant: str, seed: int, columns: list[str]) -> HistGradientBoostingClassifier:
    params = dict(BOOSTER_VARIANTS[variant])
    monotone = params.pop("monotone", False)
    cst = None
    if monotone:
        cst = [
            1 if name.endswith(MONOTONE_UP_SUFFIXES) or name.startswith(MONOTONE_UP_PREFIXES) else 0 for name in columns
        ]
    return HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_features=0.5,
        early_stopping=False,
        random_state=seed,
        monotonic_cst=cst,
        **params,
    )


def _platt(raw: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(C=1e4, max_iter=1000).fit(raw.reshape(len(raw), -1), y.astype(int))


def _auroc(y: np.ndarray, score: np.ndarray) -> float:
    return float(evaluation.auroc(y.astype(int), score))


class GroupedChoice:
    """Patient-grouped model choice on one training set, then the fitted scorers it yields.

    fit(): out-of-fold (GroupKFold(3)) raw scores of every BOOSTER_VARIANTS booster and of the
    logistic baseline; the variant with the best out-of-fold AUROC is `chosen` (ties: the
    earlier in BOOSTER_VARIANTS); it and the logistic are refitted on every training patient.
    Scorers (predict_proba of `scorer(name)`):
    - `tuned`: the chosen booster refitted on all patients, Platt-calibrated on its out-of-fold
      scores (as CalibratedClassifierCV(ensemble=False) does);
    - `tuned-folds`: the mean of the chosen variant's three fold boosters, each Platt-calibrated
      on the patients it did not see (calibration on the models that are applied);
    - `stack`: a logistic regression on the out-of-fold raw scores of the chosen booster and
      of the logistic baseline, applied to the refitted ones (stacking, calibrated by design).
    """

    def __init__(self, seed: int, variants: tuple[str, ...] | None = None):
        self.seed = seed
        self.variants = variants or tuple(BOOSTER_VARIANTS)
        self.cv_auroc: dict[str, float] = {}
        self.chosen = ""

    def fit(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray, columns: list[str]) -> GroupedChoice:
        y = y.astype(int)
        folds = _grouped_folds(groups)
        oof: dict[str, np.ndarray] = {}
        fold_models: dict[str, list[Any]] = {}
        for variant in [*self.variants, "logistic"]:
            raw = np.zeros(len(y))
            fold_models[variant] = []
            for train_idx, test_idx in folds:
                est = make_pipeline("logistic", self.seed) if variant == "logistic" else None
                if est is None:
                    est = make_booster(variant, self.seed, columns)
                est.fit(X[train_idx], y[train_idx])
                raw[test_idx] = est.decision_function(X[test_idx])
                fold_models[variant].append(est)
            oof[variant] = raw
            self.cv_auroc[variant] = round(_auroc(y, raw), 4)
        self.chosen = max(self.variants, key=lambda v: (self.cv_auroc[v], -self.variants.index(v)))
        self.booster = make_booster(self.chosen, self.seed, columns).fit(X, y)
        self.logistic = make_pipeline("logistic", self.seed).fit(X, y)
        self.platt = _platt(oof[self.chosen], y)
        self.fold_boosters = fold_models[self.chosen]
        self.fold_platts = [_platt(oof[self.chosen][test_idx], y[test_idx]) for _tr, test_idx in folds]
        self.stacker = LogisticRegression(C=1.0, max_iter=1000).fit(
            np.column_stack([oof[self.chosen], oof["logistic"]]), y
        )
        return self

    def predict_proba(self, X: np.ndarray, kind: str = "tuned") -> np.ndarray:
        if kind == "tuned":
            p = self.platt.predict_proba(self.booster.decision_function(X).reshape(-1, 1))[:, 1]
        elif kind == "tuned-folds":
            p = np.mean(
                [
                    cal.predict_proba(est.decision_function(X).reshape(-1, 1))[:, 1]
                    for est, cal in zip(self.fold_boosters, self.fold_platts, strict=True)
                ],
                axis=0,
            )
        elif kind == "stack":
            raw = np.column_stack([self.booster.decision_function(X), self.logistic.decision_function(X)])
            p = self.stacker.predict_proba(raw)[:, 1]
        else:
            raise ValueError(kind)
        return np.column_stack([1 - p, p])


def heuristic_score(features: pd.DataFrame) -> np.ndarray:
    """Latest PHQ-9 (0-27) and distance of the week's mean mood from neutral (0-3), each scaled
    to 0-1 and averaged. Missing PHQ-9 counts as mild (5); missing mood as neutral."""
    phq = features["phq9__last"].fillna(5.0).clip(0, 27) / 27
    mood = features["ref__mood__mean7"].abs().fillna(0.0).clip(0, 3) / 3
    return (0.5 * phq + 0.5 * mood).to_numpy()


# --- datasets ------------------------------------------------------------------------


def patient_meta(patients: pd.DataFrame, reference_year: int) -> pd.DataFrame:
    keys = ["patient", "code"] if "code" in patients.columns else ["patient"]
    meta = patients[[*keys, "sex", "birth_year", "diagnosis"]].copy()
    meta["age_band"] = [evaluation.age_band(reference_year - int(b)) for b in meta["birth_year"]]
    meta["dx_group"] = [evaluation.dx_group(d) for d in meta["diagnosis"]]
    return meta


def build_dataset(
    summaries: pd.DataFrame,
    patients: pd.DataFrame,
    events: pd.DataFrame,
    *,
    until: pd.Timestamp | None = None,
    shift: bool = False,
    anomaly: bool = False,
    variability: bool = False,
    missingness: bool = False,
    episodes: bool = False,
) -> pd.DataFrame:
    """Feature rows with labels (`y`) and subgroup columns, for every observed patient-day:
    the features and the relapse history read from `events` (ml.features.MODEL_FEATURES); with
    `shift`, `anomaly`, `variability`, `missingness`, also that family's features,
    ml.features.FAMILIES; with `episodes`, ml.features.EPISODE_FEATURES."""
    summaries = summaries.copy()
    summaries["date"] = pd.to_datetime(summaries["date"]).astype("datetime64[ns]")
    if until is not None:
        summaries = summaries[summaries["date"] <= until]
        events = events[pd.to_datetime(events["date"]) <= until]
    data = build_features(
        summaries,
        patients=patients,
        shift=shift,
        anomaly=anomaly,
        variability=variability,
        missingness=missingness,
        episodes=episodes,
        events=events,
    )
    label_end = until if until is not None else data["date"].max()
    data["y"] = label_rows(data, events, label_end=label_end).to_numpy()
    year = int(pd.Timestamp(label_end).year)
    data = data.merge(patient_meta(patients, year), on="patient", how="left")
    if "code" in data.columns:
        # Rows in the order of the patients' codes, not of their primary keys: the folds and
        # the fitted model are then the same for the same data whatever database it came from.
        data = data.sort_values(["code", "date"], kind="stable").reset_index(drop=True)
    return data


def evaluate_exported_scores(
    scores: pd.DataFrame,
    patients: pd.DataFrame,
    events: pd.DataFrame,
    *,
    data_end: pd.Timestamp,
    budget: float = DEFAULT_BUDGET,
    n_boot: int = 200,
    seed: int = 0,
) -> dict[str, Any]:
    """The figures of scores the platform served (`export_scores`' `patient_code`, `date`,
    `score`) on a cohort's patients (`patient` = their codes, `sex`, `birth_year`,
    `diagnosis`) against the cohort's `events`, as an independent evaluator reads them: the
    labels of ml.training (data known up to `data_end`), the threshold that keeps the alerts
    within `budget` on these scores, patient-bootstrap intervals, subgroups."""
    frame = scores.rename(columns={"patient_code": "patient"})[["patient", "date", "score"]].copy()
    frame["patient"] = frame["patient"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame = frame[frame["patient"].isin(set(patients["patient"].astype(str)))].reset_index(drop=True)
    if frame.empty:
        raise ValueError("None of the scores is of a patient of the cohort.")
    frame["y"] = label_rows(frame, events, label_end=data_end).to_numpy()
    frame = frame[frame["y"].notna()].reset_index(drop=True)
    meta = patient_meta(patients.assign(patient=patients["patient"].astype(str)), int(data_end.year))
    frame = frame.merge(meta[["patient", "sex", "age_band", "dx_group"]], on="patient", how="left")
    threshold = evaluation.threshold_for_budget(frame, budget)
    result = evaluation.evaluate_scorer(frame, events, threshold=threshold, n_boot=n_boot, seed=seed)
    result["alert_budget_per_patient_month"] = budget
    result["events"] = int(events["patient"].astype(str).isin(set(frame["patient"])).sum())
    return result


def _split_patients(labelled: pd.DataFrame, seed: int, test_share: float) -> tuple[set, set]:
    """Patient-grouped split, stratified on whether a patient has any pre-relapse day, so both
    sides hold relapsing patients whenever at least two exist (otherwise a small cohort can
    leave the held-out side without a single positive day and no AUROC at all). The order is
    a hash of the seed and the patient's code (its stable name), so a split is reproducible
    across databases whose primary keys differ."""
    key_col = "code" if "code" in labelled.columns else "patient"
    per_patient = labelled.groupby("patient").agg(key=(key_col, "first"), positive=("y", "max"))
    per_patient["rank"] = [hashlib.sha256(f"{seed}:{key}".encode()).hexdigest() for key in per_patient["key"]]
    train: set = set()
    test: set = set()
    for _positive, stratum in per_patient.groupby("positive"):
        ordered = list(stratum.sort_values("rank").index)
        n_test = round(len(ordered) * test_share)
        if len(ordered) >= 2:
            n_test = min(max(1, n_test), len(ordered) - 1)
        test.update(ordered[:n_test])
        train.update(ordered[n_test:])
    if not test:  # a single patient, or a share so small nothing was drawn
        first = per_patient.loc[sorted(train)].sort_values("rank").index[0]
        test, train = {first}, train - {first}
    return train, test


def _latent_scores(data: pd.DataFrame, latent: pd.DataFrame, train_mask: np.ndarray, seed: int) -> np.ndarray:
    lat = latent[["patient_code", "date", "prodrome_intensity"]].rename(columns={"patient_code": "patient"}).copy()
    lat["date"] = pd.to_datetime(lat["date"]).astype("datetime64[ns]")
    merged = data[["patient", "date"]].merge(lat, on=["patient", "date"], how="left")
    x = np.log1p(merged["prodrome_intensity"].fillna(0.0).to_numpy())[:, None]
    platt = LogisticRegression(C=1e4, max_iter=1000, random_state=seed)
    platt.fit(x[train_mask], data["y"].to_numpy()[train_mask].astype(int))
    return platt.predict_proba(x)[:, 1]


def compare_scorers(
    data: pd.DataFrame,
    events: pd.DataFrame,
    *,
    seed: int,
    budget: float = DEFAULT_BUDGET,
    latent: pd.DataFrame | None = None,
    test_share: float = TEST_SHARE,
    n_boot: int = 200,
    progress: Any = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Patient-grouped evaluation (no patient on both sides) plus a forward-in-time split.
    Each scorer's threshold is set to meet the same alert budget on the evaluated patients, so
    event sensitivity is compared at equal alert burden. Returns (report, held-out scores)."""
    labelled = data[data["y"].notna()].reset_index(drop=True)
    train_p, test_p = _split_patients(labelled, seed, test_share)
    train = labelled[labelled["patient"].isin(train_p)].reset_index(drop=True)
    test = labelled[labelled["patient"].isin(test_p)].reset_index(drop=True)
    scores: dict[str, np.ndarray] = {}
    fitted: dict[str, Pipeline] = {}
    columns = usable_features(train, _groups(train))
    for kind in ("model", "logistic"):
        if progress:  # announced before the long fit, so the bar says what is running
            folds = "3 patient-grouped calibration folds" if kind == "model" else "3 calibration folds"
            progress(f"fitting {kind} on {len(train_p)} patients ({folds})")
        fitted[kind] = fit_pipeline(kind, train, train["y"].to_numpy(), _groups(train), seed, columns)
        scores[kind] = fitted[kind].predict_proba(test[columns].to_numpy(dtype=float))[:, 1]
        if progress:
            progress(kind)
    scores["heuristic"] = heuristic_score(test)
    if latent is not None:
        both = pd.concat([train, test], ignore_index=True)
        mask = np.r_[np.ones(len(train), bool), np.zeros(len(test), bool)]
        scores["ceiling"] = _latent_scores(both, latent, mask, seed)[len(train) :]
    report: dict[str, Any] = {
        "target": f"relapse or hospitalisation in the next {HORIZON_DAYS} days",
        "split": "patient-grouped",
        "alert_budget_per_patient_month": budget,
        "train_patients": len(train_p),
        "test_patients": len(test_p),
        "test_days": int(len(test)),
        "test_positive_days": int(test["y"].sum()),
        "test_prevalence": round(float(test["y"].mean()), 4) if len(test) else None,
        "scorers": {},
    }
    held_out = test[["patient", "date", "y", "sex", "age_band", "dx_group"]].copy()
    for name, s in scores.items():
        if progress:
            progress(f"evaluating {name} ({n_boot} patient-bootstrap resamples)")
        frame = held_out.assign(score=s)
        threshold = evaluation.threshold_for_budget(frame, budget)
        report["scorers"][name] = evaluation.evaluate_scorer(
            frame, events, threshold=threshold, n_boot=n_boot, seed=seed
        )
        report.setdefault("curves", {})[name] = evaluation.curves(frame, events, threshold)
        held_out[f"score_{name}"] = s
        if progress:
            progress(f"evaluated {name}")
    model_auc = report["scorers"]["model"]["overall"]["auroc"]["value"]
    if "ceiling" in report["scorers"]:
        ceiling_auc = report["scorers"]["ceiling"]["overall"]["auroc"]["value"]
        report["standing"] = evaluation.standing(model_auc, ceiling_auc)
        report["standing_logistic"] = evaluation.standing(
            report["scorers"]["logistic"]["overall"]["auroc"]["value"], ceiling_auc
        )
    if progress:
        progress("forward split (train on the past, test on the future)")
    report["forward"] = forward_split(data, events, seed=seed, budget=budget)
    return report, held_out


def forward_split(
    data: pd.DataFrame, events: pd.DataFrame, *, seed: int, budget: float, train_share: float = 0.6
) -> dict[str, Any]:
    """Train on the earlier part of the calendar (labels known by the cut), test on the rest."""
    dates = np.sort(pd.unique(data["date"]))
    if len(dates) < 60:
        return {}
    cut = pd.Timestamp(dates[int(len(dates) * train_share)])
    early = data[data["date"] <= cut].drop(columns=["y"])
    early_events = events[pd.to_datetime(events["date"]) <= cut]
    early = early.assign(y=label_rows(early, early_events, label_end=cut).to_numpy())
    train = early[early["y"].notna()].reset_index(drop=True)
    test = data[(data["date"] > cut) & data["y"].notna()].reset_index(drop=True)
    if train["y"].sum() < 5 or test["y"].sum() < 5:
        return {}
    result: dict[str, Any] = {"cut": cut.date().isoformat(), "train_days": len(train), "test_days": len(test)}
    held = test[["patient", "date", "y"]].copy()
    columns = usable_features(train, _groups(train))
    for kind in ("model", "logistic", "heuristic"):
        if kind == "heuristic":
            s = heuristic_score(test)
        else:
            s = fit_pipeline(kind, train, train["y"].to_numpy(), _groups(train), seed, columns).predict_proba(
                test[columns].to_numpy(dtype=float)
            )[:, 1]
        frame = held.assign(score=s)
        threshold = evaluation.threshold_for_budget(frame, budget)
        result[kind] = evaluation.evaluate_scorer(
            frame, events, threshold=threshold, n_boot=100, seed=seed, subgroups=False
        )
    return result


def train_risk_model(
    data: pd.DataFrame,
    events: pd.DataFrame,
    *,
    seed: int,
    budget: float = DEFAULT_BUDGET,
    latent: pd.DataFrame | None = None,
    n_boot: int = 200,
    progress: Any = None,
) -> tuple[RiskModel, dict[str, Any]]:
    """Evaluate (grouped and forward splits), then fit the final model on every labelled day.
    The operating threshold meets the alert budget on the held-out patients' scores."""
    report, held_out = compare_scorers(
        data, events, seed=seed, budget=budget, latent=latent, n_boot=n_boot, progress=progress
    )
    report["held_out_patients"] = sorted({str(p) for p in held_out["patient"].unique()})
    labelled = data[data["y"].notna()].reset_index(drop=True)
    # Every patient the deployed model is fitted on (its held-out patients included): a later
    # comparison with another version must not read them as unseen (ml.comparison).
    report["trained_patients"] = sorted({str(p) for p in labelled["patient"].unique()})
    # The deployed model's inputs: scoring and explanations read exactly these columns
    # (RiskModel.feature_names), whatever build_features computes besides.
    columns = usable_features(labelled, _groups(labelled))
    if progress:
        progress(f"fitting the final model on all {labelled['patient'].nunique()} patients")
    pipeline = fit_pipeline("model", labelled, labelled["y"].to_numpy(), _groups(labelled), seed, columns)
    if progress:
        progress("operating threshold for the alert budget")
    # The operating threshold meets the alert budget on the deployed model's own scores of
    # the days it was not trained on and that are closest to what the nightly runs will
    # score: every patient's latest HORIZON_DAYS days, whose outcome is not known yet. The
    # scores of the fold models that evaluate it are on another scale (a model fitted on
    # more patients scores higher or lower overall), and the labelled past is in-sample.
    frame, basis = _threshold_basis(data, pipeline.predict_proba(data[columns].to_numpy(dtype=float))[:, 1])
    curve = evaluation.budget_curve(frame, budgets=tuple(sorted({0.25, 0.5, 1.0, 2.0, 4.0, budget})))
    threshold = dict((b, t) for b, t in curve)[budget]
    report["operating_threshold"] = threshold
    report["operating_threshold_basis"] = basis
    report["budget_curve"] = curve
    report["training"] = {
        "patients": int(labelled["patient"].nunique()),
        "days": int(len(labelled)),
        "positive_days": int(labelled["y"].sum()),
        "events": int(len(events)),
        "data_start": pd.Timestamp(data["date"].min()).date().isoformat() if len(data) else None,
        "data_end": pd.Timestamp(data["date"].max()).date().isoformat() if len(data) else None,
        "features": len(columns),
        "features_dropped": [name for name in MODEL_FEATURES if name not in columns],
    }
    model = RiskModel(
        pipeline=pipeline,
        feature_names=list(columns),
        threshold=threshold,
        budget_curve=curve,
        seed=seed,
        info={"horizon_days": HORIZON_DAYS, "exclude_after_event_days": EXCLUDE_AFTER_EVENT, "budget": budget},
    )
    return model, report


# Fewer patients than this in the latest days: the threshold is set on every observed day.
MIN_THRESHOLD_PATIENTS = 10


def _threshold_basis(data: pd.DataFrame, scores: np.ndarray) -> tuple[pd.DataFrame, str]:
    """The rows (patient, date, the deployed model's score) the operating threshold is set
    on, and how to say so: every patient's latest HORIZON_DAYS days (unlabelled, so unseen in
    training), or every observed day when too few patients have recent data."""
    recent = (data["date"] > data["date"].max() - pd.Timedelta(days=HORIZON_DAYS)).to_numpy()
    patients = int(data.loc[recent, "patient"].nunique())
    frame = data[["patient", "date"]].assign(score=scores)
    if patients >= MIN_THRESHOLD_PATIENTS:
        return frame[recent].reset_index(drop=True), (
            f"the deployed model's scores of the latest {HORIZON_DAYS} days of {patients} patients "
            f"({int(recent.sum())} days, nearly all without a known outcome yet, so unseen in training)"
        )
    everyone = int(data["patient"].nunique())
    return frame, f"the deployed model's scores of all {len(data)} observed days of {everyone} patients"
