"""The idempotency rules of API.md: same id and content is a success that creates nothing,
same id with other content is a conflict, nothing is ever stored twice, and an id is never a
way to see another patient's data."""

import datetime as dt
import threading

import pytest
from django.db import connection

from alerts.models import Alert
from monitoring.models import CheckIn, DailySummary, QuestionnaireResponse, SignalRecord
from tests.conftest import auth_client
from tests.factories import PatientFactory, grant_consents
from tests.monitoring.conftest import checkin_body, iso, recent, sleep_record, steps_record, uid


def test_checkin_same_id_same_content_is_200_and_stores_nothing(patient_client, patient):
    body = checkin_body(mood=1, anxiety=4, note="ok")
    first = patient_client.post("/api/v1/checkins/", body, format="json")
    again = patient_client.post("/api/v1/checkins/", body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert CheckIn.objects.count() == 1
    assert DailySummary.objects.get(patient=patient).checkins == 1


def test_checkin_same_instant_other_offset_is_same_content(patient_client):
    moment = recent(hours=3)
    body = checkin_body(moment, mood=1)
    first = patient_client.post("/api/v1/checkins/", body, format="json")
    shifted = body | {"recorded_at": moment.astimezone(dt.timezone(dt.timedelta(hours=5))).isoformat()}
    again = patient_client.post("/api/v1/checkins/", shifted, format="json")
    assert (first.status_code, again.status_code) == (201, 200)


@pytest.mark.parametrize("change", [{"mood": 2}, {"note": "changed"}, {"anxiety": None}, {"medication_taken": True}])
def test_checkin_same_id_other_content_is_409(patient_client, change):
    body = checkin_body(mood=1, anxiety=4, note="ok")
    patient_client.post("/api/v1/checkins/", body, format="json")
    changed = {**body, **change}
    if change.get("anxiety", 0) is None:
        del changed["anxiety"]
    response = patient_client.post("/api/v1/checkins/", changed, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": f"A different record with id {body['id']} already exists."}
    stored = CheckIn.objects.get()
    assert (stored.mood, stored.anxiety, stored.note) == (1, 4, "ok")


def test_questionnaire_replay_and_conflict(patient_client):
    body = {"id": uid(), "instrument": "GAD-7", "answers": [1, 2, 3, 0, 1, 2, 3], "completed_at": iso(recent(hours=1))}
    first = patient_client.post("/api/v1/questionnaires/", body, format="json")
    again = patient_client.post("/api/v1/questionnaires/", body, format="json")
    other = patient_client.post("/api/v1/questionnaires/", {**body, "answers": [0] * 7}, format="json")
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert again.json() == first.json() == {"id": body["id"], "total": 12, "severity": "moderate", "flags": []}
    assert QuestionnaireResponse.objects.count() == 1


def test_phq9_replay_raises_one_alert(patient_client):
    body = {"id": uid(), "instrument": "PHQ-9", "answers": [0] * 8 + [2], "completed_at": iso(recent(hours=1))}
    for _ in range(3):
        patient_client.post("/api/v1/questionnaires/", body, format="json")
    assert Alert.objects.filter(kind="safety").count() == 1


def test_batch_duplicates_and_conflicts(patient_client, patient):
    start = recent(days=2)
    a, b = sleep_record(start, efficiency=0.8), steps_record(start, count=100)
    first = patient_client.post("/api/v1/signals/batch/", {"records": [a, b]}, format="json").json()
    changed_b = {**b, "count": 101}
    c = steps_record(start - dt.timedelta(days=1), count=7)
    second = patient_client.post("/api/v1/signals/batch/", {"records": [a, changed_b, c]}, format="json").json()
    assert first == {"accepted": 2, "duplicates": 0, "rejected": []}
    assert second == {
        "accepted": 1,
        "duplicates": 1,
        "rejected": [
            {"index": 1, "id": b["id"], "errors": {"id": ["A different record with this id already exists."]}}
        ],
    }
    assert SignalRecord.objects.count() == 3
    assert SignalRecord.objects.get(pk=b["id"]).count == 100


def test_same_id_twice_in_one_batch(patient_client):
    start = recent(days=2)
    a = steps_record(start, count=5)
    b = steps_record(start - dt.timedelta(days=1), count=6)
    b_changed = {**b, "count": 60}
    body = patient_client.post("/api/v1/signals/batch/", {"records": [a, a, b, b_changed]}, format="json").json()
    assert body["accepted"] == 2 and body["duplicates"] == 1
    assert [r["index"] for r in body["rejected"]] == [3]
    assert SignalRecord.objects.count() == 2


def test_replayed_batch_leaves_summary_unchanged(patient_client, patient):
    start = recent(days=2)
    records = [steps_record(start, count=1000), steps_record(start + dt.timedelta(hours=1), count=500, hours=1)]
    patient_client.post("/api/v1/signals/batch/", {"records": records}, format="json")
    before = list(DailySummary.objects.values_list("date", "steps", "passive_records"))
    body = patient_client.post("/api/v1/signals/batch/", {"records": records}, format="json").json()
    assert body == {"accepted": 0, "duplicates": 2, "rejected": []}
    assert list(DailySummary.objects.values_list("date", "steps", "passive_records")) == before


def test_another_patients_id_is_a_conflict_and_leaks_nothing(patient_client, other_patient):
    other_client = auth_client(other_patient.user)
    secret = checkin_body(mood=-3, note="private note of patient B")
    assert other_client.post("/api/v1/checkins/", secret, format="json").status_code == 201
    # Patient A replays B's exact check-in, then the same id with other content.
    same = patient_client.post("/api/v1/checkins/", secret, format="json")
    other = patient_client.post("/api/v1/checkins/", {**secret, "mood": 0}, format="json")
    assert same.status_code == 409 and other.status_code == 409
    for response in (same, other):
        assert "private note" not in response.content.decode()
    record = sleep_record(recent(days=2))
    assert other_client.post("/api/v1/signals/batch/", {"records": [record]}, format="json").json()["accepted"] == 1
    body = patient_client.post("/api/v1/signals/batch/", {"records": [record]}, format="json").json()
    assert body["accepted"] == 0 and body["duplicates"] == 0 and len(body["rejected"]) == 1
    assert CheckIn.objects.get().patient_id == other_patient.pk
    assert SignalRecord.objects.get().patient_id == other_patient.pk


# --- racing uploads (real concurrency needs PostgreSQL; SQLite serialises writers) -------------


def _race(target, n=2):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = target()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_identical_batches_racing_store_once():
    patient = PatientFactory(code="RACE1")
    grant_consents(patient)
    start = recent(days=5)
    records = [steps_record(start + dt.timedelta(hours=h), count=10, hours=1) for h in range(100)]
    responses = _race(
        lambda: auth_client(patient.user).post("/api/v1/signals/batch/", {"records": records}, format="json")
    )
    bodies = sorted((r.json()["accepted"], r.json()["duplicates"]) for r in responses)
    assert [r.status_code for r in responses] == [200, 200]
    assert bodies == [(0, 100), (100, 0)]
    assert SignalRecord.objects.count() == 100
    assert sum(DailySummary.objects.values_list("steps", flat=True)) == 1000


@pytest.mark.django_db(transaction=True)
def test_identical_checkins_racing_store_once():
    patient = PatientFactory(code="RACE2")
    grant_consents(patient)
    body = checkin_body(mood=2)
    responses = _race(lambda: auth_client(patient.user).post("/api/v1/checkins/", body, format="json"), n=4)
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert CheckIn.objects.count() == 1
    assert DailySummary.objects.get().checkins == 1


@pytest.mark.django_db(transaction=True)
def test_same_id_racing_from_two_patients_stores_one():
    a, b = PatientFactory(code="RACE3"), PatientFactory(code="RACE4")
    grant_consents(a)
    grant_consents(b)
    body = checkin_body(mood=1)
    clients = iter([auth_client(a.user), auth_client(b.user)])
    lock = threading.Lock()

    def post():
        with lock:
            client = next(clients)
        return client.post("/api/v1/checkins/", body, format="json")

    responses = _race(post)
    assert sorted(r.status_code for r in responses) == [201, 409]
    assert CheckIn.objects.count() == 1


def test_large_batch_replay_with_a_conflict_and_a_new_record(patient_client):
    """Batches of 64 records or more take PostgreSQL's COPY path: replays must still be exact."""
    start = recent(days=20)
    records = [steps_record(start + dt.timedelta(hours=h), count=h, hours=1) for h in range(200)]
    first = patient_client.post("/api/v1/signals/batch/", {"records": records}, format="json").json()
    replay = [*records[:150], {**records[150], "count": 9999}, *records[151:], steps_record(recent(days=1), count=1)]
    second = patient_client.post("/api/v1/signals/batch/", {"records": replay}, format="json").json()
    assert first == {"accepted": 200, "duplicates": 0, "rejected": []}
    assert second["accepted"] == 1 and second["duplicates"] == 199
    assert [(r["index"], r["id"]) for r in second["rejected"]] == [(150, records[150]["id"])]
    assert SignalRecord.objects.count() == 201
    assert SignalRecord.objects.get(pk=records[150]["id"]).count == 150


def test_bulk_checkins_and_questionnaires_replay(patient):
    """Many rows of one patient at once (the import's path; COPY on PostgreSQL)."""
    import uuid

    from monitoring import services
    from monitoring.validation import CheckInIn, QuestionnaireIn

    base = recent(days=40)
    checkins = [
        CheckInIn(uuid.uuid4(), base + dt.timedelta(hours=6 * i), (base + dt.timedelta(hours=6 * i)).date(),
                  i % 7 - 3, i % 11, None, 5, None, i % 2 == 0, f"note {i}")
        for i in range(100)
    ]  # fmt: skip
    answers = [
        QuestionnaireIn(uuid.uuid4(), "GAD-7", [i % 4] * 7, base + dt.timedelta(hours=i), base.date())
        for i in range(80)
    ]
    assert set(services.checkins_store(patient=patient, checkins=checkins)) == {"stored"}
    assert set(services.questionnaires_store(patient=patient, records=answers)) == {"stored"}
    changed = [*checkins[:-1], checkins[-1]._replace(note="edited")]
    assert services.checkins_store(patient=patient, checkins=changed) == ["duplicate"] * 99 + ["conflict"]
    assert set(services.questionnaires_store(patient=patient, records=answers)) == {"duplicate"}
    assert CheckIn.objects.count() == 100 and QuestionnaireResponse.objects.count() == 80
    assert QuestionnaireResponse.objects.get(pk=answers[5].id).answers == [1] * 7
    assert CheckIn.objects.get(pk=checkins[-1].id).note == "note 99"
    assert sum(DailySummary.objects.values_list("checkins", flat=True)) == 100


def test_a_rolled_back_replay_does_not_break_the_next_one(patient):
    """A replay of many rows goes through a session staging table on PostgreSQL; when the
    transaction that created it is rolled back, the table goes with it, and the next replay
    on the same connection must not count on it."""
    import uuid

    from django.db import transaction

    from monitoring import services
    from monitoring.validation import CheckInIn

    base = recent(days=30)
    checkins = [
        CheckInIn(uuid.uuid4(), base + dt.timedelta(hours=i), (base + dt.timedelta(hours=i)).date(),
                  1, 2, None, 5, None, True, f"note {i}")
        for i in range(70)
    ]  # fmt: skip
    assert set(services.checkins_store(patient=patient, checkins=checkins)) == {"stored"}
    with pytest.raises(RuntimeError), transaction.atomic():
        assert set(services.checkins_store(patient=patient, checkins=checkins)) == {"duplicate"}
        raise RuntimeError("the request fails after the replay")
    assert set(services.checkins_store(patient=patient, checkins=checkins)) == {"duplicate"}
    assert CheckIn.objects.count() == 70


def test_insert_or_keep_keeps_existing_rows_and_returns_the_ids_of_every_key(patient):
    """The engine's keep mode (the risk scores' writer), on a table of this app: a row whose
    unique key is there is kept as it is, and the ids of all the keys' rows come back, each
    once; a second call in the same transaction starts from an empty staging table."""
    from django.db import transaction
    from django.utils import timezone

    from monitoring.bulk import inserter

    keep = inserter(
        DailySummary,
        ["patient", "date", "checkins", "mood", "passive_records", "updated_at"],
        keep_on=["patient", "date"],
    )
    now = timezone.now()
    days = [dt.date(2026, 5, 1) + dt.timedelta(days=i) for i in range(4)]

    def row(i: int, mood: float) -> tuple:
        return (patient.pk, days[i], 1, mood, 0, now)

    with transaction.atomic():
        first = keep.insert_or_keep([row(0, 1.0), row(1, 1.0)])
    with transaction.atomic():
        second = keep.insert_or_keep([row(1, -2.0), row(2, -2.0), row(2, -2.0), row(0, -2.0)])
        third = keep.insert_or_keep([row(3, 0.0)])
    ids = dict(DailySummary.objects.values_list("date", "pk"))
    assert sorted(first) == sorted([ids[days[0]], ids[days[1]]])
    assert sorted(second) == sorted([ids[days[0]], ids[days[1]], ids[days[2]]])
    assert third == [ids[days[3]]]
    assert dict(DailySummary.objects.values_list("date", "mood")) == dict(zip(days, [1.0, 1.0, -2.0, 0.0], strict=True))
    assert keep.insert_or_keep([]) == []
