from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from ml import scoring, selectors
from patients.errors import DomainError


class Command(BaseCommand):
    help = (
        "Score active patients who consented to risk scoring with the active model. Without dates: yesterday. "
        "Re-running the same day changes nothing. Unless --no-alerts, the alert rules run on the new scores."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", default=None, help="one day, YYYY-MM-DD")
        parser.add_argument("--from", dest="from", default=None, help="first day of a backfill")
        parser.add_argument("--to", dest="to", default=None, help="last day of a backfill (default: yesterday)")
        parser.add_argument("--no-alerts", action="store_true", help="store scores without applying alert rules")
        parser.add_argument("--chunk-size", type=int, default=scoring.CHUNK_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        yesterday = timezone.localdate() - timedelta(days=1)
        try:
            if options["date"] and (options["from"] or options["to"]):
                raise CommandError("Give --date or --from/--to, not both.")
            if options["date"]:
                start = end = date.fromisoformat(options["date"])
            else:
                end = date.fromisoformat(options["to"]) if options["to"] else yesterday
                start = date.fromisoformat(options["from"]) if options["from"] else end
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if end < start:
            raise CommandError("--to is before --from.")
        total_patients = selectors.patients_scorable().count()
        bar = tqdm(total=total_patients, desc="patients", disable=options["verbosity"] < 1)
        try:
            n = scoring.risk_scores_backfill(
                start=start,
                end=end,
                alerts=not options["no_alerts"],
                chunk_size=options["chunk_size"],
                progress=bar.update,
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.stdout.write(f"{n} scores for {total_patients} patients, {start} to {end}")
