from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """The clinicians' read side: what the other apps hold, gathered for pages, APIs and exports."""

    name = "records"
    verbose_name = _("Clinical records")

    def ready(self) -> None:
        # The alert list's `?context=1` embeds the cards this layer gathers (alerts sits below).
        from alerts.context import cards_provider_register

        from .cards import patient_cards

        cards_provider_register(patient_cards)

        # SQLite drops a table's triggers when a migration rebuilds it: put the search
        # index's back (and rebuild that index) after every migrate.
        from django.db import connections
        from django.db.models.signals import post_migrate

        from .search_index import sqlite_search_index_ensure

        def ensure(using: str = "default", **kwargs: object) -> None:
            sqlite_search_index_ensure(connection=connections[using])

        post_migrate.connect(ensure, sender=self, dispatch_uid="records.search_index_ensure")
