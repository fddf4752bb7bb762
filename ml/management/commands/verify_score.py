"""`manage.py verify_score --patient CODE --date YYYY-MM-DD`: recompute a stored score and
report identical or not (exit status 1 when not)."""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ml.verification import risk_score_verify
from patients.errors import DomainError
from patients.models import Patient


class Command(BaseCommand):
    help = "Recompute a patient-day's stored risk score(s) and report identical or not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patient", required=True, help="The patient's code.")
        parser.add_argument("--date", required=True, type=date.fromisoformat, help="The scored day, YYYY-MM-DD.")

    def handle(self, *args: Any, **options: Any) -> None:
        patient = Patient.objects.filter(code=options["patient"]).first()
        if patient is None:
            raise CommandError(f"No patient with code {options['patient']}.")
        try:
            checks = risk_score_verify(patient=patient, day=options["date"])
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        different = False
        for check in checks:
            if check.identical:
                self.stdout.write(f"{check.version}: identical")
            else:
                different = True
                self.stdout.write(f"{check.version}: DIFFERENT")
                for name, values in check.differences.items():
                    self.stdout.write(f"  {name}: {json.dumps(values, default=str)}")
        if different:
            raise SystemExit(1)
