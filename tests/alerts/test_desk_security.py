"""Security 21.2 (a patient moved to another care team takes their alerts along: the old team
sees nothing more of that patient) and 21.5 (model explanations reach psychiatrists only, on
every channel: REST list and detail, the events API, the handover, socket push and replay)."""

import datetime as dt

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from alerts import services
from alerts.models import Alert
from ml.alerting import risk_alerts_evaluate
from patients.models import AuditEvent, Patient, PatientStatus
from patients.services import patient_care_team_move
from tests.alerts.conftest import assert_closed_with, connect, make_score, raise_safety, receive, receive_type
from tests.conftest import auth_client
from tests.factories import ClinicianFactory

SLEEP = {
    "feature": "sleep_hours",
    "label": "sleep 2.1 h below this patient's usual (5.2 h vs 7.3 h)",
    "direction": "up",
    "weight": 0.3,
    "params": {"value": 5.2, "usual": 7.3},
}


def raise_risk(patient, model_version) -> Alert:  # type: ignore[no-untyped-def]
    score = make_score(patient, model_version, timezone.localdate() - dt.timedelta(days=1), 0.9)
    score.explanation = [SLEEP]
    score.save(update_fields=["explanation"])
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 1
    return Alert.objects.get(kind="risk", patient=patient)


# --- 21.2: the patient's current team --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_moved_patients_alerts_leave_the_old_team_and_reach_the_new_one(nurse, nurse_client, patient, other_team):
    new_nurse = ClinicianFactory(role="nurse", teams=[other_team])
    alert = raise_safety(patient)
    services.alert_note_add(alert=alert, user=nurse, kind="call", outcome="no_answer")
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()

    assert patient_care_team_move(patient=patient, team=other_team) is True

    # The old team: nothing of that patient, anywhere.
    assert nurse_client.get("/api/v1/alerts/").data["count"] == 0
    assert nurse_client.get(f"/api/v1/alerts/{alert.pk}/").status_code == 404
    assert nurse_client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 404
    assert nurse_client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": "x"}, format="json").status_code == 404
    assert nurse_client.get(f"/api/v1/alerts/{alert.pk}/notes/").status_code == 404
    assert nurse_client.post(f"/api/v1/alerts/{alert.pk}/assign/", {"assignee": "me"}, format="json").status_code == 404
    assert nurse_client.get("/api/v1/alerts/events/").data["results"] == []
    handover = nurse_client.get("/api/v1/alerts/handover/", {"since": since}).data
    assert handover["events"] == [] and handover["open"] == []
    assert nurse_client.get(f"/api/v1/patients/{patient.pk}/card/").status_code == 404
    assert AuditEvent.objects.filter(resource="alert", action="denied", actor_id=nurse.pk).exists()
    # The new team: all of it, and it can act on it.
    new = auth_client(new_nurse)
    listed = new.get("/api/v1/alerts/").data
    assert [a["id"] for a in listed["results"]] == [str(alert.pk)]
    assert listed["results"][0]["care_team"] == other_team.pk
    assert new.get(f"/api/v1/alerts/{alert.pk}/notes/").data["count"] == 1
    assert [e["event"] for e in new.get("/api/v1/alerts/events/").data["results"]] == ["created", "noted"]
    assert new.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 200


@pytest.mark.django_db
def test_an_erased_patients_alerts_exist_for_nobody(nurse_client, patient):
    alert = raise_safety(patient)
    Patient.objects.filter(pk=patient.pk).update(status=PatientStatus.ERASED)
    assert nurse_client.get("/api/v1/alerts/").data["count"] == 0
    assert nurse_client.get(f"/api/v1/alerts/{alert.pk}/").status_code == 404
    assert nurse_client.get("/api/v1/alerts/events/").data["results"] == []


@pytest.mark.django_db
def test_escalation_follows_the_new_teams_delay(nurse, patient, other_team):
    other_team.escalation_minutes = 120
    other_team.save()
    alert = raise_safety(patient)
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - dt.timedelta(minutes=30))
    patient_care_team_move(patient=patient, team=other_team)
    assert services.alerts_escalate_due() == 0  # 30 min < the new team's 120, though > the old team's 15


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_url", "close_sockets")
async def test_moving_a_patient_rescopes_open_desks_and_replays_leave_the_old_team(nurse, patient, other_team):
    new_nurse = await sync_to_async(ClinicianFactory)(role="nurse", teams=[other_team])
    await sync_to_async(raise_safety)(patient)
    old_desk = await connect(user=nurse)
    new_desk = await connect(user=new_nurse)
    await receive(old_desk)
    await receive(new_desk)

    await sync_to_async(patient_care_team_move)(patient=patient, team=other_team)

    # Both teams' desks reconnect (4000) and are scoped anew.
    await assert_closed_with(old_desk, 4000)
    await assert_closed_with(new_desk, 4000)
    old_desk = await connect(user=nurse)
    await receive(old_desk)
    await old_desk.send_json_to({"type": "resume", "after": 0})
    assert (await receive_type(old_desk, "resumed"))["count"] == 0
    new_desk = await connect(user=new_nurse)
    await receive(new_desk)
    await new_desk.send_json_to({"type": "resume", "after": 0})
    replayed = await receive_type(new_desk, "alert")
    assert replayed["alert"]["patient"] == str(patient.pk)
    # What happens next reaches the new team live.
    alert = await sync_to_async(Alert.objects.get)(patient=patient)
    await sync_to_async(services.alert_acknowledge)(alert=alert, user=new_nurse)
    pushed = await receive_type(new_desk, "alert")
    assert pushed["event"] == "acknowledged" and pushed["alert"]["care_team"] == other_team.pk


# --- 21.5: explanations for psychiatrists only --------------------------------------------------------


def assert_explained(alert: dict) -> None:
    assert alert["detail"]["explanation"][0]["feature"] == "sleep_hours"
    assert alert["reasons"] and "sleep" in alert["reasons"][0]
    assert "sleep" in alert["message"]


def assert_not_explained(alert: dict) -> None:
    assert "explanation" not in alert["detail"]
    assert alert["reasons"] == []
    assert "sleep" not in alert["message"]
    # What a nurse does get: the risk in the shared vocabulary.
    assert alert["risk"]["text"] and alert["risk"]["threshold_text"]
    assert alert["detail"]["score"] == 0.9


@pytest.mark.django_db
def test_rest_list_detail_events_and_handover_explain_to_psychiatrists_only(
    nurse_client, psychiatrist_client, patient, model_version
):
    alert = raise_risk(patient, model_version)
    since = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    for client, check in ((nurse_client, assert_not_explained), (psychiatrist_client, assert_explained)):
        check(client.get("/api/v1/alerts/").data["results"][0])
        check(client.get(f"/api/v1/alerts/{alert.pk}/").data)
        check(client.get("/api/v1/alerts/events/").data["results"][0]["alert"])
        check(client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").data)
        assert client.get("/api/v1/alerts/handover/", {"since": since}).data["open"][0]["id"] == str(alert.pk)
        check(client.get("/api/v1/alerts/handover/", {"since": since}).data["open"][0])
    # Stored as it was: the redaction is per reader.
    assert Alert.objects.get(pk=alert.pk).detail["explanation"][0]["feature"] == "sleep_hours"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_url", "close_sockets")
async def test_socket_push_and_replay_explain_to_psychiatrists_only(nurse, psychiatrist, patient, model_version):
    nurse_desk = await connect(user=nurse)
    psy_desk = await connect(user=psychiatrist)
    start = (await receive(nurse_desk))["last_seq"]
    await receive(psy_desk)

    await sync_to_async(raise_risk)(patient, model_version)

    assert_not_explained((await receive_type(nurse_desk, "alert"))["alert"])
    assert_explained((await receive_type(psy_desk, "alert"))["alert"])
    for desk, check in ((nurse_desk, assert_not_explained), (psy_desk, assert_explained)):
        await desk.send_json_to({"type": "resume", "after": start})
        check((await receive_type(desk, "alert"))["alert"])
