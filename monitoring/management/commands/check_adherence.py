"""Raise adherence alerts (no check-in and no passive data for the team's gap, default 3 days).
What beat runs hourly; one alert per gap however often it runs."""

from typing import Any

from django.core.management.base import BaseCommand

from monitoring.alerting import adherence_alerts_evaluate


class Command(BaseCommand):
    help = "Raise one adherence alert per data gap. Safe to run any time."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"raised {adherence_alerts_evaluate()} adherence alert(s)")
