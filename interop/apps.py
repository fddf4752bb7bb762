from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = _("Interoperability (FHIR API)")
    default_auto_field = "django.db.models.BigAutoField"
