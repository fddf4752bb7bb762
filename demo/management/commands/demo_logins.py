"""Prints the demo's addresses and logins, after waiting (`--wait`) until the server answers:
`make demo` starts it beside the server, so the logins appear once they can be used."""

import os
import time
import urllib.error
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patients.models import Patient
from patients.services import enrollment_code_issue

from .demo_setup import print_logins


def server_listens(url: str, *, timeout: float, every: float = 0.5) -> bool:
    """Whether `url` answers (any HTTP status) within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310  # nosec B310 - the demo's own http address
                return True
        except urllib.error.HTTPError:
            return True  # it answered
        except (urllib.error.URLError, OSError):
            time.sleep(every)
    return False


class Command(BaseCommand):
    help = "Print the demo's logins (after demo_setup), optionally once the server listens."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wait", action="store_true", help="wait until the server answers on HOST:PORT")
        parser.add_argument("--timeout", type=float, default=120.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["wait"]:
            host, port = os.environ.get("HOST") or "127.0.0.1", os.environ.get("PORT") or "8000"
            if not server_listens(f"http://{host}:{port}/healthz", timeout=options["timeout"]):
                raise CommandError(f"The server did not answer on http://{host}:{port} in {options['timeout']:.0f} s.")
        newcomer = Patient.objects.filter(code="DEMO-NEW").first()
        if newcomer is None:
            raise CommandError("No demo yet: run `manage.py demo_setup` first.")
        # A fresh code each time (codes are single-use and only their hash is stored).
        code = enrollment_code_issue(patient=newcomer) if newcomer.user_id is None else "(already enrolled)"
        print_logins(self.stdout.write, code)
