"""monitoring.actigraphy / actigraphy_rhythm on synthetic days: local days across clock
changes (23 and 25 hours), non-wear gaps kept missing, the main sleep period and naps,
Webster's rules, and no Django anywhere in the pure modules."""

import subprocess
import sys
from datetime import date

import numpy as np
import pandas as pd
import pytest

from monitoring.actigraphy import (
    cole_kripke,
    daily_activity,
    daily_sleep,
    minute_grid,
    sadeh,
    webster_rescore,
)
from monitoring.actigraphy_rhythm import daily_rhythm, rhythm

PARIS = "Europe/Paris"
AWAKE = 200.0


def local_pattern(start: str, end: str, tz: str = PARIS, *, asleep=((23, 0), (7, 0))) -> pd.Series:
    """AWAKE counts, 0 from 23:00 to 07:00 local time, every minute of [start, end) local."""
    index = pd.date_range(pd.Timestamp(start, tz=tz), pd.Timestamp(end, tz=tz), freq="min", inclusive="left")
    wall = index.hour * 60 + index.minute
    (h0, m0), (h1, m1) = asleep
    night = (wall >= h0 * 60 + m0) | (wall < h1 * 60 + m1)
    return pd.Series(np.where(night, 0.0, AWAKE), index=index)


# --- the input contract ----------------------------------------------------------------------


def test_minute_grid_refuses_naive_or_duplicate_timestamps_and_negative_counts() -> None:
    naive = pd.Series([1.0], index=pd.DatetimeIndex(["2026-01-01 00:00"]))
    with pytest.raises(ValueError, match="timezone-aware"):
        minute_grid(naive)
    dup = pd.Series([1.0, 2.0], index=pd.DatetimeIndex(["2026-01-01 00:00"] * 2).tz_localize("UTC"))
    with pytest.raises(ValueError, match="duplicate"):
        minute_grid(dup)
    negative = pd.Series([-1.0], index=pd.DatetimeIndex(["2026-01-01 00:00"]).tz_localize("UTC"))
    with pytest.raises(ValueError, match="negative"):
        minute_grid(negative)
    seconds = pd.Series([1.0], index=pd.DatetimeIndex(["2026-01-01 00:00:30"]).tz_localize("UTC"))
    with pytest.raises(ValueError, match="whole minutes"):
        minute_grid(seconds)


# --- clock changes ---------------------------------------------------------------------------


def test_the_spring_forward_day_has_23_hours_and_the_fall_back_day_25() -> None:
    spring = local_pattern("2026-03-28", "2026-03-31")
    autumn = local_pattern("2026-10-24", "2026-10-27")

    spring_days = daily_activity(spring, PARIS)
    autumn_days = daily_activity(autumn, PARIS)

    assert list(spring_days.index) == [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    assert list(spring_days["day_minutes"]) == [1440, 1380, 1440]
    assert list(spring_days["wear_minutes"]) == [1440, 1380, 1440]
    assert list(autumn_days["day_minutes"]) == [1440, 1500, 1440]
    assert list(autumn_days["wear_minutes"]) == [1440, 1500, 1440]
    # 8 h asleep by the local clock: 7 real hours on the short night, 9 on the long one.
    assert spring_days.loc[date(2026, 3, 29), "activity_zero_share"] == pytest.approx(7 * 60 / 1380)
    assert autumn_days.loc[date(2026, 10, 25), "activity_zero_share"] == pytest.approx(9 * 60 / 1500)
    assert spring_days.loc[date(2026, 3, 29), "activity_night_mean"] == 0.0
    assert spring_days.loc[date(2026, 3, 29), "activity_day_mean"] == AWAKE


def test_sleep_across_a_clock_change_lasts_the_real_elapsed_time() -> None:
    spring = local_pattern("2026-03-28 12:00", "2026-03-29 12:00")
    autumn = local_pattern("2026-10-24 12:00", "2026-10-25 12:00")

    short = daily_sleep(spring, PARIS).loc[date(2026, 3, 29)]
    long = daily_sleep(autumn, PARIS).loc[date(2026, 10, 25)]

    # Scored sleep starts 3 minutes after the counts stop (the window still sees activity) and
    # Webster's rule (c) turns the next 4 minutes into wake: onset 23:07, wake 07:00 local.
    for night in (short, long):
        assert night["sleep_onset"].strftime("%H:%M") == "23:07"
        assert night["sleep_wake"].strftime("%H:%M") == "07:00"
    assert short["sleep_period_minutes"] == 7 * 60 + 53 - 60
    assert long["sleep_period_minutes"] == 7 * 60 + 53 + 60
    assert short["sleep_total_minutes"] == short["sleep_period_minutes"]
    assert short["sleep_efficiency"] == 1.0


def test_rhythm_follows_the_local_clock_across_a_fall_back_day() -> None:
    # The same local-clock routine for 7 days around the fall-back night: perfectly stable.
    counts = local_pattern("2026-10-22", "2026-10-29")

    measures = rhythm(counts, PARIS)
    rolling = daily_rhythm(counts, PARIS)

    assert measures["is"] == pytest.approx(1.0, rel=1e-12)
    assert measures["l5"] == 0.0
    assert measures["m10"] == AWAKE
    assert measures["ra"] == 1.0
    assert measures["l5_onset"] == 0  # tied 5-hour windows of zeros from 23:00 to 02:00: the first after midnight
    assert measures["m10_onset"] == 7 * 60
    assert list(rolling["rhythm_days"]) == [1, 2, 3, 4, 5, 6, 7]
    assert rolling["rhythm_is"].iloc[:2].isna().all()
    assert rolling["rhythm_is"].iloc[2:].to_numpy() == pytest.approx(1.0, rel=1e-12)
    # Two transitions a day (07:00 and 23:00): IV = sum of squared steps / (n - 1) / variance.
    hourly = counts.resample("h").sum().to_numpy()
    expected_iv = np.mean(np.diff(hourly) ** 2) / np.var(hourly)
    assert measures["iv"] == pytest.approx(expected_iv, rel=1e-12)


# --- non-wear gaps ---------------------------------------------------------------------------


def test_gaps_are_missing_never_zero() -> None:
    full = local_pattern("2026-05-04", "2026-05-06")
    gap = (full.index >= pd.Timestamp("2026-05-04 10:00", tz=PARIS)) & (
        full.index < pd.Timestamp("2026-05-04 13:00", tz=PARIS)
    )
    with_gap = full[~gap]  # three hours of daytime without rows (watch off)

    grid = minute_grid(with_gap)
    day = daily_activity(with_gap, PARIS).loc[date(2026, 5, 4)]

    assert grid.isna().sum() == 180
    assert len(grid) == 2 * 1440
    assert day["wear_minutes"] == 1440 - 180
    assert day["activity_mean"] == pytest.approx(AWAKE * (1440 - 180 - 8 * 60) / (1440 - 180))
    assert day["activity_zero_share"] == pytest.approx(8 * 60 / (1440 - 180))  # the night only
    assert day["activity_day_mean"] == AWAKE
    assert np.isnan(cole_kripke(grid.to_numpy())[grid.isna().to_numpy()]).all()


def test_a_gap_splits_a_night_and_flags_it_truncated() -> None:
    night = local_pattern("2026-05-04 12:00", "2026-05-05 12:00")
    off = (night.index >= pd.Timestamp("2026-05-05 02:00", tz=PARIS)) & (
        night.index < pd.Timestamp("2026-05-05 02:30", tz=PARIS)
    )

    sleep = daily_sleep(night[~off], PARIS).loc[date(2026, 5, 5)]

    # After the gap, a minute is scorable once its window (4 minutes before) is recorded:
    # 02:34-07:00 (266 min) is the longer part; nothing of the gap counts as sleep or wake.
    assert sleep["sleep_onset"].strftime("%H:%M") == "02:34"
    assert sleep["sleep_period_minutes"] == 266
    assert bool(sleep["sleep_truncated"]) is True
    assert sleep["nap_count"] == 1  # the part before the gap, 23:07-02:00


def test_a_day_with_too_little_wear_gets_no_activity_values() -> None:
    counts = local_pattern("2026-05-04 20:00", "2026-05-06")

    days = daily_activity(counts, PARIS)

    assert days.loc[date(2026, 5, 4), "wear_minutes"] == 240
    assert np.isnan(days.loc[date(2026, 5, 4), "activity_mean"])
    assert days.loc[date(2026, 5, 5), "activity_mean"] == pytest.approx(AWAKE * 16 / 24)


# --- the main sleep period and naps -------------------------------------------------------------


def test_main_sleep_period_and_naps_on_a_synthetic_day() -> None:
    counts = local_pattern("2026-05-04 12:00", "2026-05-05 20:00")
    at = counts.index
    awake_at_3 = (at >= pd.Timestamp("2026-05-05 03:00", tz=PARIS)) & (at < pd.Timestamp("2026-05-05 03:20", tz=PARIS))
    nap = (at >= pd.Timestamp("2026-05-05 14:00", tz=PARIS)) & (at < pd.Timestamp("2026-05-05 14:45", tz=PARIS))
    doze = (at >= pd.Timestamp("2026-05-05 17:00", tz=PARIS)) & (at < pd.Timestamp("2026-05-05 17:10", tz=PARIS))
    counts[awake_at_3] = 300.0
    counts[nap] = 0.0
    counts[doze] = 0.0

    day = daily_sleep(counts, PARIS).loc[date(2026, 5, 5)]

    # The night: onset 23:07 (see above), wake 07:00. The 20 minutes up at 03:00 are scored
    # wake from 02:59 (the window sees them coming) to 03:23, and rule (c) adds 4 minutes.
    assert day["sleep_onset"] == pd.Timestamp("2026-05-04 23:07", tz=PARIS)
    assert day["sleep_wake"] == pd.Timestamp("2026-05-05 07:00", tz=PARIS)
    assert day["sleep_period_minutes"] == 473
    assert day["sleep_waso_minutes"] == 29
    assert day["sleep_total_minutes"] == 473 - 29
    assert day["sleep_efficiency"] == pytest.approx(444 / 473)
    assert day["sleep_awakenings"] == 1
    assert bool(day["sleep_truncated"]) is False
    # The nap (14:07-14:45 once rescored) apart; the 10-minute doze is no sleep period at all.
    assert day["nap_count"] == 1
    assert day["nap_sleep_minutes"] == 38


def test_a_day_whose_longest_period_is_short_has_no_main_sleep() -> None:
    counts = pd.Series(AWAKE, index=pd.date_range("2026-05-04 08:00", "2026-05-04 20:00", freq="min", tz=PARIS))
    counts[(counts.index.hour == 14)] = 0.0  # one hour of stillness

    day = daily_sleep(counts, PARIS).loc[date(2026, 5, 4)]

    assert pd.isna(day["sleep_onset"]) and np.isnan(day["sleep_total_minutes"])
    assert day["nap_count"] == 1


# --- scoring details ---------------------------------------------------------------------------


def test_webster_rules() -> None:
    w, s = 0.0, 1.0
    # (a)-(c): after 4/10/15 minutes of wake, 1/3/4 minutes of sleep become wake.
    assert list(webster_rescore(np.array([w] * 4 + [s] * 3))) == [w] * 5 + [s] * 2
    assert list(webster_rescore(np.array([w] * 10 + [s] * 5))) == [w] * 13 + [s] * 2
    assert list(webster_rescore(np.array([w] * 15 + [s] * 6))) == [w] * 19 + [s] * 2
    # A 2-minute stretch after 10 minutes of wake: the paper rescores it whole, pyActigraphy
    # only its first minute (rule a).
    short = np.array([w] * 10 + [s] * 2 + [w] + [s] * 30)
    assert list(webster_rescore(short)[10:12]) == [w, w]
    assert list(webster_rescore(short, variant="pyactigraphy")[10:12]) == [w, s]
    # (d): <= 6 minutes of sleep between 10+ minutes of wake on each side.
    island = np.array([s] * 5 + [w] * 10 + [s] * 6 + [w] * 10 + [s] * 5)
    assert webster_rescore(island)[15:21].sum() == 0
    # A gap is not wake: sleep right after a gap keeps its score.
    after_gap = np.array([w] * 20 + [np.nan] + [s] * 5)
    assert list(webster_rescore(after_gap)[21:]) == [s] * 5


def test_sadeh_definitions_differ_where_documented() -> None:
    # NAT: minutes of exactly 50 counts count in the paper (50 <= x < 100), not in pyActigraphy
    # (x > 50): PS = 7.601 - 0.065 * 50 - 1.08 * NAT - 0.703 * ln 51 is < 0 with NAT = 11 and
    # > 0 with NAT = 0.
    fifty = np.full(30, 50.0)
    assert np.array_equal(sadeh(fifty)[5:-5], np.zeros(20))
    assert np.array_equal(sadeh(fifty, variant="pyactigraphy")[5:-5], np.ones(20))
    # LG: the paper reads the scored minute, pyActigraphy the next one. The minute before a
    # burst of 600: PS = 7.601 - 0.065 * 600 / 11 = 4.06 (sleep) in the paper, minus
    # 0.703 * ln 601 = 4.50 (wake) in pyActigraphy's reading.
    burst = np.zeros(30)
    burst[15] = 600.0
    assert sadeh(burst)[14] == 1.0
    assert sadeh(burst, variant="pyactigraphy")[14] == 0.0
    assert np.isnan(sadeh(burst)[:5]).all() and np.isnan(sadeh(burst)[-5:]).all()


def test_cole_kripke_uses_the_papers_one_minute_equation() -> None:
    # D = 0.001 * 230 * count / 30 for a lone count: sleep (D < 1) below 130.43 counts.
    x = np.zeros(20)
    x[10] = 130.0
    assert cole_kripke(x, rescore=False)[10] == 1.0
    x[10] = 131.0
    assert cole_kripke(x, rescore=False)[10] == 0.0
    assert np.isnan(cole_kripke(x, rescore=False)[:4]).all()
    assert np.isnan(cole_kripke(x, rescore=False)[-2:]).all()


def test_the_pure_modules_import_no_django() -> None:
    code = (
        "import sys, monitoring.actigraphy, monitoring.actigraphy_rhythm, monitoring.actigraphy_formats;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework', 'celery')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
