"""Features for the relapse-risk model, from daily summaries and the recorded episodes.

Every feature of day `d` is computed from summaries dated on or before `d` (trailing windows
over a dense patient x day grid, via prefix sums), so nothing after the scored day leaks in;
tests/ml/test_features.py proves it. Features are relative to the patient's own baseline
(the 60 days ending three weeks before `d`, so a slowly building prodrome does not hide in
its own baseline), missingness is a feature rather than a zero, and the diagnosis group and
the relapse history (an episode recorded before `d`, from the clinical events) are the only
standing inputs (sex and age are reported on, not learned from).

Input: a DataFrame with `patient`, `date` and the `monitoring.DailySummary` columns (any may
be absent or all-null). Pure pandas/numpy.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

# channel -> (summary column, transform, SD floor in transformed units, centring constant)
CHANNELS: dict[str, tuple[str, str, float, float]] = {
    "mood": ("mood", "id", 0.5, 0.0),
    "anxiety": ("anxiety", "id", 0.7, 4.0),
    "energy": ("energy", "id", 0.7, 5.0),
    "irritability": ("irritability", "id", 0.7, 3.0),
    "sleep_quality": ("sleep_quality", "id", 0.7, 6.0),
    "sleep_hours": ("sleep_hours", "id", 0.5, 7.5),
    "sleep_mid": ("sleep_mid", "id", 0.4, 0.0),
    "sleep_efficiency": ("sleep_efficiency", "id", 0.03, 0.85),
    "steps": ("steps", "log1p", 0.15, 8.8),
    "time_at_home": ("time_at_home_min", "id", 40.0, 700.0),
    "distance": ("distance_km", "log1p", 0.2, 2.0),
    "speech_rate": ("speech_rate_wpm", "id", 8.0, 150.0),
    "pause": ("pause_ratio", "id", 0.03, 0.3),
    "pitch_sd": ("pitch_sd_hz", "id", 2.0, 20.0),
    "screen": ("screen_minutes", "id", 30.0, 240.0),
    "unlocks": ("unlocks", "log1p", 0.15, 4.2),
}
# Wrist actigraphy (docs/actigraphy.md): the day's mean count a minute and share of motionless
# minutes, and the rest-activity rhythm over the 7 days ending on the day. Missing for every
# patient without a wearable: training keeps only the columns it has data for
# (ml.training.usable_features), so a cohort without wearables trains the model it did before.
ACTIGRAPHY_CHANNELS: dict[str, tuple[str, str, float, float]] = {
    "activity_mean": ("activity_mean", "log1p", 0.15, 5.0),
    "activity_zero_share": ("activity_zero_share", "id", 0.03, 0.4),
    "rhythm_is": ("rhythm_is", "id", 0.05, 0.6),
    "rhythm_iv": ("rhythm_iv", "id", 0.08, 0.8),
    "rhythm_ra": ("rhythm_ra", "id", 0.04, 0.8),
    "rhythm_l5": ("rhythm_l5", "log1p", 0.2, 3.0),
    "rhythm_m10": ("rhythm_m10", "log1p", 0.15, 5.5),
}
CHANNELS.update(ACTIGRAPHY_CHANNELS)
SELF_REPORT_CHANNELS = ("mood", "anxiety", "energy", "irritability", "sleep_quality")
QUESTIONNAIRES = ("phq9", "gad7", "asrm")
CHANNEL_SUFFIXES = ("z3", "z7", "z14", "trend", "vol7", "miss7")

BASELINE_LONG = 80  # baseline window: days d-80 .. d-21
BASELINE_LAG = 21
BASELINE_MIN = 10  # observations; below that the baseline also uses the recent weeks
LOOKBACK_DAYS = 90  # what scoring needs to read before the scored day
QUESTIONNAIRE_MAX_AGE = 60
DX_GROUPS = {"depression": ("F32", "F33"), "bipolar": ("F31",), "psychosis": ("F20", "F25")}

COMPOSITES: dict[str, dict[str, float]] = {
    "depressive_signs": {
        "mood": -1,
        "energy": -1,
        "steps": -1,
        "distance": -1,
        "time_at_home": 1,
        "speech_rate": -1,
        "pause": 1,
        "pitch_sd": -1,
        "sleep_quality": -1,
    },
    "manic_signs": {
        "mood": 1,
        "energy": 1,
        "irritability": 1,
        "sleep_hours": -1,
        "steps": 1,
        "distance": 1,
        "speech_rate": 1,
        "screen": 1,
        "unlocks": 1,
    },
    "psychotic_signs": {
        "anxiety": 1,
        "irritability": 1,
        "distance": -1,
        "time_at_home": 1,
        "sleep_mid": 1,
        "sleep_quality": -1,
    },
}

# Levels that differ mostly between patients; computed (explanations and the heuristic read
# them) but not learned from: the model sees each patient relative to their own usual.
LEVEL_COLUMNS = [f"{q}__last" for q in QUESTIONNAIRES] + ["checkin_days7", "passive_days7", "med_rate7"]

FEATURES: list[str] = [
    name
    for name in (
        [f"{ch}__{sfx}" for ch in CHANNELS for sfx in CHANNEL_SUFFIXES]
        + [f"{q}__{sfx}" for q in QUESTIONNAIRES for sfx in ("last", "change", "vs_base", "age")]
        + [
            "checkin_days7",
            "checkin_vs_base",
            "days_since_checkin",
            "passive_days7",
            "passive_vs_base",
            "days_since_passive",
            "med_rate7",
            "med_vs_base",
            "dx_depression",
            "dx_bipolar",
            "dx_psychosis",
        ]
        + [f"{name}__{window}" for window in ("z7", "z14") for name in COMPOSITES]
    )
    if name not in LEVEL_COLUMNS
]

# Small persistent shifts (issue 20), computed when build_features(shift=True): over the last
# SHIFT_DAYS days (d-20 .. d, after the baseline window, so a shift is not yet in its own
# baseline), each day's deviation from the patient's baseline *of day d*, in baseline SDs
# (clipped to +-SHIFT_Z_CLIP): an exponentially weighted mean (EWMA, weight SHIFT_EWMA_LAMBDA
# for the newest day) and a two-sided cumulative sum (CUSUM with allowance SHIFT_CUSUM_K,
# upward minus downward), both started at 0 on day d-20 and carried over missing days; and per
# clinical pattern the share of its signals whose EWMA moves at least SHIFT_AGREE in the
# pattern's direction (agreement across channels). Everything reads days d-80 .. d only, the
# window scoring reads, so training and scoring compute the same values.
SHIFT_DAYS = 21
SHIFT_EWMA_LAMBDA = 0.2
SHIFT_CUSUM_K = 0.5
SHIFT_Z_CLIP = 4.0
SHIFT_AGREE = 0.5
SHIFT_CHANNELS = [ch for ch in CHANNELS if ch not in ACTIGRAPHY_CHANNELS]
SHIFT_FEATURES: list[str] = [f"{ch}__{sfx}" for ch in SHIFT_CHANNELS for sfx in ("ewma", "cusum")] + [
    f"{name}__agree" for name in COMPOSITES
]

# Issue 20, three more families, each computed only when build_features is asked for it (like
# `shift`); windows chosen once, before any grid ran, and never tuned on a setting:
#
# anomaly=True -- per-patient multivariate anomaly: each day's vector of the ANOMALY_CHANNELS,
# standardised against the patient's baseline of day d (d-80 .. d-21, as every deviation here)
# and clipped to +-ANOMALY_Z_CLIP (the robust part: one absurd reading cannot dominate), missing
# channels at 0 (as usual). Its covariance over the baseline days with any of them observed
# (>= BASELINE_MIN days) is shrunk with the OAS estimator (Chen et al. 2010, the formula of
# sklearn.covariance.OAS, computed for many patient-days at once; tests/ml/test_new_features.py
# checks it against sklearn). Features: the Mahalanobis distance of day d's vector, the root mean
# of the squared daily distances over d-6 .. d, and the distance of the 7- and 14-day mean
# vectors (times sqrt(days observed), so noise alone reads the same whatever the window), each
# divided by sqrt(number of channels).
ANOMALY_CHANNELS = [ch for ch in CHANNELS if ch not in ACTIGRAPHY_CHANNELS]
ANOMALY_Z_CLIP = 4.0
ANOMALY_FEATURES = ["anomaly__day", "anomaly__rms7", "anomaly__mean7", "anomaly__mean14"]
#
# variability=True -- changes in variability and in day-to-day autocorrelation (critical slowing
# down) per channel: log of the SD over d-13 .. d (>= 5 values) against the baseline SD (floored
# as for the z-scores), the lag-1 autocorrelation of consecutive observed days over d-13 .. d
# (>= 5 pairs), and that autocorrelation minus the baseline's (d-80 .. d-21, >= 10 pairs).
VARIABILITY_WINDOW = 14
VARIABILITY_MIN_VALUES = 5
VARIABILITY_FEATURES: list[str] = [f"{ch}__{sfx}" for ch in SHIFT_CHANNELS for sfx in ("sd14", "ac14", "ac_change")]
#
# missingness=True -- missingness patterns, separately for self-reports (a day without any
# check-in: disengagement) and for passive data (a day without any phone record: a device gap):
# share of days missing over d-13 .. d minus the baseline share (d-80 .. d-21, else d-80 .. d-1
# as the adherence features), the longest run of missing days in d-13 .. d, the number of
# separate gaps in it (one long gap reads as a device, scattered ones as disengagement), and
# self-reports missing while the phone still records (the disengagement share, recent minus
# baseline). Days before the patient's first data count as neither.
MISSINGNESS_WINDOW = 14
MISSINGNESS_FEATURES: list[str] = [
    f"{kind}__{sfx}" for kind in ("selfreport", "passive") for sfx in ("miss14", "run14", "gaps14")
] + ["disengaged__miss14"]

# episodes=True (with `events`) -- the direction of the patient's OWN previous episode: for a
# day d after a recorded episode (its first event, events closer than EPISODE_GAP_DAYS to the
# one before belong to the same episode) dated before d, the vector of the 14-day deviations
# (`ch__z14`, clipped to +-EPISODE_Z_CLIP) of the EPISODE_CHANNELS on the eve of that episode
# (its own baseline then), compared with the same vector on day d: cosine similarity over the
# channels observed on both days (>= EPISODE_MIN_CHANNELS), and day d's deviation projected on
# the previous direction (SDs). Both NaN without an earlier episode in the data, so a booster
# also learns "has relapsed before". Reads days before d only (the eve's features read up to the
# eve); unlike the other families it needs the history back to 80 days before that episode,
# more than scoring's LOOKBACK_DAYS window (so it is evaluation only, like the others today).
EPISODE_CHANNELS = [ch for ch in CHANNELS if ch not in ACTIGRAPHY_CHANNELS]
EPISODE_GAP_DAYS = 45
EPISODE_Z_CLIP = 4.0
EPISODE_MIN_CHANNELS = 3
EPISODE_FEATURES = ["episode__similarity", "episode__projection"]
# Relapse history (issue 20; served): the standing risk of a patient who has been through an
# episode before, the strongest known predictor of the next one. For day d:
# - `episode__before`: 1 when a relapse or hospitalisation is recorded on a day before d,
#   however long before (also before enrolment or the first data: a nurse records past
#   episodes with the patient page's event form), else 0;
# - `episode__rate` (sixth part): the episodes recorded before d per year observed, with a
#   weak prior, (episodes + HISTORY_PRIOR_EPISODES) / (years + HISTORY_PRIOR_YEARS), the years
#   observed running from the earlier of the patient's enrolment and their first recorded
#   episode to d. A patient followed long without an episode reads lower than one just
#   enrolled; two episodes in six months higher than one in three years. Missing when the
#   enrolment date is not known. The prior (half an episode in half a year) was set once,
#   before any grid ran.
# Computed whenever build_features is given `events` (`episode__rate` needs `patients` with
# `enrolled_on`); explanations read `ref__history__*` (days since the latest episode's first
# day, episodes recorded, years observed). A model that reads it must be given the events and
# enrolment dates wherever it scores (ml.scoring, ml.drift, ml.comparison read them).
EPISODE_HISTORY = ["episode__before", "episode__rate"]
HISTORY_REFS = ["ref__history__days_since", "ref__history__episodes", "ref__history__years"]
HISTORY_PRIOR_EPISODES = 0.5
HISTORY_PRIOR_YEARS = 0.5
# What the served model may read: today's FEATURES and the relapse history.
MODEL_FEATURES = FEATURES + EPISODE_HISTORY

FAMILIES: dict[str, list[str]] = {
    "shift": SHIFT_FEATURES,
    "anomaly": ANOMALY_FEATURES,
    "variability": VARIABILITY_FEATURES,
    "missingness": MISSINGNESS_FEATURES,
}

# Explanation groups: the features a nurse would read as one factor.
GROUPS: dict[str, list[str]] = {ch: [f"{ch}__{s}" for s in ("z3", "z7", "z14", "trend", "vol7")] for ch in CHANNELS}
GROUPS["logging"] = ["checkin_days7", "checkin_vs_base", "days_since_checkin"] + [
    f"{ch}__miss7" for ch in SELF_REPORT_CHANNELS
]
GROUPS["sensors"] = ["passive_days7", "passive_vs_base", "days_since_passive"] + [
    f"{ch}__miss7" for ch in CHANNELS if ch not in SELF_REPORT_CHANNELS and ch not in ACTIGRAPHY_CHANNELS
]
GROUPS["wearable"] = [f"{ch}__miss7" for ch in ACTIGRAPHY_CHANNELS]
GROUPS["medication"] = ["med_rate7", "med_vs_base"]
for _name in COMPOSITES:
    # Composites move with their channels; explanations attribute them to a pattern.
    GROUPS[_name] = [f"{_name}__z7", f"{_name}__z14"]
for _q in QUESTIONNAIRES:
    GROUPS[_q] = [f"{_q}__last", f"{_q}__change", f"{_q}__vs_base"]
GROUPS["history"] = list(EPISODE_HISTORY)


def time_to_hours(values: pd.Series) -> pd.Series:
    """`HH:MM[:SS]` strings or datetime.time objects -> hours after midnight (NaN if missing).
    Numbers are taken as hours already."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    text = values.astype("string").str.slice(0, 5)
    hours = pd.to_numeric(text.str.slice(0, 2), errors="coerce")
    minutes = pd.to_numeric(text.str.slice(3, 5), errors="coerce")
    return (hours + minutes / 60).astype(float)


def sleep_midpoint(frame: pd.DataFrame) -> pd.Series:
    """Mid-sleep time in hours relative to 03:30 (in -12 .. 12), from onset and duration."""
    onset = time_to_hours(frame["sleep_onset"]) if "sleep_onset" in frame else pd.Series(np.nan, index=frame.index)
    wake = time_to_hours(frame["sleep_wake"]) if "sleep_wake" in frame else pd.Series(np.nan, index=frame.index)
    hours = pd.to_numeric(frame.get("sleep_hours"), errors="coerce") if "sleep_hours" in frame else np.nan
    duration = pd.Series(hours, index=frame.index).where(lambda s: s.notna(), (wake - onset) % 24)
    mid = (onset + duration / 2) % 24
    mid = mid.where(onset.notna(), (wake - duration / 2) % 24)
    return ((mid - 3.5 + 12) % 24) - 12


@dataclass
class _Grid:
    patients: np.ndarray  # patient keys, row order of the grid
    start: pd.Timestamp  # date of column 0
    n_days: int
    first: np.ndarray  # first column with a summary row, per patient


class _Prefix:
    """Prefix sums of a (P, T) array with NaN as missing: window sums/counts in O(1)."""

    def __init__(self, x: np.ndarray, center: float = 0.0):
        valid = ~np.isnan(x)
        v = np.where(valid, x - center, 0.0)
        pad = np.zeros((x.shape[0], 1))
        self.n = np.concatenate([pad, np.cumsum(valid, axis=1, dtype=float)], axis=1)
        self.s1 = np.concatenate([pad, np.cumsum(v, axis=1)], axis=1)
        self.s2 = np.concatenate([pad, np.cumsum(v * v, axis=1)], axis=1)
        self.center = center

    def window(self, pi: np.ndarray, ti: np.ndarray, back_from: int, back_to: int) -> tuple[np.ndarray, ...]:
        """(count, mean, sd) over days ti-back_from .. ti-back_to (inclusive)."""
        lo = np.clip(ti - back_from, 0, None)
        hi = np.clip(ti - back_to + 1, 0, None)
        hi = np.maximum(hi, lo)
        n = self.n[pi, hi] - self.n[pi, lo]
        s1 = self.s1[pi, hi] - self.s1[pi, lo]
        s2 = self.s2[pi, hi] - self.s2[pi, lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n > 0, s1 / np.where(n > 0, n, 1), np.nan)
            var = np.where(n > 1, (s2 - n * mean * mean) / np.where(n > 1, n - 1, 1), np.nan)
        sd = np.sqrt(np.clip(var, 0, None))
        return n, mean + self.center, sd


def _last_index(valid: np.ndarray) -> np.ndarray:
    """For each cell, the column of the latest valid cell at or before it (-1 if none)."""
    idx = np.where(valid, np.arange(valid.shape[1])[None, :], -1)
    return np.maximum.accumulate(idx, axis=1)


def _transform(values: np.ndarray, how: str) -> np.ndarray:
    return np.log1p(np.clip(values, 0, None)) if how == "log1p" else values


def build_features(
    summaries: pd.DataFrame,
    *,
    patients: pd.DataFrame | None = None,
    targets: pd.DataFrame | None = None,
    shift: bool = False,
    anomaly: bool = False,
    variability: bool = False,
    missingness: bool = False,
    episodes: bool = False,
    events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Feature rows for `targets` (`patient`, `date`); by default every day from each patient's
    first to last summary. `patients` (`patient`, `diagnosis`) gives the diagnosis group.

    Returns `patient`, `date`, the FEATURES columns, and `ref__*` columns (raw recent and usual
    values) that explanations turn into words; with `shift`, `anomaly`, `variability` or
    `missingness`, also that family's columns (FAMILIES). With `events` (`patient`, `date` of
    recorded relapses and hospitalisations, any date), the relapse history (EPISODE_HISTORY and
    HISTORY_REFS); with `episodes` too, EPISODE_FEATURES."""
    frame = summaries.copy()
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["sleep_mid"] = sleep_midpoint(frame) if len(frame) else pd.Series(dtype=float)
    if targets is None:
        spans = frame.groupby("patient")["date"].agg(["min", "max"])
        targets = pd.DataFrame(
            [(p, d) for p, row in spans.iterrows() for d in pd.date_range(row["min"], row["max"], freq="D")],
            columns=["patient", "date"],
        )
    targets = targets[["patient", "date"]].copy()
    targets["date"] = pd.to_datetime(targets["date"]).astype("datetime64[ns]")
    keys = pd.Index(pd.unique(pd.concat([targets["patient"], frame["patient"]], ignore_index=True)))
    start = min(frame["date"].min() if len(frame) else targets["date"].min(), targets["date"].min())
    end = max(frame["date"].max() if len(frame) else targets["date"].max(), targets["date"].max())
    n_days = int((end - start).days) + 1
    P = len(keys)

    rows = keys.get_indexer(frame["patient"])
    cols = ((frame["date"] - start).dt.days).to_numpy()

    grids: dict[tuple[str, str], np.ndarray] = {}

    def grid(column: str, how: str = "id") -> np.ndarray:
        """(patients x days) values of a summary column, NaN where missing; built once per
        column (callers must not modify it)."""
        key = (column, how)
        if key not in grids:
            out = np.full((P, n_days), np.nan)
            if column in frame and len(frame):
                values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                out[rows, cols] = _transform(values, how)
            grids[key] = out
        return grids[key]

    has_row = np.zeros((P, n_days), dtype=bool)
    has_row[rows, cols] = True
    first = np.where(has_row.any(axis=1), has_row.argmax(axis=1), n_days)
    pi = keys.get_indexer(targets["patient"])
    ti = ((targets["date"] - start).dt.days).to_numpy()
    first_t = np.minimum(first[pi], ti)  # a target before any data counts as the first day
    days_in = lambda back_from, back_to: np.clip(  # noqa: E731 - days of the window in the patient's span
        np.minimum(ti - back_to, ti) - np.maximum(ti - back_from, first_t) + 1, 0, None
    )

    out: dict[str, np.ndarray] = {}
    baselines: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for ch, (column, how, floor, center) in CHANNELS.items():
        prefix = _Prefix(grid(column, how), center=_transform(np.array([center]), how)[0])
        n_b, mean_b, sd_b = prefix.window(pi, ti, BASELINE_LONG, BASELINE_LAG)
        n_f, mean_f, sd_f = prefix.window(pi, ti, BASELINE_LONG, 1)
        use_long = n_b >= BASELINE_MIN
        base_mean = np.where(use_long, mean_b, np.where(n_f >= 3, mean_f, np.nan))
        base_sd = np.maximum(np.where(use_long, sd_b, sd_f), floor)
        base_sd = np.where(np.isnan(base_sd), floor, base_sd)
        base_days = np.where(use_long, days_in(BASELINE_LONG, BASELINE_LAG), days_in(BASELINE_LONG, 1))
        base_n = np.where(use_long, n_b, n_f)
        with np.errstate(invalid="ignore", divide="ignore"):
            base_miss = np.where(base_days > 0, 1 - base_n / np.where(base_days > 0, base_days, 1), np.nan)
        for k in (3, 7, 14):
            _n, mean_k, _sd = prefix.window(pi, ti, k - 1, 0)
            out[f"{ch}__z{k}"] = (mean_k - base_mean) / base_sd
            if k == 7:
                n7, mean7, sd7 = _n, mean_k, _sd
        _n, mean_prev, _sd = prefix.window(pi, ti, 20, 7)
        out[f"{ch}__trend"] = (mean7 - mean_prev) / base_sd
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"{ch}__vol7"] = np.where(n7 >= 3, np.log(np.maximum(sd7, floor / 4) / base_sd), np.nan)
            d7 = days_in(6, 0)
            miss7 = np.where(d7 > 0, 1 - n7 / np.where(d7 > 0, d7, 1), np.nan)
        out[f"{ch}__miss7"] = miss7 - np.nan_to_num(base_miss, nan=0.0)
        baselines[ch] = (base_mean, base_sd)
        if shift and ch in SHIFT_CHANNELS:
            out[f"{ch}__ewma"], out[f"{ch}__cusum"] = _shift_statistics(grid(column, how), pi, ti, base_mean, base_sd)
        if variability and ch in SHIFT_CHANNELS:
            out.update(_variability(grid(column, how), pi, ti, ch, base_sd, floor))
        back = (lambda v: np.expm1(v)) if how == "log1p" else (lambda v: v)
        out[f"ref__{ch}__mean7"] = back(mean7)
        out[f"ref__{ch}__base"] = back(base_mean)
        out[f"ref__{ch}__sd7"] = sd7
        out[f"ref__{ch}__base_sd"] = base_sd
        last = _last_index(~np.isnan(grid(column, how)))[pi, ti]
        out[f"ref__{ch}__days_since"] = np.where(last >= 0, ti - last, np.nan)
        if ch in ACTIGRAPHY_CHANNELS:
            # No wearable (yet): missingness is not a deviation, the feature is missing.
            out[f"{ch}__miss7"] = np.where(last >= 0, out[f"{ch}__miss7"], np.nan)
            if ch == "activity_mean":
                with np.errstate(invalid="ignore", divide="ignore"):
                    rate = np.where(base_days > 0, base_n / np.where(base_days > 0, base_days, 1), np.nan)
                out["ref__wearable__days7"] = np.where(last >= 0, n7, np.nan)
                out["ref__wearable__rate"] = np.where(last >= 0, rate, np.nan)
                out["ref__wearable__days_since"] = out[f"ref__{ch}__days_since"]

    for q in QUESTIONNAIRES:
        values = grid(q)
        valid = ~np.isnan(values)
        last = _last_index(valid)
        li = last[pi, ti]
        age = np.where(li >= 0, ti - li, np.nan)
        fresh = (li >= 0) & (age <= QUESTIONNAIRE_MAX_AGE)
        last_value = np.where(fresh, values[pi, np.clip(li, 0, None)], np.nan)
        prev_i = np.where(li >= 1, last[pi, np.clip(li - 1, 0, None)], -1)
        prev_value = np.where(fresh & (prev_i >= 0), values[pi, np.clip(prev_i, 0, None)], np.nan)
        prefix = _Prefix(values)
        n_b, mean_b, _sd = prefix.window(pi, ti, 10_000, BASELINE_LAG)
        base = np.where(n_b >= 1, mean_b, np.nan)
        out[f"{q}__last"] = last_value
        out[f"{q}__change"] = last_value - prev_value
        out[f"{q}__vs_base"] = last_value - base
        out[f"{q}__age"] = np.where(fresh, age, np.nan)
        out[f"ref__{q}__base"] = base
        out[f"ref__{q}__prev"] = prev_value

    def adherence(valid: np.ndarray, name: str) -> None:
        prefix = _Prefix(np.where(valid, 1.0, np.nan))
        n7, _m, _s = prefix.window(pi, ti, 6, 0)
        n_b, _m, _s = prefix.window(pi, ti, BASELINE_LONG, BASELINE_LAG)
        d_b = days_in(BASELINE_LONG, BASELINE_LAG)
        n_f, _m, _s = prefix.window(pi, ti, BASELINE_LONG, 1)
        d_f = days_in(BASELINE_LONG, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(d_b >= 14, n_b / np.maximum(d_b, 1), np.where(d_f >= 3, n_f / np.maximum(d_f, 1), np.nan))
        last = _last_index(valid)[pi, ti]
        seen = ti - np.where(last >= 0, last, first_t - 1)
        out[f"{name}_days7"] = n7
        out[f"{name}_vs_base"] = n7 - 7 * rate
        out[f"days_since_{name}"] = np.minimum(seen, 60).astype(float)
        out[f"ref__{name}__rate"] = rate

    checkins = grid("checkins")
    adherence(np.nan_to_num(checkins, nan=0) > 0, "checkin")
    passive = grid("passive_records")
    adherence(np.nan_to_num(passive, nan=0) > 0, "passive")

    med = grid("medication_taken")
    med_prefix = _Prefix(med)
    _n7, med7, _s = med_prefix.window(pi, ti, 6, 0)
    n_b, med_b, _s = med_prefix.window(pi, ti, BASELINE_LONG, BASELINE_LAG)
    n_f, med_f, _s = med_prefix.window(pi, ti, BASELINE_LONG, 1)
    med_base = np.where(n_b >= 5, med_b, np.where(n_f >= 3, med_f, np.nan))
    out["med_rate7"] = med7
    out["med_vs_base"] = med7 - med_base
    out["ref__medication__logged7"] = _n7
    out["ref__medication__base"] = med_base
    out["ref__days_observed"] = np.minimum(ti - first_t, 180).astype(float)

    dx = pd.Series("", index=targets.index)
    if patients is not None and len(patients):
        dx = targets["patient"].map(dict(zip(patients["patient"], patients["diagnosis"].astype(str), strict=False)))
        dx = dx.fillna("")
    prefix3 = dx.str.upper().str.slice(0, 3)
    for group, codes in DX_GROUPS.items():
        out[f"dx_{group}"] = prefix3.isin(codes).to_numpy(dtype=float)

    # Clinical composites (CLINICAL.md early-warning signs): the mean of the available signed
    # deviations, so a pattern shows even when single channels are noisy or missing.
    for window in ("z7", "z14"):
        for name, signs in COMPOSITES.items():
            stack = np.stack([sign * out[f"{ch}__{window}"] for ch, sign in signs.items()])
            with np.errstate(invalid="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                out[f"{name}__{window}"] = np.nanmean(stack, axis=0)

    if anomaly:
        anomaly_inputs = [grid(CHANNELS[ch][0], CHANNELS[ch][1]) for ch in ANOMALY_CHANNELS]
        out.update(_anomaly(anomaly_inputs, [baselines[ch] for ch in ANOMALY_CHANNELS], pi, ti))
    if missingness:
        logged = np.nan_to_num(checkins, nan=0) > 0
        sensed = np.nan_to_num(passive, nan=0) > 0
        out.update(_missingness(logged, sensed, pi, ti, first_t))

    if shift:
        for name, signs in COMPOSITES.items():
            ewma = np.stack([sign * out[f"{ch}__ewma"] for ch, sign in signs.items()])
            seen = (~np.isnan(ewma)).sum(axis=0)
            moving = (np.nan_to_num(ewma, nan=0.0) >= SHIFT_AGREE).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[f"{name}__agree"] = np.where(seen > 0, moving / np.maximum(seen, 1), np.nan)

    if events is not None:
        out.update(relapse_history(targets, events, patients))
    if episodes:
        current = np.stack([out[f"{ch}__z14"] for ch in EPISODE_CHANNELS], axis=1)
        out.update(_own_episodes(summaries, patients, targets, events, current))

    result = pd.DataFrame(out, index=targets.index)
    result.insert(0, "date", targets["date"].to_numpy())
    result.insert(0, "patient", targets["patient"].to_numpy())
    return result.reset_index(drop=True)


def episode_starts(events: pd.DataFrame | None) -> pd.DataFrame:
    """(`patient`, `date`) of the first event of each episode: an event more than
    EPISODE_GAP_DAYS after the patient's previous one (a hospitalisation days after a relapse
    is the same episode)."""
    if events is None or not len(events):
        return pd.DataFrame({"patient": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]")})
    ev = events[["patient", "date"]].copy()
    ev["date"] = pd.to_datetime(ev["date"]).astype("datetime64[ns]")
    ev = ev.drop_duplicates().sort_values(["patient", "date"]).reset_index(drop=True)
    gap = ev.groupby("patient")["date"].diff().dt.days
    return ev[gap.isna() | (gap > EPISODE_GAP_DAYS)].reset_index(drop=True)


def relapse_history(
    targets: pd.DataFrame, events: pd.DataFrame, patients: pd.DataFrame | None = None
) -> dict[str, np.ndarray]:
    """EPISODE_HISTORY and HISTORY_REFS per target (`patient`, `date`): whether an episode
    (episode_starts) began on a day before the target's, the episodes per year observed (needs
    `patients` with `patient` and `enrolled_on`; missing without), the days since the latest
    start, how many there were and the years observed. An episode starting on the target day
    itself is not known yet."""
    n = len(targets)
    result = {
        "episode__before": np.zeros(n),
        "episode__rate": np.full(n, np.nan),
        "ref__history__days_since": np.full(n, np.nan),
        "ref__history__episodes": np.zeros(n),
        "ref__history__years": np.full(n, np.nan),
    }
    if not n:
        return result
    dates = pd.to_datetime(targets["date"]).astype("datetime64[ns]").to_numpy()
    enrolled = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if patients is not None and "enrolled_on" in patients.columns:
        known = pd.Series(
            pd.to_datetime(patients["enrolled_on"]).astype("datetime64[ns]").to_numpy(),
            index=patients["patient"].astype(str).to_numpy(),
        )
        enrolled = targets["patient"].astype(str).map(known).astype("datetime64[ns]").to_numpy()
    starts = episode_starts(events)
    starts = starts[starts["patient"].astype(str).isin(set(targets["patient"].astype(str)))].copy()
    first = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(starts):
        starts["episodes"] = starts.groupby("patient").cumcount() + 1.0
        starts["first"] = starts.groupby("patient")["date"].transform("min")
        matched = _latest_start_before(targets, starts.rename(columns={"date": "start"}))
        has = matched["start"].notna().to_numpy()
        result["episode__before"] = has.astype(float)
        result["ref__history__days_since"] = np.where(
            has, (matched["date"] - matched["start"]).dt.days.to_numpy(dtype=float, na_value=np.nan), np.nan
        )
        result["ref__history__episodes"] = matched["episodes"].fillna(0.0).to_numpy(dtype=float)
        # The first episode only once it is known (it is before d whenever any episode is).
        first = pd.to_datetime(matched["first"]).astype("datetime64[ns]").to_numpy()
    # Observed from the earlier of enrolment and the first recorded episode (NaT is ignored
    # by fmin); no enrolment date: not known.
    observed_from = np.where(np.isnat(enrolled), np.datetime64("NaT"), np.fmin(enrolled, first))
    days = (dates - observed_from.astype("datetime64[ns]")) / np.timedelta64(1, "D")
    years = np.clip(days, 0, None) / 365.25
    result["ref__history__years"] = years
    result["episode__rate"] = (result["ref__history__episodes"] + HISTORY_PRIOR_EPISODES) / (
        years + HISTORY_PRIOR_YEARS
    )
    return result


def _latest_start_before(targets: pd.DataFrame, starts: pd.DataFrame) -> pd.DataFrame:
    """Per target (`patient`, `date`), in the targets' order, the row of `starts` (`patient`,
    `start`, other columns) with the latest `start` before the target's day (all NaN without
    one): an episode starting on day d is not known before d."""
    order = pd.DataFrame(
        {
            "patient": targets["patient"].astype(str).to_numpy(),
            "date": pd.to_datetime(targets["date"]).astype("datetime64[ns]").to_numpy(),
        }
    )
    order["patient"] = order["patient"].astype(str)
    order["_i"] = np.arange(len(order))
    lookup = starts.assign(
        patient=starts["patient"].astype(str), start=pd.to_datetime(starts["start"]).astype("datetime64[ns]")
    )
    matched = pd.merge_asof(
        order.sort_values("date"),
        lookup.sort_values("start"),
        left_on="date",
        right_on="start",
        by="patient",
        direction="backward",
        allow_exact_matches=False,
    )
    return matched.sort_values("_i").reset_index(drop=True)


def _own_episodes(
    summaries: pd.DataFrame,
    patients: pd.DataFrame | None,
    targets: pd.DataFrame,
    events: pd.DataFrame | None,
    current: np.ndarray,
) -> dict[str, np.ndarray]:
    """EPISODE_FEATURES per target (see there); `current`: (targets, EPISODE_CHANNELS) z14."""
    result = {name: np.full(len(targets), np.nan) for name in EPISODE_FEATURES}
    starts = episode_starts(events)
    starts = starts[starts["patient"].isin(set(targets["patient"]))]
    if not len(starts):
        return result
    eves = pd.DataFrame({"patient": starts["patient"].to_numpy(), "date": starts["date"] - pd.Timedelta(days=1)})
    eves = eves.drop_duplicates().reset_index(drop=True)
    # The eve's own features read summaries up to the eve only (no later day can reach them).
    before = build_features(summaries, patients=patients, targets=eves)
    before["start"] = before["date"] + pd.Timedelta(days=1)
    previous = np.clip(
        before[[f"{ch}__z14" for ch in EPISODE_CHANNELS]].to_numpy(dtype=float), -EPISODE_Z_CLIP, EPISODE_Z_CLIP
    )
    lookup = pd.DataFrame({"patient": before["patient"].to_numpy(), "start": before["start"].to_numpy()})
    lookup["row"] = np.arange(len(lookup))
    matched = _latest_start_before(targets, lookup)
    has = matched["row"].notna().to_numpy()
    if not has.any():
        return result
    prev = previous[matched.loc[has, "row"].to_numpy(dtype=int)]
    now = np.clip(current[has], -EPISODE_Z_CLIP, EPISODE_Z_CLIP)
    both = ~np.isnan(prev) & ~np.isnan(now)
    p = np.where(both, prev, 0.0)
    c = np.where(both, now, 0.0)
    n = both.sum(axis=1)
    dot = (p * c).sum(axis=1)
    norm_p = np.sqrt((p * p).sum(axis=1))
    norm_c = np.sqrt((c * c).sum(axis=1))
    enough = (n >= EPISODE_MIN_CHANNELS) & (norm_p > 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):
        similarity = np.where(enough & (norm_c > 1e-9), dot / np.maximum(norm_p * norm_c, 1e-12), 0.0)
        projection = dot / np.maximum(norm_p, 1e-12)
    result["episode__similarity"][has] = np.where(enough, similarity, np.nan)
    result["episode__projection"][has] = np.where(enough, projection, np.nan)
    return result


def _shift_statistics(
    values: np.ndarray, pi: np.ndarray, ti: np.ndarray, base_mean: np.ndarray, base_sd: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(EWMA, CUSUM up minus down) per target of the deviations of days d-SHIFT_DAYS+1 .. d
    from the target's baseline (see SHIFT_FEATURES); NaN when none of those days has a value."""
    lags = np.arange(SHIFT_DAYS - 1, -1, -1)
    cols = ti[:, None] - lags[None, :]
    window = np.where(cols >= 0, values[pi[:, None], np.clip(cols, 0, None)], np.nan)
    with np.errstate(invalid="ignore"):
        z = np.clip((window - base_mean[:, None]) / base_sd[:, None], -SHIFT_Z_CLIP, SHIFT_Z_CLIP)
    seen = ~np.isnan(z)
    z = np.where(seen, z, 0.0)
    ewma = np.zeros(len(ti))
    up = np.zeros(len(ti))
    down = np.zeros(len(ti))
    for j in range(SHIFT_DAYS):
        day = seen[:, j]
        ewma = np.where(day, ewma + SHIFT_EWMA_LAMBDA * (z[:, j] - ewma), ewma)
        up = np.where(day, np.maximum(0.0, up + z[:, j] - SHIFT_CUSUM_K), up)
        down = np.where(day, np.maximum(0.0, down - z[:, j] - SHIFT_CUSUM_K), down)
    any_seen = seen.any(axis=1)
    return np.where(any_seen, ewma, np.nan), np.where(any_seen, up - down, np.nan)


def _windows(values: np.ndarray, pi: np.ndarray, ti: np.ndarray, back_from: int, back_to: int) -> np.ndarray:
    """(targets, days) values of days ti-back_from .. ti-back_to of each target's patient, NaN
    before the grid starts."""
    lags = np.arange(back_from, back_to - 1, -1)
    cols = ti[:, None] - lags[None, :]
    return np.where(cols >= 0, values[pi[:, None], np.clip(cols, 0, None)], np.nan)


def oas_covariance(z: np.ndarray, n: np.ndarray) -> np.ndarray:
    """OAS-shrunk covariance of each stack of vectors z (k, days, p), centred at 0 (deviations
    from the baseline mean), over n[k] days: sklearn.covariance.OAS(assume_centered=True)'s
    estimator, vectorised over k."""
    p = z.shape[2]
    emp = np.einsum("kdi,kdj->kij", z, z) / np.maximum(n, 1)[:, None, None]
    mu = np.trace(emp, axis1=1, axis2=2) / p
    alpha = np.mean(emp**2, axis=(1, 2))
    num = alpha + mu**2
    den = (n + 1.0) * (alpha - mu**2 / p)
    with np.errstate(invalid="ignore", divide="ignore"):
        shrinkage = np.where(den == 0, 1.0, np.minimum(num / np.where(den == 0, 1.0, den), 1.0))
    eye = np.eye(p)[None, :, :]
    return (1.0 - shrinkage)[:, None, None] * emp + (shrinkage * mu)[:, None, None] * eye


def _anomaly(
    values: list[np.ndarray], baselines: list[tuple[np.ndarray, np.ndarray]], pi: np.ndarray, ti: np.ndarray
) -> dict[str, np.ndarray]:
    """ANOMALY_FEATURES per target (see there), in chunks of targets to bound memory."""
    p = len(values)
    result = {name: np.full(len(ti), np.nan) for name in ANOMALY_FEATURES}
    chunk = 2000
    for lo in range(0, len(ti), chunk):
        sl = slice(lo, lo + chunk)
        # (targets, days d-80 .. d, channels), standardised against day d's baseline.
        window = np.stack([_windows(v, pi[sl], ti[sl], BASELINE_LONG, 0) for v in values], axis=2)
        mean = np.stack([b[0][sl] for b in baselines], axis=1)[:, None, :]
        sd = np.stack([b[1][sl] for b in baselines], axis=1)[:, None, :]
        with np.errstate(invalid="ignore"):
            z = np.clip((window - mean) / sd, -ANOMALY_Z_CLIP, ANOMALY_Z_CLIP)
        seen = ~np.isnan(z)
        z = np.where(seen, z, 0.0)
        day_seen = seen.any(axis=2)
        base = slice(0, BASELINE_LONG - BASELINE_LAG + 1)  # d-80 .. d-21
        n_base = day_seen[:, base].sum(axis=1).astype(float)
        ok = n_base >= BASELINE_MIN
        if not ok.any():
            continue
        idx = np.flatnonzero(ok)
        zb = z[idx][:, base, :] * day_seen[idx][:, base, None]
        precision = np.linalg.pinv(oas_covariance(zb, n_base[idx]), hermitian=True)
        recent = z[idx, -14:, :]  # d-13 .. d
        recent_seen = day_seen[idx, -14:]
        d2 = np.einsum("kdi,kij,kdj->kd", recent, precision, recent)  # squared daily distances
        d2 = np.where(recent_seen, np.clip(d2, 0, None), np.nan)
        rows = np.arange(lo, min(lo + chunk, len(ti)))[idx]
        result["anomaly__day"][rows] = np.sqrt(d2[:, -1] / p)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            result["anomaly__rms7"][rows] = np.sqrt(np.nanmean(d2[:, -7:], axis=1) / p)
        for k, name in ((7, "anomaly__mean7"), (14, "anomaly__mean14")):
            n_k = recent_seen[:, -k:].sum(axis=1).astype(float)
            m = recent[:, -k:, :].sum(axis=1) / np.maximum(n_k, 1)[:, None]
            dm = np.clip(np.einsum("ki,kij,kj->k", m, precision, m), 0, None)
            result[name][rows] = np.where(n_k > 0, np.sqrt(dm * n_k / p), np.nan)
    return result


def _variability(
    values: np.ndarray, pi: np.ndarray, ti: np.ndarray, ch: str, base_sd: np.ndarray, floor: float
) -> dict[str, np.ndarray]:
    """VARIABILITY_FEATURES of one channel (see there)."""
    k = VARIABILITY_WINDOW
    recent = _windows(values, pi, ti, k - 1, 0)
    n = (~np.isnan(recent)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(recent, axis=1, ddof=1)
        sd14 = np.where(n >= VARIABILITY_MIN_VALUES, np.log(np.maximum(sd, floor / 4) / base_sd), np.nan)
    ac_recent = _lag1_autocorrelation(recent, VARIABILITY_MIN_VALUES)
    base = _windows(values, pi, ti, BASELINE_LONG, BASELINE_LAG)
    ac_base = _lag1_autocorrelation(base, BASELINE_MIN)
    return {f"{ch}__sd14": sd14, f"{ch}__ac14": ac_recent, f"{ch}__ac_change": ac_recent - ac_base}


def _lag1_autocorrelation(window: np.ndarray, min_pairs: int) -> np.ndarray:
    """Pearson correlation of (x[t-1], x[t]) over the pairs of consecutive days both observed,
    per row; NaN below min_pairs pairs or without variance."""
    a, b = window[:, :-1], window[:, 1:]
    pair = ~np.isnan(a) & ~np.isnan(b)
    n = pair.sum(axis=1).astype(float)
    a = np.where(pair, a, 0.0)
    b = np.where(pair, b, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ma = a.sum(axis=1) / n
        mb = b.sum(axis=1) / n
        da = np.where(pair, a - ma[:, None], 0.0)
        db = np.where(pair, b - mb[:, None], 0.0)
        cov = (da * db).sum(axis=1)
        var = np.sqrt((da * da).sum(axis=1) * (db * db).sum(axis=1))
        r = np.where((n >= min_pairs) & (var > 1e-12), cov / np.where(var > 1e-12, var, 1.0), np.nan)
    return r


def _missingness(
    logged: np.ndarray, sensed: np.ndarray, pi: np.ndarray, ti: np.ndarray, first_t: np.ndarray
) -> dict[str, np.ndarray]:
    """MISSINGNESS_FEATURES (see there). `logged`/`sensed`: (patients, days) booleans."""
    k = MISSINGNESS_WINDOW
    out: dict[str, np.ndarray] = {}

    def share_missing(window: np.ndarray, cols: np.ndarray, min_days: int) -> np.ndarray:
        inside = cols >= first_t[:, None]  # days within the patient's span
        days = inside.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(days >= min_days, ((window == 0) & inside).sum(axis=1) / np.maximum(days, 1), np.nan)

    def windows(flags: np.ndarray, back_from: int, back_to: int) -> tuple[np.ndarray, np.ndarray]:
        lags = np.arange(back_from, back_to - 1, -1)
        cols = ti[:, None] - lags[None, :]
        return np.where(cols >= 0, flags[pi[:, None], np.clip(cols, 0, None)], False).astype(float), cols

    shares = {}
    for kind, flags in (("selfreport", logged), ("passive", sensed)):
        recent, cols = windows(flags, k - 1, 0)
        miss_recent = share_missing(recent, cols, 1)
        base_long, cols_long = windows(flags, BASELINE_LONG, BASELINE_LAG)
        base_full, cols_full = windows(flags, BASELINE_LONG, 1)
        long_share = share_missing(base_long, cols_long, 14)
        base_share = np.where(np.isnan(long_share), share_missing(base_full, cols_full, 3), long_share)
        out[f"{kind}__miss14"] = miss_recent - np.nan_to_num(base_share, nan=0.0)
        shares[kind] = (recent, cols, base_long, cols_long, base_full, cols_full)
        # Runs of missing days within the window (only days within the patient's span).
        missing = (recent == 0) & (cols >= first_t[:, None])
        run = np.zeros(len(ti))
        longest = np.zeros(len(ti))
        gaps = np.zeros(len(ti))
        for j in range(k):
            starts = missing[:, j] & (run == 0)
            gaps += starts
            run = np.where(missing[:, j], run + 1, 0)
            longest = np.maximum(longest, run)
        out[f"{kind}__run14"] = longest
        out[f"{kind}__gaps14"] = gaps
    # Disengagement: no self-report on a day the phone still recorded.
    rec_s, cols, base_s, cols_b, full_s, cols_f = shares["selfreport"]
    rec_p, _c, base_p, _cb, full_p, _cf = shares["passive"]

    def disengaged(selfreport: np.ndarray, passive: np.ndarray, cols: np.ndarray, min_days: int) -> np.ndarray:
        inside = (cols >= first_t[:, None]) & (passive > 0)
        days = inside.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(days >= min_days, ((selfreport == 0) & inside).sum(axis=1) / np.maximum(days, 1), np.nan)

    recent = disengaged(rec_s, rec_p, cols, 1)
    base = disengaged(base_s, base_p, cols_b, 14)
    base = np.where(np.isnan(base), disengaged(full_s, full_p, cols_f, 3), base)
    out["disengaged__miss14"] = recent - np.nan_to_num(base, nan=0.0)
    return out


def neutral_values(features: pd.DataFrame) -> pd.DataFrame:
    """What each model feature would be if the patient were as usual: deviations 0, days since
    the last check-in or sensor data at the patient's usual gap, no episode before (so the
    relapse history's share of a score shows; the episode rate as with none over the same
    years). Explanations replace a group of features with
    these values."""
    columns = FEATURES + [name for name in EPISODE_HISTORY if name in features.columns]
    neutral = pd.DataFrame(0.0, index=features.index, columns=columns)
    if "episode__rate" in columns:
        # No episode recorded over the same years observed.
        neutral["episode__rate"] = HISTORY_PRIOR_EPISODES / (features["ref__history__years"] + HISTORY_PRIOR_YEARS)
    for name in ("checkin", "passive"):
        rate = features[f"ref__{name}__rate"].fillna(features[f"{name}_days7"] / 7)
        neutral[f"days_since_{name}"] = np.minimum(
            features[f"days_since_{name}"], np.round(1 / np.maximum(rate.fillna(1.0), 1 / 30))
        )
    for q in QUESTIONNAIRES:
        neutral[f"{q}__age"] = features[f"{q}__age"]
    for col in ("dx_depression", "dx_bipolar", "dx_psychosis"):
        neutral[col] = features[col]
    # A deviation that could not be computed stays missing rather than becoming "as usual".
    return neutral.mask(features[columns].isna().to_numpy(), np.nan)


# Subgroups (evaluation at training, live performance in service).
AGE_BANDS = [(18, 34, "18-34"), (35, 54, "35-54"), (55, 200, "55+")]


def dx_group(diagnosis: str) -> str:
    code = str(diagnosis).upper()[:3]
    if code in ("F32", "F33"):
        return "depression"
    if code == "F31":
        return "bipolar"
    if code in ("F20", "F25"):
        return "psychosis"
    return "other"


def age_band(age: float) -> str:
    for lo, hi, name in AGE_BANDS:
        if lo <= age <= hi:
            return name
    return "unknown"
