import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import AuditEvent, ClinicalEvent, ConsentRecord
from tests.factories import PatientFactory


def test_list_shows_only_own_team(nurse_client, patient, other_patient):
    body = nurse_client.get("/api/v1/patients/").json()
    assert body["count"] == 1
    assert [p["code"] for p in body["results"]] == ["PA1"]
    assert body["results"][0]["latest_risk"] is None
    assert body["results"][0]["open_alerts"] == 0


def test_list_query_count_constant(nurse_client, team):
    PatientFactory.create_batch(3, care_team=team)
    with CaptureQueriesContext(connection) as few:
        nurse_client.get("/api/v1/patients/")
    PatientFactory.create_batch(20, care_team=team)
    with CaptureQueriesContext(connection) as many:
        body = nurse_client.get("/api/v1/patients/").json()
    assert body["count"] == 23
    assert len(many.captured_queries) == len(few.captured_queries)


def test_detail_other_team_is_404_and_audited(nurse_client, other_patient):
    response = nurse_client.get(f"/api/v1/patients/{other_patient.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such patient."}
    assert "PB1" not in response.content.decode()
    assert AuditEvent.objects.filter(action="denied", patient_id=other_patient.pk).count() == 1


def test_detail_read_audited(nurse_client, nurse, patient):
    response = nurse_client.get(f"/api/v1/patients/{patient.pk}/")
    assert response.status_code == 200
    assert response.json()["code"] == "PA1"
    event = AuditEvent.objects.get(action="read", resource="patient")
    assert (event.actor_username, event.patient_id, event.method) == ("nurse-a", patient.pk, "GET")
    assert event.ip == "127.0.0.1"


def test_record_clinical_event(psychiatrist_client, patient):
    day = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    first = psychiatrist_client.post(
        f"/api/v1/patients/{patient.pk}/events/", {"kind": "relapse", "date": day, "note": "admitted"}
    )
    again = psychiatrist_client.post(
        f"/api/v1/patients/{patient.pk}/events/", {"kind": "relapse", "date": day, "note": "admitted"}
    )
    other = psychiatrist_client.post(
        f"/api/v1/patients/{patient.pk}/events/", {"kind": "relapse", "date": day, "note": "different"}
    )
    listed = psychiatrist_client.get(f"/api/v1/patients/{patient.pk}/events/").json()

    assert first.status_code == 201 and first.json()["recorded_by"] == "psy-a"
    assert again.status_code == 200
    assert other.status_code == 409
    assert [e["kind"] for e in listed] == ["relapse"]


def test_event_validation(nurse_client, patient):
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    bad_kind = nurse_client.post(f"/api/v1/patients/{patient.pk}/events/", {"kind": "party", "date": "2026-01-01"})
    bad_date = nurse_client.post(f"/api/v1/patients/{patient.pk}/events/", {"kind": "relapse", "date": future})
    assert bad_kind.status_code == 400 and "kind" in bad_kind.json()
    assert bad_date.status_code == 400 and "date" in bad_date.json()
    assert ClinicalEvent.objects.count() == 0


def test_other_team_cannot_record_event(nurse_client, other_patient):
    response = nurse_client.post(
        f"/api/v1/patients/{other_patient.pk}/events/", {"kind": "relapse", "date": "2026-01-01"}
    )
    assert response.status_code == 404
    assert ClinicalEvent.objects.count() == 0


def test_consent_grant_withdraw_history(patient_client, patient):
    ConsentRecord.objects.filter(patient=patient).delete()

    granted = patient_client.post("/api/v1/me/consents/", {"version": "1", "scopes": ["sleep", "self_report"]})
    regranted = patient_client.post("/api/v1/me/consents/", {"version": "2", "scopes": ["sleep"]})
    withdrawn = patient_client.post("/api/v1/me/consents/withdraw/", {"scopes": ["sleep"]})
    state = patient_client.get("/api/v1/me/consents/").json()

    # Emergency access is opt-out: in force with no grant on record.
    assert granted.status_code == 201
    assert granted.json()["active_scopes"] == ["emergency_access", "self_report", "sleep"]
    assert regranted.json()["active_scopes"] == ["emergency_access", "self_report", "sleep"]
    assert withdrawn.json()["active_scopes"] == ["emergency_access", "self_report"]
    excluded = patient_client.post("/api/v1/me/consents/withdraw/", {"scopes": ["emergency_access"]})
    assert excluded.json()["active_scopes"] == ["self_report"]
    allowed_again = patient_client.post("/api/v1/me/consents/", {"version": "2", "scopes": ["emergency_access"]})
    assert allowed_again.json()["active_scopes"] == ["emergency_access", "self_report"]
    sleep = [h for h in state["history"] if h["scope"] == "sleep"]
    assert [h["version"] for h in sleep] == ["2", "1"]
    assert all(h["withdrawn_at"] is not None for h in sleep)


def test_consent_unknown_scope(patient_client):
    response = patient_client.post("/api/v1/me/consents/", {"version": "1", "scopes": ["telepathy"]})
    assert response.status_code == 400
    assert "scopes" in response.json()


def test_consent_require_gate(patient):
    import pytest

    from patients.errors import ConsentRequired
    from patients.services import consent_require, consent_withdraw

    consent_require(patient=patient, scope="sleep")
    consent_withdraw(patient=patient, scopes=["sleep"])
    with pytest.raises(ConsentRequired):
        consent_require(patient=patient, scope="sleep")


def test_audit_trail_is_append_only(nurse_client, patient):
    import pytest

    nurse_client.get(f"/api/v1/patients/{patient.pk}/")
    event = AuditEvent.objects.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="read")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()


def test_list_filters(nurse_client, team, other_team):
    PatientFactory(code="BIP-1", care_team=team, diagnosis="F31")
    PatientFactory(code="DEP-1", care_team=team, diagnosis="F33.1")
    PatientFactory(code="DEP-2", care_team=other_team, diagnosis="F33")

    def codes(**params):
        return [p["code"] for p in nurse_client.get("/api/v1/patients/", params).json()["results"]]

    assert codes(search="dep") == ["DEP-1"]
    assert codes(diagnosis="F33") == ["DEP-1"]
    assert codes(care_team=str(team.pk)) == ["BIP-1", "DEP-1"]
    assert codes(care_team=str(other_team.pk)) == []
    # A team id that is not a number is a 400 naming the parameter (issue 21, item 8).
    response = nurse_client.get("/api/v1/patients/", {"care_team": "not-a-number"})
    assert response.status_code == 400 and "care_team" in response.json()
    assert codes(status="discharged") == []
