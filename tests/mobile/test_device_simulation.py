"""The simulated phone's records (mobile/device_simulation.py): realistic, valid, reproducible."""

from datetime import UTC, date, datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

import pytest

from mobile.device_simulation import intensity, simulate

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)


def flat(days):
    return [record for _day, records in days for record in records]


def test_same_seed_same_records_and_ids():
    first = simulate(tz=PARIS, now=NOW, days=10, seed=4, gap_probability=0.2)
    second = simulate(tz=PARIS, now=NOW, days=10, seed=4, gap_probability=0.2)
    other = simulate(tz=PARIS, now=NOW, days=10, seed=5, gap_probability=0.2)

    assert first == second
    assert {r["id"] for r in flat(first)}.isdisjoint({r["id"] for r in flat(other)})


def test_every_record_fits_the_api_contract():
    records = flat(simulate(tz=PARIS, now=NOW, days=60, seed=1, gap_probability=0.1, profile="mania"))

    assert len({r["id"] for r in records}) == len(records)
    for r in records:
        start, end = datetime.fromisoformat(r["start"]), datetime.fromisoformat(r["end"])
        assert start.utcoffset() is not None and start < end <= NOW
        span = (end - start).total_seconds()
        assert span <= (18 if r["type"] == "sleep" else 24) * 3600
        if r["type"] == "sleep":
            assert 0 <= r["efficiency"] <= 1 and r["awakenings"] >= 0
        elif r["type"] == "steps":
            assert 0 <= r["count"] <= 100_000
        elif r["type"] == "mobility":
            assert 0 <= r["time_at_home_min"] <= span / 60 and r["distance_km"] >= 0 and r["places_visited"] >= 0
        elif r["type"] == "speech":
            assert 0 <= r["speech_rate_wpm"] <= 400 and 0 <= r["pause_ratio"] <= 1
            assert 50 <= r["pitch_mean_hz"] <= 500 and r["pitch_sd_hz"] >= 0
        elif r["type"] == "screen":
            assert 0 <= r["screen_minutes"] <= span / 60 and r["unlocks"] >= 0
        else:
            pytest.fail(r["type"])
    assert {r["type"] for r in records} == {"sleep", "steps", "mobility", "speech", "screen"}


def test_dst_days_keep_day_records_within_24_hours():
    # Europe/Paris falls back on 25 October 2026: that local day lasts 25 hours.
    now = datetime(2026, 10, 27, 12, 0, tzinfo=UTC)
    days = dict(simulate(tz=PARIS, now=now, days=4, seed=2, gap_probability=0.0))

    mobility = next(r for r in days[date(2026, 10, 25)] if r["type"] == "mobility")
    span = datetime.fromisoformat(mobility["end"]) - datetime.fromisoformat(mobility["start"])
    assert span == timedelta(hours=24)


def test_gaps_leave_days_out():
    assert simulate(tz=PARIS, now=NOW, days=30, seed=3, gap_probability=1.0) == []
    some = simulate(tz=PARIS, now=NOW, days=200, seed=3, gap_probability=0.3)
    assert 100 < len(some) < 180


def test_nothing_before_enrolment_nor_in_the_future():
    days = simulate(tz=PARIS, now=NOW, days=30, seed=3, gap_probability=0.0, not_before=date(2026, 3, 15))

    assert [d for d, _records in days] == [date(2026, 3, d) for d in range(15, 21)]
    assert all(datetime.fromisoformat(r["start"]) >= datetime(2026, 3, 15, tzinfo=PARIS) for r in flat(days))


def test_depressive_drift_lowers_activity_and_lengthens_sleep():
    def daily(days, kind, value):
        return [sum(r[value] for r in records if r["type"] == kind) for _day, records in days]

    days = simulate(tz=PARIS, now=NOW, days=90, seed=11, gap_probability=0.0, profile="depression")
    early, late = days[:60], days[-7:]

    assert mean(daily(late, "steps", "count")) < 0.8 * mean(daily(early, "steps", "count"))
    sleep = [
        (datetime.fromisoformat(r["end"]) - datetime.fromisoformat(r["start"])).total_seconds() / 3600
        for _day, records in days
        for r in records
        if r["type"] == "sleep"
    ]
    assert mean(sleep[-7:]) > mean(sleep[:60]) + 0.5


def test_intensity_ramps_over_the_last_three_weeks():
    assert intensity(profile="stable", day_index=29, days=30) == 0
    assert intensity(profile="mania", day_index=8, days=30) == 0
    assert intensity(profile="mania", day_index=29, days=30) == 1
    assert 0 < intensity(profile="depression", day_index=19, days=30) < 1
