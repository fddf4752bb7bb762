"""The alert API: scoped to the caller's care teams, audited, no N+1."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from alerts.models import Alert, AlertEvent
from patients.models import AuditEvent
from tests.alerts.conftest import raise_manual, raise_safety
from tests.conftest import auth_client
from tests.factories import ClinicianFactory, PatientFactory

pytestmark = pytest.mark.django_db


def snapshot(alert):
    alert.refresh_from_db()
    return (alert.status, alert.acknowledged_by_id, alert.resolved_by_id, alert.resolution_note, alert.events.count())


def test_list_shows_only_the_callers_teams(nurse_client, patient, other_patient, other_nurse):
    mine = raise_safety(patient)
    raise_safety(other_patient)

    response = nurse_client.get("/api/v1/alerts/")

    assert response.status_code == 200
    assert response.data["count"] == 1
    item = response.data["results"][0]
    assert item["id"] == str(mine.pk) and item["patient"] == str(patient.pk) and item["patient_code"] == "PA1"
    assert item["kind"] == "safety" and item["severity"] == "critical" and item["status"] == "open"
    assert item["escalated"] is False and item["dashboard_url"] == f"/dashboard/patients/{patient.pk}/"
    assert "PB1" not in response.content.decode()
    # One row per patient listed (each one's access log shows it), none for the others.
    audit = AuditEvent.objects.get(resource="alert_list")
    assert (audit.patient_id, audit.detail) == (patient.pk, {"count": 1})


def test_list_query_count_does_not_grow_with_alerts(nurse_client, nurse, team):
    patients = [PatientFactory(care_team=team) for _ in range(3)]
    for p in patients:
        a = raise_safety(p)
    from alerts import services

    services.alert_acknowledge(alert=a, user=nurse)
    with CaptureQueriesContext(connection) as few:
        assert nurse_client.get("/api/v1/alerts/").status_code == 200
    for _ in range(5):
        for p in patients:
            raise_manual(p, nurse)
    with CaptureQueriesContext(connection) as many:
        response = nurse_client.get("/api/v1/alerts/")
    assert response.data["count"] == 18
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=open", {"safety-open", "manual-open"}),
        ("status=acknowledged", {"safety-ack"}),
        ("status=active", {"safety-open", "manual-open", "safety-ack"}),
        ("status=resolved", {"manual-resolved"}),
        ("kind=manual", {"manual-open", "manual-resolved"}),
        ("kind=safety&status=open", {"safety-open"}),
    ],
)
def test_list_filters(nurse_client, nurse, patient, query, expected):
    from alerts import services

    labels = {}
    labels[raise_safety(patient).pk] = "safety-open"
    ack = raise_safety(patient)
    services.alert_acknowledge(alert=ack, user=nurse)
    labels[ack.pk] = "safety-ack"
    labels[raise_manual(patient, nurse).pk] = "manual-open"
    res = raise_manual(patient, nurse)
    services.alert_resolve(alert=res, user=nurse, note="ok")
    labels[res.pk] = "manual-resolved"

    response = nurse_client.get(f"/api/v1/alerts/?{query}")

    assert response.status_code == 200
    assert {labels[uuid.UUID(a["id"])] for a in response.data["results"]} == expected


def test_list_triage_order_and_bad_filters(nurse_client, nurse, patient):
    low = raise_manual(patient, nurse, severity="low")
    crit = raise_safety(patient)
    high = raise_manual(patient, nurse, severity="high")
    response = nurse_client.get("/api/v1/alerts/?ordering=triage")
    assert [a["id"] for a in response.data["results"]] == [str(crit.pk), str(high.pk), str(low.pk)]

    bad = nurse_client.get("/api/v1/alerts/?status=closed&kind=other")
    assert bad.status_code == 400
    assert set(bad.data) == {"status", "kind"}


def test_list_by_patient_of_another_team_is_404(nurse_client, other_patient):
    raise_safety(other_patient)
    response = nurse_client.get(f"/api/v1/alerts/?patient={other_patient.pk}")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="denied", patient_id=other_patient.pk).exists()


def test_detail_is_audited(nurse_client, patient):
    alert = raise_safety(patient)
    response = nurse_client.get(f"/api/v1/alerts/{alert.pk}/")
    assert response.status_code == 200 and response.data["id"] == str(alert.pk)
    assert AuditEvent.objects.filter(resource="alert", action="read", patient_id=patient.pk).exists()


def test_acknowledge_and_resolve(nurse_client, psychiatrist_client, patient):
    alert = raise_safety(patient)

    ack = nurse_client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert ack.status_code == 200 and ack.data["status"] == "acknowledged" and ack.data["acknowledged_by"] == "nurse-a"
    assert nurse_client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 200  # idempotent

    missing = psychiatrist_client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {}, format="json")
    assert missing.status_code == 400 and "note" in missing.data
    blank = psychiatrist_client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": "  "}, format="json")
    assert blank.status_code == 400 and "note" in blank.data

    done = psychiatrist_client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": "Seen in clinic."}, format="json")
    assert done.status_code == 200 and done.data["status"] == "resolved" and done.data["resolved_by"] == "psy-a"
    assert done.data["resolution_note"] == "Seen in clinic."

    late = nurse_client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert late.status_code == 409
    other = nurse_client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": "Other"}, format="json")
    assert other.status_code == 409
    assert list(alert.events.values_list("event", flat=True)) == ["created", "acknowledged", "resolved"]
    assert AuditEvent.objects.filter(resource="alert", action="update", patient_id=patient.pk).count() >= 3


@pytest.mark.parametrize("action", ["get", "acknowledge", "resolve"])
def test_other_team_gets_404_and_nothing_changes(other_nurse, patient, action):
    alert = raise_safety(patient)
    before = snapshot(alert)
    client = auth_client(other_nurse)
    if action == "get":
        response = client.get(f"/api/v1/alerts/{alert.pk}/")
    else:
        response = client.post(f"/api/v1/alerts/{alert.pk}/{action}/", {"note": "x"}, format="json")
    assert response.status_code == 404
    assert "PA1" not in response.content.decode()
    assert snapshot(alert) == before
    assert AuditEvent.objects.filter(action="denied", resource="alert", actor_id=other_nurse.pk).exists()


@pytest.mark.parametrize("who", ["anonymous", "patient", "admin"])
def test_non_clinicians_are_refused(who, patient):
    from tests.factories import UserFactory

    alert = raise_safety(patient)
    before = snapshot(alert)
    if who == "anonymous":
        client, expected = APIClient(), 401
    elif who == "patient":
        client, expected = auth_client(patient.user), 403
    else:
        client, expected = auth_client(UserFactory(username="root", role="admin", is_staff=True)), 403
    assert client.get("/api/v1/alerts/").status_code == expected
    assert client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == expected
    assert (
        client.post("/api/v1/alerts/", {"patient": str(patient.pk), "title": "x"}, format="json").status_code
        == expected
    )
    assert snapshot(alert) == before


def test_manual_alert(nurse_client, patient, other_patient):
    cid = str(uuid.uuid4())
    body = {"id": cid, "patient": str(patient.pk), "title": "Sister called: worried", "note": "Call today"}
    created = nurse_client.post("/api/v1/alerts/", body, format="json")
    assert created.status_code == 201
    assert created.data["kind"] == "manual" and created.data["severity"] == "medium"
    assert created.data["created_by"] == "nurse-a" and created.data["detail"] == {"note": "Call today"}
    assert nurse_client.post("/api/v1/alerts/", body, format="json").status_code == 200
    assert nurse_client.post("/api/v1/alerts/", {**body, "note": "changed"}, format="json").status_code == 409

    outside = nurse_client.post("/api/v1/alerts/", {"patient": str(other_patient.pk), "title": "x"}, format="json")
    assert outside.status_code == 404
    invalid = nurse_client.post(
        "/api/v1/alerts/", {"patient": "nope", "title": "", "severity": "urgent"}, format="json"
    )
    assert invalid.status_code == 400 and set(invalid.data) == {"patient", "title", "severity"}
    assert Alert.objects.count() == 1 and not Alert.objects.filter(patient=other_patient).exists()


def test_event_replay_api(nurse_client, nurse, patient, other_patient):
    from alerts import services

    alert = raise_safety(patient)
    raise_safety(other_patient)
    services.alert_acknowledge(alert=alert, user=nurse)
    first_seq = AlertEvent.objects.filter(alert=alert).order_by("seq").first().seq

    response = nurse_client.get("/api/v1/alerts/events/?after=0")
    assert response.status_code == 200
    assert [(m["type"], m["event"]) for m in response.data["results"]] == [
        ("alert", "created"),
        ("alert", "acknowledged"),
    ]
    assert response.data["results"][0]["alert"]["status"] == "acknowledged"  # current state
    assert response.data["more"] is False

    after = nurse_client.get(f"/api/v1/alerts/events/?after={first_seq}&limit=1")
    assert [m["event"] for m in after.data["results"]] == ["acknowledged"]
    assert after.data["more"] is True and after.data["last_seq"] == after.data["results"][0]["seq"]
    assert nurse_client.get("/api/v1/alerts/events/?after=-1").status_code == 400


def test_risk_alert_switch(psychiatrist_client, nurse_client, team, other_team):
    assert nurse_client.get(f"/api/v1/care-teams/{team.pk}/risk-alerts/").data["risk_alerts_paused"] is False
    refused = nurse_client.post(f"/api/v1/care-teams/{team.pk}/risk-alerts/", {"paused": True, "reason": "x"})
    assert refused.status_code == 403
    no_reason = psychiatrist_client.post(f"/api/v1/care-teams/{team.pk}/risk-alerts/", {"paused": True}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.data
    outside = psychiatrist_client.post(
        f"/api/v1/care-teams/{other_team.pk}/risk-alerts/", {"paused": True, "reason": "x"}, format="json"
    )
    assert outside.status_code == 404
    team.refresh_from_db()
    other_team.refresh_from_db()
    assert team.risk_alerts_paused is False and other_team.risk_alerts_paused is False

    paused = psychiatrist_client.post(
        f"/api/v1/care-teams/{team.pk}/risk-alerts/", {"paused": True, "reason": "Model under review"}, format="json"
    )
    assert paused.status_code == 200 and paused.data == {"care_team": team.pk, "risk_alerts_paused": True}
    team.refresh_from_db()
    assert team.risk_alerts_paused is True
    audit = AuditEvent.objects.filter(resource="care_team_risk_alerts", action="update").get()
    assert audit.detail["reason"] == "Model under review" and audit.detail["paused"] is True
    resumed = psychiatrist_client.post(f"/api/v1/care-teams/{team.pk}/risk-alerts/", {"paused": False}, format="json")
    assert resumed.data["risk_alerts_paused"] is False


def test_other_clinician_of_two_teams_sees_both(patient, other_patient, team, other_team):
    both = ClinicianFactory(username="float", role="nurse", teams=[team, other_team])
    raise_safety(patient)
    raise_safety(other_patient)
    assert auth_client(both).get("/api/v1/alerts/").data["count"] == 2
