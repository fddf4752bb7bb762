"""Patients vs controls on the depresjon data set with monitoring.actigraphy's measures:
leave-one-participant-out logistic regression, beside the published figures. No Django.

    .venv/bin/python scripts/actigraphy_depresjon_eval.py [--data ../shared/data/depresjon]

Everything below was fixed before the first run and is the same for every subject (nothing is
tuned on individual subjects, nor chosen from the results):
- each recording is read with `monitoring.actigraphy_formats` (Europe/Oslo) and truncated, as
  the data set's README asks, to its `days` (scores.csv) complete local days after the first,
  partial, day (that day is kept only as the context of the first night's scoring);
- per day: `daily_activity`, `daily_sleep` (Cole-Kripke, Webster's rules, main period and
  naps), `daily_rhythm` (7-day windows, at least 3 days);
- subject level, one row per subject: the rhythm over the whole truncated recording (IS, IV,
  RA, L5, M10; raw counts, published formulas) and the means over the subject's nights of the
  main sleep period's total sleep, efficiency, wake after sleep onset and awakenings
  (nights flagged truncated left out): model A ("rhythm + sleep", the primary one). Model B adds
  the means of the daily activity measures (mean, SD, share of zero minutes, daytime and night
  means); model C replaces the whole-recording rhythm by the mean of the daily 7-day-window
  values, as a platform that stores one rhythm value a day would have them;
- day level, one row per subject-day: that day's activity measures, its night's sleep
  figures and its 7-day-window rhythm; the score of a subject from the day model is its mean
  predicted probability over its days;
- the classifier: median imputation, standardisation, logistic regression (L2, C = 1,
  class weights balanced between the 23 patients and 32 controls), threshold 0.5, fitted on
  all but one participant and applied to the left-out one (all of its days at day level)."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a file from the repository root

# The scoring (classifier, leave-one-participant-out, metrics, table) is the one
# `manage.py validate_actigraphy` uses on the platform's stored features.
from ml.actigraphy_validation import (  # noqa: E402
    DAILY_RHYTHM,
    RHYTHM,
    SLEEP,
    leave_one_participant_out,
    markdown,
    metrics,
)
from monitoring.actigraphy import daily_activity, daily_sleep  # noqa: E402
from monitoring.actigraphy_formats import read_actigraphy  # noqa: E402
from monitoring.actigraphy_rhythm import daily_rhythm, rhythm  # noqa: E402

TZ = "Europe/Oslo"
ACTIVITY = ["activity_mean", "activity_sd", "activity_zero_share", "activity_day_mean", "activity_night_mean"]


@dataclass
class Subject:
    name: str
    condition: int  # 1 patient, 0 control
    days: pd.DataFrame  # per local day: activity, sleep and rolling rhythm columns
    rhythm: dict[str, float]  # over the whole truncated recording
    minutes: int
    read_seconds: float
    measure_seconds: float


def load_subject(data: Path, name: str, valid_days: int) -> Subject:
    started = time.perf_counter()
    recording = read_actigraphy(data / name.split("_")[0] / f"{name}.csv.gz", tz=TZ)
    counts = recording.counts
    read = time.perf_counter()
    first_midnight = counts.index[0].normalize() + pd.Timedelta(days=1)
    if counts.index[0] == counts.index[0].normalize():
        first_midnight = counts.index[0]
    # Local days, not 24-hour steps: tz_localize on the wall-clock dates keeps 23/25-hour days.
    end_date = (first_midnight.tz_localize(None) + pd.Timedelta(days=valid_days)).tz_localize(TZ)
    context = counts[counts.index < end_date]  # the first partial day stays as scoring context
    kept = context[context.index >= first_midnight]
    days = pd.concat(
        [daily_activity(context, TZ), daily_sleep(context, TZ), daily_rhythm(kept, TZ)],
        axis=1,
    )
    days = days.loc[[d for d in days.index if d >= first_midnight.date()]]
    whole = rhythm(kept, TZ)
    return Subject(
        name=name,
        condition=int(name.startswith("condition")),
        days=days,
        rhythm=whole,
        minutes=len(kept),
        read_seconds=read - started,
        measure_seconds=time.perf_counter() - read,
    )


def subject_table(subjects: list[Subject]) -> pd.DataFrame:
    rows = []
    for subject in subjects:
        nights = subject.days[~subject.days["sleep_truncated"].astype(bool)]
        row: dict[str, float | str | int] = {"subject": subject.name, "condition": subject.condition}
        row.update({key: subject.rhythm[key] for key in RHYTHM})
        row.update({column: float(nights[column].mean()) for column in SLEEP})
        row.update({column: float(subject.days[column].mean()) for column in ACTIVITY + DAILY_RHYTHM})
        rows.append(row)
    return pd.DataFrame(rows).set_index("subject")


def day_table(subjects: list[Subject]) -> pd.DataFrame:
    frames = []
    for subject in subjects:
        frame = subject.days[ACTIVITY + SLEEP + DAILY_RHYTHM].astype("float64").copy()
        frame.loc[subject.days["sleep_truncated"].astype(bool), SLEEP] = np.nan
        frame["subject"] = subject.name
        frame["condition"] = subject.condition
        frames.append(frame)
    return pd.concat(frames)


def evaluate(subjects: list[Subject]) -> list[tuple[str, str, dict[str, float]]]:
    table = subject_table(subjects)
    y = table["condition"].to_numpy()
    names = table.index.to_numpy()
    results = []
    models = {
        "A: rhythm + sleep (primary)": RHYTHM + SLEEP,
        "B: rhythm + sleep + daily activity": RHYTHM + SLEEP + ACTIVITY,
        "C: daily 7-day-window rhythm (mean) + sleep": DAILY_RHYTHM + SLEEP,
    }
    for label, columns in models.items():
        probability = leave_one_participant_out(table[columns].to_numpy(), y, names)
        results.append(("subject", label, metrics(y, (probability >= 0.5).astype(int))))

    days = day_table(subjects)
    columns = ACTIVITY + SLEEP + DAILY_RHYTHM
    y_days = days["condition"].to_numpy()
    groups = days["subject"].to_numpy()
    probability = leave_one_participant_out(days[columns].to_numpy(), y_days, groups)
    label = "D: day model (activity + night + 7-day rhythm)"
    results.append(("day", label, metrics(y_days, (probability >= 0.5).astype(int))))
    per_subject = pd.Series(probability, index=groups).groupby(level=0).mean().reindex(names)
    results.append(("subject", label + ", mean per subject", metrics(y, (per_subject.to_numpy() >= 0.5).astype(int))))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "depresjon")
    args = parser.parse_args()
    started = time.perf_counter()
    scores = pd.read_csv(args.data / "scores.csv")
    subjects = [load_subject(args.data, row.number, int(row.days)) for row in scores.itertuples()]
    computed = time.perf_counter()
    results = evaluate(subjects)
    finished = time.perf_counter()
    patients = sum(s.condition for s in subjects)
    minutes = sum(s.minutes for s in subjects)
    day_count = sum(len(s.days) for s in subjects)
    print(
        f"{len(subjects)} subjects ({patients} patients, {len(subjects) - patients} controls), "
        f"{day_count} subject-days, {minutes} minutes after truncation to the valid days\n"
    )
    print(markdown(results))
    reading = sum(s.read_seconds for s in subjects)
    measuring = sum(s.measure_seconds for s in subjects)
    print(
        f"\nreading the files: {reading:.1f} s; the measures (activity, sleep, rolling and whole rhythm): "
        f"{measuring:.1f} s = {measuring / day_count * 1000:.1f} ms per subject-day; "
        f"leave-one-participant-out fits: {finished - computed:.1f} s; total {finished - started:.1f} s"
    )


if __name__ == "__main__":
    main()
