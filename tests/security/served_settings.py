"""Settings of the served run in test_served_logs.py: the test settings, plus one route that
fails the way a real bug would (a database error whose message names a patient)."""

from config.settings.test import *  # noqa: F403

ROOT_URLCONF = "tests.security.served_urls"
