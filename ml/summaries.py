"""Daily summaries computed straight from cohort-file lines, by the rules of API.md (the
patient's local day; a sleep episode belongs to the day it ends; check-in scales are the
day's means, questionnaires the day's latest total, sums for steps/screen/unlocks, the main
sleep of the day for the sleep fields).

The platform's own summaries are built by ingestion (`monitoring.DailySummary`); this pure
version lets the model be developed, evaluated and benchmarked on a cohort file without a
database. Its columns are the DailySummary columns plus `patient` (the patient code)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from monitoring.summaries import SUMMARY_COLUMNS


def read_cohort_lines(path: str | Path) -> Iterable[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line:
                yield json.loads(line)


def _local(frame: pd.DataFrame, column: str, tz_of: dict[str, str]) -> pd.Series:
    """Timestamps of `column` converted to each row's patient timezone (naive local times)."""
    moments = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    out = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    zones = frame["patient"].map(tz_of)
    for zone, idx in zones.groupby(zones).groups.items():
        out.loc[idx] = moments.loc[idx].dt.tz_convert(str(zone)).dt.tz_localize(None).astype("datetime64[ns]")
    return out


def daily_summaries_from_lines(lines: Iterable[dict[str, Any]]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(summaries, patients, events) from cohort lines."""
    patients: list[dict[str, Any]] = []
    checkins: list[dict[str, Any]] = []
    questionnaires: list[dict[str, Any]] = []
    signals: dict[str, list[dict[str, Any]]] = {}
    events: list[dict[str, Any]] = []
    for line in lines:
        kind = line.get("type")
        if kind == "patient":
            patients.append(line)
        elif kind == "checkin":
            checkins.append(line)
        elif kind == "questionnaire":
            questionnaires.append(
                {
                    "patient": line["patient"],
                    "instrument": line["instrument"],
                    "total": sum(line["answers"]),
                    "completed_at": line["completed_at"],
                }
            )
        elif kind == "signal":
            record = dict(line["record"])
            record["patient"] = line["patient"]
            signals.setdefault(record["type"], []).append(record)
        elif kind == "event":
            events.append({"patient": line["patient"], "kind": line["kind"], "date": line["date"]})
    patient_frame = pd.DataFrame(patients).rename(columns={"code": "patient"})
    tz_of = dict(zip(patient_frame["patient"], patient_frame["timezone"], strict=True))
    parts: list[pd.DataFrame] = []

    if checkins:
        c = pd.DataFrame(checkins)
        c["date"] = _local(c, "recorded_at", tz_of).dt.date
        for col in ("anxiety", "energy", "irritability", "sleep_quality", "medication_taken"):
            if col not in c:
                c[col] = np.nan
        c["medication_taken"] = c["medication_taken"].map({True: 1.0, False: 0.0})
        g = c.groupby(["patient", "date"])
        agg = g[["mood", "anxiety", "energy", "irritability", "sleep_quality"]].mean()
        agg["checkins"] = g.size()
        # A dose logged as missed on a day counts as missed that day.
        agg["medication_taken"] = g["medication_taken"].min()
        parts.append(agg)
    if questionnaires:
        q = pd.DataFrame(questionnaires)
        q["local"] = _local(q, "completed_at", tz_of)
        q["date"] = q["local"].dt.date
        q = q.sort_values("local")
        latest = q.groupby(["patient", "date", "instrument"])["total"].last().unstack("instrument")
        latest = latest.rename(columns={"PHQ-9": "phq9", "GAD-7": "gad7", "ASRM": "asrm"})
        parts.append(latest)
    counts: list[pd.Series] = []
    if "sleep" in signals:
        s = pd.DataFrame(signals["sleep"])
        s["start_local"] = _local(s, "start", tz_of)
        s["end_local"] = _local(s, "end", tz_of)
        s["date"] = s["end_local"].dt.date
        s["hours"] = (s["end_local"] - s["start_local"]).dt.total_seconds() / 3600
        if "efficiency" not in s:
            s["efficiency"] = np.nan
        counts.append(s.groupby(["patient", "date"]).size())
        main = s.sort_values("hours").groupby(["patient", "date"]).last()
        parts.append(
            pd.DataFrame(
                {
                    "sleep_hours": main["hours"],
                    "sleep_onset": main["start_local"].dt.strftime("%H:%M"),
                    "sleep_wake": main["end_local"].dt.strftime("%H:%M"),
                    "sleep_efficiency": main["efficiency"],
                }
            )
        )
    for kind, sums, means in (
        ("steps", {"count": "steps"}, {}),
        ("mobility", {}, {"time_at_home_min": "time_at_home_min", "distance_km": "distance_km"}),
        (
            "speech",
            {},
            {"speech_rate_wpm": "speech_rate_wpm", "pause_ratio": "pause_ratio", "pitch_sd_hz": "pitch_sd_hz"},
        ),
        ("screen", {"screen_minutes": "screen_minutes", "unlocks": "unlocks"}, {}),
    ):
        if kind not in signals:
            continue
        r = pd.DataFrame(signals[kind])
        r["date"] = _local(r, "start", tz_of).dt.date
        g = r.groupby(["patient", "date"])
        counts.append(g.size())
        frame = pd.DataFrame(index=g.size().index)
        for src, dst in sums.items():
            frame[dst] = g[src].sum()
        for src, dst in means.items():
            frame[dst] = g[src].mean()
        parts.append(frame)
    if counts:
        parts.append(pd.concat(counts, axis=1).sum(axis=1).rename("passive_records").to_frame())
    summary = pd.concat(parts, axis=1) if parts else pd.DataFrame()
    summary.index = summary.index.set_names(["patient", "date"])
    summary = summary.reset_index()
    for col in SUMMARY_COLUMNS:
        if col not in summary:
            summary[col] = np.nan
    summary["checkins"] = summary["checkins"].fillna(0).astype(int)
    summary["passive_records"] = summary["passive_records"].fillna(0).astype(int)
    summary["date"] = pd.to_datetime(summary["date"])
    summary = summary.sort_values(["patient", "date"]).reset_index(drop=True)
    event_frame = pd.DataFrame(events, columns=["patient", "kind", "date"])
    event_frame["date"] = pd.to_datetime(event_frame["date"])
    return summary[["patient", "date", *SUMMARY_COLUMNS]], patient_frame, event_frame
