"""The desk's alert API: triage order and grouping, filters and their 400s, the age of the data,
assign, the note thread, the handover, the escalation countdown (docs/alerts.md, "Desk API")."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import services
from alerts.models import Alert, AlertEvent, AlertNote
from patients.models import AuditEvent
from tests.alerts.conftest import raise_manual, raise_safety
from tests.conftest import auth_client
from tests.factories import ClinicianFactory, PatientFactory

pytestmark = pytest.mark.django_db


def aged(alert: Alert, **delta: float) -> Alert:
    """The alert as if raised `delta` ago."""
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - dt.timedelta(**delta))
    alert.refresh_from_db()
    return alert


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [a["id"] for a in response.data["results"]]


# --- triage order and grouping ------------------------------------------------------------------


def test_triage_puts_unacknowledged_critical_first_newest_first_then_severity_and_age(nurse, nurse_client, team):
    p1, p2, p3 = (PatientFactory(care_team=team) for _ in range(3))
    old_critical = aged(raise_safety(p1), hours=5)
    acked_critical = aged(raise_safety(p2), hours=1)
    services.alert_acknowledge(alert=acked_critical, user=nurse)
    high_old = aged(raise_manual(p3, nurse, severity="high"), hours=3)
    high_new = aged(raise_manual(p1, nurse, severity="high"), hours=2)
    low = aged(raise_manual(p2, nurse, severity="low"), hours=9)
    new_critical = raise_safety(p3)  # the newest: at the top, above older open safety alerts

    got = ids(nurse_client.get("/api/v1/alerts/?ordering=triage&status=active"))

    assert got == [
        str(new_critical.pk),
        str(old_critical.pk),
        str(acked_critical.pk),  # critical but acknowledged: with the others, by severity
        str(high_old.pk),
        str(high_new.pk),
        str(low.pk),
    ]


def test_group_by_patient_keeps_a_patients_alerts_together_most_urgent_group_first(nurse, nurse_client, team):
    anna, bob = PatientFactory(care_team=team, code="ANNA"), PatientFactory(care_team=team, code="BOB")
    anna_low = aged(raise_manual(anna, nurse, severity="low"), hours=10)
    bob_high = aged(raise_manual(bob, nurse, severity="high"), hours=8)
    anna_critical_old = aged(raise_safety(anna), hours=4)
    bob_critical_new = raise_safety(bob)

    response = nurse_client.get("/api/v1/alerts/?group=patient&status=active")

    assert ids(response) == [str(bob_critical_new.pk), str(bob_high.pk), str(anna_critical_old.pk), str(anna_low.pk)]
    assert [a["group"] for a in response.data["results"]] == [str(bob.pk)] * 2 + [str(anna.pk)] * 2
    assert response.data["count"] == 4
    # Pages cut the grouped order, not the groups' own order.
    page = nurse_client.get("/api/v1/alerts/?group=patient&status=active&limit=2&offset=2")
    assert ids(page) == [str(anna_critical_old.pk), str(anna_low.pk)]


def test_grouped_list_and_context_cost_a_fixed_number_of_queries(nurse, nurse_client, team):
    patients = [PatientFactory(care_team=team) for _ in range(2)]
    for p in patients:
        raise_safety(p)
    url = "/api/v1/alerts/?group=patient&context=1"
    with CaptureQueriesContext(connection) as few:
        assert nurse_client.get(url).status_code == 200
    for _ in range(3):
        patients.append(PatientFactory(care_team=team))
    for p in patients:
        raise_manual(p, nurse, severity="high")
        services.alert_note_add(alert=raise_safety(p), user=nurse, kind="note", text="called")
    with CaptureQueriesContext(connection) as many:
        response = nurse_client.get(url)
    assert response.data["count"] == 12
    assert all(a["context"]["patient"]["id"] == a["patient"] for a in response.data["results"])
    assert len(many.captured_queries) == len(few.captured_queries)


# --- filters ------------------------------------------------------------------------------------


def test_filters_by_patient_severity_assignee_and_dates(nurse, nurse_client, team):
    colleague = ClinicianFactory(role="nurse", teams=[team])
    p1, p2 = PatientFactory(care_team=team), PatientFactory(care_team=team)
    critical = raise_safety(p1)
    high = raise_manual(p2, nurse, severity="high")
    low = aged(raise_manual(p1, nurse, severity="low"), days=3)
    services.alert_assign(alert=critical, user=nurse, assignee_id=nurse.pk)
    services.alert_assign(alert=high, user=nurse, assignee_id=colleague.pk)

    assert set(ids(nurse_client.get(f"/api/v1/alerts/?patient={p1.pk}"))) == {str(critical.pk), str(low.pk)}
    assert set(ids(nurse_client.get("/api/v1/alerts/?severity=critical,high"))) == {str(critical.pk), str(high.pk)}
    assert ids(nurse_client.get("/api/v1/alerts/?assignee=me")) == [str(critical.pk)]
    assert ids(nurse_client.get(f"/api/v1/alerts/?assignee={colleague.pk}")) == [str(high.pk)]
    assert ids(nurse_client.get("/api/v1/alerts/?assignee=none")) == [str(low.pk)]
    today = timezone.localdate().isoformat()
    assert set(ids(nurse_client.get(f"/api/v1/alerts/?from={today}"))) == {str(critical.pk), str(high.pk)}
    before = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert ids(nurse_client.get("/api/v1/alerts/", {"to": before})) == [str(low.pk)]


def test_a_date_filter_is_a_day_of_the_care_teams_calendar(nurse_client, patient, team):
    team.timezone = "Pacific/Auckland"  # UTC+12/+13: its days start the previous UTC evening
    team.save()
    alert = raise_safety(patient)
    auckland_midnight = dt.datetime(2026, 8, 11, 0, 0, tzinfo=ZoneInfo("Pacific/Auckland"))
    Alert.objects.filter(pk=alert.pk).update(created_at=auckland_midnight + dt.timedelta(minutes=30))
    # 10 Aug 12:30 UTC: already 11 August in the team's zone.
    assert ids(nurse_client.get("/api/v1/alerts/?from=2026-08-11&to=2026-08-11")) == [str(alert.pk)]
    assert ids(nurse_client.get("/api/v1/alerts/?to=2026-08-10")) == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("severity=urgent", "severity"),
        ("severity=critical,nope", "severity"),
        ("assignee=bob", "assignee"),
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-08-10T08:00:00", "from"),  # no offset
        ("from=2026-08-10&to=2026-08-01", "to"),
        ("status=closed", "status"),
        ("group=team", "group"),
        ("ordering=severity", "ordering"),
        ("patient=not-a-uuid", "patient"),
    ],
)
def test_bad_filter_values_are_clear_400s(nurse_client, query, field):
    response = nurse_client.get(f"/api/v1/alerts/?{query}")
    assert response.status_code == 400
    assert field in response.data, response.data


def test_filter_on_another_teams_patient_is_404(nurse_client, other_patient):
    raise_safety(other_patient)
    assert nurse_client.get(f"/api/v1/alerts/?patient={other_patient.pk}").status_code == 404


# --- the age of the data ----------------------------------------------------------------------------


def test_a_late_upload_still_alerts_marked_late_with_both_times(patient, patient_client, nurse_client):
    answered = timezone.now() - dt.timedelta(days=3)
    body = {"id": str(uuid.uuid4()), "instrument": "PHQ-9", "answers": [1] * 9, "completed_at": answered.isoformat()}
    assert patient_client.post("/api/v1/questionnaires/", body, format="json").status_code == 201
    fresh = {**body, "id": str(uuid.uuid4()), "completed_at": (timezone.now() - dt.timedelta(hours=1)).isoformat()}
    assert patient_client.post("/api/v1/questionnaires/", fresh, format="json").status_code == 201

    rows = {a["detail"]["questionnaire_id"]: a for a in nurse_client.get("/api/v1/alerts/").data["results"]}

    late, on_time = rows[body["id"]], rows[fresh["id"]]
    assert late["late"] is True and on_time["late"] is False
    assert dt.datetime.fromisoformat(late["recorded_at"]) == answered
    received = dt.datetime.fromisoformat(late["received_at"])
    assert received - answered > dt.timedelta(days=2, hours=23)
    assert late["kind"] == "safety" and late["status"] == "open"


def test_late_threshold_is_a_setting(settings, patient, nurse_client):
    settings.ALERT_LATE_AFTER_HOURS = 1
    services.alert_raise_safety(
        patient=patient, questionnaire_id=uuid.uuid4(), item9=1, completed_at=timezone.now() - dt.timedelta(hours=2)
    )
    assert nurse_client.get("/api/v1/alerts/").data["results"][0]["late"] is True


# --- escalation countdown ---------------------------------------------------------------------------


def test_escalates_at_counts_down_on_open_critical_alerts_only(nurse, nurse_client, patient, team):
    team.escalation_minutes = 20
    team.save()
    critical = raise_safety(patient)
    high = raise_manual(patient, nurse, severity="high")
    rows = {a["id"]: a for a in nurse_client.get("/api/v1/alerts/").data["results"]}
    due = dt.datetime.fromisoformat(rows[str(critical.pk)]["escalates_at"])
    assert due == critical.created_at + dt.timedelta(minutes=20)
    assert rows[str(high.pk)]["escalates_at"] is None
    services.alert_acknowledge(alert=critical, user=nurse)
    assert nurse_client.get(f"/api/v1/alerts/{critical.pk}/").data["escalates_at"] is None


# --- assign -------------------------------------------------------------------------------------------


def test_claim_give_and_unassign_are_audited_and_logged_as_events(nurse, nurse_client, patient, team):
    colleague = ClinicianFactory(role="psychiatrist", teams=[team], first_name="Ada", last_name="Moreau")
    alert = raise_safety(patient)

    claimed = nurse_client.post(f"/api/v1/alerts/{alert.pk}/assign/", {"assignee": "me"}, format="json")
    assert claimed.status_code == 200
    assert claimed.data["assigned_to"] == {"id": nurse.pk, "username": "nurse-a", "name": "nurse-a"}
    assert claimed.data["assigned_at"] is not None
    given = nurse_client.post(f"/api/v1/alerts/{alert.pk}/assign/", {"assignee": colleague.pk}, format="json")
    assert given.data["assigned_to"]["name"] == "Ada Moreau"
    again = nurse_client.post(f"/api/v1/alerts/{alert.pk}/assign/", {"assignee": colleague.pk}, format="json")
    assert again.status_code == 200
    dropped = nurse_client.post(f"/api/v1/alerts/{alert.pk}/assign/", {"assignee": None}, format="json")
    assert dropped.data["assigned_to"] is None and dropped.data["assigned_at"] is None

    events = list(AlertEvent.objects.filter(alert=alert, event="assigned").order_by("seq"))
    assert [e.detail["assignee"] and e.detail["assignee"]["id"] for e in events] == [nurse.pk, colleague.pk, None]
    assert all(e.actor_id == nurse.pk for e in events)
    audits = list(AuditEvent.objects.filter(resource="alert_assignment").order_by("id"))
    assert [(a.detail["to"], a.detail["changed"]) for a in audits] == [
        (nurse.pk, True),
        (colleague.pk, True),
        (colleague.pk, False),
        (None, True),
    ]
    assert all(a.patient_id == patient.pk and a.actor_id == nurse.pk for a in audits)


def test_assign_refuses_outsiders_and_resolved_alerts(nurse, nurse_client, patient, other_nurse, other_patient):
    alert = raise_safety(patient)
    url = f"/api/v1/alerts/{alert.pk}/assign/"
    outside = nurse_client.post(url, {"assignee": other_nurse.pk}, format="json")
    assert outside.status_code == 400 and "assignee" in outside.data
    assert nurse_client.post(url, {"assignee": patient.user.pk}, format="json").status_code == 400
    assert nurse_client.post(url, {"assignee": "someone"}, format="json").status_code == 400
    assert nurse_client.post(url, {}, format="json").status_code == 400
    # Another team's nurse: the alert does not exist.
    assert auth_client(other_nurse).post(url, {"assignee": "me"}, format="json").status_code == 404
    assert AuditEvent.objects.filter(resource="alert", action="denied", actor_id=other_nurse.pk).exists()
    # The patient: not a clinician.
    assert auth_client(patient.user).post(url, {"assignee": "me"}, format="json").status_code == 403
    services.alert_resolve(alert=alert, user=nurse, note="called back, safe")
    assert nurse_client.post(url, {"assignee": "me"}, format="json").status_code == 409
    assert Alert.objects.get(pk=alert.pk).assigned_to_id is None


# --- notes ------------------------------------------------------------------------------------------------


def test_note_thread_call_attempts_and_notes(nurse, nurse_client, psychiatrist_client, patient):
    alert = raise_safety(patient)
    url = f"/api/v1/alerts/{alert.pk}/notes/"

    call = nurse_client.post(url, {"kind": "call", "outcome": "no_answer"}, format="json")
    note = psychiatrist_client.post(url, {"kind": "note", "text": "  Sister has a key.  "}, format="json")
    message = nurse_client.post(url, {"kind": "call", "outcome": "message_left", "text": "voicemail"}, format="json")

    assert call.status_code == note.status_code == message.status_code == 201
    assert call.data["kind"] == "call" and call.data["outcome"] == "no_answer" and call.data["text"] == ""
    assert note.data["outcome"] is None and note.data["text"] == "Sister has a key."
    assert note.data["author"]["username"] == "psy-a"
    thread = nurse_client.get(url)
    assert thread.status_code == 200 and thread.data["count"] == 3
    assert [n["id"] for n in thread.data["results"]] == [call.data["id"], note.data["id"], message.data["id"]]
    assert nurse_client.get(f"/api/v1/alerts/{alert.pk}/").data["notes_count"] == 3
    assert AlertEvent.objects.filter(alert=alert, event="noted").count() == 3
    audits = AuditEvent.objects.filter(resource="alert_note", action="create", patient_id=patient.pk)
    assert audits.count() == 3
    assert AuditEvent.objects.filter(resource="alert", action="read", patient_id=patient.pk).exists()
    # A resolved alert still takes a follow-up note.
    services.alert_resolve(alert=alert, user=nurse, note="reached her sister")
    assert nurse_client.post(url, {"kind": "note", "text": "follow-up tomorrow"}, format="json").status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "call"}, "outcome"),
        ({"kind": "call", "outcome": "maybe"}, "outcome"),
        ({"kind": "note"}, "text"),
        ({"kind": "note", "text": "   "}, "text"),
        ({"kind": "note", "text": "x", "outcome": "reached"}, "outcome"),
        ({"kind": "note", "text": "x" * 2001}, "text"),
        ({"kind": "letter", "text": "x"}, "kind"),
    ],
)
def test_bad_notes_are_400s_and_store_nothing(nurse_client, patient, body, field):
    alert = raise_safety(patient)
    response = nurse_client.post(f"/api/v1/alerts/{alert.pk}/notes/", body, format="json")
    assert response.status_code == 400 and field in response.data, response.data
    assert not AlertNote.objects.exists()


def test_notes_of_another_team_or_for_a_patient_do_not_exist(patient, other_nurse):
    alert = raise_safety(patient)
    url = f"/api/v1/alerts/{alert.pk}/notes/"
    services.alert_note_add(alert=alert, user=None, kind="note", text="private")  # type: ignore[arg-type]
    other = auth_client(other_nurse)
    assert other.get(url).status_code == 404
    assert other.post(url, {"kind": "note", "text": "x"}, format="json").status_code == 404
    assert auth_client(patient.user).get(url).status_code == 403
    assert AlertNote.objects.count() == 1


# --- handover ---------------------------------------------------------------------------------------------


def test_handover_tells_what_happened_since_and_who_did_it(nurse, nurse_client, patient, team, other_patient):
    colleague = ClinicianFactory(username="nurse-night", role="nurse", teams=[team])
    before = raise_safety(patient)
    AlertEvent.objects.filter(alert=before).update(at=timezone.now() - dt.timedelta(hours=10))
    since = timezone.now() - dt.timedelta(hours=8)
    new = raise_safety(patient)
    services.alert_assign(alert=new, user=colleague, assignee_id=colleague.pk)
    services.alert_note_add(alert=new, user=colleague, kind="call", outcome="reached", text="safe at home")
    services.alert_acknowledge(alert=new, user=colleague)
    services.alert_resolve(alert=before, user=colleague, note="seen in clinic")
    raise_safety(other_patient)  # another team's night: not in this handover

    response = nurse_client.get("/api/v1/alerts/handover/", {"since": since.isoformat()})

    assert response.status_code == 200
    body = response.data
    assert [(e["event"], e["alert"]["id"]) for e in body["events"]] == [
        ("created", str(new.pk)),
        ("assigned", str(new.pk)),
        ("noted", str(new.pk)),
        ("acknowledged", str(new.pk)),
        ("resolved", str(before.pk)),
    ]
    assert {e["actor"]["username"] for e in body["events"][1:]} == {"nurse-night"}
    assert body["events"][2]["note"]["outcome"] == "reached"
    assert body["events"][1]["assignee"]["username"] == "nurse-night"
    assert body["counts"]["created"] == 1 and body["counts"]["noted"] == 1 and body["counts"]["resolved"] == 1
    assert [a["id"] for a in body["open"]] == [str(new.pk)]
    audit = AuditEvent.objects.filter(resource="alert_handover").latest("id")
    assert audit.actor_id == nurse.pk and audit.detail["count"] == 5
    assert str(other_patient.pk) not in audit.detail["patients"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"since": "last night"},
        {"since": "2026-08-10T08:00:00+02:00"},  # more than 7 days ago
        {"since": (timezone.now() + dt.timedelta(hours=1)).isoformat()},
        {"since": (timezone.now() - dt.timedelta(hours=2)).isoformat(), "until": "2000-01-01T00:00:00Z"},
    ],
)
def test_handover_bad_since_is_400(nurse_client, params):
    response = nurse_client.get("/api/v1/alerts/handover/", params)
    assert response.status_code == 400


def test_handover_is_for_clinicians(patient_client):
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    assert patient_client.get("/api/v1/alerts/handover/", {"since": since}).status_code == 403
