"""The risk-alert decision (ml/alerting.py) on stored scores: team threshold, reruns,
hysteresis over a backfill, pauses, discharged patients. The pure rule is tested in
tests/alerts/test_rules.py; scoring end to end in tests/ml/test_scoring.py."""

import datetime as dt

import pytest
from django.utils import timezone

from alerts import rules, services
from alerts.models import Alert, AlertEvent
from ml.alerting import risk_alerts_evaluate
from tests.conftest import make_score

pytestmark = pytest.mark.django_db


def test_risk_rule_uses_the_team_threshold_else_the_scores(patient, model_version):
    day = timezone.localdate() - dt.timedelta(days=1)
    below = make_score(patient, model_version, day, 0.45)
    assert risk_alerts_evaluate(score_ids=[below.pk]) == 0
    patient.care_team.risk_threshold = 0.4
    patient.care_team.save()
    assert risk_alerts_evaluate(score_ids=[below.pk]) == 1
    alert = Alert.objects.get(kind="risk")
    assert (
        alert.dedupe_key == rules.risk_dedupe_key(below.pk)
        and alert.detail["threshold"] == 0.4
        and alert.detail["band"] == "high"
    )
    assert alert.detail["explanation"][0]["label"] == "sleep 2.1 h below usual"


def test_risk_rule_is_idempotent_under_reruns(patient, model_version):
    score = make_score(patient, model_version, timezone.localdate(), 0.9)
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 1
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 0
    assert risk_alerts_evaluate(score_ids=[score.pk, score.pk]) == 0
    assert Alert.objects.filter(kind="risk").count() == 1 and AlertEvent.objects.count() == 1


def test_risk_hysteresis_over_a_backfill(patient, model_version, nurse):
    start = timezone.localdate() - dt.timedelta(days=30)
    scores = [make_score(patient, model_version, start + dt.timedelta(days=i), 0.8, "medium") for i in range(3)]
    # Still high while the first alert is open: nothing new.
    assert risk_alerts_evaluate(score_ids=[s.pk for s in scores]) == 1
    first = Alert.objects.get(kind="risk")
    services.alert_resolve(alert=first, user=nurse, note="Reviewed at home visit.")

    # Resolved, but within 7 days of the last alert: nothing new at the same band ...
    day5 = make_score(patient, model_version, start + dt.timedelta(days=5), 0.8, "medium")
    assert risk_alerts_evaluate(score_ids=[day5.pk]) == 0
    # ... unless the band gets worse.
    day6 = make_score(patient, model_version, start + dt.timedelta(days=6), 0.95, "high")
    assert risk_alerts_evaluate(score_ids=[day6.pk]) == 1
    worse = Alert.objects.filter(kind="risk").exclude(pk=first.pk).get()
    assert worse.severity == "high" and worse.detail["reason"] == "band_worse"

    # Open again: even 30 days later, nothing while it stays unresolved.
    later = make_score(patient, model_version, start + dt.timedelta(days=29), 0.95, "high")
    assert risk_alerts_evaluate(score_ids=[later.pk]) == 0
    services.alert_resolve(alert=worse, user=nurse, note="Medication adjusted.")
    assert risk_alerts_evaluate(score_ids=[later.pk]) == 1  # >= 7 days after day 6
    assert Alert.objects.filter(kind="risk").count() == 3


def test_paused_team_gets_no_risk_alert_and_nothing_retroactive(patient, model_version):
    services.care_team_risk_alerts_set(team=patient.care_team, paused=True)
    score = make_score(patient, model_version, timezone.localdate(), 0.99)
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 0
    assert not Alert.objects.exists()


def test_no_risk_alert_for_a_discharged_patient(patient, model_version):
    patient.status = "discharged"
    patient.save()
    score = make_score(patient, model_version, timezone.localdate(), 0.99)
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 0
