from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from patients.errors import DomainError
from patients.models import CareTeam
from patients.services import clinician_create


class Command(BaseCommand):
    help = "Create (or update) a clinician account in a care team. Prints the password if generated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=["nurse", "psychiatrist"])
        parser.add_argument("--team", required=True)
        parser.add_argument("--password")

    def handle(self, *args: Any, **options: Any) -> None:
        team = CareTeam.objects.filter(name=options["team"]).first()
        if team is None:
            raise CommandError(f"No care team named {options['team']!r}; create it with create_care_team.")
        try:
            user, password = clinician_create(
                username=options["username"], role=options["role"], team=team, password=options["password"]
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        shown = password if not options["password"] else "(as given)"
        self.stdout.write(f"{user.role} {user.username} in {team.name}; password: {shown}")
