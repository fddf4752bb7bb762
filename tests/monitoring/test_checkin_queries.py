"""The check-in endpoint is the phone's hot path (B2 in ../shared/BENCHMARKS.md): its SQL
statements are pinned so that a new one per request is a decision, not an accident; its audit
row commits with the check-in (one commit per request, not two) and is written whatever the
outcome; its response is what its serializer gives."""

import datetime as dt
import uuid

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from monitoring.serializers import CheckInOutputSerializer, checkin_output
from monitoring.validation import CheckInIn
from patients.models import AuditEvent
from tests.monitoring.conftest import checkin_body

pytestmark = pytest.mark.django_db(transaction=True)


def _kind(sql: str) -> str:
    words = sql.split()
    if words[0] in ("BEGIN", "COMMIT", "ROLLBACK"):
        return words[0]
    return f"{words[0]} {words[2]}" if words[0] == "INSERT" else words[0]


def test_a_checkin_is_four_statements_and_one_commit_on_postgresql(make_patient):
    _patient, client = make_patient()
    assert client.post("/api/v1/checkins/", checkin_body(), format="json").status_code == 201  # compiles the caches
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/checkins/", checkin_body(), format="json")
    assert response.status_code == 201
    kinds = [_kind(q["sql"]) for q in queries.captured_queries]
    gate = (
        # The consent gate, which locks the patient's row, with the audit row written by the same
        # statement (a data-modifying WITH) on PostgreSQL, by one just before it on SQLite.
        ["WITH"] if connection.vendor == "postgresql" else ['INSERT "patients_auditevent"', "SELECT"]
    )
    assert kinds == [
        "SELECT",  # the user with its patient and care team (authentication)
        "BEGIN",
        *gate,
        'INSERT "monitoring_checkin"',
        'INSERT "monitoring_dailysummary"',  # the day's self-report summary, upserted
        "COMMIT",
    ]


def _audited() -> list[tuple[str, str, str]]:
    return list(AuditEvent.objects.order_by("id").values_list("action", "resource", "method"))


def test_every_outcome_leaves_its_audit_row(make_patient):
    patient, client = make_patient(scopes=["self_report"])
    body = checkin_body()
    statuses = [
        client.post("/api/v1/checkins/", body, format="json").status_code,  # created
        client.post("/api/v1/checkins/", body, format="json").status_code,  # replayed
        client.post("/api/v1/checkins/", {**body, "mood": 2}, format="json").status_code,  # conflict
        client.post("/api/v1/checkins/", {**checkin_body(), "mood": 9}, format="json").status_code,  # invalid
        client.post("/api/v1/checkins/", "{not json", content_type="application/json").status_code,
        client.post("/api/v1/checkins/", [1, 2], format="json").status_code,  # not an object
    ]
    assert statuses == [201, 200, 409, 400, 400, 400]
    assert _audited() == [("create", "checkin", "POST")] * 6
    assert set(AuditEvent.objects.values_list("patient_id", flat=True)) == {patient.pk}


def test_a_checkin_refused_for_consent_is_audited(make_patient):
    _patient, client = make_patient(scopes=["sleep"])
    assert client.post("/api/v1/checkins/", checkin_body(), format="json").status_code == 403
    assert _audited() == [("create", "checkin", "POST")]


def test_a_checkin_whose_transaction_fails_is_audited_all_the_same(make_patient):
    """The check-in's transaction is rolled back with its audit row: the row is written again
    on its own. A trigger of the test's making refuses a mood of 3 in the database."""
    _patient, client = make_patient()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION b2fast_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER b2fast_refuse BEFORE INSERT ON monitoring_checkin FOR EACH ROW "
                "WHEN (NEW.mood = 3) EXECUTE FUNCTION b2fast_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER b2fast_refuse BEFORE INSERT ON monitoring_checkin WHEN NEW.mood = 3 "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
    try:
        with pytest.raises(DatabaseError):
            client.post("/api/v1/checkins/", checkin_body(mood=3), format="json")
        assert _audited() == [("create", "checkin", "POST")]
        assert client.post("/api/v1/checkins/", checkin_body(mood=2), format="json").status_code == 201
        assert _audited() == [("create", "checkin", "POST")] * 2
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TRIGGER b2fast_refuse" + (" ON monitoring_checkin" if connection.vendor == "postgresql" else "")
            )
            if connection.vendor == "postgresql":
                cursor.execute("DROP FUNCTION b2fast_refuse()")


@pytest.mark.parametrize(
    ("values", "flags"),
    [
        ({}, []),
        ({"anxiety": 0, "energy": 10, "irritability": 3, "sleep_quality": 7, "medication_taken": False}, []),
        ({"medication_taken": True, "note": "Je veux mourir", "for_next_appointment": True}, ["risk_language"]),
    ],
)
def test_the_response_body_is_the_serializers(values, flags):
    recorded_at = dt.datetime(2026, 3, 1, 22, 30, 5, 123456, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    fields = {
        "id": uuid.uuid4(),
        "recorded_at": recorded_at,
        "day": dt.date(2026, 3, 1),
        "mood": -2,
        "anxiety": None,
        "energy": None,
        "irritability": None,
        "sleep_quality": None,
        "medication_taken": None,
        "note": "",
        "for_next_appointment": False,
        **values,
    }
    checkin = CheckInIn(**fields)
    expected = CheckInOutputSerializer({**checkin._asdict(), "flags": flags, "crisis_line": bool(flags)}).data
    assert checkin_output(checkin, flags) == expected
    assert list(checkin_output(checkin, flags)) == list(expected)
