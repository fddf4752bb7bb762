"""The generator writes valid cohort lines with the expected prodrome signals."""

import json
from collections import Counter
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from ml.cohort import CohortConfig, generate, patient_code
from tests.ml.helpers import END, cohort

RANGES = {
    "mood": (-3, 3),
    "anxiety": (0, 10),
    "energy": (0, 10),
    "irritability": (0, 10),
    "sleep_quality": (0, 10),
}


def test_lines_follow_the_cohort_format_and_value_ranges():
    lines, _latent, _s, _p, _e = cohort()
    kinds = Counter(line["type"] for line in lines)
    assert kinds["patient"] == 30 and kinds["consent"] == 30
    assert kinds["event"] > 0 and kinds["checkin"] > 0 and kinds["questionnaire"] > 0 and kinds["signal"] > 0
    seen_patients = set()
    for line in lines:
        if line["type"] == "patient":
            assert line["sex"] in ("F", "M", "X") and line["diagnosis"] in ("F20", "F25", "F31", "F32", "F33")
            seen_patients.add(line["code"])
            continue
        assert line["patient"] in seen_patients  # every line comes after its patient's line
        if line["type"] == "checkin":
            for field, (lo, hi) in RANGES.items():
                if field in line:
                    assert lo <= line[field] <= hi and isinstance(line[field], int)
            assert datetime.fromisoformat(line["recorded_at"]).utcoffset() is not None
        elif line["type"] == "questionnaire":
            n, top = {"PHQ-9": (9, 3), "GAD-7": (7, 3), "ASRM": (5, 4)}[line["instrument"]]
            assert len(line["answers"]) == n and all(0 <= a <= top for a in line["answers"])
        elif line["type"] == "signal":
            rec = line["record"]
            start, end = datetime.fromisoformat(rec["start"]), datetime.fromisoformat(rec["end"])
            span_h = (end - start).total_seconds() / 3600
            assert 0 < span_h <= (18 if rec["type"] == "sleep" else 24)
            if rec["type"] == "steps":
                assert 0 <= rec["count"] <= 100_000 * span_h / 24
            if rec["type"] == "mobility":
                assert 0 <= rec["time_at_home_min"] <= span_h * 60 and rec["distance_km"] >= 0
            if rec["type"] == "screen":
                assert 0 <= rec["screen_minutes"] <= span_h * 60 and rec["unlocks"] >= 0
            if rec["type"] == "speech":
                assert 0 <= rec["speech_rate_wpm"] <= 400 and 0 <= rec["pause_ratio"] <= 1
                assert 50 <= rec["pitch_mean_hz"] <= 500 and rec["pitch_sd_hz"] >= 0
            if rec["type"] == "sleep":
                assert 0 <= rec.get("efficiency", 0.5) <= 1
        elif line["type"] == "event":
            assert line["kind"] in ("relapse", "hospitalization")
    # A sane file size: a handful of records per patient-day.
    assert 3 <= len(lines) / (30 * 150) <= 9


def test_codes_are_unique_per_team_and_seed_and_generation_is_reproducible():
    assert patient_code("demo", 7, 0) != patient_code("demo", 8, 0) != patient_code("other", 7, 0)
    a = [t.lines for t in generate(CohortConfig(patients=3, days=30, seed=5, end=END))]
    b = [t.lines for t in generate(CohortConfig(patients=3, days=30, seed=5, end=END))]
    assert json.dumps(a) == json.dumps(b)


def test_prodrome_signals_move_in_the_expected_direction_on_average():
    """Mean within-patient deviation of the daily summaries in the last week before a
    relapse with a prodrome, against the patient's quiet days, by episode kind."""
    _lines, latent, summaries, _p, _e = cohort(patients=120, days=200, seed=21)
    latent = latent.rename(columns={"patient_code": "patient"})
    latent["date"] = pd.to_datetime(latent["date"])
    frame = summaries.merge(latent, on=["patient", "date"])
    frame["log_steps"] = np.log1p(frame["steps"])
    quiet = (frame["prodrome_intensity"] == 0) & (frame["in_episode"] == 0) & (frame["confounder_intensity"] == 0)
    near = frame["prodrome_intensity"] > 0.5
    signals = {"mood": [], "energy": [], "sleep_hours": [], "log_steps": [], "time_at_home_min": []}
    for _pid, part in frame.groupby("patient"):
        if near[part.index].sum() < 3 or quiet[part.index].sum() < 20:
            continue
        for col in signals:
            base = part.loc[quiet[part.index], col]
            sd = base.std()
            if sd and sd > 0:
                signals[col].append((part.loc[near[part.index], col].mean() - base.mean()) / sd)
    means = {col: float(np.nanmean(v)) for col, v in signals.items()}
    # Depressive and psychotic prodromes dominate: mood and activity fall, time at home rises.
    assert means["mood"] < 0
    assert means["log_steps"] < 0
    assert means["time_at_home_min"] > 0


def test_every_line_passes_the_api_validators_through_import_cohort(tmp_path, db):
    out = tmp_path / "cohort.jsonl"
    call_command(
        "generate_cohort", patients=4, days=40, seed=9, out=str(out), team="gen-test", end="2026-06-30", verbosity=0
    )
    assert (tmp_path / "cohort.jsonl.latent.csv").exists()
    from monitoring.importing import cohort_import
    from monitoring.models import DailySummary

    report = cohort_import(path=out)
    assert report.errors == []
    assert DailySummary.objects.filter(patient__code__startswith="GENTEST-S9-").count() > 4 * 30


@pytest.mark.parametrize("bad", [{"patients": 0, "days": 30}, {"patients": 2, "days": 3}])
def test_generate_cohort_rejects_silly_sizes(tmp_path, bad):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("generate_cohort", seed=1, out=str(tmp_path / "x.jsonl"), **bad)


@pytest.mark.parametrize("hour", range(0, 24, 3))
def test_the_demo_cohort_ends_on_a_day_over_in_every_patients_time_zone(hour):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from demo.management.commands.demo_setup import last_day_over_everywhere
    from ml.cohort import TIMEZONES

    now = dt.datetime(2026, 11, 23, hour, 0, tzinfo=dt.UTC)
    end = last_day_over_everywhere(now)

    for name, _share in TIMEZONES:
        midnight_after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=ZoneInfo(name))
        assert midnight_after <= now, name  # the generator's latest record ends by 23:30 local
    assert (now.date() - end).days <= 2
