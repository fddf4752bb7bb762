"""`import_cohort FILE [--raise-alerts]`: load a cohort file through the ingestion code; safe to
run twice. History raises no live alert unless `--raise-alerts`."""

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.importing import cohort_import

MAX_ERRORS_SHOWN = 200


class Command(BaseCommand):
    help = "Load a cohort file (JSON Lines, see API.md) through the ingestion services. Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--fail-on-error", action="store_true", help="Exit with an error if any line was rejected.")
        parser.add_argument(
            "--raise-alerts",
            action="store_true",
            help="Raise the alerts the history calls for (e.g. PHQ-9 item 9), each marked with when its answer "
            "was recorded (late). Without it, history loads without raising live alerts.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        assert isinstance(path, Path)  # noqa: S101
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        started = time.monotonic()
        verbose = int(options.get("verbosity", 1)) >= 1
        report = cohort_import(
            path=path, progress=self.stdout.write if verbose else None, raise_alerts=bool(options.get("raise_alerts"))
        )
        elapsed = time.monotonic() - started
        for number, message in report.errors[:MAX_ERRORS_SHOWN]:
            self.stderr.write(f"{path}:{number}: {message}")
        if len(report.errors) > MAX_ERRORS_SHOWN:
            self.stderr.write(f"... and {len(report.errors) - MAX_ERRORS_SHOWN} more rejected lines")
        stored = sum(report.stored.values())
        records = stored + report.duplicates
        self.stdout.write(
            f"{path}: {report.lines} lines in {elapsed:.1f} s ({records / elapsed if elapsed else 0:,.0f} records/s); "
            f"patients {report.patients_created} created, {report.patients_existing} already there; "
            f"stored {report.stored['checkin']} check-ins, {report.stored['questionnaire']} questionnaires, "
            f"{report.stored['signal']} signal records, {report.stored['event']} events; "
            f"{report.duplicates} already stored; {len(report.errors)} lines rejected; "
            f"{report.summaries} daily summaries recomputed."
        )
        if report.errors and options.get("fail_on_error"):
            raise CommandError(f"{len(report.errors)} lines rejected")
