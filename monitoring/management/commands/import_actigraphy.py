"""`import_actigraphy FILE... --patient CODE [--format auto|csv|actiwatch|actigraph] [--tz ZONE]`:
load actigraph export files through the API's validation and storage; safe to run twice."""

import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.actigraphy_formats import FORMATS, ActigraphyFormatError
from monitoring.actigraphy_import import actigraphy_files_read, actigraphy_import
from patients.models import Patient


class Command(BaseCommand):
    help = (
        "Load wrist-actigraphy export files (the depresjon CSV, Actiwatch AWD, ActiGraph CSV) for one patient "
        "through the ingestion code (activity_epochs records). Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--patient", required=True, help="The patient's code.")
        parser.add_argument("--format", default="auto", choices=["auto", *FORMATS])
        parser.add_argument(
            "--tz", default=None, help="The time zone of the files' clock (default: the patient's time zone)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        patient = Patient.objects.filter(code=options["patient"]).first()
        if patient is None:
            raise CommandError(f"No patient with code {options['patient']}.")
        zone = options["tz"] or patient.timezone
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(f"Unknown time zone: {zone}") from exc
        paths: list[Path] = options["files"]
        for path in paths:
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
        started = time.monotonic()
        try:
            files = actigraphy_files_read(paths=paths, tz=zone, format=options["format"])
        except ActigraphyFormatError as exc:
            raise CommandError(f"Nothing imported: {exc}") from exc
        report = actigraphy_import(patient=patient, files=files)
        for message in report.errors:
            self.stderr.write(message)
        self.stdout.write(
            f"{patient.code}: {report.files} files, {report.minutes} recorded minutes in {report.records} records "
            f"({time.monotonic() - started:.1f} s): {report.stored} stored, {report.duplicates} already stored, "
            f"{len(report.errors)} rejected; {report.days_derived} days derived."
        )
