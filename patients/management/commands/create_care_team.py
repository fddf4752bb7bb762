from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patients.models import CareTeam, validate_timezone
from patients.services import care_team_create


class Command(BaseCommand):
    help = "Create a care team (no-op if it exists)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--timezone", default="Europe/Paris")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            validate_timezone(options["timezone"])
        except Exception as exc:
            raise CommandError(str(exc)) from exc
        existed = CareTeam.objects.filter(name=options["name"]).exists()
        team = care_team_create(name=options["name"], timezone_name=options["timezone"])
        self.stdout.write(f"care team {team.name!r} (id {team.pk}) {'already existed' if existed else 'created'}")
