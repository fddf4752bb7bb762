"""Patients vs controls from actigraphy measures, leave-one-participant-out (pure: pandas and
scikit-learn, no Django). Shared by `manage.py validate_actigraphy` (on the platform's stored
features) and `scripts/actigraphy_depresjon_eval.py` (on the measures computed directly), so
both score the same way. Every choice was fixed before the first run (docs/actigraphy.md):
median imputation, standardisation, L2 logistic regression with C = 1 and balanced class
weights, threshold 0.5; nothing is tuned, on individual subjects or otherwise."""

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, matthews_corrcoef
from sklearn.model_selection import LeaveOneGroupOut
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

RHYTHM = ["is", "iv", "ra", "l5", "m10"]
DAILY_RHYTHM = [f"rhythm_{key}" for key in RHYTHM]
SLEEP = ["sleep_total_minutes", "sleep_efficiency", "sleep_waso_minutes", "sleep_awakenings"]
PUBLISHED: list[tuple[str, float | None, float | None, float | None, float | None]] = [
    ("Jakobsen et al. 2020 (published)", 0.82, 0.84, 0.65, None),
    ("Garcia-Ceja et al. 2018 baseline (published)", None, None, 0.44, 0.73),
]
Result = tuple[str, str, dict[str, float]]


def classifier() -> Pipeline:
    return make_pipeline(
        SimpleImputer(strategy="median"),
        StandardScaler(),
        LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000),
    )


def leave_one_participant_out(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Out-of-participant probabilities of being a patient."""
    probability = np.empty(len(y))
    for train, test in LeaveOneGroupOut().split(x, y, groups):
        model = classifier().fit(x[train], y[train])
        probability[test] = model.predict_proba(x[test])[:, 1]
    return probability


def metrics(y: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    positives, negatives = int((y == 1).sum()), int((y == 0).sum())
    tp = int(((predicted == 1) & (y == 1)).sum())
    tn = int(((predicted == 0) & (y == 0)).sum())
    return {
        "sensitivity": tp / positives if positives else float("nan"),
        "specificity": tn / negatives if negatives else float("nan"),
        "mcc": float(matthews_corrcoef(y, predicted)),
        "f1": float(f1_score(y, predicted, zero_division=0.0)),
        "n": len(y),
    }


def evaluate_stored(days: pd.DataFrame, day_columns: list[str]) -> list[Result]:
    """`days`: one row per subject-day with `subject`, `condition` (1 patient, 0 control), the
    stored daily rhythm columns (DAILY_RHYTHM) and the night's SLEEP columns (NaN where no
    complete night was stored). Subject level: each subject's means (model C of
    docs/actigraphy.md, the platform's primary: what a platform storing one value a day has);
    day level: `day_columns` per day, and each subject's mean probability."""
    results: list[Result] = []
    table = days.groupby("subject")[[*DAILY_RHYTHM, *SLEEP, "condition"]].mean()
    y = table["condition"].to_numpy().astype(int)
    names = table.index.to_numpy()
    probability = leave_one_participant_out(table[DAILY_RHYTHM + SLEEP].to_numpy(), y, names)
    results.append(
        ("subject", "C: daily 7-day-window rhythm (mean) + sleep", metrics(y, (probability >= 0.5).astype(int)))
    )
    y_days = days["condition"].to_numpy().astype(int)
    groups = days["subject"].to_numpy()
    probability = leave_one_participant_out(days[day_columns].to_numpy(dtype="float64"), y_days, groups)
    label = "D: day model (activity + night + 7-day rhythm)"
    results.append(("day", label, metrics(y_days, (probability >= 0.5).astype(int))))
    per_subject = pd.Series(probability, index=groups).groupby(level=0).mean().reindex(names)
    results.append(("subject", label + ", mean per subject", metrics(y, (per_subject.to_numpy() >= 0.5).astype(int))))
    return results


def markdown(results: list[Result]) -> str:
    def cell(value: float | None) -> str:
        return "" if value is None or value != value else f"{value:.2f}"

    lines = [
        "| level | features | n | sensitivity | specificity | MCC | F1 |",
        "|---|---|---|---|---|---|---|",
    ]
    for level, label, m in results:
        lines.append(
            f"| {level} | {label} | {m['n']} | {cell(m['sensitivity'])} | {cell(m['specificity'])} "
            f"| {cell(m['mcc'])} | {cell(m['f1'])} |"
        )
    for label, sensitivity, specificity, mcc, f1 in PUBLISHED:
        lines.append(f"| | {label} | | {cell(sensitivity)} | {cell(specificity)} | {cell(mcc)} | {cell(f1)} |")
    return "\n".join(lines)
