"""Every factory of tests/factories/ makes a valid row the application could have written: it
passes full_clean, keeps the invariants its service keeps, and two of a kind coexist."""

import base64
import datetime as dt
import zoneinfo

import pytest
from django.db import models
from django.utils import timezone

from alerts.factors import band_for
from alerts.models import Alert, AlertEvent, AlertEventKind, AlertKind, AlertSeverity, AlertStatus
from ml.features import LOOKBACK_DAYS
from ml.models import ModelVersion
from mobile.push import endpoint_allowed
from tests import factories as f
from tests.factories.base import local_yesterday

pytestmark = pytest.mark.django_db


# --- ml --------------------------------------------------------------------------------------


def test_model_version_factory_registers_an_inactive_version():
    version = f.ModelVersionFactory()

    version.full_clean()
    assert (version.is_active, version.activated_at) == (False, None)
    assert version.data_start < version.data_end < timezone.localdate()
    assert len(version.artifact_sha256) == 64 and version.feature_names


def test_model_version_factory_active_is_the_only_active_version():
    first = f.ModelVersionFactory(is_active=True)

    second = f.ModelVersionFactory(is_active=True)

    first.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    assert second.activated_at is not None
    assert list(ModelVersion.objects.filter(is_active=True)) == [second]


def test_risk_score_factory_is_a_nightly_score_with_its_model_version():
    score = f.RiskScoreFactory()

    score.full_clean()
    assert score.date == local_yesterday(score.patient)
    assert score.threshold == score.model_version.threshold
    assert score.band == band_for(score.score, score.threshold) == "low"
    assert (score.input_start, score.input_end) == (score.date - dt.timedelta(days=LOOKBACK_DAYS - 1), score.date)
    (factor,) = score.explanation
    assert factor["feature"] == "sleep_hours"
    assert factor["label"] == "sleep 1.6 h below this patient's usual (5.9 h vs 7.5 h)"


def test_risk_score_factory_uses_the_teams_own_threshold():
    team = f.CareTeamFactory(risk_threshold=0.1)

    score = f.RiskScoreFactory(patient__care_team=team)

    assert (score.threshold, score.band) == (0.1, "high")


def test_scoring_run_factory_is_the_teams_last_night():
    run = f.ScoringRunFactory()

    run.full_clean()
    team_tz = zoneinfo.ZoneInfo(run.care_team.timezone)
    assert run.date == timezone.localdate(timezone=team_tz) - dt.timedelta(days=1)
    assert (run.chunks, run.care_team.patients.count()) == (0, 0)


# --- alerts ----------------------------------------------------------------------------------


def test_alert_factory_raises_through_the_service_for_the_patients_team():
    alert = f.AlertFactory()

    alert.full_clean()
    assert alert.care_team == alert.patient.care_team
    assert (alert.kind, alert.status, alert.acknowledged_at) == (AlertKind.MANUAL, AlertStatus.OPEN, None)
    assert alert.patient.care_team in alert.created_by.care_teams.all()
    created = alert.events.get()
    assert (created.event, created.care_team, created.actor) == (
        AlertEventKind.CREATED,
        alert.care_team,
        alert.created_by,
    )


def test_alert_factory_refuses_another_care_team():
    with pytest.raises(ValueError, match="care_team is derived"):
        f.AlertFactory(care_team=f.CareTeamFactory())

    assert not Alert.objects.exists()


def test_alert_factory_acknowledged():
    alert = f.AlertFactory(status=AlertStatus.ACKNOWLEDGED)

    alert.full_clean()
    assert alert.acknowledged_at is not None and alert.resolved_at is None
    assert alert.care_team in alert.acknowledged_by.care_teams.all()
    assert list(alert.events.values_list("event", flat=True)) == [AlertEventKind.CREATED, AlertEventKind.ACKNOWLEDGED]


def test_alert_factory_resolved_by_a_given_clinician():
    alert = f.AlertFactory(kind=AlertKind.SAFETY, severity=AlertSeverity.CRITICAL, status=AlertStatus.RESOLVED)

    alert.full_clean()
    assert alert.created_by is None  # raised by a rule
    assert alert.resolution_note and alert.resolved_at >= alert.acknowledged_at
    assert alert.resolved_by == alert.acknowledged_by
    assert list(alert.events.values_list("event", flat=True)) == [AlertEventKind.CREATED, AlertEventKind.RESOLVED]


def test_alert_factory_refuses_a_time_of_a_change_that_did_not_happen():
    with pytest.raises(ValueError, match="no such time"):
        f.AlertFactory(acknowledged_at=timezone.now())

    assert not Alert.objects.exists()


def test_alert_factory_backdates_the_alert_and_its_events():
    created_at = timezone.now() - dt.timedelta(hours=3)
    acknowledged_at = created_at + dt.timedelta(minutes=20)

    alert = f.AlertFactory(status=AlertStatus.ACKNOWLEDGED, created_at=created_at, acknowledged_at=acknowledged_at)

    assert (alert.created_at, alert.acknowledged_at) == (created_at, acknowledged_at)
    assert list(alert.events.values_list("at", flat=True)) == [created_at, acknowledged_at]


@pytest.mark.parametrize("event", AlertEventKind.values)
def test_alert_event_factory_writes_each_event_through_the_lifecycle(event):
    record = f.AlertEventFactory(event=event)

    record.full_clean()
    alert = record.alert
    assert record.care_team == alert.care_team == alert.patient.care_team
    created = alert.events.get(event=AlertEventKind.CREATED)
    assert list(alert.events.order_by("seq")) == ([created] if event == AlertEventKind.CREATED else [created, record])
    expected_status = {
        AlertEventKind.CREATED: AlertStatus.OPEN,
        AlertEventKind.ESCALATED: AlertStatus.OPEN,
        AlertEventKind.ACKNOWLEDGED: AlertStatus.ACKNOWLEDGED,
        AlertEventKind.RESOLVED: AlertStatus.RESOLVED,
        AlertEventKind.ASSIGNED: AlertStatus.OPEN,
        AlertEventKind.NOTED: AlertStatus.OPEN,
    }[event]
    alert.refresh_from_db()
    assert alert.status == expected_status
    if event in (AlertEventKind.ACKNOWLEDGED, AlertEventKind.RESOLVED, AlertEventKind.ASSIGNED, AlertEventKind.NOTED):
        assert alert.care_team in record.actor.care_teams.all()
    if event == AlertEventKind.ASSIGNED:
        assert alert.assigned_to == record.actor
    if event == AlertEventKind.NOTED:
        assert alert.notes.get().outcome == "no_answer"
    if event == AlertEventKind.ESCALATED:
        assert record.detail == {"after_minutes": alert.care_team.escalation_minutes}
        assert alert.escalated_at is not None


def test_alert_event_factory_seqs_increase_in_the_order_events_are_written():
    first = f.AlertEventFactory()
    second = f.AlertEventFactory(event=AlertEventKind.RESOLVED, alert=first.alert)

    assert first.seq < second.seq
    assert AlertEvent.objects.filter(alert=first.alert).aggregate(m=models.Max("seq"))["m"] == second.seq


def test_alert_event_factory_refuses_an_event_the_alert_state_allows_not():
    resolved = f.AlertFactory(status=AlertStatus.RESOLVED)

    with pytest.raises(ValueError):
        f.AlertEventFactory(alert=resolved, event=AlertEventKind.ESCALATED)


# --- mobile ----------------------------------------------------------------------------------


def test_patient_schedule_factory_sets_the_schedule_through_the_service():
    schedule = f.PatientScheduleFactory()

    schedule.full_clean()
    assert schedule.checkin_time == dt.time(19, 30)
    assert schedule.patient.care_team in schedule.updated_by.care_teams.all()
    cadences = list(schedule.questionnaires.values_list("instrument", "every_days"))
    assert cadences == [("GAD-7", 28), ("PHQ-9", 14)]  # the defaults for F33


def test_scheduled_questionnaire_factory():
    cadence = f.ScheduledQuestionnaireFactory()

    cadence.full_clean()
    assert list(cadence.schedule.questionnaires.all()) == [cadence]
    assert (cadence.instrument, cadence.every_days) == ("PHQ-9", 14)


def test_push_subscription_factory_saves_a_browser_subscription():
    subscription = f.PushSubscriptionFactory()

    subscription.full_clean()
    assert endpoint_allowed(subscription.endpoint)
    key = base64.urlsafe_b64decode(subscription.p256dh + "=" * (-len(subscription.p256dh) % 4))
    auth = base64.urlsafe_b64decode(subscription.auth + "=" * (-len(subscription.auth) % 4))
    assert (len(key), key[0], len(auth)) == (65, 4, 16)
    assert (subscription.language, subscription.failures) == ("fr", 0)


def test_reminder_sent_factory_is_todays_local_reminder_to_the_patients_device():
    reminder = f.ReminderSentFactory(patient__timezone="Asia/Tokyo")

    reminder.full_clean()
    assert reminder.day == timezone.localdate(timezone=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert reminder.devices == reminder.patient.push_subscriptions.count() == 1


def test_reminder_sent_factory_without_a_subscription():
    reminder = f.ReminderSentFactory(subscription=None, devices=0)

    assert not reminder.patient.push_subscriptions.exists()
