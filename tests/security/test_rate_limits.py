"""Rate limits (issue 21, item 6): a client cannot escape them by sending its own
X-Forwarded-For (the proxy count is explicit: 0 unless TRUSTED_PROXY_COUNT says otherwise, for
DRF's throttles and django-axes alike), and their counters live where every server process
sees them (Redis when REDIS_URL is set)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]
ENROLL = "/api/v1/auth/enroll/"


def test_forty_enrolment_guesses_with_varied_forwarded_for_are_limited(db):
    client = APIClient()
    statuses = []
    for guess in range(40):
        response = client.post(
            ENROLL,
            {"enrollment_code": f"GUESS-{guess:05d}", "username": f"guess{guess}", "password": "Long-pass-phrase-1"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{guess}, 198.51.100.{guess}",
        )
        statuses.append(response.status_code)

    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["enroll"].split("/")[0])
    assert statuses[:limit] == [400] * limit  # wrong codes, answered
    assert statuses[limit:] == [429] * (40 - limit)  # then limited, whatever the header says


@pytest.mark.parametrize("count", [0, 1, 2])
def test_throttles_and_lockout_read_the_same_client_address(rf, settings, count):
    from rest_framework.settings import api_settings

    from patients.apis import EnrollThrottle
    from patients.auth import client_ip

    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT == 0  # explicit default
    assert settings.AXES_CLIENT_IP_CALLABLE == "patients.auth.client_ip"
    settings.TRUSTED_PROXY_COUNT = count
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": count}
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9, 10.0.0.2", REMOTE_ADDR="10.0.0.1")
    try:
        seen_by_throttle = EnrollThrottle().get_ident(request)
        seen_by_lockout = client_ip(request)
    finally:
        api_settings.reload()

    assert seen_by_throttle == seen_by_lockout == {0: "10.0.0.1", 1: "10.0.0.2", 2: "203.0.113.9"}[count]


def test_throttle_counters_are_shared_between_server_processes(db):
    """With REDIS_URL the cache (the throttles' store) is Redis: what one process counts,
    another sees. Without it (embedded default: one process) it is local memory."""
    backend = settings.CACHES["default"]["BACKEND"]
    if not os.environ.get("REDIS_URL"):
        assert backend == "django.core.cache.backends.locmem.LocMemCache"
        return
    # Django's RedisCache, sharing one pool and client per process (config/cache.py).
    assert backend == "config.cache.RedisCache"
    from django.core.cache import cache

    cache.delete("shared-counter-probe")
    code = (
        "from django.core.cache import cache; "
        "cache.set('shared-counter-probe', 41, 60); cache.incr('shared-counter-probe')"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert cache.get("shared-counter-probe") == 42
    cache.delete("shared-counter-probe")


def test_every_request_of_a_process_shares_one_redis_pool_and_client(db):
    """Django keeps a cache object per request context (a new thread here, as under daphne):
    with Redis, they all share the process's one pool and client (config/cache.py), and each
    request's counters are everyone's. Without Redis there is nothing to share."""
    if not os.environ.get("REDIS_URL"):
        return
    import threading

    from django.core.cache import caches

    seen: list[tuple[object, object, object]] = []

    def request() -> None:
        cache = caches["default"]
        cache.incr("shared-pool-probe")
        client = cache._cache.get_client()  # type: ignore[attr-defined]
        seen.append((cache, client, client.connection_pool))

    caches["default"].set("shared-pool-probe", 0, 60)
    threads = [threading.Thread(target=request) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(cache) for cache, _client, _pool in seen}) == 3  # Django's objects, one per thread
    assert len({id(client) for _cache, client, _pool in seen}) == 1
    assert len({id(pool) for _cache, _client, pool in seen}) == 1
    assert caches["default"].get("shared-pool-probe") == 3
    caches["default"].delete("shared-pool-probe")
