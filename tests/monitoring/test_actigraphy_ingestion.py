"""`activity_epochs` through the batch endpoint and `import_actigraphy`: compact per-day
storage, idempotency, gaps kept missing, daylight-saving days, derived measures."""

import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from monitoring.models import ActivityDay, ActivityEpochRecord, DailySummary, SignalRecord, SleepSource
from monitoring.services import activity_derive
from monitoring.summaries import day_length_minutes

from .conftest import uid

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def epochs(start: dt.datetime, counts: list, epoch_seconds: int = 60, **extra) -> dict:
    return {
        "id": uid(),
        "type": "activity_epochs",
        "start": start.isoformat(),
        "epoch_seconds": epoch_seconds,
        "counts": counts,
        **extra,
    }


def post(client, records):  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/signals/batch/", {"records": records}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def day_counts(day_minutes: int, night: tuple[int, int] = (0, 420)) -> list[int]:
    """A plausible day: still at night (0-5), active in the day (100-400)."""
    return [(i % 6) if night[0] <= i < night[1] else 100 + (i * 37) % 300 for i in range(day_minutes)]


def test_a_record_spanning_midnight_is_split_into_local_days(make_patient, django_capture_on_commit_callbacks):
    patient, client = make_patient(tz="Europe/Paris")
    start = dt.datetime(2026, 3, 10, 23, 0, tzinfo=PARIS)
    with django_capture_on_commit_callbacks(execute=True):
        body = post(client, [epochs(start, [1, 2, None, 4] + [5] * 116)])
    assert body == {"accepted": 1, "duplicates": 0, "rejected": []}
    days = {d.date: d for d in ActivityDay.objects.filter(patient=patient)}
    assert sorted(days) == [dt.date(2026, 3, 10), dt.date(2026, 3, 11)]
    first, second = days[dt.date(2026, 3, 10)], days[dt.date(2026, 3, 11)]
    assert len(first.minutes) == len(second.minutes) == 1440
    assert first.minutes[1380:1384] == [1, 2, None, 4]  # the gap stays missing, not 0
    assert first.minutes[:1380] == [None] * 1380
    assert first.wear_minutes == 59
    assert second.minutes[:60] == [5] * 60 and second.wear_minutes == 60
    assert ActivityEpochRecord.objects.get(patient=patient).epochs == 120


def test_resending_the_same_record_is_a_duplicate_and_other_content_a_conflict(make_patient):
    patient, client = make_patient()
    record = epochs(dt.datetime(2026, 3, 10, 12, 0, tzinfo=PARIS), [3, 4, 5])
    assert post(client, [record])["accepted"] == 1
    assert post(client, [dict(record, counts=[3.0, 4, 5])]) == {"accepted": 0, "duplicates": 1, "rejected": []}
    changed = post(client, [dict(record, counts=[3, 4, 6])])
    assert changed["rejected"][0]["errors"] == {"id": ["A different record with this id already exists."]}
    assert ActivityDay.objects.get(patient=patient).minutes[720:723] == [3, 4, 5]


def test_sub_minute_epochs_are_summed_and_a_minute_missing_one_is_missing(make_patient):
    patient, client = make_patient()
    start = dt.datetime(2026, 3, 10, 12, 0, tzinfo=PARIS)
    assert post(client, [epochs(start, [1, 2, 3, 4, None, 6, 7, 8], epoch_seconds=15)])["accepted"] == 1
    assert ActivityDay.objects.get(patient=patient).minutes[720:722] == [10, None]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"epoch_seconds": 45}, "epoch_seconds", "Must be one of 2, 5, 10, 15, 20, 30, 60."),
        ({"counts": [1, -2]}, "counts", "Item 1: a count lies between 0 and 100000."),
        ({"counts": [1, "x"]}, "counts", "Item 1: a number or null is required."),
        ({"counts": []}, "counts", "Expected a non-empty list of counts (numbers, or null where not recorded)."),
        ({"counts": [0] * 1441}, "counts", "At most 24 hours of counts per record."),
        (
            {"epoch_seconds": 30, "counts": [1, 2, 3]},
            "counts",
            "Whole minutes only: a multiple of 2 counts of 30 seconds.",
        ),
        ({"start": "2026-03-10T12:00:30+01:00"}, "start", "Must fall on a whole minute."),
    ],
)
def test_invalid_epochs_are_rejected_by_index_and_the_rest_stored(make_patient, change, field, message):
    patient, client = make_patient()
    good = epochs(dt.datetime(2026, 3, 10, 12, 0, tzinfo=PARIS), [1, 2])
    bad = dict(epochs(dt.datetime(2026, 3, 10, 14, 0, tzinfo=PARIS), [1, 2]), **change)
    body = post(client, [good, bad])
    assert body["accepted"] == 1
    assert body["rejected"] == [{"index": 1, "id": bad["id"], "errors": {field: [message]}}]
    assert ActivityEpochRecord.objects.filter(patient=patient).count() == 1


def test_epochs_need_the_activity_consent(make_patient):
    patient, client = make_patient(scopes=["sleep"])
    body = post(client, [epochs(dt.datetime(2026, 3, 10, 12, 0, tzinfo=PARIS), [1])])
    assert body["accepted"] == 0
    assert "activity" in body["rejected"][0]["errors"]["non_field_errors"][0]
    assert not ActivityDay.objects.filter(patient=patient).exists()


@pytest.mark.parametrize(("day", "minutes"), [(dt.date(2026, 3, 29), 1380), (dt.date(2026, 10, 25), 1500)])
def test_daylight_saving_days_hold_23_or_25_hours_of_minutes(make_patient, day, minutes):
    patient, client = make_patient()
    assert day_length_minutes(day, PARIS) == minutes
    start = dt.datetime.combine(day, dt.time(0), tzinfo=PARIS).astimezone(dt.UTC)  # real minutes from here
    # A whole local day in two records of at most 24 hours: every minute lands once.
    counts = list(range(minutes))
    body = post(client, [epochs(start, counts[:1200]), epochs(start + dt.timedelta(minutes=1200), counts[1200:])])
    assert body["accepted"] == 2
    stored = ActivityDay.objects.get(patient=patient)
    assert stored.date == day and stored.minutes == counts and stored.wear_minutes == minutes


def write_depresjon(path, start: dt.datetime, days: int, gap: tuple[int, int] | None = None) -> None:
    lines = ["timestamp,date,activity"]
    moment = start
    for i in range(days * 1440):
        if gap is None or not gap[0] <= i < gap[1]:
            minute_of_day = i % 1440
            count = (i % 6) if minute_of_day < 420 else 100 + (i * 37) % 300
            lines.append(f"{moment:%Y-%m-%d %H:%M:%S},{moment:%Y-%m-%d},{count}")
        moment += dt.timedelta(minutes=1)
    path.write_text("\n".join(lines) + "\n")


def test_import_actigraphy_stores_days_derives_measures_and_is_idempotent(make_patient, tmp_path):
    patient, _client = make_patient(tz="Europe/Oslo", code="ACT-1")
    path = tmp_path / "subject.csv"
    write_depresjon(path, dt.datetime(2026, 3, 2, 12, 0), days=9, gap=(3000, 3120))
    out = io.StringIO()
    call_command("import_actigraphy", str(path), "--patient", "ACT-1", stdout=out)
    assert "12960 recorded minutes" not in out.getvalue()  # 120 minutes of the gap are missing
    assert "12840 recorded minutes" in out.getvalue() and "0 rejected" in out.getvalue()
    days = list(ActivityDay.objects.filter(patient=patient).order_by("date"))
    assert [d.date for d in days][0] == dt.date(2026, 3, 2) and len(days) == 10
    assert sum(d.wear_minutes for d in days) == 12840
    gap_day = days[2]  # 2026-03-04: minutes 3000-3119 of the file are 14:00-16:00 there
    assert gap_day.minutes[840:960] == [None] * 120
    summaries = {s.date: s for s in DailySummary.objects.filter(patient=patient)}
    full = summaries[dt.date(2026, 3, 9)]
    assert full.activity_mean is not None and 0 < full.activity_zero_share < 1
    assert full.rhythm_is is not None and 0 < full.rhythm_ra <= 1
    assert summaries[dt.date(2026, 3, 3)].rhythm_is is None  # fewer than 3 full days in its window
    sleep = SignalRecord.objects.filter(patient=patient, kind="sleep", source=SleepSource.ACTIGRAPH)
    assert sleep.count() >= 7
    assert full.sleep_source == "actigraph" and full.sleep_hours is not None
    before = (
        list(ActivityDay.objects.filter(patient=patient).values_list("date", "minutes")),
        list(DailySummary.objects.filter(patient=patient).values_list("date", "activity_mean", "rhythm_is")),
        sorted(sleep.values_list("id", "start", "end")),
    )
    again = io.StringIO()
    call_command("import_actigraphy", str(path), "--patient", "ACT-1", stdout=again)
    assert "0 stored" in again.getvalue() and "already stored" in again.getvalue()
    after = (
        list(ActivityDay.objects.filter(patient=patient).values_list("date", "minutes")),
        list(DailySummary.objects.filter(patient=patient).values_list("date", "activity_mean", "rhythm_is")),
        sorted(sleep.values_list("id", "start", "end")),
    )
    assert after == before


def test_a_malformed_file_is_refused_with_its_line_and_nothing_is_lost(make_patient, tmp_path):
    patient, client = make_patient(code="ACT-2")
    assert post(client, [epochs(dt.datetime(2026, 3, 10, 12, 0, tzinfo=PARIS), [7, 8])])["accepted"] == 1
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    write_depresjon(good, dt.datetime(2026, 3, 2, 0, 0), days=1)
    bad.write_text("timestamp,date,activity\n2026-03-05 00:00:00,2026-03-05,12\n2026-03-05 00:01:00,2026-03-05,-4\n")
    with pytest.raises(CommandError, match=r"Nothing imported: .*bad.csv: line 3: "):
        call_command("import_actigraphy", str(good), str(bad), "--patient", "ACT-2")
    assert list(ActivityDay.objects.filter(patient=patient).values_list("date", flat=True)) == [dt.date(2026, 3, 10)]
    with pytest.raises(CommandError, match="No patient with code NOBODY"):
        call_command("import_actigraphy", str(good), "--patient", "NOBODY")


def test_the_actigraph_s_night_wins_over_the_phone_s(make_patient, django_capture_on_commit_callbacks):
    patient, client = make_patient(tz="Europe/Paris")
    first = dt.date(2026, 3, 2)
    records = []
    for n in range(4):
        day = first + dt.timedelta(days=n)
        start = dt.datetime.combine(day, dt.time(0), tzinfo=PARIS)
        records.append(epochs(start, day_counts(1440)))
    phone_night = {
        "id": str(uuid.uuid4()),
        "type": "sleep",
        "start": dt.datetime(2026, 3, 4, 22, 0, tzinfo=PARIS).isoformat(),
        "end": dt.datetime(2026, 3, 5, 9, 30, tzinfo=PARIS).isoformat(),
        "efficiency": 0.5,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, [*records, phone_night])["accepted"] == 5
    summary = DailySummary.objects.get(patient=patient, date=dt.date(2026, 3, 5))
    night = SignalRecord.objects.get(patient=patient, day=dt.date(2026, 3, 5), source="actigraph")
    assert summary.sleep_source == "actigraph"
    assert summary.sleep_efficiency == pytest.approx(night.efficiency, abs=1e-3)
    assert summary.sleep_hours == pytest.approx((night.end - night.start).total_seconds() / 3600, abs=1e-3)
    assert summary.sleep_onset.strftime("%H:%M") == night.start.astimezone(PARIS).strftime("%H:%M")
    assert summary.sleep_efficiency != 0.5


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([1, 10**400], "Item 1: a count lies between 0 and 100000."),
        ([1, True], "Item 1: a number or null is required."),
        ([None, 100_000.5], "Item 1: a count lies between 0 and 100000."),
        ([None, None, "3"], "Item 2: a number or null is required."),
    ],
)
def test_every_bad_count_is_named_by_its_position(make_patient, counts, message):
    _patient, client = make_patient()
    record = epochs(dt.datetime(2026, 3, 10, 12, 0, tzinfo=PARIS), counts)
    assert post(client, [record])["rejected"][0]["errors"] == {"counts": [message]}


def test_a_record_of_nulls_only_is_stored_and_keeps_the_day_missing(make_patient):
    patient, client = make_patient()
    assert post(client, [epochs(dt.datetime(2026, 3, 10, 12, 0, tzinfo=PARIS), [None, None])])["accepted"] == 1
    day = ActivityDay.objects.get(patient=patient)
    assert day.wear_minutes == 0 and day.minutes[720:722] == [None, None]


def test_erasure_deletes_the_minutes_and_what_was_derived_from_them(make_patient):
    patient, client = make_patient(tz="Europe/Paris")
    first = dt.date(2026, 3, 2)
    records = [
        epochs(dt.datetime.combine(first + dt.timedelta(days=n), dt.time(0), tzinfo=PARIS), day_counts(1440))
        for n in range(4)
    ]
    response = client.post("/api/v1/signals/batch/", {"records": records}, format="json")
    assert response.json()["accepted"] == 4
    activity_derive(patient=patient, days={first + dt.timedelta(days=n) for n in range(4)})
    assert SignalRecord.objects.filter(patient=patient, source="actigraph").exists()
    body = client.post("/api/v1/me/erase/").json()
    assert body["removed"]["activity_days"] == 4 and body["removed"]["activity_epoch_records"] == 4
    assert not ActivityDay.objects.filter(patient=patient).exists()
    assert not ActivityEpochRecord.objects.filter(patient=patient).exists()
    assert not SignalRecord.objects.filter(patient=patient).exists()
