"""Schedules: what the patient's app is told is due, and the care team's control of it."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from mobile.due import Cadence
from mobile.models import PatientSchedule, ScheduledQuestionnaire
from mobile.selectors import schedule_status
from mobile.services import schedule_set
from monitoring.models import DailySummary
from patients.models import AuditEvent
from tests.conftest import auth_client
from tests.factories import PatientFactory, grant_consents

pytestmark = pytest.mark.django_db


def local_today(patient) -> date:
    return timezone.localdate(timezone=patient.tz)


def summary(patient, day: date, **values) -> DailySummary:
    return DailySummary.objects.create(patient=patient, date=day, **values)


def schedule_url(patient) -> str:
    return f"/api/v1/patients/{patient.pk}/schedule/"


# --- the patient's view: GET /api/v1/me/schedule/ -------------------------------------------


def test_patient_without_a_schedule_gets_the_defaults_for_their_diagnosis(patient, patient_client):
    # patient fixture: F33 (recurrent depression), no data yet
    response = patient_client.get("/api/v1/me/schedule/")

    today = local_today(patient)
    assert response.status_code == 200
    assert response.json() == {
        "date": today.isoformat(),
        "timezone": "Europe/Paris",
        "enrolled_on": patient.enrolled_on.isoformat(),
        "source": "default",
        "checkin": {"time": "20:00", "done_today": False, "due": True},
        "questionnaires": [
            {
                "instrument": "PHQ-9",
                "every_days": 14,
                "last_completed": None,
                "next_due": today.isoformat(),
                "due": True,
            },
            {
                "instrument": "GAD-7",
                "every_days": 28,
                "last_completed": None,
                "next_due": today.isoformat(),
                "due": True,
            },
        ],
        "due_today": ["checkin", "PHQ-9", "GAD-7"],
        "easy_read": False,
    }


def test_due_is_computed_from_the_last_completed_questionnaires(patient, patient_client):
    today = local_today(patient)
    summary(patient, today - timedelta(days=20), phq9=12, gad7=9)
    summary(patient, today - timedelta(days=3), phq9=8)  # the latest PHQ-9
    summary(patient, today, checkins=1, mood=0.0)

    body = patient_client.get("/api/v1/me/schedule/").json()

    assert body["checkin"] == {"time": "20:00", "done_today": True, "due": False}
    assert body["questionnaires"] == [
        {
            "instrument": "PHQ-9",
            "every_days": 14,
            "last_completed": (today - timedelta(days=3)).isoformat(),
            "next_due": (today + timedelta(days=11)).isoformat(),
            "due": False,
        },
        {
            "instrument": "GAD-7",
            "every_days": 28,
            "last_completed": (today - timedelta(days=20)).isoformat(),
            "next_due": (today + timedelta(days=8)).isoformat(),
            "due": False,
        },
    ]
    assert body["due_today"] == []


def test_the_care_teams_schedule_replaces_the_defaults(patient, patient_client, nurse):
    schedule_set(
        patient=patient,
        checkin_time=time(9, 30),
        cadences=[Cadence("ASRM", 7)],
        updated_by=nurse,
    )
    summary(patient, local_today(patient) - timedelta(days=7), asrm=4)

    body = patient_client.get("/api/v1/me/schedule/").json()

    assert body["source"] == "care_team"
    assert body["checkin"]["time"] == "09:30"
    assert [(q["instrument"], q["every_days"], q["due"]) for q in body["questionnaires"]] == [("ASRM", 7, True)]
    assert body["due_today"] == ["checkin", "ASRM"]


def test_today_is_the_patients_own_local_day():
    # 11:30 UTC on 1 March is already 2 March in Auckland and still 1 March in Los Angeles.
    now = datetime(2026, 3, 1, 11, 30, tzinfo=UTC)
    auckland = PatientFactory(timezone="Pacific/Auckland", diagnosis="F31", enrolled_on=date(2026, 1, 1))
    los_angeles = PatientFactory(timezone="America/Los_Angeles", diagnosis="F31", enrolled_on=date(2026, 1, 1))
    summary(auckland, date(2026, 2, 23), asrm=2, checkins=1)  # ASRM every 7 days → due on 2 March
    summary(los_angeles, date(2026, 2, 23), asrm=2)
    summary(los_angeles, date(2026, 3, 1), checkins=1)

    nz = schedule_status(patient=auckland, now=now)
    la = schedule_status(patient=los_angeles, now=now)

    assert nz.today == date(2026, 3, 2)
    assert la.today == date(2026, 3, 1)
    assert {q.instrument: q.due for q in nz.questionnaires}["ASRM"] is True
    assert {q.instrument: q.due for q in la.questionnaires}["ASRM"] is False
    assert nz.checkin_done_today is False
    assert la.checkin_done_today is True


def test_patient_sees_only_their_own_schedule(patient, patient_client, other_patient, other_nurse):
    schedule_set(patient=other_patient, checkin_time=time(7, 0), cadences=[Cadence("ASRM", 3)], updated_by=other_nurse)
    summary(other_patient, local_today(other_patient), checkins=2)

    body = patient_client.get("/api/v1/me/schedule/").json()

    assert body["source"] == "default"
    assert body["checkin"] == {"time": "20:00", "done_today": False, "due": True}
    assert [q["instrument"] for q in body["questionnaires"]] == ["PHQ-9", "GAD-7"]


def test_my_schedule_is_for_patients_only(nurse_client):
    assert nurse_client.get("/api/v1/me/schedule/").status_code == 403
    assert APIClient().get("/api/v1/me/schedule/").status_code == 401


def test_my_schedule_takes_a_constant_number_of_queries(patient, patient_client, nurse, django_assert_max_num_queries):
    schedule_set(
        patient=patient,
        checkin_time=time(20, 0),
        cadences=[Cadence("PHQ-9", 14), Cadence("GAD-7", 14), Cadence("ASRM", 7)],
        updated_by=nurse,
    )
    for back in range(60):
        summary(patient, local_today(patient) - timedelta(days=back), phq9=5, gad7=5, asrm=1, checkins=1)

    # user, patient (permission + access helper), audit row, schedule + its questionnaires, one
    # aggregate over all the summaries, whatever their number
    with django_assert_max_num_queries(7):
        response = patient_client.get("/api/v1/me/schedule/")
    assert response.status_code == 200


# --- the care team's view: GET/PUT/DELETE /api/v1/patients/{id}/schedule/ ----------------------


def test_clinician_reads_the_default_schedule(patient, nurse_client):
    response = nurse_client.get(schedule_url(patient))

    assert response.status_code == 200
    body = response.json()
    assert body["patient"] == str(patient.pk)
    assert body["source"] == "default"
    assert body["checkin_time"] == "20:00"
    assert body["checkin_done_today"] is False
    assert body["updated_at"] is None and body["updated_by"] is None
    assert [(q["instrument"], q["every_days"]) for q in body["questionnaires"]] == [("PHQ-9", 14), ("GAD-7", 28)]


def test_clinician_replaces_the_schedule_and_the_patient_sees_it(patient, nurse_client, patient_client):
    response = nurse_client.put(
        schedule_url(patient),
        {
            "checkin_time": "08:15",
            "questionnaires": [{"instrument": "ASRM", "every_days": 7}, {"instrument": "PHQ-9", "every_days": 14}],
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "care_team"
    assert body["checkin_time"] == "08:15"
    assert body["updated_by"] == "nurse-a"
    assert [(q["instrument"], q["every_days"]) for q in body["questionnaires"]] == [("ASRM", 7), ("PHQ-9", 14)]
    mine = patient_client.get("/api/v1/me/schedule/").json()
    assert mine["checkin"]["time"] == "08:15"
    assert [q["instrument"] for q in mine["questionnaires"]] == ["ASRM", "PHQ-9"]
    assert AuditEvent.objects.filter(patient_id=patient.pk, resource="schedule", action="update").count() == 1


def test_a_second_put_replaces_the_whole_schedule(patient, nurse_client):
    nurse_client.put(
        schedule_url(patient),
        {"checkin_time": "08:15", "questionnaires": [{"instrument": "ASRM", "every_days": 7}]},
        format="json",
    )

    response = nurse_client.put(schedule_url(patient), {"checkin_time": "21:00", "questionnaires": []}, format="json")

    assert response.status_code == 200
    assert response.json()["questionnaires"] == []
    assert ScheduledQuestionnaire.objects.filter(schedule__patient=patient).count() == 0
    assert PatientSchedule.objects.get(patient=patient).checkin_time == time(21, 0)


def test_delete_goes_back_to_the_defaults(patient, psychiatrist_client):
    psychiatrist_client.put(schedule_url(patient), {"checkin_time": "08:15", "questionnaires": []}, format="json")

    response = psychiatrist_client.delete(schedule_url(patient))

    assert response.status_code == 200
    assert response.json()["source"] == "default"
    assert not PatientSchedule.objects.filter(patient=patient).exists()


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"questionnaires": []}, {"checkin_time": ["This field is required."]}),
        (
            {"checkin_time": "25:00", "questionnaires": []},
            {"checkin_time": ["Time has wrong format. Use one of these formats instead: hh:mm, hh:mm:ss."]},
        ),
        ({"checkin_time": "20:00"}, {"questionnaires": ["This field is required."]}),
        (
            {"checkin_time": "20:00", "questionnaires": [{"instrument": "PHQ-9", "every_days": 0}]},
            {"questionnaires": {"0": {"every_days": ["Ensure this value is greater than or equal to 1."]}}},
        ),
        (
            {"checkin_time": "20:00", "questionnaires": [{"instrument": "PHQ-9", "every_days": 366}]},
            {"questionnaires": {"0": {"every_days": ["Ensure this value is less than or equal to 365."]}}},
        ),
        (
            {"checkin_time": "20:00", "questionnaires": [{"instrument": "BDI", "every_days": 7}]},
            {"questionnaires": {"0": {"instrument": ['"BDI" is not a valid choice.']}}},
        ),
        (
            {
                "checkin_time": "20:00",
                "questionnaires": [{"instrument": "ASRM", "every_days": 7}, {"instrument": "ASRM", "every_days": 14}],
            },
            {"questionnaires": ["Each questionnaire may appear once."]},
        ),
    ],
)
def test_invalid_schedules_are_refused_with_exact_errors(patient, nurse_client, payload, errors):
    response = nurse_client.put(schedule_url(patient), payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not PatientSchedule.objects.filter(patient=patient).exists()


def test_clinician_of_another_team_gets_404_and_changes_nothing(patient, nurse, other_nurse):
    schedule_set(patient=patient, checkin_time=time(9, 0), cadences=[Cadence("PHQ-9", 14)], updated_by=nurse)
    client = auth_client(other_nurse)

    responses = [
        client.get(schedule_url(patient)),
        client.put(schedule_url(patient), {"checkin_time": "06:00", "questionnaires": []}, format="json"),
        client.delete(schedule_url(patient)),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert all(r.json() == {"detail": "No such patient."} for r in responses)
    schedule = PatientSchedule.objects.get(patient=patient)
    assert schedule.checkin_time == time(9, 0)
    assert list(schedule.questionnaires.values_list("instrument", "every_days")) == [("PHQ-9", 14)]
    assert AuditEvent.objects.filter(patient_id=patient.pk, action="denied", resource="schedule").count() == 3


def test_patients_cannot_use_the_clinician_endpoint(patient, patient_client):
    get = patient_client.get(schedule_url(patient))
    put = patient_client.put(schedule_url(patient), {"checkin_time": "06:00", "questionnaires": []}, format="json")

    assert (get.status_code, put.status_code) == (403, 403)
    assert not PatientSchedule.objects.filter(patient=patient).exists()


def test_anonymous_gets_401(patient):
    assert APIClient().get(schedule_url(patient)).status_code == 401


def test_unknown_patient_is_404(nurse_client):
    assert nurse_client.get("/api/v1/patients/00000000-0000-0000-0000-000000000000/schedule/").status_code == 404


def test_erased_patient_is_not_found_by_clinicians(team, nurse_client):
    erased = PatientFactory(care_team=team, status="erased")
    grant_consents(erased)

    assert nurse_client.get(schedule_url(erased)).status_code == 404
