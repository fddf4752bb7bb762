"""Test run: same as the runtime the environment names, with faster hashing and no throttling."""

from .base import *  # noqa: F403
from .base import JWT_SIGNING_KEY, PASSWORD_HASHERS, REST_FRAMEWORK, SECRET_KEY, SECRET_KEY_FILE, SIMPLE_JWT
from .embedded_secret import embedded_secret

if not SECRET_KEY:  # as the embedded default: a key of this checkout's own, in var/
    SECRET_KEY = embedded_secret(SECRET_KEY_FILE)
    SIMPLE_JWT = {**SIMPLE_JWT, "SIGNING_KEY": JWT_SIGNING_KEY or SECRET_KEY}

# Argon2 stays configured (tests check it); MD5 first only keeps factories fast.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "patient_write": "100000/min"},
}
MEDIA_ROOT = "/tmp/relapse-test-media"  # noqa: S108  # nosec B108 - test-only media root
WHITENOISE_USE_FINDERS = True

# A file-backed SQLite test database, so a live ASGI server in another process (browser and
# WebSocket tests) sees what the test wrote. PostgreSQL runs use Django's test database.
from .base import BASE_DIR, DATABASES, env  # noqa: E402

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # TEST_DB_SUFFIX lets several checkouts' suites run side by side on one machine.
    _suffix = env("TEST_DB_SUFFIX", default="")
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test{_suffix}.sqlite3")}

# Tasks run in-process unless a test starts a real worker (tests/conftest.py
# `celery_worker_process`, which turns eager mode off for its test).
CELERY_TASK_ALWAYS_EAGER = True

# The tests that read a note build the risk-language pipelines on first use.
RISK_LANGUAGE_PRELOAD = env.bool("RISK_LANGUAGE_PRELOAD", default=False)

# Web Push is off unless a test gives a key (a demo's var/vapid-private.pem must not turn it on).
WEBPUSH_VAPID_PRIVATE_KEY_FILE = ""
