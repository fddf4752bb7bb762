"""Patient write endpoints are throttled (scope `patient_write`)."""

import pytest
from django.core.cache import cache
from rest_framework.throttling import ScopedRateThrottle

from monitoring.models import CheckIn
from tests.monitoring.conftest import checkin_body, recent, sleep_record


@pytest.fixture
def tight_rate(monkeypatch):
    cache.clear()
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"patient_write": "3/min"})
    yield
    cache.clear()


@pytest.mark.parametrize("path", ["/api/v1/checkins/", "/api/v1/signals/batch/"])
def test_fourth_write_in_a_minute_is_429(patient_client, tight_rate, path):
    for _ in range(3):
        body = checkin_body() if "checkins" in path else {"records": [sleep_record(recent(days=2))]}
        assert patient_client.post(path, body, format="json").status_code in (200, 201)
    body = checkin_body() if "checkins" in path else {"records": [sleep_record(recent(days=2))]}
    response = patient_client.post(path, body, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response
    if "checkins" in path:
        assert CheckIn.objects.count() == 3


def test_checkins_and_batches_share_one_window(patient_client, tight_rate):
    for path, body in [
        ("/api/v1/checkins/", checkin_body()),
        ("/api/v1/signals/batch/", {"records": [sleep_record(recent(days=2))]}),
        ("/api/v1/checkins/", checkin_body()),
    ]:
        assert patient_client.post(path, body, format="json").status_code in (200, 201)
    response = patient_client.post("/api/v1/signals/batch/", {"records": [sleep_record(recent(days=2))]}, format="json")
    assert response.status_code == 429


def test_with_redis_the_window_slides_in_one_script(patient_client, patient, tight_rate):
    """With Redis (patients.throttling): the window is a sorted set of request times, trimmed,
    counted and added to atomically; a request older than the period no longer counts, and
    Retry-After is DRF's (the period left for the oldest request in the window). Without Redis
    it is DRF's own throttle, tested above."""
    import os

    if not os.environ.get("REDIS_URL"):
        return
    from django.core.cache import caches

    for _ in range(3):
        assert patient_client.post("/api/v1/checkins/", checkin_body(), format="json").status_code == 201
    refused = patient_client.post("/api/v1/checkins/", checkin_body(), format="json")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    backend = caches["default"]
    key = backend.make_and_validate_key(f"throttle_patient_write_{patient.user.pk}:window")
    client = backend._cache.get_client(key, write=True)
    stamps = client.zrange(key, 0, -1, withscores=True)
    assert len(stamps) == 3  # the refused request is not counted
    # The oldest request moves out of the window (its time, 61 s earlier): one more is allowed.
    oldest, at = stamps[0]
    client.zadd(key, {oldest: at - 61})
    assert patient_client.post("/api/v1/checkins/", checkin_body(), format="json").status_code == 201
    assert patient_client.post("/api/v1/checkins/", checkin_body(), format="json").status_code == 429
    assert 0 < client.ttl(key) <= 60
