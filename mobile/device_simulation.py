"""A patient's phone, simulated: realistic passive-signal records day by day (pure
computation, no Django, no network). Used by `manage.py simulate_device`.

Each local day yields what a phone would sync for it: the night's sleep (ending that
morning), hourly step counts, the day's mobility summary, screen use in four blocks, and on
most evenings the speech features of a voice diary. Days go missing (phone off), single
sensors go missing, values are noisy around a per-patient baseline, weekends differ, and an
optional profile drifts the signals towards a depressive or manic prodrome over the last
three weeks. The same seed gives the same records and the same ids, so replaying a run
sends only duplicates."""

import math
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PROFILES = ("stable", "depression", "mania")
RAMP_DAYS = 21


@dataclass(frozen=True)
class Baseline:
    sleep_onset_h: float  # hours after local midnight of the evening before (23.3 = 23:18)
    sleep_hours: float
    efficiency: float
    steps_per_day: float
    home_minutes: float
    distance_km: float
    speech_rate: float
    pause_ratio: float
    pitch_mean: float
    pitch_sd: float
    screen_minutes: float
    unlocks: float


def baseline_for(rng: random.Random) -> Baseline:
    """Between-patient differences are larger than within-patient ones (CLINICAL.md)."""
    return Baseline(
        sleep_onset_h=rng.gauss(23.3, 0.6),
        sleep_hours=min(9.5, max(5.5, rng.gauss(7.3, 0.7))),
        efficiency=min(0.97, max(0.75, rng.gauss(0.88, 0.04))),
        steps_per_day=max(1500.0, rng.gauss(6500, 2200)),
        home_minutes=min(1200.0, max(500.0, rng.gauss(860, 120))),
        distance_km=max(1.0, rng.lognormvariate(2.2, 0.5)),
        speech_rate=min(190.0, max(110.0, rng.gauss(150, 12))),
        pause_ratio=min(0.4, max(0.12, rng.gauss(0.24, 0.04))),
        pitch_mean=rng.choice([rng.gauss(120, 15), rng.gauss(205, 20)]),
        pitch_sd=max(10.0, rng.gauss(28, 5)),
        screen_minutes=max(60.0, rng.gauss(200, 60)),
        unlocks=max(20.0, rng.gauss(75, 20)),
    )


def intensity(*, profile: str, day_index: int, days: int) -> float:
    """0 at baseline, rising linearly to 1 over the last RAMP_DAYS days of the run."""
    if profile == "stable":
        return 0.0
    ramp = min(RAMP_DAYS, days)
    start = days - ramp
    return 0.0 if day_index < start else (day_index - start + 1) / ramp


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _after(moment: datetime, delta: timedelta) -> datetime:
    """Elapsed-time arithmetic. (Adding a timedelta to a ZoneInfo datetime moves the wall
    clock instead, which is an hour off across a DST change.)"""
    return (moment.astimezone(UTC) + delta).astimezone(moment.tzinfo)


def _minutes_between(start: datetime, end: datetime) -> float:
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 60


def _local(day: date, hour: float, tz: ZoneInfo) -> datetime:
    """`hour` hours of elapsed time after the local midnight starting `day`."""
    return _after(datetime.combine(day, time(0), tzinfo=tz), timedelta(hours=hour))


def day_records(
    *, day: date, tz: ZoneInfo, base: Baseline, rng: random.Random, level: float, profile: str, sensor_gap: float
) -> list[dict]:
    dep = level if profile == "depression" else 0.0
    man = level if profile == "mania" else 0.0
    weekend = day.weekday() >= 5
    records: list[dict] = []

    def missing() -> bool:
        return rng.random() < sensor_gap

    if not missing():
        hours = base.sleep_hours + 1.4 * dep - 2.6 * man + (0.7 if weekend else 0.0) + rng.gauss(0, 0.6)
        hours = min(13.0, max(2.5, hours))
        onset = base.sleep_onset_h + 0.6 * dep + 1.2 * man + (0.5 if weekend else 0.0) + rng.gauss(0, 0.5)
        start = _local(day - timedelta(days=1), onset, tz)
        records.append(
            {
                "id": _uuid(rng),
                "type": "sleep",
                "start": _iso(start),
                "end": _iso(_after(start, timedelta(hours=hours))),
                "efficiency": round(min(0.99, max(0.5, base.efficiency - 0.08 * dep + rng.gauss(0, 0.03))), 3),
                "awakenings": max(0, int(round(rng.gauss(1.5 + 2 * dep, 1.0)))),
            }
        )
    if not missing():
        total = base.steps_per_day * (1 - 0.45 * dep + 0.5 * man) * (0.85 if weekend else 1.0)
        total *= math.exp(rng.gauss(0, 0.2))
        weights = [math.exp(-((h - 13) ** 2) / 18) + 0.2 for h in range(7, 23)]
        scale = total / sum(weights)
        for h, w in zip(range(7, 23), weights, strict=True):
            start = _local(day, h, tz)
            records.append(
                {
                    "id": _uuid(rng),
                    "type": "steps",
                    "start": _iso(start),
                    "end": _iso(_after(start, timedelta(hours=1))),
                    "count": max(0, int(w * scale * math.exp(rng.gauss(0, 0.3)))),
                }
            )
    if not missing():
        start = _local(day, 0, tz)
        # A 25-hour DST day is cut at 24 hours: a record spans at most 24 h.
        end = min(
            _local(day + timedelta(days=1), 0, tz), _after(start, timedelta(hours=24)), key=lambda m: m.timestamp()
        )
        span_min = _minutes_between(start, end)
        home = base.home_minutes * (1 + 0.35 * dep - 0.3 * man) + rng.gauss(0, 60)
        records.append(
            {
                "id": _uuid(rng),
                "type": "mobility",
                "start": _iso(start),
                "end": _iso(end),
                "time_at_home_min": round(min(span_min, max(0.0, home)), 1),
                "distance_km": round(
                    max(0.0, base.distance_km * (1 - 0.5 * dep + 0.6 * man) * math.exp(rng.gauss(0, 0.35))), 2
                ),
                "places_visited": max(0, int(round(rng.gauss(3 - 1.5 * dep + 2 * man, 1.2)))),
            }
        )
    if not missing() and rng.random() < 0.7:
        start = _local(day, rng.uniform(18.5, 22.0), tz)
        records.append(
            {
                "id": _uuid(rng),
                "type": "speech",
                "start": _iso(start),
                "end": _iso(_after(start, timedelta(seconds=rng.randint(25, 60)))),
                "speech_rate_wpm": round(
                    min(400.0, max(40.0, base.speech_rate - 25 * dep + 40 * man + rng.gauss(0, 8))), 1
                ),
                "pause_ratio": round(
                    min(0.9, max(0.02, base.pause_ratio + 0.1 * dep - 0.06 * man + rng.gauss(0, 0.03))), 3
                ),
                "pitch_mean_hz": round(min(480.0, max(60.0, base.pitch_mean + rng.gauss(0, 6))), 1),
                "pitch_sd_hz": round(max(1.0, base.pitch_sd - 8 * dep + 6 * man + rng.gauss(0, 3)), 1),
                "energy_db": round(-25 - 3 * dep + 2 * man + rng.gauss(0, 1.5), 1),
            }
        )
    if not missing():
        daily = base.screen_minutes * (1 + 0.2 * dep + 0.6 * man) * math.exp(rng.gauss(0, 0.2))
        for block, share in zip((0, 6, 12, 18), (0.08, 0.27, 0.3, 0.35), strict=True):
            start = _local(day, block, tz)
            end = _local(day, block + 6, tz)
            span_min = _minutes_between(start, end)
            records.append(
                {
                    "id": _uuid(rng),
                    "type": "screen",
                    "start": _iso(start),
                    "end": _iso(end),
                    "screen_minutes": round(min(span_min, daily * share * math.exp(rng.gauss(0, 0.25))), 1),
                    "unlocks": max(0, int(base.unlocks * share * (1 + 0.5 * man) * math.exp(rng.gauss(0, 0.3)))),
                }
            )
    return records


def simulate(
    *,
    tz: ZoneInfo,
    now: datetime,
    days: int,
    seed: int,
    gap_probability: float,
    profile: str = "stable",
    not_before: date | None = None,
) -> list[tuple[date, list[dict]]]:
    """Records per local day, oldest first, for the `days` days ending today (local).
    Nothing ends after `now`: today's records stop at the present moment; nothing starts
    before the local day `not_before` (the patient's enrolment)."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}")
    rng = random.Random(seed)  # noqa: S311  # nosec B311
    base = baseline_for(rng)
    today = now.astimezone(tz).date()
    out: list[tuple[date, list[dict]]] = []
    for index in range(days):
        day = today - timedelta(days=days - 1 - index)
        day_rng = random.Random(f"{seed}:{day.isoformat()}")  # noqa: S311  # nosec B311
        phone_off = day_rng.random() < gap_probability
        records = day_records(
            day=day,
            tz=tz,
            base=base,
            rng=day_rng,
            level=intensity(profile=profile, day_index=index, days=days),
            profile=profile,
            sensor_gap=gap_probability / 2,
        )
        if phone_off:
            continue
        records = [r for r in records if datetime.fromisoformat(r["end"]) <= now]
        if not_before is not None:
            first = datetime.combine(not_before, time(0), tzinfo=tz)
            records = [r for r in records if datetime.fromisoformat(r["start"]) >= first]
        if records:
            out.append((day, records))
    return out
