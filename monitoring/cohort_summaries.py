"""Daily summaries straight from cohort-file lines (API.md, "Cohort file"), without a database,
so that the model can be developed, evaluated and benchmarked on a file
(`evaluate_model --cohort`, benchmark B5, the ml tests).

They are the summaries ingestion makes when the file goes through `import_cohort`: the same
records (a repeated id counts once, as the import stores it once), each on the same local day
(`summaries.DAY_OF`), reduced per patient and day by the same rules
(`summaries.CHECKIN_AGGREGATES` / `SIGNAL_AGGREGATES` through `summaries.REDUCERS`, then the
same `questionnaire_part` and `signal_part`, and `stored`).
tests/monitoring/test_summary_parity.py holds the two paths to the same frame. Validation is
not repeated here: a file the import refuses lines of is summarised as if they had been
stored.

Pure (pandas, no Django)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pandas as pd

from . import summaries
from .questionnaires import score

# The fields read from each kind of record: a check-in's (CHECKIN_ROW), a sleep episode's
# (SLEEP_ROW's values), and the source fields of the other signal kinds in SIGNAL_AGGREGATES
# order.
_FIELDS = {
    "checkin": summaries.CHECKIN_ROW,
    "sleep": summaries.SLEEP_ROW[3:5],
    **{
        kind: tuple(str(a.source) for a in aggregates)
        for kind, aggregates in summaries.SIGNAL_AGGREGATES.items()
        if aggregates
    },
}
# Validation stores these as integers (3.0 is 3), `medication_taken` as given (a boolean) and
# every other number as a float (3 is 3.0).
_INTEGER_FIELDS = frozenset(
    {"mood", "anxiety", "energy", "irritability", "sleep_quality", "count", "places_visited", "unlocks", "awakenings"}
)
_CONVERSIONS = {
    kind: tuple(
        (i, int if name in _INTEGER_FIELDS else float) for i, name in enumerate(names) if name != "medication_taken"
    )
    for kind, names in _FIELDS.items()
}
# A file's records count as received together: the questionnaire tie on `completed_at` is
# broken by id, as it is in the database for records stored in one go.
_RECEIVED_TOGETHER = None


def read_cohort_lines(path: str | Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                yield json.loads(line)


def _values(raw: dict[str, Any], kind: str) -> tuple[Any, ...]:
    values = [raw.get(name) for name in _FIELDS[kind]]
    for i, stored_as in _CONVERSIONS[kind]:
        value = values[i]
        if value is not None and value.__class__ is not stored_as:
            values[i] = stored_as(value)
    return tuple(values)


class _Day:
    __slots__ = ("checkins", "kinds", "questionnaires", "sleep")

    def __init__(self) -> None:
        self.checkins: list[tuple] = []
        self.questionnaires: list[tuple] = []
        self.sleep: list[tuple] = []
        self.kinds: dict[str, list[tuple]] = {}


def _hhmm(moment: time | None) -> str | None:
    return None if moment is None else f"{moment.hour:02d}:{moment.minute:02d}"


def _patient_days(lines: list[dict[str, Any]], tz: ZoneInfo) -> dict[date, _Day]:
    """The patient's records, each once, on the local day it counts for."""
    days: dict[date, _Day] = {}
    seen: set[tuple[str, str]] = set()
    day_of = summaries.DAY_OF
    day_by_text: dict[str, date] = {}  # records of one day share their bounds (steps, screen)
    for line in lines:
        kind = line["type"]
        raw = line["record"] if kind == "signal" else line
        if kind == "signal":
            kind = raw["type"]
            table = "signal"
        else:
            table = kind
        # The id as the database compares it: any spelling of one UUID is the same id.
        text = raw["id"]
        key = (table, text.lower().replace("-", "") if len(text) == 36 else UUID(text).hex)
        if key in seen:
            continue
        seen.add(key)
        stamp = raw[day_of[kind]]
        day = day_by_text.get(stamp)
        if day is None:
            day = day_by_text[stamp] = summaries.local_day(datetime.fromisoformat(stamp), tz)
        found = days.get(day)
        if found is None:
            found = days[day] = _Day()
        if kind == "checkin":
            found.checkins.append(_values(raw, "checkin"))
        elif kind == "questionnaire":
            total = score(raw["instrument"], raw["answers"]).total
            found.questionnaires.append(
                (day, raw["instrument"], datetime.fromisoformat(stamp), _RECEIVED_TOGETHER, UUID(text), total)
            )
        elif kind == "sleep":
            start, end = datetime.fromisoformat(raw["start"]), datetime.fromisoformat(raw["end"])
            found.sleep.append((day, start, end, *_values(raw, "sleep"), UUID(text), summaries.PHONE))
        else:
            found.kinds.setdefault(kind, []).append(_values(raw, kind))
    return days


def _day_values(day: date, found: _Day, tz: ZoneInfo) -> list[Any]:
    """The day's row in summaries.ALL_COLUMNS order, as ingestion stores it."""
    values: dict[str, Any] = dict(summaries.DEFAULTS)
    if found.checkins:
        values.update(summaries.checkin_part(found.checkins))
    if found.questionnaires:
        values.update(summaries.questionnaire_part(found.questionnaires))
    if found.kinds or found.sleep:
        kind_rows = [summaries.kind_aggregates(day, kind, records) for kind, records in found.kinds.items()]
        if found.sleep:
            kind_rows.append(summaries.kind_aggregates(day, "sleep", found.sleep))
        values.update(summaries.signal_part(found.sleep, kind_rows, tz))
        values["sleep_onset"] = _hhmm(values["sleep_onset"])
        values["sleep_wake"] = _hhmm(values["sleep_wake"])
    stored = summaries.stored
    return [None if (value := values.get(name)) is None else stored(value) for name in summaries.ALL_COLUMNS]


def daily_summary_rows(
    lines: Iterable[dict[str, Any]],
) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]], list[dict[str, Any]]]:
    """(summary rows, patient lines, event lines). A summary row is (patient code, date,
    *summaries.ALL_COLUMNS), times of day as local "HH:MM", for every patient-day a record
    counts for, in patient-line then date order."""
    patients: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    records: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        kind = line.get("type")
        if kind == "patient":
            patients.append(line)
        elif kind == "event":
            events.append(line)
        elif kind in ("checkin", "questionnaire", "signal"):
            records.setdefault(line["patient"], []).append(line)
    rows: list[tuple[Any, ...]] = []
    for patient in patients:
        tz = ZoneInfo(patient["timezone"])
        days = _patient_days(records.get(patient["code"], []), tz)
        rows.extend((patient["code"], day, *_day_values(day, days[day], tz)) for day in sorted(days))
    return rows, patients, events


def daily_summaries_from_lines(lines: Iterable[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(summaries, patients, events) from cohort lines. `summaries` has `patient` (the patient
    code), `date` and summaries.SUMMARY_COLUMNS, as `ml.selectors.daily_summaries_frame`
    reads them from the database: NaN where NULL, `medication_taken` 1.0/0.0, times of day
    as "HH:MM"."""
    rows, patients, events = daily_summary_rows(lines)
    columns = ["patient", "date", *summaries.ALL_COLUMNS]
    frame = pd.DataFrame(rows, columns=columns)[["patient", "date", *summaries.SUMMARY_COLUMNS]]
    frame["patient"] = frame["patient"].astype(str)
    frame["date"] = pd.to_datetime(frame["date"])
    frame["medication_taken"] = frame["medication_taken"].map({True: 1.0, False: 0.0}).astype(float)
    for name in summaries.SUMMARY_COLUMNS:
        if name in ("checkins", "passive_records"):
            frame[name] = frame[name].astype("int64")
        elif name in ("sleep_onset", "sleep_wake"):
            frame[name] = frame[name].astype("string")
        elif name != "medication_taken":
            frame[name] = pd.to_numeric(frame[name]).astype(float)
    patient_frame = pd.DataFrame(patients).rename(columns={"code": "patient"})
    event_frame = pd.DataFrame(
        [{"patient": e["patient"], "kind": e["kind"], "date": e["date"]} for e in events],
        columns=["patient", "kind", "date"],
    )
    event_frame["date"] = pd.to_datetime(event_frame["date"])
    return frame.sort_values(["patient", "date"]).reset_index(drop=True), patient_frame, event_frame
