"""The validation rules of API.md ("Patient data", "Value ranges") for signal records and their
batches, through the API: each record accepted or rejected with the field named, nothing stored
for a rejected one, the spans and timestamps checked, the batch sizes."""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring.models import SignalRecord
from tests.monitoring.conftest import iso, recent, uid

H = dt.timedelta(hours=1)


def batch(client, *records):
    response = client.post("/api/v1/signals/batch/", {"records": list(records)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def only_rejection(body):
    assert body["accepted"] == 0 and body["duplicates"] == 0
    (entry,) = body["rejected"]
    return entry["errors"]


def record(kind, start, span=H, **values):
    return {"id": uid(), "type": kind, "start": iso(start), "end": iso(start + span), **values}


VALID = {
    "sleep": {"efficiency": 0.9, "awakenings": 2},
    "steps": {"count": 4000},
    "mobility": {"time_at_home_min": 30, "distance_km": 2.5, "places_visited": 3},
    "speech": {"speech_rate_wpm": 140, "pause_ratio": 0.3, "pitch_mean_hz": 180, "pitch_sd_hz": 20, "energy_db": -30},
    "screen": {"screen_minutes": 45, "unlocks": 12},
}


@pytest.mark.parametrize("kind", list(VALID))
def test_each_type_accepted_and_stored(patient_client, kind):
    body = batch(patient_client, record(kind, recent(days=2), **VALID[kind]))
    assert body == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert SignalRecord.objects.get().kind == kind


@pytest.mark.parametrize(
    "kind, values, field, message",
    [
        ("sleep", {"efficiency": 1.01}, "efficiency", "Ensure this value is less than or equal to 1."),
        ("sleep", {"efficiency": -0.1}, "efficiency", "Ensure this value is greater than or equal to 0."),
        ("sleep", {"awakenings": -1}, "awakenings", "Ensure this value is greater than or equal to 0."),
        ("sleep", {"awakenings": 1.5}, "awakenings", "A valid integer is required."),
        ("steps", {}, "count", "This field is required."),
        ("steps", {"count": -1}, "count", "Ensure this value is greater than or equal to 0."),
        ("steps", {"count": "10"}, "count", "A valid integer is required."),
        # one hour of span allows 100,000 / 24 = 4,166 steps
        ("steps", {"count": 4167}, "count", "At most 100,000 steps per day of the record's span: at most 4166 here."),
        ("mobility", {"distance_km": 1}, "time_at_home_min", "This field is required."),
        (
            "mobility",
            {"time_at_home_min": 61, "distance_km": 1},
            "time_at_home_min",
            "Ensure this value is less than or equal to 60.",
        ),
        (
            "mobility",
            {"time_at_home_min": -1, "distance_km": 1},
            "time_at_home_min",
            "Ensure this value is greater than or equal to 0.",
        ),
        ("mobility", {"time_at_home_min": 10}, "distance_km", "This field is required."),
        (
            "mobility",
            {"time_at_home_min": 10, "distance_km": -0.5},
            "distance_km",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            "mobility",
            {"time_at_home_min": 10, "distance_km": 1, "places_visited": -2},
            "places_visited",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            "speech",
            VALID["speech"] | {"speech_rate_wpm": 401},
            "speech_rate_wpm",
            "Ensure this value is less than or equal to 400.",
        ),
        (
            "speech",
            VALID["speech"] | {"speech_rate_wpm": -1},
            "speech_rate_wpm",
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            "speech",
            VALID["speech"] | {"pause_ratio": 1.2},
            "pause_ratio",
            "Ensure this value is less than or equal to 1.",
        ),
        (
            "speech",
            VALID["speech"] | {"pitch_mean_hz": 49},
            "pitch_mean_hz",
            "Ensure this value is greater than or equal to 50.",
        ),
        (
            "speech",
            VALID["speech"] | {"pitch_mean_hz": 501},
            "pitch_mean_hz",
            "Ensure this value is less than or equal to 500.",
        ),
        (
            "speech",
            VALID["speech"] | {"pitch_sd_hz": -3},
            "pitch_sd_hz",
            "Ensure this value is greater than or equal to 0.",
        ),
        ("speech", VALID["speech"] | {"energy_db": "loud"}, "energy_db", "A valid number is required."),
        (
            "speech",
            {"pause_ratio": 0.1, "pitch_mean_hz": 100, "pitch_sd_hz": 1},
            "speech_rate_wpm",
            "This field is required.",
        ),
        (
            "screen",
            {"screen_minutes": 61, "unlocks": 1},
            "screen_minutes",
            "Ensure this value is less than or equal to 60.",
        ),
        ("screen", {"screen_minutes": 5}, "unlocks", "This field is required."),
        ("screen", {"screen_minutes": 5, "unlocks": -1}, "unlocks", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_value_ranges(patient_client, kind, values, field, message):
    errors = only_rejection(batch(patient_client, record(kind, recent(days=2), **values)))
    assert errors[field] == [message]
    assert SignalRecord.objects.count() == 0


def test_energy_db_any_real_and_boundaries_accepted(patient_client):
    start = recent(days=3)
    body = batch(
        patient_client,
        record("speech", start, **(VALID["speech"] | {"energy_db": -80.5, "speech_rate_wpm": 400, "pause_ratio": 1})),
        record("speech", start + H, **(VALID["speech"] | {"energy_db": 12, "pitch_mean_hz": 50, "pitch_sd_hz": 0})),
        record("steps", start, count=4166),
        record("mobility", start, time_at_home_min=60, distance_km=0),
        record("screen", start, screen_minutes=60, unlocks=0),
        record("sleep", start, efficiency=0, awakenings=0),
    )
    assert body == {"accepted": 6, "duplicates": 0, "rejected": []}


def test_start_must_precede_end(patient_client):
    start = recent(days=2)
    errors = only_rejection(batch(patient_client, record("steps", start, span=dt.timedelta(0), count=1)))
    assert errors == {"end": ["Must be after start."]}
    errors = only_rejection(batch(patient_client, record("steps", start, span=-H, count=1)))
    assert errors == {"end": ["Must be after start."]}


def test_span_limits(patient_client):
    start = recent(days=3)
    ok = batch(
        patient_client,
        record("steps", start, span=dt.timedelta(hours=24), count=10),
        record("sleep", start, span=dt.timedelta(hours=18)),
    )
    assert ok["accepted"] == 2
    too_long = batch(
        patient_client,
        record("steps", start, span=dt.timedelta(hours=24, seconds=1), count=10),
        record("sleep", start, span=dt.timedelta(hours=18, seconds=1)),
    )
    assert too_long["accepted"] == 0
    assert [r["errors"] for r in too_long["rejected"]] == [
        {"end": ["A record spans at most 24 hours (or exactly one local calendar day)."]},
        {"end": ["A sleep episode spans at most 18 hours."]},
    ]


def test_record_timestamps_checked(patient_client):
    future = timezone.now() + dt.timedelta(minutes=10)
    body = batch(
        patient_client,
        {"id": uid(), "type": "steps", "start": iso(recent(hours=2)), "end": iso(future), "count": 3},
        {"id": uid(), "type": "steps", "start": "2026-01-01T10:00:00", "end": "2026-01-01T11:00:00", "count": 3},
    )
    assert body["rejected"][0]["errors"] == {"end": ["Timestamps more than 5 minutes in the future are not accepted."]}
    assert set(body["rejected"][1]["errors"]) == {"start", "end"}


def test_unknown_type_and_shapes(patient_client):
    body = batch(patient_client, {"id": uid(), "type": "heart_rate"}, "not an object", {"type": "steps"})
    assert body["accepted"] == 0
    first, second, third = body["rejected"]
    assert first["errors"]["type"] == ['"heart_rate" is not a valid choice.']
    assert second == {
        "index": 1,
        "id": None,
        "errors": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
    }
    assert third["errors"]["id"] == ["This field is required."]


def test_batch_size_limits(patient_client):
    empty = patient_client.post("/api/v1/signals/batch/", {"records": []}, format="json")
    start = recent(days=2)
    too_many = patient_client.post(
        "/api/v1/signals/batch/", {"records": [record("steps", start, count=1)] * 1001}, format="json"
    )
    missing = patient_client.post("/api/v1/signals/batch/", {}, format="json")
    assert empty.status_code == 400 and empty.json() == {"records": ["Send 1 to 1000 records; got 0."]}
    assert too_many.status_code == 400 and too_many.json() == {"records": ["Send 1 to 1000 records; got 1001."]}
    assert missing.status_code == 400 and missing.json() == {"records": ["Expected a list of records."]}
    assert SignalRecord.objects.count() == 0


def test_batch_partial_acceptance(patient_client):
    start = recent(days=2)
    good1, good2 = record("steps", start, count=100), record("screen", start, screen_minutes=5, unlocks=2)
    bad = record("steps", start, count=-5)
    body = batch(patient_client, good1, bad, good2)
    assert body == {
        "accepted": 2,
        "duplicates": 0,
        "rejected": [
            {"index": 1, "id": bad["id"], "errors": {"count": ["Ensure this value is greater than or equal to 0."]}}
        ],
    }
    assert {str(pk) for pk in SignalRecord.objects.values_list("id", flat=True)} == {good1["id"], good2["id"]}


def test_batch_of_1000_accepted(patient_client):
    base = recent(days=45)
    records = [record("steps", base + i * H, count=i) for i in range(1000)]
    body = batch(patient_client, *records)
    assert body == {"accepted": 1000, "duplicates": 0, "rejected": []}
    assert SignalRecord.objects.count() == 1000
