"""Synthetic rows the benchmarks load by COPY (setup only): one daily-summary row shape shared by
B7 (the timeline) and B10 (the summary), so both read the same kind of patient-day."""

import datetime as dt
import random
from typing import Any

SUMMARY_COLUMNS = (
    "patient_id, date, checkins, mood, anxiety, energy, irritability, sleep_quality, medication_taken, phq9,"
    " sleep_hours, sleep_onset, sleep_wake, sleep_efficiency, steps, time_at_home_min, distance_km,"
    " speech_rate_wpm, pause_ratio, pitch_sd_hz, screen_minutes, unlocks, passive_records, updated_at"
)


def summary_row(
    rng: random.Random, patient_id: str, day: dt.date, d: int, now: dt.datetime, *, phq9_every: int
) -> tuple[Any, ...]:
    """One patient-day for `monitoring_dailysummary` (SUMMARY_COLUMNS): 15 % of days without a
    check-in (their self-report columns stay NULL), a PHQ-9 every `phq9_every` days (`d` is the
    day's index), passive signals every day."""

    def r3(low: float, high: float) -> float:
        return round(rng.uniform(low, high), 3)

    missing = rng.random() < 0.15
    scale = None if missing else rng.randint(0, 10)
    return (
        patient_id,
        day,
        0 if missing else 1,
        None if missing else rng.randint(-3, 3),
        scale,
        scale,
        scale,
        scale,
        None if missing else rng.random() < 0.9,
        rng.randint(0, 27) if d % phq9_every == 0 else None,
        r3(4, 10),
        dt.time(23, rng.randint(0, 59)),
        dt.time(7, rng.randint(0, 59)),
        r3(0.7, 0.98),
        rng.randint(500, 15000),
        r3(300, 1200),
        r3(0, 30),
        r3(90, 170),
        r3(0.1, 0.5),
        r3(10, 40),
        r3(60, 400),
        rng.randint(20, 150),
        52,
        now,
    )
