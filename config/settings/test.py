"""Test run: same as the runtime the environment names, with faster hashing and no throttling."""

import os
from urllib.parse import urlsplit, urlunsplit


def _worker_redis_url(url: str, worker: int) -> str:
    """The Redis database of one pytest-xdist worker: the given one for the first worker, the
    next ones (wrapping within Redis's 16) for the others, so that workers' Celery queues,
    channel groups and cache counters never meet."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + worker) % 16}"))


# `make test` runs the suite in pytest-xdist workers (PYTEST_XDIST_WORKER=gw0, gw1...): each
# has its own test database (pytest-django adds the suffix) and, here, its own Redis database.
# Processes a test starts (daphne, a Celery worker) inherit the rewritten URL and the marker.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _WORKER and os.environ.get("REDIS_URL") and os.environ.get("TEST_REDIS_WORKER") != _WORKER:
    os.environ["REDIS_URL"] = _worker_redis_url(os.environ["REDIS_URL"], int(_WORKER.removeprefix("gw") or 0))
    os.environ["TEST_REDIS_WORKER"] = _WORKER

from .base import *  # noqa: E402, F403
from .base import JWT_SIGNING_KEY, PASSWORD_HASHERS, REST_FRAMEWORK, SECRET_KEY, SECRET_KEY_FILE, SIMPLE_JWT  # noqa: E402
from .embedded_secret import embedded_secret  # noqa: E402

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
