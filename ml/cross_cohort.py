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
- `model+shift`, `logistic+shift`: the same two with the features of small persistent shifts
  added (ml.features.SHIFT_FEATURES: EWMA and CUSUM per channel, agreement across channels);
- `ceiling`: the generator's true prodrome intensity, Platt-calibrated on the training cohort.

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
from .features import SHIFT_FEATURES
from .training import _groups, _latent_scores, build_dataset, fit_pipeline, usable_features

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
SCORERS = ("model", "logistic", "model+shift", "logistic+shift", "ceiling")


@dataclass
class Cohort:
    setting: str
    seed: int
    data: pd.DataFrame  # ml.training.build_dataset rows (features, y, subgroups)
    events: pd.DataFrame
    latent: pd.DataFrame


def make_cohort(setting: str, *, patients: int, days: int, seed: int, team: str, end: date = END) -> Cohort:
    lines: list[dict[str, Any]] = []
    latents: list[pd.DataFrame] = []
    for truth in generate(cohort_config(setting, patients=patients, days=days, seed=seed, team=team, end=end)):
        lines.extend(truth.lines)
        latents.append(truth.latent)
    summaries, patients_frame, events = daily_summaries_from_lines(lines)
    data = build_dataset(summaries, patients_frame, events, shift=True)
    return Cohort(setting=setting, seed=seed, data=data, events=events, latent=pd.concat(latents, ignore_index=True))


def seed_of_test_cohort(seed: int, setting: str) -> int:
    return seed + TEST_SEED_OFFSET + list(SETTINGS).index(setting)


@dataclass
class Fitted:
    columns: dict[str, list[str]]  # per scorer
    pipelines: dict[str, Any]
    train: pd.DataFrame
    train_latent: pd.DataFrame


def fit_scorers(cohort: Cohort, *, seed: int) -> Fitted:
    train = cohort.data[cohort.data["y"].notna()].reset_index(drop=True)
    groups = _groups(train)
    today = usable_features(train, groups)
    with_shift = today + usable_features(train, groups, SHIFT_FEATURES)
    columns = {"model": today, "logistic": today, "model+shift": with_shift, "logistic+shift": with_shift}
    y = train["y"].to_numpy()
    pipelines = {
        name: fit_pipeline(name.split("+")[0], train, y, groups, seed, columns[name])
        for name in SCORERS
        if name != "ceiling"
    }
    return Fitted(columns=columns, pipelines=pipelines, train=train, train_latent=cohort.latent)


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
    cohort: Cohort, scores: dict[str, np.ndarray], *, budget: float, n_boot: int, seed: int
) -> dict[str, dict[str, Any]]:
    test = cohort.data[cohort.data["y"].notna()].reset_index(drop=True)
    held = test[["patient", "date", "y"]]
    result: dict[str, dict[str, Any]] = {}
    for name, s in scores.items():
        frame = held.assign(score=s)
        threshold = evaluation.threshold_for_budget(frame, budget)
        report = evaluation.evaluate_scorer(
            frame, cohort.events, threshold=threshold, n_boot=n_boot, seed=seed, subgroups=False
        )
        overall = report["overall"]
        result[name] = {
            "threshold": round(threshold, 5),
            "alerts_per_patient_month": overall["alerts_per_patient_month"]["value"],
            "events": overall["events"]["value"] if isinstance(overall["events"], dict) else overall["events"],
            **{figure: overall[figure] for figure in FIGURES},
        }
    return result


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
) -> list[dict[str, Any]]:
    """One row per (training setting, test setting, scorer)."""
    n_train, n_test, days = sizes or SIZES[size]
    say = progress or (lambda _message: None)
    test_settings = list(test_settings)
    tests: dict[str, Cohort] = {}
    rows: list[dict[str, Any]] = []
    for train_setting in train_settings:
        say(f"generating the training cohort: {train_setting}, {n_train} patients x {days} days, seed {seed}")
        train = make_cohort(train_setting, patients=n_train, days=days, seed=seed, team="train")
        say(f"fitting {', '.join(SCORERS[:-1])} on {train.data['patient'].nunique()} patients")
        fitted = fit_scorers(train, seed=seed)
        for test_setting in test_settings:
            if test_setting not in tests:
                t_seed = seed_of_test_cohort(seed, test_setting)
                say(f"generating the test cohort: {test_setting}, {n_test} patients x {days} days, seed {t_seed}")
                tests[test_setting] = make_cohort(test_setting, patients=n_test, days=days, seed=t_seed, team="test")
            cohort = tests[test_setting]
            say(f"scoring and evaluating {train_setting} -> {test_setting} ({n_boot} bootstrap resamples)")
            figures = evaluate_scores(
                cohort, score_cohort(fitted, cohort, seed=seed), budget=budget, n_boot=n_boot, seed=seed
            )
            test_rows = cohort.data["y"].notna()
            for scorer, values in figures.items():
                rows.append(
                    {
                        "train": train_setting,
                        "test": test_setting,
                        "scorer": scorer,
                        "test_patients": int(cohort.data.loc[test_rows, "patient"].nunique()),
                        "test_seed": cohort.seed,
                        **values,
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
