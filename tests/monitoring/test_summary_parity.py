"""One daily-summary rule set: a cohort file taken through the database (`import_cohort`, then
`ml.selectors.daily_summaries_frame`, what training reads) and through the in-memory path
(`monitoring.cohort_summaries`, what `evaluate_model --cohort` and benchmark B5 read) gives
the same summaries and the same features.

The file is a small generated cohort plus hand-written lines for the rules a re-implementation
gets wrong: a nap and a main sleep on one day, overlapping episodes, two episodes of the same
length, a dose missed then taken, two questionnaires of one instrument on one day (one pair
with the same completion time), days whose only values are NULL, sixteen check-ins whose mean
falls on a rounding tie, several mobility and speech records on one day, a repeated id, and
patients in three other time zones (records sent in UTC that fall on another local day)."""

import datetime as dt
import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.utils import timezone

from ml import selectors
from ml.cohort import CohortConfig, generate
from ml.features import build_features, time_to_hours
from monitoring.cohort_summaries import daily_summaries_from_lines, daily_summary_rows, read_cohort_lines
from monitoring.models import DailySummary
from monitoring.summaries import ALL_COLUMNS, SUMMARY_COLUMNS

TEAM = "parity"
TODAY = timezone.localdate()
ENROLLED = TODAY - dt.timedelta(days=40)


def _ids() -> Iterator[str]:
    # Fixed ids: the order of two ids decides the tie between two questionnaires.
    n = 0
    while True:
        n += 1
        yield str(uuid.UUID(int=(0x5EED << 96) + n))


IDS = _ids()


def at(tz: str, days_ago: int, hour: float, *, utc: bool = False) -> str:
    """`hour` hours (wall clock, may be negative) after local midnight `days_ago` days ago, with
    the local offset or in UTC ("Z")."""
    day = TODAY - dt.timedelta(days=days_ago)
    moment = dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(tz)) + dt.timedelta(minutes=round(hour * 60))
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if utc else moment.isoformat()


def patient(code: str, tz: str, diagnosis: str = "F31") -> list[dict[str, Any]]:
    return [
        {
            "type": "patient",
            "code": code,
            "care_team": TEAM,
            "timezone": tz,
            "birth_year": 1980,
            "sex": "F",
            "diagnosis": diagnosis,
            "enrolled_on": ENROLLED.isoformat(),
        },
        {
            "type": "consent",
            "patient": code,
            "version": "1",
            "scopes": ["self_report", "sleep", "activity", "mobility", "speech", "risk_scoring"],
        },
    ]


def checkin(code: str, recorded_at: str, mood: int, **values: Any) -> dict[str, Any]:
    return {"type": "checkin", "patient": code, "id": next(IDS), "recorded_at": recorded_at, "mood": mood, **values}


def questionnaire(code: str, completed_at: str, instrument: str, answers: list[int]) -> dict[str, Any]:
    return {
        "type": "questionnaire",
        "patient": code,
        "id": next(IDS),
        "instrument": instrument,
        "answers": answers,
        "completed_at": completed_at,
    }


def signal(code: str, kind: str, start: str, end: str, **values: Any) -> dict[str, Any]:
    return {
        "type": "signal",
        "patient": code,
        "record": {"id": next(IDS), "type": kind, "start": start, "end": end, **values},
    }


def edge_case_lines() -> list[dict[str, Any]]:
    paris, akl, la, kol = "Europe/Paris", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata"
    lines: list[dict[str, Any]] = []
    lines += patient("EDGE-PAR", paris)
    lines += patient("EDGE-AKL", akl, diagnosis="F20")
    lines += patient("EDGE-LA", la, diagnosis="F33")
    lines += patient("EDGE-KOL", kol)

    # A main sleep and an afternoon nap on one day: 9 h covered, the night is the main sleep.
    lines.append(signal("EDGE-PAR", "sleep", at(paris, 10, -1), at(paris, 10, 7), efficiency=0.91, awakenings=2))
    lines.append(signal("EDGE-PAR", "sleep", at(paris, 10, 14), at(paris, 10, 15), efficiency=0.5))
    # Overlapping episodes (22:00-06:00 and 05:00-08:00): 10 h covered, not 11.
    lines.append(signal("EDGE-PAR", "sleep", at(paris, 9, -2), at(paris, 9, 6), efficiency=0.8, awakenings=1))
    lines.append(signal("EDGE-PAR", "sleep", at(paris, 9, 5), at(paris, 9, 8), efficiency=0.6, awakenings=0))
    # Two episodes of the same length: the later one is the main sleep.
    lines.append(signal("EDGE-PAR", "sleep", at(paris, 8, 1), at(paris, 8, 4), efficiency=0.7, awakenings=3))
    lines.append(signal("EDGE-PAR", "sleep", at(paris, 8, 5), at(paris, 8, 8), efficiency=0.75, awakenings=4))
    # A night that starts the evening before belongs to the day it ends; a steps record that
    # runs past midnight to the day it starts.
    lines.append(signal("EDGE-PAR", "sleep", at(paris, 7, -0.5), at(paris, 7, 6.25)))
    lines.append(signal("EDGE-PAR", "steps", at(paris, 7, 23), at(paris, 7, 25), count=300))
    # A dose missed in the morning, then taken: taken. Missed only: not taken. Unanswered: NULL.
    lines.append(checkin("EDGE-PAR", at(paris, 6, 9), 0, medication_taken=False, anxiety=4))
    lines.append(checkin("EDGE-PAR", at(paris, 6, 21), 1, medication_taken=True))
    lines.append(checkin("EDGE-PAR", at(paris, 5, 9), -1, medication_taken=False, energy=3))
    lines.append(checkin("EDGE-PAR", at(paris, 4, 9), 2, irritability=1, sleep_quality=7))
    # Three check-ins: means to 3 decimals, NULLs left out.
    for mood, energy in ((1, 4), (0, None), (0, 5)):
        lines.append(checkin("EDGE-PAR", at(paris, 3, 8 + 4 * mood + (energy or 0) / 10), mood, energy=energy))
    # Sixteen check-ins whose mood means are rounding ties (1/16 and -1/16): half away from 0.
    for i in range(16):
        lines.append(checkin("EDGE-PAR", at(paris, 2, 8 + i / 2), 1 if i == 0 else 0, anxiety=3 if i else 4))
        lines.append(checkin("EDGE-AKL", at(akl, 2, 8 + i / 2), -1 if i == 0 else 0))
    # Two PHQ-9s on one day, the later one first in the file; two GAD-7s completed at the
    # same instant (sent together): the larger id is the latest.
    lines.append(questionnaire("EDGE-PAR", at(paris, 6, 18), "PHQ-9", [2, 2, 2, 1, 1, 1, 1, 1, 0]))
    lines.append(questionnaire("EDGE-PAR", at(paris, 6, 10), "PHQ-9", [1, 1, 1, 0, 0, 0, 0, 0, 0]))
    lines.append(questionnaire("EDGE-PAR", at(paris, 6, 12), "GAD-7", [3, 3, 3, 3, 0, 0, 0]))
    lines.append(questionnaire("EDGE-PAR", at(paris, 6, 12), "GAD-7", [1, 0, 0, 0, 0, 0, 0]))
    lines.append(questionnaire("EDGE-PAR", at(paris, 6, 12), "ASRM", [0, 1, 0, 1, 0]))
    # Several mobility and speech records on one day: sums, the largest place count, means
    # (pitch mean and loudness too); missing optional values stay NULL.
    day = 5
    lines.append(
        signal("EDGE-PAR", "mobility", at(paris, day, 7), at(paris, day, 12), time_at_home_min=120.5,
               distance_km=0.1, places_visited=3)
    )  # fmt: skip
    lines.append(
        signal("EDGE-PAR", "mobility", at(paris, day, 12), at(paris, day, 18), time_at_home_min=30,
               distance_km=0.2, places_visited=5)
    )  # fmt: skip
    lines.append(
        signal("EDGE-PAR", "mobility", at(paris, day, 18), at(paris, day, 23), time_at_home_min=200.25,
               distance_km=1.005)
    )  # fmt: skip
    for rate, pause, pitch, sd, energy in ((120.5, 0.123, 150.1, 20.25, -20.5), (130, 0.456, 160, 22, None),
                                           (111.1, 0.2, 155.5, 21.33, -25.25)):  # fmt: skip
        extra = {} if energy is None else {"energy_db": energy}
        lines.append(
            signal("EDGE-PAR", "speech", at(paris, day, 19 + pause), at(paris, day, 19.5 + pause),
                   speech_rate_wpm=rate, pause_ratio=pause, pitch_mean_hz=pitch, pitch_sd_hz=sd, **extra)
        )  # fmt: skip
    lines.append(signal("EDGE-PAR", "screen", at(paris, day, 7), at(paris, day, 12), screen_minutes=61.3, unlocks=20))
    lines.append(
        signal("EDGE-PAR", "screen", at(paris, day, 12), at(paris, day, 23), screen_minutes=100.25, unlocks=31)
    )
    # Days whose only values are NULL or zero: a sleep episode without efficiency, a mobility
    # record without places, zero steps (0, not NULL).
    lines.append(signal("EDGE-PAR", "sleep", at(paris, 1, 0), at(paris, 1, 5)))
    lines.append(signal("EDGE-PAR", "mobility", at(paris, 1, 7), at(paris, 1, 8), time_at_home_min=0, distance_km=0))
    lines.append(signal("EDGE-PAR", "steps", at(paris, 1, 7), at(paris, 1, 8), count=0))
    # Sent twice (a retry): stored once, counted once.
    lines.append(lines[-1])
    lines.append(lines[-4])

    # Auckland: 08:00 local sent in UTC (the previous UTC day), a night across local midnight.
    lines.append(checkin("EDGE-AKL", at(akl, 3, 8, utc=True), 1, medication_taken=True))
    lines.append(signal("EDGE-AKL", "sleep", at(akl, 3, -1.5, utc=True), at(akl, 3, 6.75, utc=True), efficiency=0.9))
    lines.append(signal("EDGE-AKL", "steps", at(akl, 3, 0.5, utc=True), at(akl, 3, 23.5, utc=True), count=4321))
    lines.append(questionnaire("EDGE-AKL", at(akl, 3, 7, utc=True), "PHQ-9", [0, 0, 0, 0, 0, 0, 0, 0, 0]))
    # Los Angeles: an evening check-in sent in UTC (the next UTC day).
    lines.append(checkin("EDGE-LA", at(la, 4, 22, utc=True), -2, anxiety=9, medication_taken=False))
    lines.append(checkin("EDGE-LA", at(la, 4, 23.5, utc=True), -3, anxiety=8))
    lines.append(signal("EDGE-LA", "sleep", at(la, 3, -1, utc=True), at(la, 3, 9, utc=True), awakenings=5))
    lines.append(signal("EDGE-LA", "screen", at(la, 3, 20, utc=True), at(la, 3, 23.75, utc=True), screen_minutes=200,
                        unlocks=88))  # fmt: skip
    # Kolkata (UTC+05:30): a record at 02:00 local is the previous day in UTC.
    lines.append(signal("EDGE-KOL", "steps", at(kol, 2, 2), at(kol, 2, 3), count=12))
    lines.append(signal("EDGE-KOL", "sleep", at(kol, 2, -3.25, utc=True), at(kol, 2, 1.75, utc=True), efficiency=0.55))
    lines.append(checkin("EDGE-KOL", at(kol, 2, 0.25, utc=True), 3, energy=10, sleep_quality=0))
    lines.append(
        {"type": "event", "patient": "EDGE-KOL", "kind": "relapse", "date": (TODAY - dt.timedelta(1)).isoformat()}
    )
    return lines


def cohort_lines() -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    config = CohortConfig(patients=4, days=35, seed=5, team=TEAM, end=TODAY - dt.timedelta(days=1))
    for truth in generate(config):
        lines.extend(truth.lines)
    return lines + edge_case_lines()


@pytest.fixture
def cohort_file(tmp_path: Path) -> Path:
    path = tmp_path / "parity.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in cohort_lines()), encoding="utf-8")
    return path


def imported(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(summary frame, patients frame) read back from the database after the import, keyed
    by patient code like the in-memory frame."""
    err = io.StringIO()
    call_command("import_cohort", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""  # every line stored: the two paths see the same records
    patients = selectors.patients_frame()
    code_of = dict(zip(patients["patient"], patients["code"], strict=True))
    frame = selectors.daily_summaries_frame()
    frame["patient"] = frame["patient"].map(code_of)
    patients["patient"] = patients["patient"].map(code_of)
    return frame.sort_values(["patient", "date"]).reset_index(drop=True), patients


def as_the_model_reads(frame: pd.DataFrame) -> pd.DataFrame:
    """The summary columns as ml.features reads them: numbers as floats (NaN for NULL), times
    of day as hours after midnight (whole minutes, however the database handed them over)."""
    out = frame[["patient", "date"]].copy()
    out["patient"] = out["patient"].astype(str)
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    for name in SUMMARY_COLUMNS:
        if name in ("sleep_onset", "sleep_wake"):
            out[name] = (time_to_hours(frame[name]) * 60).round() / 60
        else:
            out[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    return out


def test_import_and_in_memory_paths_give_the_same_summaries_and_features(cohort_file):
    # Given one cohort file, when it goes through the database and through the in-memory path
    stored, stored_patients = imported(cohort_file)
    in_memory, memory_patients, _events = daily_summaries_from_lines(read_cohort_lines(cohort_file))

    # Then the two frames hold the same rows and columns...
    assert list(in_memory.columns) == list(stored.columns) == ["patient", "date", *SUMMARY_COLUMNS]
    assert len(stored) > 150
    assert list(zip(in_memory["patient"], in_memory["date"], strict=True)) == list(
        zip(stored["patient"], stored["date"], strict=True)
    )
    # ...the same values, exactly, as the model reads them...
    pd.testing.assert_frame_equal(as_the_model_reads(in_memory), as_the_model_reads(stored), check_exact=True)
    # ...with the same column types wherever the database path's do not depend on the engine
    # (times of day and all-NULL columns do).
    for name in SUMMARY_COLUMNS:
        if name not in ("sleep_onset", "sleep_wake") and stored[name].notna().any():
            assert in_memory[name].dtype == stored[name].dtype, name

    # And the features built from them are the same, for the same target days.
    features_stored = build_features(stored, patients=stored_patients)
    features_memory = build_features(in_memory, patients=memory_patients)
    assert len(features_stored) > len(stored)
    pd.testing.assert_frame_equal(features_memory, features_stored, check_exact=True)


def test_every_stored_column_matches_including_those_kept_for_exports(cohort_file):
    # Given the file imported, every DailySummary column (the four the model does not read
    # too: sleep awakenings, places visited, pitch mean, loudness)
    call_command("import_cohort", str(cohort_file), stdout=io.StringIO(), stderr=io.StringIO())
    stored = [
        (code, day, *[value.strftime("%H:%M") if isinstance(value, dt.time) else value for value in values])
        for code, day, *values in DailySummary.objects.order_by("patient__code", "date").values_list(
            "patient__code", "date", *ALL_COLUMNS
        )
    ]
    # Then the in-memory rows are the same values of the same Python types.
    rows, _patients, _events = daily_summary_rows(read_cohort_lines(cohort_file))
    rows.sort(key=lambda row: (row[0], row[1]))
    assert len(rows) == len(stored)
    for mine, theirs in zip(rows, stored, strict=True):
        assert [(v, type(v)) for v in mine] == [(v, type(v)) for v in theirs], (mine[:2], _diff(mine, theirs))


def _diff(mine: tuple, theirs: tuple) -> dict[str, tuple[Any, Any]]:
    names = ["patient", "date", *ALL_COLUMNS]
    return {n: (a, b) for n, a, b in zip(names, mine, theirs, strict=True) if (a, type(a)) != (b, type(b))}


def test_the_edge_cases_read_as_the_rules_say(cohort_file):
    # The hand-written days, in memory (the test above holds the database to the same values).
    frame, _patients, _events = daily_summaries_from_lines(read_cohort_lines(cohort_file))
    rows = {(r.patient, r.date.date()): r for r in frame.itertuples()}

    def day(code: str, days_ago: int) -> Any:
        return rows[(code, TODAY - dt.timedelta(days=days_ago))]

    nap = day("EDGE-PAR", 10)
    assert (nap.sleep_hours, nap.sleep_onset, nap.sleep_wake, nap.sleep_efficiency) == (9.0, "23:00", "07:00", 0.91)
    assert (day("EDGE-PAR", 9).sleep_hours, day("EDGE-PAR", 9).sleep_efficiency) == (10.0, 0.8)
    assert (day("EDGE-PAR", 8).sleep_onset, day("EDGE-PAR", 8).sleep_hours) == ("05:00", 6.0)
    assert (day("EDGE-PAR", 7).sleep_hours, day("EDGE-PAR", 7).steps) == (6.75, 300.0)
    assert [day("EDGE-PAR", n).medication_taken for n in (6, 5)] == [1.0, 0.0]
    assert np.isnan(day("EDGE-PAR", 4).medication_taken)
    assert (day("EDGE-PAR", 6).phq9, day("EDGE-PAR", 6).gad7, day("EDGE-PAR", 6).asrm) == (11.0, 1.0, 2.0)
    assert (day("EDGE-PAR", 6).anxiety, day("EDGE-PAR", 6).mood, day("EDGE-PAR", 6).checkins) == (4.0, 0.5, 2)
    assert (day("EDGE-PAR", 3).mood, day("EDGE-PAR", 3).energy) == (0.333, 4.5)
    assert (day("EDGE-PAR", 2).mood, day("EDGE-PAR", 2).anxiety, day("EDGE-AKL", 2).mood) == (0.063, 3.063, -0.063)
    busy = day("EDGE-PAR", 5)
    assert (busy.time_at_home_min, busy.distance_km, busy.passive_records) == (350.75, 1.305, 8)
    assert (busy.speech_rate_wpm, busy.pause_ratio, busy.screen_minutes, busy.unlocks) == (120.533, 0.26, 161.55, 51.0)
    quiet = day("EDGE-PAR", 1)
    assert (quiet.steps, quiet.passive_records, quiet.checkins, quiet.sleep_hours) == (0.0, 3, 0, 5.0)
    assert np.isnan(quiet.sleep_efficiency) and np.isnan(quiet.mood)
    assert (day("EDGE-AKL", 3).medication_taken, day("EDGE-AKL", 3).steps, day("EDGE-AKL", 3).phq9) == (1.0, 4321.0, 0)
    assert (day("EDGE-LA", 4).checkins, day("EDGE-LA", 4).mood, day("EDGE-LA", 3).unlocks) == (2, -2.5, 88.0)
    assert (day("EDGE-KOL", 2).steps, day("EDGE-KOL", 2).sleep_hours, day("EDGE-KOL", 2).energy) == (12.0, 5.0, 10.0)
