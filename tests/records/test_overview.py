"""The patients overview page: scoping, search/sort/filter, pagination, constant queries."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert
from ml.models import RiskScore
from monitoring.models import DailySummary
from patients.models import AuditEvent
from tests.factories import PatientFactory
from tests.records.seeding import active_model

URL = "/dashboard/patients/"


def codes(response) -> list[str]:
    return re.findall(r'<tr data-patient="([^"]+)">', response.content.decode())


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def score(patient, days_ago: int, value: float, band: str, model) -> RiskScore:
    return RiskScore.objects.create(
        patient=patient,
        date=timezone.localdate() - dt.timedelta(days=days_ago),
        model_version=model,
        score=value,
        band=band,
        threshold=0.3,
    )


def summary(patient, days_ago: int, **fields) -> DailySummary:
    # The page counts days in the patient's own time zone.
    day = timezone.localdate(timezone=patient.tz) - dt.timedelta(days=days_ago)
    return DailySummary.objects.create(patient=patient, date=day, **fields)


def open_alert(patient) -> Alert:
    return Alert.objects.create(patient=patient, care_team=patient.care_team, kind="manual", severity="low", title="t")


@pytest.fixture
def cohort(team, other_team):
    """Three patients of team-a with different risk, alerts and adherence; one of team-b."""
    model = active_model()
    high = PatientFactory(code="A-HIGH", care_team=team, diagnosis="F31")
    low = PatientFactory(code="A-LOW", care_team=team, diagnosis="F33")
    unscored = PatientFactory(code="B-NONE", care_team=team, diagnosis="F20")
    foreign = PatientFactory(code="Z-OTHER", care_team=other_team, diagnosis="F31")
    for days_ago, value in [(3, 0.2), (2, 0.4), (1, 0.7)]:
        score(high, days_ago, value, "high" if value >= 0.3 else "medium", model)
    score(low, 1, 0.05, "low", model)
    score(foreign, 1, 0.9, "high", model)
    open_alert(high)
    open_alert(foreign)
    summary(high, 0, checkins=1, mood=1.0, steps=5000, passive_records=2)
    summary(low, 5, checkins=1, mood=0.0)
    summary(low, 1, steps=3000, passive_records=1)
    return {"high": high, "low": low, "unscored": unscored, "foreign": foreign}


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/patients/")


def test_a_patient_account_is_refused(patient):
    response = logged_in(patient.user).get(URL)

    assert response.status_code == 403
    assert "PA1" not in response.content.decode()


def test_lists_only_the_clinicians_team_sorted_by_risk(nurse, cohort):
    response = logged_in(nurse).get(URL)

    assert response.status_code == 200
    assert codes(response) == ["A-HIGH", "A-LOW", "B-NONE"]
    assert "Z-OTHER" not in response.content.decode()


def test_shows_risk_sparkline_alerts_and_adherence(nurse, cohort):
    html = logged_in(nurse).get(URL).content.decode()
    row = html.split('<tr data-patient="A-HIGH">')[1].split("</tr>")[0]
    low_row = html.split('<tr data-patient="A-LOW">')[1].split("</tr>")[0]
    none_row = html.split('<tr data-patient="B-NONE">')[1].split("</tr>")[0]

    assert "70%" in row
    assert 'data-points="3"' in row
    assert "<polyline" in row
    assert 'class="alert-count"' in row and ">1</a>" in row
    assert row.count("today") == 2  # check-in and passive data today
    assert "5 days ago" in low_row and "1 day ago" in low_row
    assert 'data-points="0"' in none_row and none_row.count("never") == 2


def test_search_by_code(nurse, cohort):
    response = logged_in(nurse).get(URL, {"q": "low"})

    assert codes(response) == ["A-LOW"]


def test_filter_by_diagnosis_band_and_open_alerts(nurse, cohort):
    client = logged_in(nurse)

    assert codes(client.get(URL, {"diagnosis": "F31"})) == ["A-HIGH"]
    assert codes(client.get(URL, {"band": "low"})) == ["A-LOW"]
    assert codes(client.get(URL, {"band": "none"})) == ["B-NONE"]
    assert codes(client.get(URL, {"alerts": "open"})) == ["A-HIGH"]


def test_filter_by_data_gap(nurse, cohort):
    # A-LOW's last check-in is 5 days old; B-NONE has never sent anything.
    response = logged_in(nurse).get(URL, {"gap": "3"})

    assert codes(response) == ["A-LOW", "B-NONE"]


def test_sort_orders(nurse, cohort):
    client = logged_in(nurse)

    assert codes(client.get(URL, {"sort": "code"})) == ["A-HIGH", "A-LOW", "B-NONE"]
    assert codes(client.get(URL, {"sort": "-code"})) == ["B-NONE", "A-LOW", "A-HIGH"]
    assert codes(client.get(URL, {"sort": "-risk"})) == ["B-NONE", "A-LOW", "A-HIGH"]
    assert codes(client.get(URL, {"sort": "checkin"})) == ["B-NONE", "A-LOW", "A-HIGH"]
    assert codes(client.get(URL, {"sort": "diagnosis"})) == ["B-NONE", "A-HIGH", "A-LOW"]


def test_unknown_parameters_fall_back_to_defaults(nurse, cohort):
    response = logged_in(nurse).get(URL, {"sort": "drop table", "band": "x", "gap": "99", "page": "zz"})

    assert response.status_code == 200
    assert codes(response) == ["A-HIGH", "A-LOW", "B-NONE"]


def test_discharged_patients_are_hidden_unless_asked(nurse, cohort):
    cohort["low"].status = "discharged"
    cohort["low"].save(update_fields=["status"])
    client = logged_in(nurse)

    assert codes(client.get(URL)) == ["A-HIGH", "B-NONE"]
    assert codes(client.get(URL, {"status": "discharged"})) == ["A-LOW"]
    assert codes(client.get(URL, {"status": "all", "sort": "code"})) == ["A-HIGH", "A-LOW", "B-NONE"]


def test_paginates_fifty_a_page(nurse, team):
    for i in range(53):
        PatientFactory(code=f"P{i:03d}", care_team=team, user=None)
    client = logged_in(nurse)

    first = client.get(URL, {"sort": "code"})
    second = client.get(URL, {"sort": "code", "page": "2"})

    assert len(codes(first)) == 50
    assert codes(second) == ["P050", "P051", "P052"]
    assert "page=2" in first.content.decode()


def test_the_list_view_is_audited(nurse, cohort):
    logged_in(nurse).get(URL)

    # One row per patient shown (each one's access log shows it).
    entries = AuditEvent.objects.filter(resource="patient_overview_page")
    assert {e.actor_username for e in entries} == {"nurse-a"}
    assert entries.count() == 3 and len({e.patient_id for e in entries}) == 3
    assert all(e.detail == {"count": 3, "page": 1, "q": ""} for e in entries)


def _populate(team, model, first: int, last: int) -> None:
    for i in range(first, last):
        p = PatientFactory(code=f"Q{i:03d}", care_team=team, user=None)
        for days_ago in range(6):
            score(p, days_ago, 0.1 + 0.01 * i, "low", model)
        summary(p, 1, checkins=1, mood=0.0, steps=100, passive_records=1)
        summary(p, 2, checkins=1, mood=0.0)
        open_alert(p)


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("params", [{}, {"sort": "checkin", "alerts": "open", "q": "Q"}])
def test_query_count_does_not_grow_with_patients(nurse, team, params):
    model = active_model()
    client = logged_in(nurse)
    _populate(team, model, 0, 5)
    few = _queries(client, params)
    _populate(team, model, 5, 50)
    many = _queries(client, params)

    assert len(codes(client.get(URL))) == 50
    assert few == many
    assert many <= 12
