"""`validate_actigraphy DATA_DIR [--only NAME,...]`: load every depresjon subject as a patient
through the import path (`monitoring.actigraphy_import`, the API's validation and storage),
read back the platform's STORED features (the daily summaries' rhythm and activity columns,
the derived "actigraph" sleep records) and report patients vs controls, leave-one-participant-
out, beside the published figures (ml.actigraphy_validation; docs/actigraphy.md)."""

import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ml.actigraphy_validation import DAILY_RHYTHM, SLEEP, evaluate_stored, markdown
from monitoring.actigraphy_formats import ActigraphyFormatError
from monitoring.actigraphy_import import actigraphy_files_read, actigraphy_import
from monitoring.models import DailySummary, SignalKind, SignalRecord, SleepSource
from patients.models import ConsentScope, Patient, Sex
from patients.services import care_team_create, consent_grant, patient_create

TZ = "Europe/Oslo"  # the recordings were made in Norway; the files give local wall time
TEAM = "Depresjon validation"
ACTIVITY = ["activity_mean", "activity_zero_share"]
# afftype: 1 bipolar II, 2 unipolar, 3 bipolar I (README); controls have no diagnosis.
DIAGNOSIS = {1: "F31", 2: "F33", 3: "F31"}


def _subject_patient(row: Any, first_day: date) -> Patient:
    code = f"depresjon-{row.number}"
    patient = Patient.objects.filter(code=code).first()
    if patient is None:
        birth_year = 2018 - int(str(row.age).split("-")[0]) - 2
        afftype = row.afftype
        diagnosis = DIAGNOSIS.get(int(afftype), "Z00") if pd.notna(afftype) else "Z00"
        patient, _enrolment = patient_create(
            code=code,
            care_team=care_team_create(name=TEAM, timezone_name=TZ),
            timezone_name=TZ,
            birth_year=birth_year,
            sex=Sex.FEMALE if int(row.gender) == 1 else Sex.MALE,
            diagnosis=diagnosis,
            enrolled_on=first_day,
        )
        consent_grant(patient=patient, version="depresjon", scopes=[ConsentScope.ACTIVITY, ConsentScope.SLEEP])
    return patient


def stored_days(patient: Patient, first: date, last: date) -> pd.DataFrame:
    """The platform's stored features of the patient's days `first`..`last`: the summaries'
    rhythm and activity columns, and the night of each day from its "actigraph" sleep record
    (total sleep = efficiency x period; wake after sleep onset = period - total sleep)."""
    columns = [*DAILY_RHYTHM, *ACTIVITY]
    summaries = pd.DataFrame(
        DailySummary.objects.filter(patient=patient, date__range=(first, last)).values_list("date", *columns),
        columns=["date", *columns],
    ).set_index("date")
    nights = []
    for day, start, end, efficiency, awakenings in SignalRecord.objects.filter(
        patient=patient, kind=SignalKind.SLEEP, source=SleepSource.ACTIGRAPH, day__range=(first, last)
    ).values_list("day", "start", "end", "efficiency", "awakenings"):
        period = (end - start).total_seconds() / 60
        total = (efficiency if efficiency is not None else float("nan")) * period
        nights.append((day, total, efficiency, period - total, awakenings))
    sleep = pd.DataFrame(nights, columns=["date", *SLEEP]).set_index("date")
    return summaries.join(sleep, how="left").astype("float64")


class Command(BaseCommand):
    help = "Validate the platform's stored actigraphy features on depresjon (patients vs controls, LOPO)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("data", type=Path)
        parser.add_argument("--only", default="", help="Comma-separated subjects (e.g. condition_1,control_2).")

    def handle(self, *args: Any, **options: Any) -> None:
        data: Path = options["data"]
        if not (data / "scores.csv").is_file():
            raise CommandError(f"{data}: no scores.csv (the depresjon directory is expected)")
        scores = pd.read_csv(data / "scores.csv")
        only = {name for name in options["only"].split(",") if name}
        if only:
            scores = scores[scores["number"].isin(only)]
        started = time.perf_counter()
        frames = []
        minutes = stored = 0
        for row in scores.itertuples():
            name = str(row.number)
            try:
                (read,) = actigraphy_files_read(paths=[data / name.split("_")[0] / f"{name}.csv.gz"], tz=TZ)
            except ActigraphyFormatError as exc:
                raise CommandError(str(exc)) from exc
            counts = read.counts.tz_convert(TZ)
            first_midnight = counts.index[0].normalize()
            if counts.index[0] != first_midnight:
                first_midnight += pd.Timedelta(days=1)
            # The subject's valid days (scores.csv); the first partial day stays as the first
            # night's context, as in scripts/actigraphy_depresjon_eval.py.
            end = (first_midnight.tz_localize(None) + pd.Timedelta(days=int(row.days))).tz_localize(TZ)
            kept = counts[counts.index < end].tz_convert("UTC")
            patient = _subject_patient(row, counts.index[0].date())
            report = actigraphy_import(patient=patient, files=[replace(read, counts=kept)])
            if report.errors:
                raise CommandError(f"{name}: {report.errors[0]}")
            minutes += report.minutes
            stored += report.stored
            first = first_midnight.date()
            days = stored_days(patient, first, first + timedelta(days=int(row.days) - 1))
            days["subject"] = name
            days["condition"] = int(name.startswith("condition"))
            frames.append(days)
        loaded = time.perf_counter()
        days = pd.concat(frames)
        results = evaluate_stored(days, [*ACTIVITY, *SLEEP, *DAILY_RHYTHM])
        patients = int(scores["number"].str.startswith("condition").sum())
        self.stdout.write(
            f"{len(scores)} subjects ({patients} patients, {len(scores) - patients} controls), {len(days)} "
            f"subject-days, {minutes} recorded minutes ({stored} records newly stored); loading and deriving "
            f"{loaded - started:.1f} s, leave-one-participant-out {time.perf_counter() - loaded:.1f} s\n"
        )
        self.stdout.write(markdown(results))
