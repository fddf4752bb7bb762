import csv
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ml import selectors
from patients.audit import audit_record
from patients.models import AuditAction


class Command(BaseCommand):
    help = (
        "Export risk scores as CSV: patient_code,date,score,band,model_version. One row per patient-day "
        "(the active model's score, else the newest model's) unless --all-versions."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True)
        parser.add_argument("--from", dest="from", default=None)
        parser.add_argument("--to", dest="to", default=None)
        parser.add_argument("--all-versions", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            start = date.fromisoformat(options["from"]) if options["from"] else None
            end = date.fromisoformat(options["to"]) if options["to"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        rows = selectors.risk_scores_export(start=start, end=end).values_list(
            "patient__code", "date", "score", "band", "model_version__version", "model_version__is_active"
        )
        rows = rows.order_by("patient__code", "date", "-model_version__is_active", "-model_version__created_at")
        written = 0
        last_key = None
        with open(options["out"], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["patient_code", "date", "score", "band", "model_version"])
            for code, day, score, band, version, _active in rows.iterator(chunk_size=5000):
                if not options["all_versions"] and (code, day) == last_key:
                    continue
                last_key = (code, day)
                writer.writerow([code, day.isoformat(), f"{score:.6f}", band, version])
                written += 1
        audit_record(
            action=AuditAction.EXPORT,
            resource="risk_scores_csv",
            detail={"rows": written, "from": options["from"], "to": options["to"], "via": "export_scores"},
        )
        self.stdout.write(f"wrote {written} scores to {options['out']}")
