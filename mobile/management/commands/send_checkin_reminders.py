"""`manage.py send_checkin_reminders`: send the Web Push check-in reminders that are due now
(what beat runs every 5 minutes; safe to run at any moment, a day's reminder goes once)."""

from typing import Any

from django.core.management.base import BaseCommand

from mobile.push import checkin_reminders_send, vapid


class Command(BaseCommand):
    help = "Send the Web Push check-in reminders that are due now."

    def handle(self, *args: Any, **options: Any) -> None:
        if vapid() is None:
            self.stderr.write("Web Push is not configured (WEBPUSH_VAPID_PRIVATE_KEY): nothing sent.")
            return
        counts = checkin_reminders_send()
        self.stdout.write(
            f"{counts['reminded']} patients reminded on {counts['devices']} devices "
            f"({counts['patients']} subscribed patients checked, {counts['failed']} deliveries failed)"
        )
