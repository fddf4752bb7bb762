from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from patients.audit import audit_purge_expired


class Command(BaseCommand):
    help = "Delete audit-trail rows older than AUDIT_RETENTION_DAYS (the only deletion the trail allows)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = audit_purge_expired()
        self.stdout.write(f"deleted {deleted} audit rows older than {settings.AUDIT_RETENTION_DAYS} days")
