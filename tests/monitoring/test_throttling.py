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
