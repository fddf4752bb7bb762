from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = _("Patients and care teams")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (audit of logins)
