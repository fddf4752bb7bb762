"""Escalate critical alerts left unacknowledged past their team's delay (what beat runs every
minute). `--loop N` keeps checking every N seconds: the embedded demo has no beat process."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alerts.services import alerts_escalate_due


class Command(BaseCommand):
    help = "Escalate unacknowledged critical alerts past their care team's delay. Safe to run any time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop", type=int, default=0, metavar="SECONDS", help="Repeat every SECONDS (Ctrl-C to stop)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            count = alerts_escalate_due()
            self.stdout.write(f"escalated {count} alert(s)")
            if not options["loop"]:
                return
            time.sleep(max(1, options["loop"]))
