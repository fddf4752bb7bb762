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
