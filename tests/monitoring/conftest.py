"""Helpers for the ingestion tests."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import auth_client
from tests.factories import PatientFactory, grant_consents


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def uid() -> str:
    return str(uuid.uuid4())


def recent(days: float = 1, hours: float = 0) -> dt.datetime:
    """A moment in the recent past, as an aware UTC datetime."""
    return timezone.now() - dt.timedelta(days=days, hours=hours)


def sleep_record(start: dt.datetime, hours: float = 7.5, **extra: Any) -> dict:
    return {
        "id": uid(),
        "type": "sleep",
        "start": iso(start),
        "end": iso(start + dt.timedelta(hours=hours)),
        **extra,
    }


def steps_record(start: dt.datetime, count: int = 5000, hours: float = 24) -> dict:
    return {
        "id": uid(),
        "type": "steps",
        "start": iso(start),
        "end": iso(start + dt.timedelta(hours=hours)),
        "count": count,
    }


def checkin_body(recorded_at: dt.datetime | None = None, **values: Any) -> dict:
    body = {"id": uid(), "recorded_at": iso(recorded_at or recent(hours=1)), "mood": 0}
    body.update(values)
    return body


@pytest.fixture
def make_patient(team: Any):  # type: ignore[no-untyped-def]
    """A consented patient in `team` with a given time zone, and an API client for them."""

    def make(tz: str = "Europe/Paris", enrolled_days_ago: int = 400, scopes: list[str] | None = None, **kw: Any):
        patient = PatientFactory(
            care_team=team,
            timezone=tz,
            enrolled_on=timezone.localdate() - dt.timedelta(days=enrolled_days_ago),
            **kw,
        )
        grant_consents(patient, scopes)
        return patient, auth_client(patient.user)

    return make
