"""Evaluation across a family of synthetic cohorts (issue 20): train on a cohort of one
generator setting (ml.cohort.SETTINGS), test on fresh cohorts of every setting, and report
for each scorer the figures that matter in service, with patient-bootstrap intervals.

Every cohort is generated from its own seed (the training cohort from `seed`, the test
cohort of the i-th setting in SETTINGS from `seed + 1000 + i`), so no patient is on both
sides and each setting's test cohort is the same whichever training setting is evaluated.
Its daily summaries are computed in memory with ingestion's rules (monitoring.cohort_summaries)
and its features with the code training and scoring use (ml.features via
ml.training.build_dataset).

Scorers (same training rows, same columns, same alert budget):
- `model`: today's model (ml.training.make_pipeline("model")), fitted on every labelled day
  of the training cohort;
- `logistic`: the logistic baseline, likewise;
- `model+F` for each feature family F of ml.features.FAMILIES (`shift`: EWMA, CUSUM and
  agreement; `anomaly`: multivariate Mahalanobis against the patient's own baseline;
  `variability`: SD ratio and lag-1 autocorrelation; `missingness`: self-report and passive
  gaps), today's model with that family added; `model+all` with every family, and
  `model+all-F` with every family but F (the ablation: what each family adds alone, what
  removing it from the rest costs); `logistic+all`: the logistic baseline on every family;
- `tuned+all`, `tuned-folds+all`, `stack+all`: the booster variant chosen by patient-grouped
  cross-validation on the training cohort only (ml.training.GroupedChoice, BOOSTER_VARIANTS:
  today's, stumps, stronger regularisation with fewer iterations, monotone constraints where
  the clinical direction is known), Platt-calibrated on its out-of-fold scores; the mean of
  its fold models each calibrated on its held-out patients; and a stacked combination of it
  with the logistic baseline (a logistic regression on both out-of-fold scores);
- `observable`, `model+observable`, `observable-learned`: the observable ceiling (evaluation
  only, ml.observable): a matched filter that knows the generator of the cohort's own setting,
  Platt-calibrated; today's model with its statistics as columns; and today's booster with
  every family and those statistics fitted on a fresh cohort of the TEST setting itself
  (INSETTING_FACTOR x the training patients);
- `oriented`, `model+oriented`, `per-dx+oriented`: the same matched filter knowing only
  CLINICAL.md's directions; today's model with its statistics; one booster per diagnosis group;
- `model+episodes`: today's model with the direction of the patient's own previous episode
  (ml.features.EPISODE_FEATURES, from the recorded events before the day); `model+history`:
  today's model with the relapse history (whether an earlier episode is recorded and the
  episodes per year observed), which is the model served since the sixth part of issue 20
  (ml.features.MODEL_FEATURES; `model` here stays the booster on FEATURES, the model served
  before the history, so the tables compare the two); `model+history-binary` with only whether
  an earlier episode is recorded (the model served in the fifth part); `model+history-detail`
  with that, the number of earlier episodes and the days since the latest one began;
  `stack+history-binary` the fifth part's columns in a stack of today's booster and the
  logistic baseline (ml.training.make_pipeline("stack"), scikit-learn's StackingClassifier on
  patient-grouped out-of-fold decision functions);
- `ceiling`: the generator's true prodrome intensity, Platt-calibrated on the training cohort.

Besides one model per training setting, ONE model can be trained on a pooled cohort of
several settings (make_mixture: `mixture`, every setting; `leave-one-out`, the five settings
other than the one it is tested on), with the same number of training patients.

On each test cohort, each scorer's threshold is the lowest that keeps its alerts within the
budget (default 1 per patient-month) on that cohort, as in ml.training.compare_scorers, so
the share of relapses alerted is compared at equal alert burden.

Pure computation (numpy/pandas/scikit-learn, no Django).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from monitoring.cohort_summaries import daily_summaries_from_lines

from . import evaluation
from .cohort import SETTINGS, cohort_config, generate
from .features import EPISODE_FEATURES, EPISODE_HISTORY, FAMILIES, FEATURES
from .observable import KINDS, clinical_knowledge, generator_knowledge, matched_filter
from .training import GroupedChoice, _groups, _latent_scores, build_dataset, fit_pipeline, usable_features

# Cohort sizes: (training patients, test patients per setting, days).
SIZES: dict[str, tuple[int, int, int]] = {
    "tiny": (24, 16, 120),
    "small": (120, 60, 180),
    "medium": (240, 120, 240),  # the sizes of issue 20's independent cohorts
}
END = date(2026, 10, 31)
TEST_SEED_OFFSET = 1000
# The figures reported, as keys of ml.evaluation's overall figures.
FIGURES = ("auroc", "event_sensitivity", "median_lead_days", "calibration_slope")
SCORERS: tuple[str, ...] = (
    "model",
    "logistic",
    *(f"model+{family}" for family in FAMILIES),
    "model+all",
    "logistic+all",
    *(f"model+all-{family}" for family in FAMILIES),
    "tuned+all",
    "tuned-folds+all",
    "stack+all",
    "model+episodes",
    "model+history",
    "model+history-binary",
    "model+history-detail",
    "stack+history-binary",
    "observable",
    "model+observable",
    "oriented",
    "model+oriented",
    "per-dx+oriented",
    "observable-learned",
    "ceiling",
)
# `observable-learned` (evaluation only) is the other half of the observable ceiling: a learner
# that knows the test setting by having plenty of its data, today's booster fitted on a fresh
# cohort of the TEST setting (INSETTING_FACTOR x the training patients, its own seed) with
# every feature family and the generator-knowing matched filter.
INSETTING_FACTOR = 3
INSETTING_SEED_OFFSET = 2000
# Matched-filter columns (ml.observable): `obs__*` know the generator of the cohort's own
# setting (evaluation only: the observable ceiling), `ori__*` only CLINICAL.md's directions.
MATCHED = {"observable": "obs", "oriented": "ori"}
CHOICE_SCORERS = {"tuned+all": "tuned", "tuned-folds+all": "tuned-folds", "stack+all": "stack"}


@dataclass
class Cohort:
    setting: str
    seed: int
    data: pd.DataFrame  # ml.training.build_dataset rows (features, y, subgroups)
    events: pd.DataFrame
    latent: pd.DataFrame


def make_cohort(
    setting: str,
    *,
    patients: int,
    days: int,
    seed: int,
    team: str,
    end: date = END,
    indices: Iterable[int] | None = None,
) -> Cohort:
    """A cohort of one setting; `indices`: only these of its `patients` (ml.cohort.generate)."""
    lines: list[dict[str, Any]] = []
    latents: list[pd.DataFrame] = []
    config = cohort_config(setting, patients=patients, days=days, seed=seed, team=team, end=end)
    for truth in generate(config, indices):
        lines.extend(truth.lines)
        latents.append(truth.latent)
    summaries, patients_frame, events = daily_summaries_from_lines(lines)
    data = build_dataset(summaries, patients_frame, events, episodes=True, **dict.fromkeys(FAMILIES, True))
    for prefix, knowledge in (("obs", generator_knowledge(setting)), ("ori", clinical_knowledge())):
        stats = matched_filter(summaries, patients_frame, data[["patient", "date"]], knowledge)
        for column in (*KINDS, "score"):
            data[f"{prefix}__{column}"] = stats[column].to_numpy()
    return Cohort(setting=setting, seed=seed, data=data, events=events, latent=pd.concat(latents, ignore_index=True))


def make_mixture(settings: list[str], *, patients: int, days: int, seed: int, team: str, end: date = END) -> Cohort:
    """ONE training cohort pooled from several settings: the `patients` patients of seed `seed`
    split in contiguous slices, one per setting in `settings`' order (120 patients over six
    settings: patients 1-20 drawn under the first setting, 21-40 under the second, ...), so it
    has as many patients as a single-setting training cohort, and the same patients' random
    streams, each under another generator. Each slice's matched-filter columns know its own
    setting (as make_cohort's)."""
    parts = [
        make_cohort(setting, patients=patients, days=days, seed=seed, team=team, end=end, indices=chunk.tolist())
        for setting, chunk in zip(settings, np.array_split(np.arange(patients), len(settings)), strict=True)
    ]
    data = pd.concat([part.data for part in parts], ignore_index=True)
    data = data.sort_values(["code" if "code" in data.columns else "patient", "date"], kind="stable")
    return Cohort(
        setting="+".join(settings),
        seed=seed,
        data=data.reset_index(drop=True),
        events=pd.concat([part.events for part in parts], ignore_index=True),
        latent=pd.concat([part.latent for part in parts], ignore_index=True),
    )


def seed_of_test_cohort(seed: int, setting: str) -> int:
    return seed + TEST_SEED_OFFSET + list(SETTINGS).index(setting)


def scorer_columns(name: str, today: list[str], family_columns: dict[str, list[str]]) -> list[str]:
    """The columns of a scorer named `kind`, `kind+F`, `kind+all` or `kind+all-F`."""
    if name in MATCHED:
        return [f"{MATCHED[name]}__score"]
    if "+" not in name:
        return today
    spec = name.split("+", 1)[1]
    if spec in ("episodes", "history", "history-binary", "history-detail"):
        return today + family_columns[spec]
    if spec in MATCHED:
        return today + [f"{MATCHED[spec]}__{column}" for column in (*KINDS, "score")]
    if spec == "all":
        return today + [c for family in FAMILIES for c in family_columns[family]]
    if spec.startswith("all-"):
        left_out = spec[len("all-") :]
        return today + [c for family in FAMILIES if family != left_out for c in family_columns[family]]
    return today + family_columns[spec]


class _PerGroup:
    """`per-dx+oriented`: one of today's boosters per diagnosis group (its dx_* column is 1),
    on today's columns and the `ori__*` ones; rows of no group, and groups with fewer than
    PER_GROUP_MIN_POSITIVE positive days, use one booster fitted on every row."""

    def __init__(self, columns: list[str]):
        self.columns = columns
        self.groups = [c for c in ("dx_depression", "dx_bipolar", "dx_psychosis") if c in columns]
        self.models: dict[str, Any] = {}
        self.kept: dict[str, list[int]] = {}

    def fit(self, train: pd.DataFrame, y: np.ndarray, groups: np.ndarray, seed: int) -> _PerGroup:
        self.models["all"] = fit_pipeline("model", train, y, groups, seed, self.columns)
        for group in self.groups:
            rows = (train[group] == 1).to_numpy()
            if y[rows].sum() >= PER_GROUP_MIN_POSITIVE and len(np.unique(groups[rows])) >= 6:
                sub = train[rows].reset_index(drop=True)
                # Only the columns with values in this group (ASRM is bipolar disorder's only).
                kept = usable_features(sub, groups[rows], self.columns)
                self.kept[group] = [self.columns.index(c) for c in kept]
                self.models[group] = fit_pipeline("model", sub, y[rows], groups[rows], seed, kept)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        out = self.models["all"].predict_proba(X)
        for group, model in self.models.items():
            if group == "all":
                continue
            rows = X[:, self.columns.index(group)] == 1
            if rows.any():
                out[rows] = model.predict_proba(X[rows][:, self.kept[group]])
        return out


PER_GROUP_MIN_POSITIVE = 50


class _ChoiceScorer:
    def __init__(self, choice: GroupedChoice, kind: str):
        self.choice, self.kind = choice, kind

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.choice.predict_proba(X, self.kind)


@dataclass
class Fitted:
    columns: dict[str, list[str]]  # per scorer
    pipelines: dict[str, Any]
    train: pd.DataFrame
    train_latent: pd.DataFrame
    choice: dict[str, Any]  # GroupedChoice's cross-validated AUROCs and chosen variant


def fit_scorers(cohort: Cohort, *, seed: int, scorers: Iterable[str] = SCORERS) -> Fitted:
    train = cohort.data[cohort.data["y"].notna()].reset_index(drop=True)
    groups = _groups(train)
    # `model` is the booster on FEATURES (the served model before the relapse history).
    today = usable_features(train, groups, FEATURES)
    family_columns = {family: usable_features(train, groups, names) for family, names in FAMILIES.items()}
    family_columns["episodes"] = usable_features(train, groups, EPISODE_FEATURES)
    family_columns["history"] = usable_features(train, groups, EPISODE_HISTORY)
    family_columns["history-binary"] = usable_features(train, groups, ["episode__before"])
    family_columns["history-detail"] = usable_features(
        train, groups, ["episode__before", "ref__history__days_since", "ref__history__episodes"]
    )
    names = [name for name in scorers if name not in ("ceiling", "observable-learned")]
    columns = {name: scorer_columns(name, today, family_columns) for name in names}
    y = train["y"].to_numpy()
    pipelines: dict[str, Any] = {}
    choice: dict[str, Any] = {}
    for name in names:
        if name in CHOICE_SCORERS:
            continue
        if name == "per-dx+oriented":
            pipelines[name] = _PerGroup(columns[name]).fit(train, y, groups, seed)
            continue
        # A matched filter alone: a one-column logistic (Platt) on its score.
        kind = "logistic" if name in MATCHED else name.split("+")[0]
        pipelines[name] = fit_pipeline(kind, train, y, groups, seed, columns[name])
    if any(name in CHOICE_SCORERS for name in names):
        every = scorer_columns("x+all", today, family_columns)
        chooser = GroupedChoice(seed).fit(train[every].to_numpy(dtype=float), y, groups, every)
        choice = {"chosen": chooser.chosen, "cv_auroc": chooser.cv_auroc}
        for name in names:
            if name in CHOICE_SCORERS:
                pipelines[name] = _ChoiceScorer(chooser, CHOICE_SCORERS[name])
    return Fitted(columns=columns, pipelines=pipelines, train=train, train_latent=cohort.latent, choice=choice)


def score_cohort(fitted: Fitted, cohort: Cohort, *, seed: int) -> dict[str, np.ndarray]:
    test = cohort.data[cohort.data["y"].notna()].reset_index(drop=True)
    scores = {
        name: pipe.predict_proba(test.reindex(columns=fitted.columns[name]).to_numpy(dtype=float))[:, 1]
        for name, pipe in fitted.pipelines.items()
    }
    # The ceiling: Platt on the training cohort's latent intensity, applied to the test cohort's.
    both = pd.concat([fitted.train[["patient", "date", "y"]], test[["patient", "date", "y"]]], ignore_index=True)
    latent = pd.concat([fitted.train_latent, cohort.latent], ignore_index=True)
    mask = np.r_[np.ones(len(fitted.train), bool), np.zeros(len(test), bool)]
    scores["ceiling"] = _latent_scores(both, latent, mask, seed)[len(fitted.train) :]
    return scores


def evaluate_scores(
    cohort: Cohort,
    scores: dict[str, np.ndarray],
    *,
    budget: float,
    n_boot: int,
    seed: int,
    subgroups: bool = False,
) -> dict[str, dict[str, Any]]:
    """Each scorer at the threshold that keeps it within the alert budget on this cohort;
    `subgroups`: also AUROC and relapses alerted by diagnosis group, sex and age band (at the
    same threshold), under `by_diagnosis`, `by_sex`, `by_age_band`."""
    test = cohort.data[cohort.data["y"].notna()].reset_index(drop=True)
    columns = ["patient", "date", "y"] + (
        [c for c in ("dx_group", "sex", "age_band") if c in test.columns] if subgroups else []
    )
    held = test[columns]
    result: dict[str, dict[str, Any]] = {}
    for name, s in scores.items():
        frame = held.assign(score=s)
        threshold = evaluation.threshold_for_budget(frame, budget)
        report = evaluation.evaluate_scorer(
            frame, cohort.events, threshold=threshold, n_boot=n_boot, seed=seed, subgroups=subgroups
        )
        overall = report["overall"]
        result[name] = {
            "threshold": round(threshold, 5),
            "alerts_per_patient_month": overall["alerts_per_patient_month"]["value"],
            "events": overall["events"]["value"] if isinstance(overall["events"], dict) else overall["events"],
            **{figure: overall[figure] for figure in FIGURES},
        }
        for group in SUBGROUPS:
            if group in report:
                result[name][group] = {
                    value: {figure: part.get(figure) for figure in ("auroc", "event_sensitivity", "events")}
                    for value, part in report[group].items()
                }
    return result


SUBGROUPS = ("by_diagnosis", "by_sex", "by_age_band")


def subgroup_table(rows: list[dict[str, Any]]) -> str:
    """Per training setting, scorer and subgroup (diagnosis group, sex, age band), the mean
    over the test settings of AUROC and of relapses alerted at the cohort's budget threshold,
    and the relapses they count (a subgroup with few relapses reads wide)."""
    out = [
        "| train | scorer | subgroup | mean AUROC | mean relapses alerted | relapses (all test settings) |",
        "|---|---|---|---|---|---|",
    ]
    for train in dict.fromkeys(r["train"] for r in rows):
        mine = [r for r in rows if r["train"] == train]
        for scorer in dict.fromkeys(r["scorer"] for r in mine):
            these = [r for r in mine if r["scorer"] == scorer]
            for group in SUBGROUPS:
                values = sorted({v for r in these for v in (r.get(group) or {})})
                for value in values:
                    parts = [r[group].get(value) or {} for r in these if r.get(group)]
                    aucs = [v for v in (_value(p.get("auroc")) for p in parts) if v is not None]
                    sens = [v for v in (_value(p.get("event_sensitivity")) for p in parts) if v is not None]
                    events = sum(int(_value(p.get("events")) or 0) for p in parts)
                    auc = float(np.mean(aucs)) if aucs else None
                    sen = float(np.mean(sens)) if sens else None
                    label = f"{group.removeprefix('by_').replace('_', ' ')}: {value}"
                    out.append(f"| {train} | {scorer} | {label} | {_figure(auc, 3)} | {_figure(sen, 2)} | {events} |")
    return "\n".join(out)


def _in_setting_scores(setting: str, test: Cohort, *, patients: int, days: int, seed: int) -> np.ndarray:
    """`observable-learned`: today's booster on every family and the `obs__*` columns, fitted
    on a fresh cohort of the test's own setting (seed + INSETTING_SEED_OFFSET + the setting's
    index), applied to the test cohort."""
    t_seed = seed + INSETTING_SEED_OFFSET + list(SETTINGS).index(setting)
    cohort = make_cohort(setting, patients=patients, days=days, seed=t_seed, team="insetting")
    train = cohort.data[cohort.data["y"].notna()].reset_index(drop=True)
    groups = _groups(train)
    family_columns = {family: usable_features(train, groups, names) for family, names in FAMILIES.items()}
    every = scorer_columns("model+all", usable_features(train, groups, FEATURES), family_columns)
    columns = every + [f"obs__{column}" for column in (*KINDS, "score")]
    pipe = fit_pipeline("model", train, train["y"].to_numpy(), groups, seed, columns)
    rows = test.data[test.data["y"].notna()].reset_index(drop=True)
    return pipe.predict_proba(rows.reindex(columns=columns).to_numpy(dtype=float))[:, 1]


def across_cohorts(
    *,
    train_settings: Iterable[str],
    test_settings: Iterable[str],
    size: str = "small",
    seed: int = 2027,
    budget: float = 1.0,
    n_boot: int = 100,
    sizes: tuple[int, int, int] | None = None,
    progress: Callable[[str], None] | None = None,
    scorers: Iterable[str] = SCORERS,
    mixture: bool = False,
    leave_one_out: bool = False,
    subgroups: bool = False,
) -> list[dict[str, Any]]:
    """One row per (training setting, test setting, scorer); the ceiling always.

    `mixture`: also ONE model trained on a pooled cohort of every setting (make_mixture: the
    same number of training patients, split evenly across the six settings), rows with train
    `mixture`; `leave_one_out`: also, for each test setting, ONE model trained on a pooled
    cohort of the five other settings and tested on that setting only (the honest test of
    robustness to dynamics not seen), rows with train `leave-one-out`. Both use the training
    seed `seed` (the same patients' random streams as a single-setting training cohort)."""
    scorers = [name for name in SCORERS if name in set(scorers) | {"ceiling"}]
    n_train, n_test, days = sizes or SIZES[size]
    say = progress or (lambda _message: None)
    test_settings = list(test_settings)
    # (label, settings pooled in the training cohort, test settings)
    designs: list[tuple[str, list[str], list[str]]] = [(name, [name], test_settings) for name in train_settings]
    if mixture:
        designs.append(("mixture", list(SETTINGS), test_settings))
    if leave_one_out:
        designs += [("leave-one-out", [x for x in SETTINGS if x != left], [left]) for left in test_settings]
    tests: dict[str, Cohort] = {}
    rows: list[dict[str, Any]] = []
    for train_setting, pooled, design_tests in designs:
        say(f"generating the training cohort: {'+'.join(pooled)}, {n_train} patients x {days} days, seed {seed}")
        if len(pooled) == 1:
            train = make_cohort(pooled[0], patients=n_train, days=days, seed=seed, team="train")
        else:
            train = make_mixture(pooled, patients=n_train, days=days, seed=seed, team="train")
        say(f"fitting {len(scorers) - 1} scorers on {train.data['patient'].nunique()} patients")
        fitted = fit_scorers(train, seed=seed, scorers=scorers)
        for test_setting in design_tests:
            if test_setting not in tests:
                t_seed = seed_of_test_cohort(seed, test_setting)
                say(f"generating the test cohort: {test_setting}, {n_test} patients x {days} days, seed {t_seed}")
                tests[test_setting] = make_cohort(test_setting, patients=n_test, days=days, seed=t_seed, team="test")
            cohort = tests[test_setting]
            scores = score_cohort(fitted, cohort, seed=seed)
            if "observable-learned" in scorers:
                say(f"observable-learned: {INSETTING_FACTOR * n_train} patients of {test_setting}")
                scores["observable-learned"] = _in_setting_scores(
                    test_setting, cohort, patients=INSETTING_FACTOR * n_train, days=days, seed=seed
                )
            scores = {name: scores[name] for name in scorers if name in scores}  # rows in SCORERS' order
            say(f"scoring and evaluating {train_setting} -> {test_setting} ({n_boot} bootstrap resamples)")
            figures = evaluate_scores(cohort, scores, budget=budget, n_boot=n_boot, seed=seed, subgroups=subgroups)
            test_rows = cohort.data["y"].notna()
            for scorer, values in figures.items():
                rows.append(
                    {
                        "train": train_setting,
                        "train_settings": pooled,
                        "test": test_setting,
                        "scorer": scorer,
                        "test_patients": int(cohort.data.loc[test_rows, "patient"].nunique()),
                        "test_seed": cohort.seed,
                        **values,
                        **({"model_choice": fitted.choice} if scorer in CHOICE_SCORERS else {}),
                    }
                )
    return rows


def _figure(cell: Any, digits: int) -> str:
    if isinstance(cell, dict):
        value, (lo, hi) = cell.get("value"), cell.get("ci95") or [None, None]
        if value is None:
            return "n/a"
        interval = f" ({lo:.{digits}f}-{hi:.{digits}f})" if lo is not None and hi is not None else ""
        return f"{value:.{digits}f}{interval}"
    return "n/a" if cell is None else f"{cell:.{digits}f}"


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as one Markdown table."""
    lines = [
        "| train | test | scorer | AUROC | relapses alerted <= 14 d (<= budget) | median lead (d) | calib. slope "
        "| alerts / pt-month | events |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['train']} | {row['test']} | {row['scorer']} | {_figure(row['auroc'], 3)} "
            f"| {_figure(row['event_sensitivity'], 2)} | {_figure(row['median_lead_days'], 0)} "
            f"| {_figure(row['calibration_slope'], 2)} | {_figure(row['alerts_per_patient_month'], 2)} "
            f"| {'n/a' if row['events'] is None else int(row['events'])} |"
        )
    return "\n".join(lines)


def _value(cell: Any) -> float | None:
    value = cell.get("value") if isinstance(cell, dict) else cell
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else float(value)


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept and len(kept) == len(values) else None


def summary(rows: list[dict[str, Any]]) -> str:
    """Per training setting and scorer, the mean over the test settings (AUROC, relapses
    alerted, calibration slope) and the standing against the ceiling, (AUROC - 0.5) /
    (ceiling AUROC - 0.5) of the means; then the ablation: what each family adds to today's
    model alone, and what removing it from every family costs (mean AUROC and relapses
    alerted, differences in points of AUROC x 100 and of percent)."""
    out = [
        "| train | scorer | mean AUROC | mean relapses alerted | median calib. slope | standing vs ceiling "
        "| settings |",
        "|---|---|---|---|---|---|---|",
    ]
    means: dict[tuple[str, str], tuple[float | None, float | None]] = {}
    for train in dict.fromkeys(r["train"] for r in rows):
        mine = [r for r in rows if r["train"] == train]
        ceiling = _mean([_value(r["auroc"]) for r in mine if r["scorer"] == "ceiling"])
        for scorer in dict.fromkeys(r["scorer"] for r in mine):
            these = [r for r in mine if r["scorer"] == scorer]
            auc = _mean([_value(r["auroc"]) for r in these])
            sens = _mean([_value(r["event_sensitivity"]) for r in these])
            slopes = [v for v in (_value(r["calibration_slope"]) for r in these) if v is not None]
            slope = float(np.median(slopes)) if slopes else None
            means[(train, scorer)] = (auc, sens)
            standing = (auc - 0.5) / (ceiling - 0.5) if auc is not None and ceiling and ceiling > 0.5 else None
            out.append(
                f"| {train} | {scorer} | {_figure(auc, 3)} | {_figure(sens, 2)} | {_figure(slope, 2)} "
                f"| {_figure(standing, 2)} | {len(these)} |"
            )
    ablation = [
        "",
        "| train | family | adds to model: AUROC / relapses alerted "
        "| removing it from model+all: AUROC / relapses alerted |",
        "|---|---|---|---|",
    ]
    for train in dict.fromkeys(r["train"] for r in rows):

        def delta(a: str, b: str, i: int, scale: float, train: str = train) -> str:
            x, y = means.get((train, a), (None, None))[i], means.get((train, b), (None, None))[i]
            return "n/a" if x is None or y is None else f"{(x - y) * scale:+.1f}"

        def both(a: str, b: str) -> str:
            return f"{delta(a, b, 0, 100)} / {delta(a, b, 1, 100)}"

        for family in FAMILIES:
            if (train, f"model+{family}") not in means and (train, f"model+all-{family}") not in means:
                continue
            add, rem = both(f"model+{family}", "model"), both(f"model+all-{family}", "model+all")
            ablation.append(f"| {train} | {family} | {add} | {rem} |")
    return "\n".join(out + (ablation if len(ablation) > 3 else []))
