"""English dates for a European deployment: British conventions (day/month/year, 24-hour
clock), not Django's US defaults for "en". French keeps Django's own formats.
Active through FORMAT_MODULE_PATH in config/settings/base.py."""

from django.conf.locale.en_GB.formats import *  # noqa: F403
