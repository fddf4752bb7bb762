"""`manage.py webpush_keys [--write FILE]`: a new VAPID key pair for Web Push reminders."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mobile.push import vapid_private_pem_new


class Command(BaseCommand):
    help = "Create a VAPID private key for Web Push reminders (print it, or write it to a new file)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--write", metavar="FILE", help="write the PEM to FILE (mode 600); refuses to overwrite")

    def handle(self, *args: Any, **options: Any) -> None:
        pem = vapid_private_pem_new()
        target = options.get("write")
        if not target:
            self.stdout.write(pem)
            self.stderr.write(
                "Set it as WEBPUSH_VAPID_PRIVATE_KEY (keep it secret; changing it unsubscribes every device)."
            )
            return
        path = Path(target)
        if path.exists():
            raise CommandError(
                f"{path} exists: a new key would unsubscribe every device. Remove it first if you mean it."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(pem)
        self.stdout.write(f"VAPID private key written to {path}")
