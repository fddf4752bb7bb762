from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MobileConfig(AppConfig):
    name = "mobile"
    verbose_name = _("Patient phone app and schedules")
