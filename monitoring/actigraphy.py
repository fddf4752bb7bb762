"""Sleep and daily activity from minute-level wrist actigraphy counts (pure: numpy/pandas, no
Django). The rest-activity rhythm (IS, IV, RA, L5, M10) is in `monitoring.actigraphy_rhythm`;
the export-file readers are in `monitoring.actigraphy_formats`. docs/actigraphy.md has the
same definitions for readers, with the validation on real patients.

Input contract (every function here and in `actigraphy_rhythm`):
- a pandas Series of activity counts (device counts, not steps) indexed by **tz-aware**
  timestamps on whole minutes, one per 1-minute epoch; `minute_grid` checks it and lays it on
  a regular UTC minute grid;
- a gap (a minute with no row, or NaN) is **non-wear / not recorded**: it stays missing, is
  never read as 0 (inactivity), breaks sleep periods and is left out of every mean;
- a *day* is the patient's **local calendar day** in the zone given (`tz`): 1380 minutes on the
  spring-forward day, 1500 on the fall-back day (the grid is UTC, so no minute is lost or
  doubled); per-day outputs are DataFrames indexed by that local `date`.

Sleep/wake scoring, one score per minute (1 sleep, 0 wake, NaN where a needed minute is
missing):

* **Cole-Kripke** (Cole, Kripke, Gruen, Mullaney & Gillin 1992, "Automatic sleep/wake
  identification from wrist activity", Sleep 15(5):461-469, doi:10.1093/sleep/15.5.461), the
  paper's equation for 1-minute epochs scored from the mean activity of the minute:
      D = 0.001 (106 A-4 + 54 A-3 + 58 A-2 + 76 A-1 + 230 A0 + 74 A+1 + 67 A+2),
  A-i the activity i minutes before, sleep if D < 1. The weights were fitted on the mean of
  the minute's thirty 2-s epochs; as pyActigraphy does ("mean" setting), A = the minute's
  count / 30. (The paper's other 1-minute equations need sub-minute epochs — the maximum
  10-s or 30-s epoch of the minute — which minute counts do not have; pyActigraphy refuses
  them on 1-minute data, and its 30-s set has 12 where the paper has 121 for A0.)
* **Webster's rescoring rules** (Webster, Kripke, Messin, Mullaney & Wyborney 1982, "An
  activity-based sleep monitor system for ambulatory use", Sleep 5(4):389-399, as applied by
  Cole et al. 1992), on the initial scores (rules do not feed each other):
  (a) after >= 4 min of wake, the next 1 min of sleep becomes wake; (b) after >= 10 min of
  wake, the next 3 min of sleep; (c) after >= 15 min of wake, the next 4 min of sleep;
  (d) a sleep stretch of <= 6 min between two wake stretches of >= 10 min each becomes wake;
  (e) a sleep stretch of <= 10 min between two wake stretches of >= 20 min each.
  pyActigraphy applies (a)-(c) only to sleep stretches at least as long as the minutes to
  rescore (a 2-min stretch after 10 min of wake keeps its second minute as sleep);
  `variant="pyactigraphy"` does the same, the default rescores the whole shorter stretch.
  Rules are applied within each stretch of recorded minutes: a gap is not wake.
* **Sadeh** (Sadeh, Sharkey & Carskadon 1994, "Activity-based sleep-wake identification: an
  empirical test of methodological issues", Sleep 17(3):201-207,
  doi:10.1093/sleep/17.3.201):
      PS = 7.601 - 0.065 mean_W5 - 1.08 NAT - 0.056 SD_last6 - 0.703 LG,
  sleep if PS >= 0, where mean_W5 is the mean count of the 11-min window centred on the
  minute, NAT the number of minutes in that window with 50 <= count < 100, SD_last6 the
  standard deviation (n - 1) of the minute and the 5 before, LG = ln(count of the minute + 1).
  **Default: the paper's definition.** pyActigraphy 1.2.2 differs in two details, which
  `variant="pyactigraphy"` reproduces: LG is taken from the **next** minute's count, and NAT
  counts 50 < count < 100 (**> 50**); it also scores sleep only for PS > 0 (strict), which
  matters only on exact ties.

Nightly main sleep period (own rule, built on the Cole-Kripke scores; parameters below):
- a *sleep period* starts and ends on a sleep minute and contains no wake stretch of
  `max_wake_gap` (60) minutes or more and no missing minute; periods shorter than
  `min_period` (15) minutes are ignored;
- each period belongs to the local day on which it **ends** (the platform's rule for sleep
  episodes, `monitoring.summaries`); the day's **main sleep period** is its longest period
  (the later one on a tie) if it lasts at least `min_main_period` (120) minutes; the day's
  other periods are **naps**, reported apart (count and sleep minutes);
- within the main period: onset (first sleep minute), wake (the minute after the last sleep
  minute), period length, total sleep time (sleep minutes), efficiency (TST / period length),
  wake after sleep onset (wake minutes), awakenings (wake stretches); a period touching a gap
  or the end of the recording is flagged `sleep_truncated` (its true bounds are unknown).

Daily activity, per local day over the recorded minutes: mean, SD (n - 1), share of minutes
at zero, daytime mean (08:00-20:00 local) and night mean (00:00-06:00 local); a day with fewer
than `min_wear_minutes` (960 = 16 h) recorded minutes gets no values (its row stays, with its
`wear_minutes`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

MINUTE_NS = 60_000_000_000
Variant = Literal["paper", "pyactigraphy"]


# --- the input contract -------------------------------------------------------------------


def minute_grid(counts: pd.Series) -> pd.Series:
    """The counts on a regular UTC minute grid from the first to the last timestamp (float64,
    missing minutes NaN). Raises ValueError on naive or non-minute timestamps, duplicates, or
    negative counts."""
    index = counts.index
    if not isinstance(index, pd.DatetimeIndex):
        raise ValueError("actigraphy counts need a DatetimeIndex")
    if index.tz is None:
        raise ValueError("actigraphy timestamps must be timezone-aware")
    utc = index.tz_convert("UTC").as_unit("ns")
    if len(utc) == 0:
        return pd.Series([], index=pd.DatetimeIndex([], tz="UTC"), dtype="float64", name="counts")
    ns = utc.asi8
    if np.any(ns % MINUTE_NS):
        raise ValueError("actigraphy timestamps must fall on whole minutes (1-minute epochs)")
    values = pd.to_numeric(counts, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    if np.nanmin(values, initial=0.0) < 0:
        raise ValueError("activity counts cannot be negative")
    order = np.argsort(ns, kind="stable")
    ns = ns[order]
    values = values[order]
    if np.any(np.diff(ns) == 0):
        raise ValueError("duplicate actigraphy timestamps")
    minutes = (ns - ns[0]) // MINUTE_NS
    grid = np.full(int(minutes[-1]) + 1, np.nan)
    grid[minutes] = values
    start = pd.Timestamp(ns[0], tz="UTC")
    return pd.Series(grid, index=pd.date_range(start, periods=len(grid), freq="min"), name="counts")


def _zone(tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


@dataclass(frozen=True)
class LocalClock:
    """Where each minute of a UTC grid falls in local time: its local day (as an integer
    ordinal and as dates) and its local minute of the day (0-1439; the repeated hour of a
    fall-back day gives the same minutes twice, the skipped hour of a spring-forward day none)."""

    day: np.ndarray  # int64 local day number (days since 1970-01-01) per minute
    minute_of_day: np.ndarray  # int64 per minute
    days: np.ndarray  # the distinct local day numbers, sorted

    @property
    def dates(self) -> list[date]:
        return [date.fromordinal(int(d) + 719163) for d in self.days]


def local_clock(grid: pd.Series, tz: str | tzinfo) -> LocalClock:
    wall = grid.index.tz_convert(_zone(tz)).tz_localize(None).as_unit("ns").asi8
    wall_min = wall // MINUTE_NS
    day = wall_min // 1440
    return LocalClock(day=day, minute_of_day=wall_min - day * 1440, days=np.unique(day))


def local_dates_index(days: np.ndarray) -> pd.Index:
    return pd.Index([date.fromordinal(int(d) + 719163) for d in days], name="date", dtype="object")


# --- daily activity -------------------------------------------------------------------------

DAYTIME = (8 * 60, 20 * 60)  # local minutes [08:00, 20:00)
NIGHT = (0, 6 * 60)  # local minutes [00:00, 06:00)
MIN_WEAR_MINUTES = 960

ACTIVITY_COLUMNS = (
    "day_minutes",
    "wear_minutes",
    "activity_mean",
    "activity_sd",
    "activity_zero_share",
    "activity_day_mean",
    "activity_night_mean",
)


def daily_activity(counts: pd.Series, tz: str | tzinfo, *, min_wear_minutes: int = MIN_WEAR_MINUTES) -> pd.DataFrame:
    """Per local day: its length in minutes (1380/1440/1500), the recorded minutes, and the
    activity measures (NaN when fewer than `min_wear_minutes` were recorded)."""
    grid = minute_grid(counts)
    if grid.empty:
        return pd.DataFrame(columns=list(ACTIVITY_COLUMNS), index=local_dates_index(np.array([], dtype="int64")))
    clock = local_clock(grid, tz)
    x = grid.to_numpy()
    worn = ~np.isnan(x)
    key = np.searchsorted(clock.days, clock.day)
    n_days = len(clock.days)
    x0 = np.where(worn, x, 0.0)

    def per_day(weights: np.ndarray) -> np.ndarray:
        return np.bincount(key, weights=weights, minlength=n_days)

    wear = per_day(worn.astype("float64"))
    total = per_day(x0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / wear
        sq = per_day((x0 - mean[key]) ** 2 * worn)
        sd = np.sqrt(sq / (wear - 1))
        zero = per_day((worn & (x == 0)).astype("float64")) / wear
        in_day = worn & (clock.minute_of_day >= DAYTIME[0]) & (clock.minute_of_day < DAYTIME[1])
        in_night = worn & (clock.minute_of_day >= NIGHT[0]) & (clock.minute_of_day < NIGHT[1])
        day_mean = per_day(np.where(in_day, x0, 0.0)) / per_day(in_day.astype("float64"))
        night_mean = per_day(np.where(in_night, x0, 0.0)) / per_day(in_night.astype("float64"))
    frame = pd.DataFrame(
        {
            "day_minutes": _day_lengths(clock.days, tz),
            "wear_minutes": wear.astype("int64"),
            "activity_mean": mean,
            "activity_sd": sd,
            "activity_zero_share": zero,
            "activity_day_mean": day_mean,
            "activity_night_mean": night_mean,
        },
        index=local_dates_index(clock.days),
    )
    short = frame["wear_minutes"] < min_wear_minutes
    frame.loc[short, list(ACTIVITY_COLUMNS[2:])] = np.nan
    return frame


def _day_lengths(days: np.ndarray, tz: str | tzinfo) -> np.ndarray:
    """Minutes in each local day (1440, or 1380/1500 on the days the clocks change)."""
    zone = _zone(tz)
    starts = pd.to_datetime(np.append(days, days[-1] + 1), unit="D").tz_localize(
        zone, ambiguous=True, nonexistent="shift_forward"
    )
    return np.diff(starts.as_unit("ns").asi8) // MINUTE_NS


# --- sleep/wake scoring ----------------------------------------------------------------------


@dataclass(frozen=True)
class ColeKripkeParameters:
    scale: float
    weights: tuple[int, ...]  # for A-4 ... A+2
    divisor: float = 1.0  # counts are divided by this first ("mean" setting: 30 two-second epochs)


# Cole et al. 1992, 1-min epochs, mean activity (of 2-s epochs: the minute's count / 30).
COLE_KRIPKE_1MIN = ColeKripkeParameters(0.001, (106, 54, 58, 76, 230, 74, 67), divisor=30.0)


def _window_sum(x: np.ndarray, weights: Sequence[float], before: int) -> np.ndarray:
    """sum_k weights[k] * x[t - before + k]: NaN where the window leaves the array or touches a
    missing minute."""
    n = len(x)
    out = np.zeros(n)
    for k, w in enumerate(weights):
        shift = k - before
        shifted = np.full(n, np.nan)
        if shift >= 0:
            shifted[: n - shift] = x[shift:]
        else:
            shifted[-shift:] = x[: n + shift]
        out += w * shifted
    return out


def _runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run-length encoding: (starts, ends (exclusive), values) of equal consecutive values."""
    if len(values) == 0:
        empty = np.array([], dtype="int64")
        return empty, empty, values[:0]
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [len(values)]))
    return starts, ends, values[starts]


PRECEDED_RULES = ((1, 4), (3, 10), (4, 15))  # (sleep minutes rescored, wake minutes before)
SURROUNDED_RULES = ((6, 10), (10, 20))  # (sleep stretch at most, wake minutes on each side)


def webster_rescore(scores: np.ndarray, *, variant: Variant = "paper") -> np.ndarray:
    """Webster's rules (a)-(e) on 1/0 scores (NaN = missing): each stretch of recorded minutes
    is rescored on its own, every rule reading the initial scores."""
    out = scores.astype("float64").copy()
    recorded = ~np.isnan(out)
    seg_starts, seg_ends, seg_values = _runs(recorded)
    for s0, e0, ok in zip(seg_starts, seg_ends, seg_values, strict=True):
        if ok:
            out[s0:e0] = _rescore_segment(out[s0:e0].astype("int8"), variant)
    return out


def _rescore_segment(seg: np.ndarray, variant: Variant) -> np.ndarray:
    starts, ends, values = _runs(seg)
    wake_to = np.zeros(len(seg), dtype=bool)
    lengths = ends - starts
    for i in np.flatnonzero(values == 1):
        length = lengths[i]
        before = lengths[i - 1] if i > 0 else 0  # the wake stretch just before (runs alternate)
        for n_rescore, n_wake in PRECEDED_RULES:
            if before >= n_wake and (variant == "paper" or length >= n_rescore):
                wake_to[starts[i] : starts[i] + min(n_rescore, length)] = True
    # (d), (e): sleep between two long-enough wake stretches. As in pyActigraphy, "between"
    # means between consecutive wake stretches of that length (shorter stretches of either
    # state in between are rescored together).
    for max_sleep, n_wake in SURROUNDED_RULES:
        long_wake = np.flatnonzero((values == 0) & (lengths >= n_wake))
        for a, b in zip(long_wake[:-1], long_wake[1:], strict=True):
            if starts[b] - ends[a] <= max_sleep:
                wake_to[ends[a] : starts[b]] = True
    result = seg.astype("float64")
    result[wake_to] = 0.0
    return result


def cole_kripke(
    counts: np.ndarray,
    *,
    parameters: ColeKripkeParameters | None = None,
    rescore: bool = True,
    variant: Variant = "paper",
) -> np.ndarray:
    """Per-minute Cole-Kripke scores (1 sleep, 0 wake, NaN unscorable) of a minute array;
    `variant` is the reading of Webster's rules (a)-(c) (see the module's docstring)."""
    parameters = parameters or COLE_KRIPKE_1MIN
    x = np.asarray(counts, dtype="float64") / parameters.divisor
    d = parameters.scale * _window_sum(x, parameters.weights, before=4)
    scores = np.where(np.isnan(d), np.nan, (d < 1.0).astype("float64"))
    return webster_rescore(scores, variant=variant) if rescore else scores


SADEH_OFFSET = 7.601
SADEH_WEIGHTS = (0.065, 1.08, 0.056, 0.703)  # mean_W5, NAT, SD_last6, LG (subtracted)


def sadeh(counts: np.ndarray, *, variant: Variant = "paper") -> np.ndarray:
    """Per-minute Sadeh scores (1 sleep, 0 wake, NaN unscorable) of a minute array."""
    x = np.asarray(counts, dtype="float64")
    ones = (1.0,) * 11
    mean_w5 = _window_sum(x, ones, before=5) / 11.0
    low = 50.0 if variant == "paper" else np.nextafter(50.0, 100.0)
    in_band = np.where(np.isnan(x), np.nan, ((x >= low) & (x < 100.0)).astype("float64"))
    nat = _window_sum(in_band, ones, before=5)
    # SD of the minute and the 5 before (n - 1), from sums of the window.
    s1 = _window_sum(x, (1.0,) * 6, before=5)
    s2 = _window_sum(x * x, (1.0,) * 6, before=5)
    sd_last6 = np.sqrt(np.maximum((s2 - s1 * s1 / 6.0) / 5.0, 0.0))
    if variant == "paper":
        lg = np.log1p(x)
    else:
        lg = np.full(len(x), np.nan)
        lg[:-1] = np.log1p(x[1:])
    a, b, c, d = SADEH_WEIGHTS
    ps = SADEH_OFFSET - a * mean_w5 - b * nat - c * sd_last6 - d * lg
    asleep = ps >= 0 if variant == "paper" else ps > 0
    return np.where(np.isnan(ps), np.nan, asleep.astype("float64"))


# --- sleep periods ---------------------------------------------------------------------------

MAX_WAKE_GAP = 60
MIN_PERIOD = 15
MIN_MAIN_PERIOD = 120

SLEEP_COLUMNS = (
    "sleep_onset",
    "sleep_wake",
    "sleep_period_minutes",
    "sleep_total_minutes",
    "sleep_efficiency",
    "sleep_waso_minutes",
    "sleep_awakenings",
    "sleep_truncated",
    "nap_count",
    "nap_sleep_minutes",
)


@dataclass(frozen=True)
class SleepPeriod:
    start: int  # grid position of the first sleep minute
    end: int  # grid position after the last sleep minute
    sleep_minutes: int
    awakenings: int
    truncated: bool


def sleep_periods(
    scores: np.ndarray, *, max_wake_gap: int = MAX_WAKE_GAP, min_period: int = MIN_PERIOD
) -> list[SleepPeriod]:
    """The sleep periods of a per-minute score array (1 sleep, 0 wake, NaN missing)."""
    s = np.where(np.isnan(scores), -1, scores).astype("int8")
    starts, ends, values = _runs(s)
    lengths = ends - starts
    periods: list[SleepPeriod] = []
    i = 0
    n = len(values)
    while i < n:
        if values[i] != 1:
            i += 1
            continue
        j = i  # last sleep run of the period
        k = i + 1
        while k + 1 < n and values[k] == 0 and lengths[k] < max_wake_gap and values[k + 1] == 1:
            j = k + 1
            k = j + 1
        start, end = int(starts[i]), int(ends[j])
        if end - start >= min_period:
            sleep = int(sum(ends[r] - starts[r] for r in range(i, j + 1, 2)))
            periods.append(
                SleepPeriod(
                    start=start,
                    end=end,
                    sleep_minutes=sleep,
                    awakenings=(j - i) // 2,
                    truncated=_open_ended(values, lengths, i, -1, max_wake_gap)
                    or _open_ended(values, lengths, j, 1, max_wake_gap),
                )
            )
        i = j + 1
    return periods


def _open_ended(values: np.ndarray, lengths: np.ndarray, run: int, step: int, max_wake_gap: int) -> bool:
    """Whether the period could go on past its sleep run `run` in direction `step` had the
    recording not stopped: the recording ends, or only a short wake stretch lies before a gap."""
    nxt = run + step
    if nxt < 0 or nxt >= len(values) or values[nxt] == -1:
        return True
    after = nxt + step
    return bool(lengths[nxt] < max_wake_gap and (after < 0 or after >= len(values) or values[after] == -1))


def daily_sleep(
    counts: pd.Series,
    tz: str | tzinfo,
    *,
    scores: np.ndarray | None = None,
    max_wake_gap: int = MAX_WAKE_GAP,
    min_period: int = MIN_PERIOD,
    min_main_period: int = MIN_MAIN_PERIOD,
) -> pd.DataFrame:
    """Per local day (the day on which the period ends): the main sleep period and the naps.
    `scores` defaults to Cole-Kripke (paper) on the counts' minute grid."""
    grid = minute_grid(counts)
    if grid.empty:
        return pd.DataFrame(columns=list(SLEEP_COLUMNS), index=local_dates_index(np.array([], dtype="int64")))
    clock = local_clock(grid, tz)
    if scores is None:
        scores = cole_kripke(grid.to_numpy())
    zone = _zone(tz)
    by_day: dict[int, list[SleepPeriod]] = {}
    for period in sleep_periods(scores, max_wake_gap=max_wake_gap, min_period=min_period):
        by_day.setdefault(int(clock.day[period.end - 1]), []).append(period)
    columns: dict[str, list[object]] = {name: [] for name in SLEEP_COLUMNS}
    times = grid.index
    for day in clock.days:
        periods = by_day.get(int(day), [])
        main = max(periods, key=lambda p: (p.end - p.start, p.end)) if periods else None
        if main is not None and main.end - main.start < min_main_period:
            main = None
        naps = [p for p in periods if p is not main]
        columns["nap_count"].append(len(naps))
        columns["nap_sleep_minutes"].append(sum(p.sleep_minutes for p in naps))
        if main is None:
            for name in SLEEP_COLUMNS[:7]:
                columns[name].append(pd.NaT if name in ("sleep_onset", "sleep_wake") else np.nan)
            columns["sleep_truncated"].append(False)
            continue
        length = main.end - main.start
        columns["sleep_onset"].append(times[main.start].tz_convert(zone))
        columns["sleep_wake"].append((times[main.end - 1] + pd.Timedelta(minutes=1)).tz_convert(zone))
        columns["sleep_period_minutes"].append(float(length))
        columns["sleep_total_minutes"].append(float(main.sleep_minutes))
        columns["sleep_efficiency"].append(main.sleep_minutes / length)
        columns["sleep_waso_minutes"].append(float(length - main.sleep_minutes))
        columns["sleep_awakenings"].append(float(main.awakenings))
        columns["sleep_truncated"].append(main.truncated)
    frame = pd.DataFrame(columns, index=local_dates_index(clock.days))
    for name in ("sleep_onset", "sleep_wake"):
        frame[name] = pd.to_datetime(frame[name], utc=True).dt.tz_convert(zone)
    return frame
