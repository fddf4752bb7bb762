"""The adherence decision (monitoring/alerting.py): one alert per data gap, the team's gap,
enrolment. The pure rule is tested in tests/alerts/test_rules.py."""

import datetime as dt

import pytest

from alerts.models import Alert
from monitoring.alerting import adherence_alerts_evaluate
from monitoring.models import DailySummary
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_adherence_alert_once_per_gap(team):
    today = dt.date(2026, 3, 20)
    now = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)
    patient = PatientFactory(care_team=team, enrolled_on=dt.date(2026, 3, 1))
    quiet = PatientFactory(care_team=team, enrolled_on=dt.date(2026, 3, 1))
    DailySummary.objects.create(patient=patient, date=dt.date(2026, 3, 15), checkins=1)
    DailySummary.objects.create(patient=patient, date=dt.date(2026, 3, 16), checkins=0, passive_records=0)
    DailySummary.objects.create(patient=quiet, date=today - dt.timedelta(days=1), passive_records=4)

    assert adherence_alerts_evaluate(now=now) == 1
    assert adherence_alerts_evaluate(now=now + dt.timedelta(days=2)) == 0  # same gap
    alert = Alert.objects.get(kind="adherence")
    assert alert.patient == patient and alert.severity == "medium"
    assert alert.detail == {
        "gap_start": "2026-03-16",
        "days_without_data": 4,
        "gap_days": 3,
        "last_data_day": "2026-03-15",
    }

    # Data comes back, then a new gap: a new alert.
    DailySummary.objects.create(patient=patient, date=dt.date(2026, 3, 22), checkins=2)
    only = [patient.pk]
    assert adherence_alerts_evaluate(now=now + dt.timedelta(days=3), patient_ids=only) == 0
    assert adherence_alerts_evaluate(now=now + dt.timedelta(days=6), patient_ids=only) == 1
    assert Alert.objects.filter(kind="adherence", patient=patient).count() == 2


def test_adherence_respects_the_team_gap_and_enrolment(team):
    team.adherence_gap_days = 5
    team.save()
    now = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)
    PatientFactory(care_team=team, enrolled_on=dt.date(2026, 3, 16))  # 4 complete days since enrolment
    assert adherence_alerts_evaluate(now=now) == 0
    assert adherence_alerts_evaluate(now=now + dt.timedelta(days=1)) == 1
