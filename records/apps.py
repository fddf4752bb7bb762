from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    """The clinicians' read side: what the other apps hold, gathered for pages, APIs and exports."""

    name = "records"
    verbose_name = _("Clinical records")
