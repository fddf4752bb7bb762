"""The daily summary of one patient-day, computed from that day's raw rows (pure).

Definitions (docs/ingestion.md says the same for readers):
- check-ins: `checkins` is their number; each scale is the mean of the values given that
  day; `medication_taken` is true if any check-in says taken, false if some say not taken
  and none taken, null if none answered.
- questionnaires: the latest total of the day per instrument (by `completed_at`).
- sleep: episodes belong to the local day they end. The *main sleep* is the day's longest
  episode (the later one on a tie): `sleep_onset`/`sleep_wake` (local HH:MM),
  `sleep_efficiency` and `sleep_awakenings` are its own. `sleep_hours` is the time covered by
  all of the day's episodes (naps included), overlapping episodes counted once.
- steps, screen minutes, unlocks, time at home and distance: sums over the day's records;
  places visited: the largest count reported (places are not additive across windows);
  speech features: means over the day's records.
- nothing recorded → NULL (never 0); floats are stored to 3 decimals."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

CHECKIN_FIELDS = ("checkins", "mood", "anxiety", "energy", "irritability", "sleep_quality", "medication_taken")
QUESTIONNAIRE_FIELDS = ("phq9", "gad7", "asrm")
SIGNAL_FIELDS = (
    "sleep_hours",
    "sleep_onset",
    "sleep_wake",
    "sleep_efficiency",
    "sleep_awakenings",
    "steps",
    "time_at_home_min",
    "distance_km",
    "places_visited",
    "speech_rate_wpm",
    "pause_ratio",
    "pitch_mean_hz",
    "pitch_sd_hz",
    "energy_db",
    "screen_minutes",
    "unlocks",
    "passive_records",
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
    "passive_records",
]

PARTS = {"checkins": CHECKIN_FIELDS, "questionnaires": QUESTIONNAIRE_FIELDS, "signals": SIGNAL_FIELDS}

# Check-ins are aggregated by the database itself (services._checkin_summaries_upsert).
# Row shapes handed in below (values_list order).
QUESTIONNAIRE_ROW = ("day", "instrument", "completed_at", "received_at", "total")
SLEEP_ROW = ("day", "start", "end", "efficiency", "awakenings")
# Per (day, kind), aggregated by the database (`summaries.KIND_AGGREGATES` in services):
# n, sum(count), sum(time_at_home_min), sum(distance_km), max(places_visited),
# avg(speech_rate_wpm), avg(pause_ratio), avg(pitch_mean_hz), avg(pitch_sd_hz), avg(energy_db),
# sum(screen_minutes), sum(unlocks) -- NULLs ignored, NULL when nothing is there.
KIND_ROW = (
    "day",
    "kind",
    "n",
    "steps",
    "time_at_home_min",
    "distance_km",
    "places_visited",
    "speech_rate_wpm",
    "pause_ratio",
    "pitch_mean_hz",
    "pitch_sd_hz",
    "energy_db",
    "screen_minutes",
    "unlocks",
)
_INSTRUMENT_FIELD = {"PHQ-9": "phq9", "GAD-7": "gad7", "ASRM": "asrm"}


def _minute(moment: datetime, tz: ZoneInfo) -> time:
    local = moment.astimezone(tz)
    return time(local.hour, local.minute)


def questionnaire_part(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    part: dict[str, Any] = dict.fromkeys(QUESTIONNAIRE_FIELDS)
    latest: dict[str, tuple] = {}
    for row in rows:
        key = (row[2], row[3])
        if row[1] not in latest or key >= latest[row[1]][0]:
            latest[row[1]] = (key, row[4])
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
    if sleep_rows:
        main = max(sleep_rows, key=lambda r: (r[2] - r[1], r[2]))
        part["sleep_hours"] = _covered_hours([(r[1], r[2]) for r in sleep_rows])
        part["sleep_onset"] = _minute(main[1], tz)
        part["sleep_wake"] = _minute(main[2], tz)
        part["sleep_efficiency"] = main[3]
        part["sleep_awakenings"] = main[4]
    for row in kind_rows:
        kind = row[1]
        if kind == "steps":
            part["steps"] = row[3]
        elif kind == "mobility":
            part["time_at_home_min"], part["distance_km"], part["places_visited"] = row[4], row[5], row[6]
        elif kind == "speech":
            (
                part["speech_rate_wpm"],
                part["pause_ratio"],
                part["pitch_mean_hz"],
                part["pitch_sd_hz"],
                part["energy_db"],
            ) = row[7:12]
        elif kind == "screen":
            part["screen_minutes"], part["unlocks"] = row[12], row[13]
    return part


def stored(value: Any) -> Any:
    """Summary values are kept to 3 decimals (means of integer scales, sums of device floats):
    plenty for charts and the model, and what the timeline shows as it is."""
    return round(value, 3) if value.__class__ is float else value


def group_by_day(rows: Iterable[Sequence[Any]], days: set[date]) -> dict[date, list[Sequence[Any]]]:
    grouped: dict[date, list[Sequence[Any]]] = {day: [] for day in days}
    for row in rows:
        bucket = grouped.get(row[0])
        if bucket is not None:
            bucket.append(row)
    return grouped
