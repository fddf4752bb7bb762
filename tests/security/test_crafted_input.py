"""Crafted input is a clear 400, never a 500 (issue 21, item 8). Most of these were 500s on
PostgreSQL only (NUL bytes in text, integers past the 32-bit columns, a float sum overflowing
to infinity, UTC offsets PostgreSQL refuses, dates at the end of the calendar, digits Python
reads but the code did not expect, JSON nested past the recursion limit): the suite runs them
on both databases. A batch still stores its valid records and names the bad ones by index."""

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from monitoring.models import CheckIn, DailySummary, SignalRecord
from tests.conftest import auth_client
from tests.factories import ModelVersionFactory
from tests.monitoring.conftest import checkin_body, iso, recent, uid

H = dt.timedelta(hours=1)


def _record(kind: str, start: dt.datetime, span: dt.timedelta = H, **values: object) -> dict:
    return {"id": uid(), "type": kind, "start": iso(start), "end": iso(start + span), **values}


def _batch(client, *records):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/signals/batch/", {"records": list(records)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _offset(moment: dt.datetime, hours: int, minutes: int = 0) -> str:
    sign = 1 if hours >= 0 else -1
    zone = dt.timezone(sign * dt.timedelta(hours=abs(hours), minutes=minutes))
    return moment.astimezone(zone).isoformat()


# --- text with NUL bytes ---------------------------------------------------------------------


def test_nul_in_checkin_note_is_400(patient_client):
    response = patient_client.post("/api/v1/checkins/", checkin_body(note="fine\x00today"), format="json")

    assert response.status_code == 400
    assert "note" in response.json()
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize("name", ["search", "diagnosis", "status", "care_team"])
def test_nul_in_patient_list_filters_is_400(nurse_client, patient, name):
    response = nurse_client.get("/api/v1/patients/", {name: "F3\x001"})

    assert response.status_code == 400
    assert name in response.json()


def test_nul_in_dashboard_search_is_400(nurse, patient):
    client = Client()
    client.force_login(nurse)

    response = client.get("/dashboard/patients/", {"q": "PA\x001"})

    assert response.status_code == 400
    assert "q" in response.content.decode()


def test_nul_in_model_version_path_is_400(psychiatrist_client):
    ModelVersionFactory(version="v1")

    assert psychiatrist_client.get("/api/v1/models/v1%00/").status_code == 400
    assert psychiatrist_client.get("/api/v1/models/v1/").status_code == 200


# --- numbers past the columns, sums past the floats -------------------------------------------


def test_integers_past_the_columns_are_rejected_by_index(patient_client, patient):
    start = recent(days=2)
    body = _batch(
        patient_client,
        _record("sleep", start, 7 * H, efficiency=0.9, awakenings=2),
        _record("sleep", start - 24 * H, 7 * H, efficiency=0.9, awakenings=2**31),
        _record("screen", start, screen_minutes=5, unlocks=2**31),
        _record("mobility", start, time_at_home_min=30, distance_km=1.0, places_visited=2**31),
        _record("screen", start + H, screen_minutes=5, unlocks=3),
    )

    assert body["accepted"] == 2
    assert [(r["index"], sorted(r["errors"])) for r in body["rejected"]] == [
        (1, ["awakenings"]),
        (2, ["unlocks"]),
        (3, ["places_visited"]),
    ]
    assert SignalRecord.objects.filter(patient=patient).count() == 2


def test_a_days_sum_cannot_overflow(patient_client, patient):
    start = recent(days=2)
    body = _batch(
        patient_client,
        _record("mobility", start, time_at_home_min=10, distance_km=1e308),
        _record("mobility", start + H, time_at_home_min=10, distance_km=1e308),
        _record("mobility", start + 2 * H, time_at_home_min=10, distance_km=3.5),
    )

    assert body["accepted"] == 1
    assert [(r["index"], list(r["errors"])) for r in body["rejected"]] == [(0, ["distance_km"]), (1, ["distance_km"])]
    assert DailySummary.objects.get(patient=patient).distance_km == 3.5


# --- timestamps and dates ---------------------------------------------------------------------


def test_utc_offsets_beyond_the_databases_range_are_rejected(patient_client, patient):
    at = recent(days=1)
    body = _batch(
        patient_client,
        {**_record("steps", at, count=10), "start": _offset(at, 16), "end": _offset(at + H, 16)},
        {**_record("steps", at, count=10), "start": _offset(at, -16), "end": _offset(at + H, -16)},
        {**_record("steps", at, count=10), "start": _offset(at, 14), "end": _offset(at + H, 14)},
    )
    assert body["accepted"] == 1
    assert [(r["index"], list(r["errors"])) for r in body["rejected"]] == [(0, ["start", "end"]), (1, ["start", "end"])]

    response = patient_client.post(
        "/api/v1/checkins/",
        checkin_body(recorded_at=None) | {"recorded_at": _offset(recent(hours=2), 20)},
        format="json",
    )
    assert response.status_code == 400
    assert "recorded_at" in response.json()


@pytest.mark.parametrize(
    "query",
    ["end=9999-12-31", "start=9999-12-01&end=9999-12-31", "start=0001-01-01", "start=0001-01-01&end=0001-01-05"],
)
def test_dates_at_the_ends_of_the_calendar_are_400(nurse_client, patient_client, patient, query):
    for url in (
        f"/api/v1/patients/{patient.pk}/timeline/",
        f"/api/v1/patients/{patient.pk}/risk-scores/",
        f"/api/v1/patients/{patient.pk}/export/",
    ):
        assert nurse_client.get(f"{url}?{query}").status_code == 400, url
    assert patient_client.get(f"/api/v1/me/timeline/?{query}").status_code == 400


# --- digits Python reads but the code did not expect -------------------------------------------


@pytest.mark.parametrize("digit", ["²", "٣", "¹²"])
def test_non_ascii_digits_are_400(nurse, nurse_client, patient, digit):
    client = Client()
    client.force_login(nurse)

    assert client.get("/dashboard/patients/", {"team": digit}).status_code == 400
    assert client.get("/dashboard/patients/", {"gap": digit}).status_code == 400
    assert client.get(f"/dashboard/patients/{patient.pk}/", {"days": digit}).status_code == 400
    assert nurse_client.get("/api/v1/patients/", {"care_team": digit}).status_code == 400
    # Well-formed values work as before; values not offered are still ignored on the pages.
    assert client.get("/dashboard/patients/", {"team": "1", "gap": "99"}).status_code == 200
    assert client.get(f"/dashboard/patients/{patient.pk}/", {"days": "30"}).status_code == 200


# --- JSON nested past the recursion limit --------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/auth/token/", "/api/v1/auth/token/refresh/", "/api/v1/auth/enroll/", "/api/v1/auth/logout/"]
)
def test_deeply_nested_json_on_unauthenticated_endpoints_is_400(db, url):
    body = "[" * 100_000 + "]" * 100_000

    response = APIClient().post(url, body, content_type="application/json")

    assert response.status_code == 400
    assert "nested" in response.json()["detail"]


def test_deeply_nested_json_on_patient_writes_is_400(patient_client):
    body = '{"records": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = patient_client.post("/api/v1/signals/batch/", body, content_type="application/json")

    assert response.status_code == 400


def test_valid_auth_still_works(patient):
    response = auth_client(patient.user).get("/api/v1/me/")
    assert response.status_code == 200


def test_a_pages_400_is_in_the_readers_language(nurse):
    client = Client()
    client.force_login(nurse)

    response = client.get("/dashboard/patients/", {"team": "²"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 400
    assert response.content.decode() == (
        "Le paramètre de requête « team » n’est pas valide : Écrivez les nombres avec les chiffres 0 à 9."
    )
