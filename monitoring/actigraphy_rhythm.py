"""The non-parametric rest-activity rhythm of minute-level actigraphy counts (pure:
numpy/pandas, no Django): IS, IV, RA, L5, M10 and the onsets of L5 and M10, over the whole
recording (`rhythm`) or over a rolling window of local days ending on each day
(`daily_rhythm`, 7 days by default). Input contract and local days: `monitoring.actigraphy`.

Definitions (Witting, Kwa, Eikelenboom, Mirmiran & Swaab 1990, "Alterations in the circadian
rest-activity rhythm in aging and Alzheimer's disease", Biol Psychiatry 27(6):563-572; van
Someren, Lijzenga, Mirmiran & Swaab 1997, J Biol Rhythms 12(2):146-156; van Someren et al.
1999, "Bright light therapy: improved sensitivity to its effects on rest-activity rhythms in
Alzheimer patients by application of nonparametric methods", Chronobiol Int 16(4):505-518):

- hourly values x_i: the counts of each local clock hour (sum of its 60 minutes; an hour with
  missing minutes is scaled from its recorded ones, mean x 60, and is missing below 30); n of
  them, mean x̄; x̄_h the mean of the hours at clock hour h, over p clock hours;
- IS (interdaily stability) = sum_h n_h (x̄_h - x̄)^2 / sum_i (x_i - x̄)^2, n_h the number of
  hours at clock hour h: the published [sum_h (x̄_h - x̄)^2 / p] / [sum_i (x_i - x̄)^2 / n] when
  every clock hour is seen equally often (n_h = n / p), and still within [0, 1] when a clock
  change or a gap gives one clock hour a sample more or less;
- IV (intradaily variability) = [sum_i (x_i - x_(i-1))^2 / (n - 1)] / [sum_i (x_i - x̄)^2 / n]
  (successive hours only; a missing hour breaks the pair);
- L5 / M10: the 24-h profile is the mean count of each local clock minute over the days; L5
  is the lowest mean of 5 consecutive hours of that profile (wrapping over midnight), M10 the
  highest of 10 hours; their onsets are the profile minutes where those windows start
  (minutes after local midnight, the first one on a tie); RA = (M10 - L5) / (M10 + L5).

`ddof=1` gives pyActigraphy 1.2.2's variant (pandas' sample variances: n - 1 and p - 1 in
the denominators above), the default `ddof=0` the published formulas. pyActigraphy also
binarizes the counts by default (count > 4 -> 1, else 0) before IS, IV, L5, M10 and RA:
`threshold=4` does that; the default keeps the raw counts, as the papers do.

Clock changes: the profile and the clock hours are local wall-clock ones, so the repeated hour
of a fall-back day adds a second sample to its clock minutes and the skipped hour of a
spring-forward day none; every hour stays a real 60-minute hour in IV.

Rolling windows: the window of day D is the `window_days` local days ending on D; only its
days with at least `min_wear_minutes` recorded minutes are used, and D gets values when there
are at least `min_days` of them (`rhythm_days` says how many). IS is biased upwards on short
windows: compare values over equal numbers of days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from monitoring.actigraphy import MIN_WEAR_MINUTES, local_clock, local_dates_index, minute_grid

L5_MINUTES = 5 * 60
M10_MINUTES = 10 * 60
MIN_HOUR_MINUTES = 30
WINDOW_DAYS = 7
MIN_DAYS = 3

RHYTHM_KEYS = ("is", "iv", "ra", "l5", "m10", "l5_onset", "m10_onset")
RHYTHM_COLUMNS = ("rhythm_days", *(f"rhythm_{key}" for key in RHYTHM_KEYS))


@dataclass(frozen=True)
class _Blocks:
    """Per local day: the sums and numbers of recorded minutes at each local clock minute, and
    the hourly values with their clock hour and day."""

    days: np.ndarray  # local day numbers, sorted
    wear: np.ndarray  # recorded minutes per day
    slot_sum: np.ndarray  # (days, 1440)
    slot_n: np.ndarray  # (days, 1440)
    hour_value: np.ndarray  # chronological hourly values (NaN: too few minutes)
    hour_of_day: np.ndarray
    hour_day: np.ndarray  # index into `days`


def _blocks(counts: pd.Series, tz: str | tzinfo, threshold: float | None) -> _Blocks | None:
    grid = minute_grid(counts)
    if grid.empty:
        return None
    clock = local_clock(grid, tz)
    x = grid.to_numpy()
    if threshold is not None:
        x = np.where(np.isnan(x), np.nan, (x > threshold).astype("float64"))
    worn = ~np.isnan(x)
    x0 = np.where(worn, x, 0.0)
    day_index = np.searchsorted(clock.days, clock.day)
    n_days = len(clock.days)
    slot = day_index * 1440 + clock.minute_of_day
    slot_sum = np.bincount(slot, weights=x0, minlength=n_days * 1440).reshape(n_days, 1440)
    slot_n = np.bincount(slot, weights=worn.astype("float64"), minlength=n_days * 1440).reshape(n_days, 1440)
    # Each minute's local clock hour starts where its local minute of the hour is 0.
    utc_minute = np.arange(len(x))
    hour_start = utc_minute - clock.minute_of_day % 60
    starts, hour_key = np.unique(hour_start, return_inverse=True)
    h_sum = np.bincount(hour_key, weights=x0, minlength=len(starts))
    h_n = np.bincount(hour_key, weights=worn.astype("float64"), minlength=len(starts))
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(h_n >= MIN_HOUR_MINUTES, h_sum * 60.0 / h_n, np.nan)
    first = np.searchsorted(hour_key, np.arange(len(starts)))  # first minute of each hour
    # An hour cut by the start of the recording starts before it: its clock hour and day are
    # those of its first recorded minute's hour.
    return _Blocks(
        days=clock.days,
        wear=slot_n.sum(axis=1),
        slot_sum=slot_sum,
        slot_n=slot_n,
        hour_value=value,
        hour_of_day=clock.minute_of_day[first] // 60,
        hour_day=day_index[first],
    )


def _window_extreme(profile: np.ndarray, width: int, lowest: bool) -> tuple[float, float]:
    """(mean, onset minute) of the lowest/highest `width`-minute window of a cyclic profile."""
    valid = ~np.isnan(profile)
    if valid.sum() < 0.9 * len(profile):
        return np.nan, np.nan
    doubled = np.concatenate((profile, profile[: width - 1]))
    ok = np.concatenate((valid, valid[: width - 1]))
    sums = sliding_window_view(np.where(ok, doubled, 0.0), width).sum(axis=1)
    n = sliding_window_view(ok.astype("float64"), width).sum(axis=1)
    means = np.where(n >= 0.9 * width, sums / np.maximum(n, 1), np.nan)
    onset = int(np.nanargmin(means) if lowest else np.nanargmax(means))
    return float(means[onset]), float(onset)


def _rhythm_of(blocks: _Blocks, use: np.ndarray, ddof: int) -> dict[str, float]:
    """The measures over the days selected by the boolean mask `use` (over blocks.days)."""
    out = dict.fromkeys(RHYTHM_KEYS, np.nan)
    in_window = use[blocks.hour_day]
    values = np.where(in_window, blocks.hour_value, np.nan)
    kept = ~np.isnan(values)
    x = values[kept]
    n = len(x)
    if n >= 2:
        mean = x.mean()
        total = ((x - mean) ** 2).sum() / (n - ddof)
        hours = blocks.hour_of_day[kept]
        sums = np.bincount(hours, weights=x, minlength=24)
        numbers = np.bincount(hours, minlength=24)
        present = numbers > 0
        p = int(present.sum())
        if total > 0 and p > ddof:
            hourly_means = sums[present] / numbers[present]
            between = (numbers[present] * (hourly_means - mean) ** 2).sum() / n
            out["is"] = float(between * p / (p - ddof) / total)
            steps = np.diff(values)
            steps = steps[~np.isnan(steps)]
            if len(steps):
                out["iv"] = float((steps**2).mean() / total)
    slot_n = blocks.slot_n[use].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        profile = np.where(slot_n > 0, blocks.slot_sum[use].sum(axis=0) / slot_n, np.nan)
    out["l5"], out["l5_onset"] = _window_extreme(profile, L5_MINUTES, lowest=True)
    out["m10"], out["m10_onset"] = _window_extreme(profile, M10_MINUTES, lowest=False)
    if out["m10"] + out["l5"] > 0:
        out["ra"] = (out["m10"] - out["l5"]) / (out["m10"] + out["l5"])
    return out


def rhythm(counts: pd.Series, tz: str | tzinfo, *, ddof: int = 0, threshold: float | None = None) -> dict[str, float]:
    """IS, IV, RA, L5, M10, L5 and M10 onsets (minutes after local midnight) over every
    recorded minute of `counts`."""
    blocks = _blocks(counts, tz, threshold)
    if blocks is None:
        return dict.fromkeys(RHYTHM_KEYS, np.nan)
    return _rhythm_of(blocks, np.ones(len(blocks.days), dtype=bool), ddof)


def daily_rhythm(
    counts: pd.Series,
    tz: str | tzinfo,
    *,
    window_days: int = WINDOW_DAYS,
    min_days: int = MIN_DAYS,
    min_wear_minutes: int = MIN_WEAR_MINUTES,
    ddof: int = 0,
    threshold: float | None = None,
) -> pd.DataFrame:
    """Per local day D: the rhythm over the `window_days` days ending on D (see the module's
    docstring), as the `RHYTHM_COLUMNS`."""
    blocks = _blocks(counts, tz, threshold)
    if blocks is None:
        return pd.DataFrame(columns=list(RHYTHM_COLUMNS), index=local_dates_index(np.array([], dtype="int64")))
    worn_day = blocks.wear >= min_wear_minutes
    rows = []
    for day in blocks.days:
        use = worn_day & (blocks.days > day - window_days) & (blocks.days <= day)
        used = int(use.sum())
        measures = _rhythm_of(blocks, use, ddof) if used >= min_days else dict.fromkeys(RHYTHM_KEYS, np.nan)
        rows.append({"rhythm_days": used, **{f"rhythm_{key}": value for key, value in measures.items()}})
    return pd.DataFrame(rows, columns=list(RHYTHM_COLUMNS), index=local_dates_index(blocks.days))
