"""The daily summary of one patient-day: the one rule set, computed from that day's raw rows
(pure: no Django, no database).

Definitions (docs/ingestion.md says the same for readers):
- a record's day (`DAY_OF`): the patient's local day on which a sleep episode ends, on which
  any other signal record starts, on which a check-in or questionnaire was recorded or
  completed;
- check-ins: `checkins` is their number; each scale is the mean of the values given that
  day; `medication_taken` is true if any check-in says taken, false if some say not taken
  and none taken, null if none answered;
- questionnaires: the latest total of the day per instrument (by `completed_at`, then
  `received_at`, then id: a resent answer with the same time replaces the earlier one);
- sleep: on a day with episodes derived from wrist actigraphy (`source` "actigraph") those
  are the day's sleep and the phone's episodes of that day are left out (never counted
  twice; the actigraph wins: a validated scoring of the wrist's movement against the phone's
  inference from its own use); `sleep_source` says which. The *main sleep* is the day's
  longest episode (the later one on a tie):
  `sleep_onset`/`sleep_wake` (local HH:MM), `sleep_efficiency` and `sleep_awakenings` are
  its own. `sleep_hours` is the time covered by all of the day's episodes (naps included),
  overlapping episodes counted once;
- steps, screen minutes, unlocks, time at home and distance: sums over the day's records;
  places visited: the largest count reported (places are not additive across windows);
  speech features: means over the day's records; `passive_records`: the number of signal
  records;
- wrist actigraphy (`actigraphy_part`): `activity_mean`, `activity_zero_share` of the day's
  recorded minutes, and the rest-activity rhythm (`rhythm_*`) over the 7 local days ending on
  the day (`monitoring.actigraphy`, `monitoring.actigraphy_rhythm`, docs/actigraphy.md);
- nothing recorded -> NULL (never 0); floats are stored to 3 decimals (`stored`).

The column-wise rules are declared once, as data (`CHECKIN_AGGREGATES`, `SIGNAL_AGGREGATES`),
and every path builds its computation from that table:
- ingestion (`monitoring.services.daily_summaries`) has the database compute them: the
  check-in upsert's SQL and the per-(day, kind) aggregate query are generated from it;
- a cohort file without a database (`monitoring.cohort_summaries`) reduces the same records
  in Python with `REDUCERS`, the same functions as the database's aggregates;
and both hand the results to the same per-day functions below (`questionnaire_part`,
`signal_part`), so the two cannot drift apart (tests/monitoring/test_summary_parity.py)."""

import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from .actigraphy import daily_activity, daily_sleep
from .actigraphy_rhythm import WINDOW_DAYS, daily_rhythm


@dataclass(frozen=True)
class Aggregate:
    """One summary column as a function of one raw field over the day's records."""

    column: str  # the DailySummary column
    function: str  # a key of REDUCERS (and of the database's forms in services.daily_summaries)
    source: str | None = None  # the raw field (CheckIn / SignalRecord); None for "count"


CHECKIN_AGGREGATES: tuple[Aggregate, ...] = (
    Aggregate("checkins", "count"),
    *(Aggregate(name, "mean", name) for name in ("mood", "anxiety", "energy", "irritability", "sleep_quality")),
    Aggregate("medication_taken", "any", "medication_taken"),
)
# Per signal kind, the columns aggregated over the day's records of that kind. Sleep has none:
# its columns come from the day's episodes themselves (`signal_part`).
SIGNAL_AGGREGATES: dict[str, tuple[Aggregate, ...]] = {
    "sleep": (),
    "steps": (Aggregate("steps", "sum", "count"),),
    "mobility": (
        Aggregate("time_at_home_min", "sum", "time_at_home_min"),
        Aggregate("distance_km", "sum", "distance_km"),
        Aggregate("places_visited", "max", "places_visited"),
    ),
    "speech": tuple(
        Aggregate(name, "mean", name)
        for name in ("speech_rate_wpm", "pause_ratio", "pitch_mean_hz", "pitch_sd_hz", "energy_db")
    ),
    "screen": (Aggregate("screen_minutes", "sum", "screen_minutes"), Aggregate("unlocks", "sum", "unlocks")),
}


def _given(values: Iterable[Any]) -> list[Any]:
    return [v for v in values if v is not None]


def _add(given: list[Any]) -> Any:
    # Left to right, one rounding per addition, as the databases' SUM and AVG add floats.
    return functools.reduce(operator.add, given)


def _sum(values: Sequence[Any]) -> Any:
    given = _given(values)
    return _add(given) if given else None


def _max(values: Sequence[Any]) -> Any:
    given = _given(values)
    return max(given) if given else None


def _mean(values: Sequence[Any]) -> Any:
    """The mean of the values given. Of integers it is exact (a Fraction where it has more
    than 3 decimals), as PostgreSQL's AVG of an integer column is a numeric: `stored` rounds
    it as SQL's ROUND does."""
    given = _given(values)
    if not given:
        return None
    total, n = _add(given), len(given)
    if total.__class__ is int and (total * 1000) % n:
        return Fraction(total, n)
    return total / n


def _any(values: Sequence[Any]) -> bool | None:
    given = _given(values)
    return any(given) if given else None


# What each aggregate function means, NULLs ignored and NULL when no value is given (but
# "count", which counts the records): the Python form of the database's COUNT, SUM, MAX, AVG
# and "any true" (services.daily_summaries holds their SQL forms, one per key).
REDUCERS: dict[str, Callable[[Sequence[Any]], Any]] = {
    "count": len,
    "sum": _sum,
    "max": _max,
    "mean": _mean,
    "any": _any,
}

CHECKIN_FIELDS = tuple(a.column for a in CHECKIN_AGGREGATES)
QUESTIONNAIRE_FIELDS = ("phq9", "gad7", "asrm")
SIGNAL_FIELDS = (
    "sleep_hours",
    "sleep_onset",
    "sleep_wake",
    "sleep_efficiency",
    "sleep_awakenings",
    "sleep_source",
    *(a.column for aggregates in SIGNAL_AGGREGATES.values() for a in aggregates),
    "passive_records",
)
ACTIGRAPHY_FIELDS = (
    "activity_mean",
    "activity_zero_share",
    "rhythm_is",
    "rhythm_iv",
    "rhythm_ra",
    "rhythm_l5",
    "rhythm_m10",
    "rhythm_l5_onset",
    "rhythm_m10_onset",
)
# The summary columns in API.md's timeline order that the model reads and every page shows
# (`passive_records` is bookkeeping; the four columns not listed are kept for exports only).
SUMMARY_COLUMNS = [
    "checkins",
    "mood",
    "anxiety",
    "energy",
    "irritability",
    "sleep_quality",
    "medication_taken",
    "phq9",
    "gad7",
    "asrm",
    "sleep_hours",
    "sleep_onset",
    "sleep_wake",
    "sleep_efficiency",
    "steps",
    "time_at_home_min",
    "distance_km",
    "speech_rate_wpm",
    "pause_ratio",
    "pitch_sd_hz",
    "screen_minutes",
    "unlocks",
    *ACTIGRAPHY_FIELDS,
    "passive_records",
]

PARTS = {
    "checkins": CHECKIN_FIELDS,
    "questionnaires": QUESTIONNAIRE_FIELDS,
    "signals": SIGNAL_FIELDS,
    "actigraphy": ACTIGRAPHY_FIELDS,
}
ALL_COLUMNS = [name for part in PARTS.values() for name in part]
# A day's row exists once any record counts for it; what was not recorded that day is NULL
# but for the two counts.
DEFAULTS: dict[str, Any] = {"checkins": 0, "passive_records": 0}

# Row shapes handed to the per-day functions (values_list order in services).
CHECKIN_ROW = tuple(dict.fromkeys(a.source for a in CHECKIN_AGGREGATES if a.source))
QUESTIONNAIRE_ROW = ("day", "instrument", "completed_at", "received_at", "id", "total")
SLEEP_ROW = ("day", "start", "end", "efficiency", "awakenings", "id", "source")
# Per (day, kind): the number of records, then every SIGNAL_AGGREGATES column in its order
# (a column of another kind is NULL in a kind's row).
KIND_COLUMNS = tuple(a.column for aggregates in SIGNAL_AGGREGATES.values() for a in aggregates)
KIND_ROW = ("day", "kind", "n", *KIND_COLUMNS)
_KIND_POSITIONS = {
    kind: [(a.column, KIND_ROW.index(a.column)) for a in aggregates] for kind, aggregates in SIGNAL_AGGREGATES.items()
}
# kind -> (source index, reducer, KIND_ROW position) of each of its aggregates
_KIND_REDUCTIONS = {
    kind: [(i, REDUCERS[a.function], KIND_ROW.index(a.column)) for i, a in enumerate(aggregates)]
    for kind, aggregates in SIGNAL_AGGREGATES.items()
}
_NO_KIND_VALUES = (None,) * len(KIND_COLUMNS)
_INSTRUMENT_FIELD = {"PHQ-9": "phq9", "GAD-7": "gad7", "ASRM": "asrm"}


# The timestamp whose local day a record counts for: a sleep episode the day it ends (the
# wake-up day), any other signal record the day it starts, a check-in or questionnaire the day
# it was recorded or completed.
DAY_OF = {
    "checkin": "recorded_at",
    "questionnaire": "completed_at",
    **{kind: "end" if kind == "sleep" else "start" for kind in SIGNAL_AGGREGATES},
}


def local_day(moment: datetime, tz: ZoneInfo) -> date:
    return moment.astimezone(tz).date()


def checkin_part(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """One day's check-in columns from its check-ins (CHECKIN_ROW); ingestion has the database
    compute the same aggregates (services.daily_summaries)."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(CHECKIN_ROW)
    part: dict[str, Any] = {}
    for aggregate in CHECKIN_AGGREGATES:
        if aggregate.source is None:
            part[aggregate.column] = REDUCERS[aggregate.function](rows)
        else:
            part[aggregate.column] = REDUCERS[aggregate.function](columns[CHECKIN_ROW.index(aggregate.source)])
    return part


def kind_aggregates(day: date, kind: str, records: Sequence[Sequence[Any]]) -> tuple[Any, ...]:
    """The KIND_ROW of one day's records of one kind, each record a tuple of that kind's
    source fields in SIGNAL_AGGREGATES order: what ingestion's GROUP BY (day, kind) returns."""
    row: list[Any] = [day, kind, len(records), *_NO_KIND_VALUES]
    if SIGNAL_AGGREGATES[kind]:
        columns = list(zip(*records, strict=True))
        for index, reduce, position in _KIND_REDUCTIONS[kind]:
            row[position] = reduce(columns[index])
    return tuple(row)


def _minute(moment: datetime, tz: ZoneInfo) -> time:
    local = moment.astimezone(tz)
    return time(local.hour, local.minute)


def questionnaire_part(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Each instrument's latest total of the day. A response with too many items skipped has no
    total: it is left out (an earlier scored one of the day counts), never read as 0."""
    part: dict[str, Any] = dict.fromkeys(QUESTIONNAIRE_FIELDS)
    latest: dict[str, tuple] = {}
    for row in rows:
        if row[5] is None:
            continue
        key = (row[2], row[3], row[4])
        if row[1] not in latest or key >= latest[row[1]][0]:
            latest[row[1]] = (key, row[5])
    for instrument, (_key, total) in latest.items():
        part[_INSTRUMENT_FIELD[instrument]] = total
    return part


def _covered_hours(intervals: list[tuple[datetime, datetime]]) -> float:
    total = 0.0
    current_start, current_end = None, None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end:
            if current_end is not None and current_start is not None:
                total += (current_end - current_start).total_seconds()
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None and current_start is not None:
        total += (current_end - current_start).total_seconds()
    return total / 3600.0


def signal_part(
    sleep_rows: Sequence[Sequence[Any]], kind_rows: Sequence[Sequence[Any]], tz: ZoneInfo
) -> dict[str, Any]:
    """One day's signal columns from its sleep episodes (SLEEP_ROW) and its per-kind
    aggregates (KIND_ROW)."""
    part: dict[str, Any] = dict.fromkeys(SIGNAL_FIELDS)
    part["passive_records"] = sum(r[2] for r in kind_rows)
    measured = [r for r in sleep_rows if r[6] == ACTIGRAPH]
    if measured:  # the actigraph wins: the phone's episodes of the day are not counted too
        sleep_rows = measured
    if sleep_rows:
        part["sleep_source"] = sleep_rows[0][6]
        main = max(sleep_rows, key=lambda r: (r[2] - r[1], r[2], r[5]))
        part["sleep_hours"] = _covered_hours([(r[1], r[2]) for r in sleep_rows])
        part["sleep_onset"] = _minute(main[1], tz)
        part["sleep_wake"] = _minute(main[2], tz)
        part["sleep_efficiency"] = main[3]
        part["sleep_awakenings"] = main[4]
    for row in kind_rows:
        for column, position in _KIND_POSITIONS[row[1]]:
            part[column] = row[position]
    return part


# --- wrist actigraphy ----------------------------------------------------------------------

PHONE, ACTIGRAPH = "phone", "actigraph"
# The measures of a day need these days around it: the night before (a sleep period belongs to
# the day it ends, and scoring reads minutes on both sides) and the 6 days before (the rhythm's
# 7-day window). A day's counts thus change the measures of the 6 days after it as well.
ACTIGRAPHY_DAYS_BEFORE = WINDOW_DAYS
ACTIGRAPHY_DAYS_AFTER = WINDOW_DAYS - 1


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of a local calendar day (local midnight, or the first minute after a
    change that skips it)."""
    moment = datetime.combine(day, time(0), tzinfo=tz)
    wall = pd.Timestamp(moment).tz_localize(None)
    return wall.tz_localize(tz, ambiguous=True, nonexistent="shift_forward").to_pydatetime()


def day_length_minutes(day: date, tz: ZoneInfo) -> int:
    """1440, or 1380 / 1500 on the days the clocks change."""
    # In UTC: Python subtracts two datetimes of the same zone by their wall clocks.
    later, earlier = day_start(day + timedelta(days=1), tz), day_start(day, tz)
    return int((later.astimezone(UTC) - earlier.astimezone(UTC)).total_seconds() // 60)


def minute_counts(days: Iterable[tuple[date, Sequence[float | None]]], tz: ZoneInfo) -> pd.Series:
    """A patient's stored days (`ActivityDay`: the date and its minutes from local midnight)
    as the actigraphy modules' input: counts on UTC minute timestamps, NaN where not recorded."""
    stamps: list[np.ndarray] = []
    values: list[np.ndarray] = []
    for day, minutes in days:
        start = pd.Timestamp(day_start(day, tz)).tz_convert("UTC").as_unit("ns").value
        stamps.append(start + np.arange(len(minutes), dtype="int64") * 60_000_000_000)
        values.append(np.array([np.nan if v is None else v for v in minutes], dtype="float64"))
    if not stamps:
        return pd.Series([], index=pd.DatetimeIndex([], tz="UTC"), dtype="float64", name="counts")
    index = pd.DatetimeIndex(np.concatenate(stamps), tz="UTC")
    return pd.Series(np.concatenate(values), index=index, name="counts")


def actigraphy_days(counts: pd.Series, tz: ZoneInfo) -> pd.DataFrame:
    """Per local day: the daily activity, the main sleep period ending on it and the 7-day
    rhythm (the actigraphy modules' columns); the summary's share is `actigraphy_part`."""
    if counts.dropna().empty:
        return pd.DataFrame()
    return pd.concat([daily_activity(counts, tz), daily_sleep(counts, tz), daily_rhythm(counts, tz)], axis=1)


def _plain(value: Any) -> Any:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def actigraphy_part(measures: pd.DataFrame, day: date) -> dict[str, Any]:
    """One day's actigraphy columns from `actigraphy_days` (all NULL without a row)."""
    if day not in measures.index:
        return dict.fromkeys(ACTIGRAPHY_FIELDS)
    row = measures.loc[day]
    return {name: _plain(row[name]) for name in ACTIGRAPHY_FIELDS}


def _half_away_from_zero(value: Fraction) -> float:
    thousandths = int(abs(value) * 1000 + Fraction(1, 2))
    return (thousandths if value >= 0 else -thousandths) / 1000


def stored(value: Any) -> Any:
    """Summary values are kept to 3 decimals (means of integer scales, sums of device floats):
    plenty for charts and the model, and what the timeline shows as it is. An exact mean of
    integers is rounded half away from zero, as the database's ROUND does in the check-in
    upsert."""
    if value.__class__ is float:
        return round(value, 3)
    if value.__class__ is Fraction:
        return _half_away_from_zero(value)
    return value


def group_by_day(rows: Iterable[Sequence[Any]], days: set[date]) -> dict[date, list[Sequence[Any]]]:
    grouped: dict[date, list[Sequence[Any]]] = {day: [] for day in days}
    for row in rows:
        bucket = grouped.get(row[0])
        if bucket is not None:
            bucket.append(row)
    return grouped
