"""The daily summary: local-day assignment (Pacific/Auckland, America/Los_Angeles), DST days,
the main sleep, means and sums, missing stays NULL, and incremental updates."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from monitoring.models import DailySummary
from tests.monitoring.conftest import uid

UTC = dt.UTC


def local(tz, day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(tz))


def days_ago(tz, n):
    return timezone.localdate(timezone=ZoneInfo(tz)) - dt.timedelta(days=n)


def last_transition(tz_name, forward):
    """The most recent past local day on which the clocks went forward (or back)."""
    tz = ZoneInfo(tz_name)
    day = timezone.localdate(timezone=tz) - dt.timedelta(days=2)
    for _ in range(400):
        before = dt.datetime.combine(day, dt.time(0), tzinfo=tz).utcoffset()
        after = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz).utcoffset()
        if (after > before) if forward else (after < before):
            return day
        day -= dt.timedelta(days=1)
    raise AssertionError("no transition in a year")


def post(client, *records):
    body = client.post("/api/v1/signals/batch/", {"records": list(records)}, format="json").json()
    assert body["rejected"] == [], body
    return body


def sig(kind, start, end, **values):
    return {"id": uid(), "type": kind, "start": start.isoformat(), "end": end.isoformat(), **values}


def summary(patient, day):
    return DailySummary.objects.get(patient=patient, date=day)


# --- local days ----------------------------------------------------------------------------------


def test_auckland_day_assignment(make_patient):
    patient, client = make_patient(tz="Pacific/Auckland")
    day = days_ago("Pacific/Auckland", 3)
    # 08:00 in Auckland is the evening before in UTC; sent in UTC ("Z").
    morning = local("Pacific/Auckland", day, 8).astimezone(UTC)
    assert morning.date() == day - dt.timedelta(days=1)
    client.post(
        "/api/v1/checkins/",
        {"id": uid(), "recorded_at": morning.isoformat().replace("+00:00", "Z"), "mood": 2},
        format="json",
    )
    wake = local("Pacific/Auckland", day, 6, 30)
    post(client, sig("sleep", (wake - dt.timedelta(hours=8)).astimezone(UTC), wake.astimezone(UTC), efficiency=0.9))
    row = summary(patient, day)
    assert (row.checkins, row.mood, row.sleep_hours) == (1, 2.0, 8.0)
    assert (row.sleep_onset, row.sleep_wake) == (dt.time(22, 30), dt.time(6, 30))
    assert DailySummary.objects.filter(patient=patient).count() == 1


def test_los_angeles_day_assignment(make_patient):
    patient, client = make_patient(tz="America/Los_Angeles")
    day = days_ago("America/Los_Angeles", 3)
    # 20:00 in Los Angeles is the next morning in UTC.
    evening = local("America/Los_Angeles", day, 20)
    assert evening.astimezone(UTC).date() == day + dt.timedelta(days=1)
    client.post("/api/v1/checkins/", {"id": uid(), "recorded_at": evening.isoformat(), "mood": -2}, format="json")
    steps_start = local("America/Los_Angeles", day, 18)
    post(
        client,
        sig("steps", steps_start.astimezone(UTC), (steps_start + dt.timedelta(hours=3)).astimezone(UTC), count=1200),
    )
    row = summary(patient, day)
    assert (row.checkins, row.mood, row.steps) == (1, -2.0, 1200)
    assert DailySummary.objects.filter(patient=patient).count() == 1


def test_same_instant_different_days_for_different_patients(make_patient):
    auckland, a_client = make_patient(tz="Pacific/Auckland")
    la, l_client = make_patient(tz="America/Los_Angeles")
    moment = dt.datetime.combine(
        days_ago("UTC", 3), dt.time(11, 0), tzinfo=UTC
    )  # 00:00/01:00 next day NZ, 03:00/04:00 LA
    for client in (a_client, l_client):
        client.post("/api/v1/checkins/", {"id": uid(), "recorded_at": moment.isoformat(), "mood": 1}, format="json")
    assert DailySummary.objects.get(patient=auckland).date == moment.astimezone(ZoneInfo("Pacific/Auckland")).date()
    assert DailySummary.objects.get(patient=la).date == moment.astimezone(ZoneInfo("America/Los_Angeles")).date()
    assert DailySummary.objects.get(patient=auckland).date != DailySummary.objects.get(patient=la).date


def test_sleep_belongs_to_the_day_it_ends(make_patient):
    patient, client = make_patient(tz="Europe/Paris")
    day = days_ago("Europe/Paris", 4)
    post(client, sig("sleep", local("Europe/Paris", day, 22), local("Europe/Paris", day + dt.timedelta(days=1), 6)))
    assert not DailySummary.objects.filter(patient=patient, date=day).exists()
    assert summary(patient, day + dt.timedelta(days=1)).sleep_hours == 8.0


def test_other_records_belong_to_the_day_they_start(make_patient):
    patient, client = make_patient(tz="Europe/Paris")
    day = days_ago("Europe/Paris", 4)
    post(
        client,
        sig("steps", local("Europe/Paris", day, 23), local("Europe/Paris", day + dt.timedelta(days=1), 1), count=300),
    )
    assert summary(patient, day).steps == 300
    assert not DailySummary.objects.filter(patient=patient, date=day + dt.timedelta(days=1)).exists()


# --- daylight saving ------------------------------------------------------------------------------------


@pytest.mark.parametrize("tz", ["Europe/Paris", "America/Los_Angeles", "Pacific/Auckland"])
def test_spring_forward_night(make_patient, tz):
    patient, client = make_patient(tz=tz, enrolled_days_ago=400)
    day = last_transition(tz, forward=True)
    # From 23:00 to 07:00 local across the night the clocks go forward: 7 hours, not 8.
    start, end = local(tz, day - dt.timedelta(days=1), 23), local(tz, day, 7)
    post(client, sig("sleep", start, end, efficiency=0.85))
    whole_day = sig("steps", local(tz, day, 0), local(tz, day + dt.timedelta(days=1), 0), count=95_000)
    post(client, whole_day)
    row = summary(patient, day)
    assert row.sleep_hours == 7.0
    assert (row.sleep_onset, row.sleep_wake) == (dt.time(23, 0), dt.time(7, 0))
    assert row.steps == 95_000
    assert end.astimezone(UTC) - start.astimezone(UTC) == dt.timedelta(hours=7)


@pytest.mark.parametrize("tz", ["Europe/Paris", "America/Los_Angeles", "Pacific/Auckland"])
def test_fall_back_night_and_25_hour_day(make_patient, tz):
    patient, client = make_patient(tz=tz, enrolled_days_ago=400)
    day = last_transition(tz, forward=False)
    start, end = local(tz, day - dt.timedelta(days=1), 23), local(tz, day, 7)
    post(client, sig("sleep", start, end))
    # Midnight to midnight lasts 25 hours that day: accepted as one local day, which allows
    # 100,000 * 25 / 24 steps.
    post(client, sig("steps", local(tz, day, 0), local(tz, day + dt.timedelta(days=1), 0), count=104_166))
    hourly = []
    moment = local(tz, day, 0).astimezone(UTC)
    while moment < local(tz, day + dt.timedelta(days=1), 0):
        hourly.append(sig("screen", moment, moment + dt.timedelta(hours=1), screen_minutes=2, unlocks=1))
        moment += dt.timedelta(hours=1)
    post(client, *hourly)
    row = summary(patient, day)
    assert row.sleep_hours == 9.0
    assert (row.sleep_onset, row.sleep_wake) == (dt.time(23, 0), dt.time(7, 0))
    assert row.steps == 104_166
    assert len(hourly) == 25 and (row.screen_minutes, row.unlocks) == (50.0, 25)
    assert not DailySummary.objects.filter(patient=patient, date=day + dt.timedelta(days=1)).exists()


def test_25_hours_not_aligned_to_local_midnight_rejected(make_patient):
    patient, client = make_patient(tz="Europe/Paris", enrolled_days_ago=400)
    day = last_transition("Europe/Paris", forward=False)
    record = sig("steps", local("Europe/Paris", day, 1), local("Europe/Paris", day + dt.timedelta(days=1), 1), count=1)
    body = client.post("/api/v1/signals/batch/", {"records": [record]}, format="json").json()
    assert body["rejected"][0]["errors"] == {
        "end": ["A record spans at most 24 hours (or exactly one local calendar day)."]
    }


# --- definitions --------------------------------------------------------------------------------------


def test_main_sleep_naps_and_overlaps(make_patient):
    patient, client = make_patient(tz="Europe/Paris")
    day = days_ago("Europe/Paris", 5)
    prev = day - dt.timedelta(days=1)
    night = sig(
        "sleep", local("Europe/Paris", prev, 23, 15), local("Europe/Paris", day, 6, 15), efficiency=0.8, awakenings=3
    )
    overlap = sig("sleep", local("Europe/Paris", day, 5), local("Europe/Paris", day, 7), efficiency=0.5)
    nap = sig("sleep", local("Europe/Paris", day, 14), local("Europe/Paris", day, 15, 30), efficiency=0.99)
    post(client, nap, night, overlap)
    row = summary(patient, day)
    # 23:15-07:00 covered once (7.75 h) plus the 1.5 h nap.
    assert row.sleep_hours == pytest.approx(9.25)
    assert (row.sleep_onset, row.sleep_wake) == (dt.time(23, 15), dt.time(6, 15))
    assert (row.sleep_efficiency, row.sleep_awakenings) == (0.8, 3)


def test_means_sums_and_nulls(make_patient):
    patient, client = make_patient(tz="Europe/Paris")
    day = days_ago("Europe/Paris", 2)
    for hour, values in (
        (9, {"mood": 1, "anxiety": 4, "medication_taken": False}),
        (20, {"mood": 2, "energy": 7, "medication_taken": True}),
    ):
        client.post(
            "/api/v1/checkins/",
            {"id": uid(), "recorded_at": local("Europe/Paris", day, hour).isoformat(), **values},
            format="json",
        )
    t = lambda h: local("Europe/Paris", day, h)  # noqa: E731
    post(
        client,
        sig("steps", t(8), t(12), count=3000),
        sig("steps", t(12), t(18), count=0),
        sig("mobility", t(7), t(12), time_at_home_min=120, distance_km=3.5, places_visited=2),
        sig("mobility", t(12), t(23), time_at_home_min=500, distance_km=1.5, places_visited=4),
        sig(
            "speech",
            t(10),
            t(11),
            speech_rate_wpm=120,
            pause_ratio=0.2,
            pitch_mean_hz=150,
            pitch_sd_hz=20,
            energy_db=-20,
        ),
        sig("speech", t(19), t(20), speech_rate_wpm=140, pause_ratio=0.4, pitch_mean_hz=170, pitch_sd_hz=30),
    )
    row = summary(patient, day)
    assert (row.checkins, row.mood, row.anxiety, row.energy, row.irritability) == (2, 1.5, 4.0, 7.0, None)
    assert row.medication_taken is True
    assert row.steps == 3000
    assert (row.time_at_home_min, row.distance_km, row.places_visited) == (620.0, 5.0, 4)
    assert (row.speech_rate_wpm, row.pause_ratio, row.pitch_mean_hz, row.pitch_sd_hz) == (
        130.0,
        pytest.approx(0.3),
        160.0,
        25.0,
    )
    assert row.energy_db == -20.0
    assert row.passive_records == 6
    # Nothing measured: NULL, never 0.
    assert (row.sleep_hours, row.sleep_onset, row.screen_minutes, row.unlocks, row.phq9) == (None,) * 5


def test_zero_steps_stays_zero_and_no_steps_stays_null(make_patient):
    patient, client = make_patient(tz="Europe/Paris")
    day = days_ago("Europe/Paris", 2)
    post(client, sig("steps", local("Europe/Paris", day, 0), local("Europe/Paris", day, 23), count=0))
    post(
        client,
        sig(
            "screen",
            local("Europe/Paris", day - dt.timedelta(days=1), 9),
            local("Europe/Paris", day - dt.timedelta(days=1), 10),
            screen_minutes=0,
            unlocks=0,
        ),
    )
    assert summary(patient, day).steps == 0
    other = summary(patient, day - dt.timedelta(days=1))
    assert other.steps is None and (other.screen_minutes, other.unlocks) == (0.0, 0)


def test_medication_not_taken_and_unanswered(make_patient):
    patient, client = make_patient(tz="Europe/Paris")
    d1, d2 = days_ago("Europe/Paris", 3), days_ago("Europe/Paris", 2)
    client.post(
        "/api/v1/checkins/",
        {"id": uid(), "recorded_at": local("Europe/Paris", d1, 9).isoformat(), "mood": 0, "medication_taken": False},
        format="json",
    )
    client.post(
        "/api/v1/checkins/",
        {"id": uid(), "recorded_at": local("Europe/Paris", d2, 9).isoformat(), "mood": 0},
        format="json",
    )
    assert summary(patient, d1).medication_taken is False
    assert summary(patient, d2).medication_taken is None


def test_questionnaire_latest_of_the_day(make_patient):
    patient, client = make_patient(tz="Europe/Paris")
    day = days_ago("Europe/Paris", 2)
    later = {
        "id": uid(),
        "instrument": "PHQ-9",
        "answers": [1] * 8 + [0],
        "completed_at": local("Europe/Paris", day, 20).isoformat(),
    }
    earlier = {
        "id": uid(),
        "instrument": "PHQ-9",
        "answers": [3] * 8 + [0],
        "completed_at": local("Europe/Paris", day, 8).isoformat(),
    }
    asrm = {
        "id": uid(),
        "instrument": "ASRM",
        "answers": [2, 2, 1, 0, 0],
        "completed_at": local("Europe/Paris", day, 9).isoformat(),
    }
    for body in (later, earlier, asrm):  # the later one arrives first
        assert client.post("/api/v1/questionnaires/", body, format="json").status_code == 201
    row = summary(patient, day)
    assert (row.phq9, row.gad7, row.asrm) == (8, None, 5)


def test_incremental_update_touches_only_the_affected_days(make_patient):
    patient, client = make_patient(tz="Europe/Paris")
    d1, d2 = days_ago("Europe/Paris", 6), days_ago("Europe/Paris", 5)
    post(client, sig("steps", local("Europe/Paris", d1, 9), local("Europe/Paris", d1, 10), count=100))
    post(client, sig("steps", local("Europe/Paris", d2, 9), local("Europe/Paris", d2, 10), count=200))
    first = summary(patient, d1).updated_at
    post(client, sig("steps", local("Europe/Paris", d2, 11), local("Europe/Paris", d2, 12), count=50))
    client.post(
        "/api/v1/checkins/",
        {"id": uid(), "recorded_at": local("Europe/Paris", d2, 20).isoformat(), "mood": 1},
        format="json",
    )
    assert summary(patient, d1).updated_at == first
    row = summary(patient, d2)
    # A check-in recomputes the self-report part only; the signals part stays as it was.
    assert (row.steps, row.passive_records, row.checkins, row.mood) == (250, 2, 1, 1.0)
