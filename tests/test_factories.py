"""Every factory of tests/factories.py makes a valid row the application could have written: it
passes full_clean, keeps the invariants its service keeps, and two of a kind coexist."""

import base64
import datetime as dt
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone

from alerts.models import Alert, AlertEvent, AlertEventKind, AlertKind, AlertSeverity, AlertStatus
from ml.features import LOOKBACK_DAYS
from ml.models import ModelVersion
from ml.serving import band_for
from mobile.push import endpoint_allowed
from monitoring.models import DailySummary, RecordingStatus, SignalKind, SignalRecord
from monitoring.questionnaires import ITEM9_POSITIVE, SAFETY_ALERT
from monitoring.services import audio_digest
from patients.models import AuditAction, ConsentRecord, ConsentScope, EnrollmentCode, Patient, Role, User
from patients.services import consent_active_scopes, patient_enroll
from tests import factories as f
from tests.monitoring.audio import silence_wav

pytestmark = pytest.mark.django_db

ALL_FACTORIES = [
    f.UserFactory,
    f.CareTeamFactory,
    f.ClinicianFactory,
    f.PatientFactory,
    f.ConsentedPatientFactory,
    f.ClinicalEventFactory,
    f.ConsentRecordFactory,
    f.EnrollmentCodeFactory,
    f.AuditEventFactory,
    f.CheckInFactory,
    f.QuestionnaireResponseFactory,
    f.SignalRecordFactory,
    f.SpeechRecordingFactory,
    f.DailySummaryFactory,
    f.ModelVersionFactory,
    f.RiskScoreFactory,
    f.ScoringRunFactory,
    f.AlertFactory,
    f.AlertEventFactory,
    f.PatientScheduleFactory,
    f.ScheduledQuestionnaireFactory,
    f.PushSubscriptionFactory,
    f.ReminderSentFactory,
]


def _ids(factory_class: type) -> str:
    return factory_class.__name__


def latest_utc(hour: int) -> dt.datetime:
    """The latest moment before now (by at least 5 minutes) at `hour`:00 UTC."""
    now = timezone.now() - dt.timedelta(minutes=5)
    moment = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return moment if moment <= now else moment - dt.timedelta(days=1)


def local_yesterday(patient) -> dt.date:  # type: ignore[no-untyped-def]
    return timezone.localdate(timezone=patient.tz) - dt.timedelta(days=1)


# --- every factory ---------------------------------------------------------------------------


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=_ids)
def test_build_makes_an_unsaved_instance_and_writes_nothing(factory_class):
    model = factory_class._meta.model

    instance = factory_class.build()

    assert isinstance(instance, model)
    assert instance._state.adding is True
    assert model._default_manager.count() == 0


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=_ids)
def test_two_instances_coexist(factory_class):
    model = factory_class._meta.model

    first, second = factory_class(), factory_class()

    assert first.pk != second.pk
    assert model._default_manager.filter(pk__in=[first.pk, second.pk]).count() == 2


# --- patients --------------------------------------------------------------------------------


def test_user_factory_makes_a_patient_account_with_the_default_password():
    user = f.UserFactory()

    user.refresh_from_db()
    user.full_clean()
    assert user.role == Role.PATIENT
    assert user.check_password(f.DEFAULT_PASSWORD)


def test_care_team_factory():
    team = f.CareTeamFactory()

    team.full_clean()
    assert (team.timezone, team.risk_threshold, team.risk_alerts_paused) == ("Europe/Paris", None, False)


def test_clinician_factory_joins_the_teams_given():
    team = f.CareTeamFactory()

    nurse = f.ClinicianFactory(teams=[team])

    nurse.full_clean()
    assert nurse.is_clinician
    assert list(team.members.all()) == [nurse]


def test_patient_factory_enrols_a_patient_with_an_account():
    patient = f.PatientFactory()

    patient.refresh_from_db()
    patient.full_clean()
    assert patient.user.role == Role.PATIENT
    assert patient.enrolled_on < timezone.localdate()
    assert patient.care_team.patients.get() == patient


def test_consented_patient_factory_grants_every_scope_through_the_service():
    patient = f.ConsentedPatientFactory()

    patient.full_clean()
    assert consent_active_scopes(patient=patient) == set(ConsentScope.values)
    assert set(patient.consents.values_list("version", flat=True)) == {"1"}


def test_consented_patient_factory_grants_only_the_scopes_given():
    patient = f.ConsentedPatientFactory(consents=[ConsentScope.SELF_REPORT])

    assert consent_active_scopes(patient=patient) == {ConsentScope.SELF_REPORT}


def test_clinical_event_factory():
    event = f.ClinicalEventFactory()

    event.full_clean()
    assert event.kind == "relapse"
    assert event.patient.enrolled_on < event.date < timezone.localdate()


def test_consent_record_factory_grants_through_the_service():
    record = f.ConsentRecordFactory()

    record.refresh_from_db()
    record.full_clean()
    assert (record.scope, record.version, record.withdrawn_at) == (ConsentScope.SELF_REPORT, "1", None)
    assert consent_active_scopes(patient=record.patient) == {ConsentScope.SELF_REPORT}


def test_consent_record_factory_under_a_new_version_closes_the_old_grant():
    old = f.ConsentRecordFactory(version="1")

    new = f.ConsentRecordFactory(patient=old.patient, version="2", granted_at=timezone.now())

    old.refresh_from_db()
    assert old.withdrawn_at == new.granted_at
    assert new.withdrawn_at is None
    assert ConsentRecord.objects.filter(patient=old.patient).count() == 2


def test_consent_record_factory_withdraws_through_the_service():
    withdrawn_at = timezone.now() - dt.timedelta(days=1)

    record = f.ConsentRecordFactory(withdrawn_at=withdrawn_at)

    record.full_clean()
    assert record.withdrawn_at == withdrawn_at
    assert consent_active_scopes(patient=record.patient) == set()


def test_enrollment_code_factory_issues_a_code_the_patient_enrols_with():
    entry = f.EnrollmentCodeFactory()

    entry.full_clean()
    assert entry.created_by.care_teams.get() == entry.patient.care_team
    assert entry.expires_at > timezone.now()
    patient = patient_enroll(code=entry.clear_code, username="new-patient", password="a-long-passphrase-4-tests")
    assert patient.user.username == "new-patient"
    entry.refresh_from_db()
    assert entry.used_at is not None


def test_enrollment_code_factory_a_second_code_ends_the_first():
    first = f.EnrollmentCodeFactory()

    second = f.EnrollmentCodeFactory(patient=first.patient)

    first.refresh_from_db()
    assert first.expires_at <= second.created_at
    assert EnrollmentCode.objects.filter(patient=first.patient, expires_at__gt=timezone.now()).get() == second


def test_audit_event_factory_records_a_team_nurse_reading_the_patient():
    event = f.AuditEventFactory()

    event.full_clean()
    assert (event.action, event.method, event.status_code, event.ip) == (AuditAction.READ, "GET", 200, "192.0.2.10")
    actor = User.objects.get(pk=event.actor_id)
    patient = Patient.objects.get(pk=event.patient_id)
    assert (event.actor_username, event.actor_role) == (actor.username, Role.NURSE)
    assert patient.care_team in actor.care_teams.all()
    assert event.path == f"/api/v1/patients/{patient.pk}/"
    with pytest.raises(PermissionError):
        event.save()  # append-only


# --- monitoring: raw records -----------------------------------------------------------------


def test_check_in_factory_day_is_the_patients_local_day():
    # 13:00 UTC is 01:00 or 02:00 the next day in Auckland.
    recorded_at = latest_utc(13)

    checkin = f.CheckInFactory(patient__timezone="Pacific/Auckland", recorded_at=recorded_at)

    checkin.full_clean()
    local_day = recorded_at.astimezone(zoneinfo.ZoneInfo("Pacific/Auckland")).date()
    assert checkin.day == local_day == recorded_at.date() + dt.timedelta(days=1)
    summary = DailySummary.objects.get(patient=checkin.patient, date=local_day)
    assert (summary.checkins, summary.mood, summary.medication_taken) == (1, 1.0, True)


def test_check_in_factory_refuses_a_day_that_is_not_the_local_day():
    patient = f.ConsentedPatientFactory()
    recorded_at = timezone.now() - dt.timedelta(hours=2)

    with pytest.raises(ValueError, match="day is derived"):
        f.CheckInFactory(patient=patient, recorded_at=recorded_at, day=recorded_at.date() - dt.timedelta(days=1))

    assert not patient.checkins.exists()


def test_check_in_factory_keeps_the_consent_gate():
    patient = f.PatientFactory()

    with pytest.raises(ValueError, match="self_report"):
        f.CheckInFactory(patient=patient)

    assert not patient.checkins.exists()
    assert not DailySummary.objects.filter(patient=patient).exists()


def test_check_in_factory_refuses_what_the_api_refuses():
    patient = f.ConsentedPatientFactory()

    with pytest.raises(ValueError, match="enrolment"):
        f.CheckInFactory(patient=patient, recorded_at=timezone.now() - dt.timedelta(days=200))


def test_questionnaire_response_factory_scores_the_answers():
    response = f.QuestionnaireResponseFactory()

    response.full_clean(exclude=["flags"])  # [] is a valid value, which blank=False calls blank
    assert (response.instrument, response.total, response.severity, response.flags) == ("PHQ-9", 5, "mild", [])
    assert response.day == response.completed_at.astimezone(response.patient.tz).date()
    assert DailySummary.objects.get(patient=response.patient, date=response.day).phq9 == 5
    assert not Alert.objects.exists()


def test_questionnaire_response_factory_item_9_raises_the_safety_alert_with_it():
    response = f.QuestionnaireResponseFactory(answers=[1, 1, 1, 0, 1, 0, 1, 0, 1])

    response.full_clean()
    assert response.flags == [ITEM9_POSITIVE, SAFETY_ALERT]
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity, alert.patient) == (AlertKind.SAFETY, AlertSeverity.CRITICAL, response.patient)
    assert alert.care_team == response.patient.care_team
    assert alert.detail["questionnaire_id"] == str(response.pk)


def test_questionnaire_response_factory_refuses_a_total_the_answers_do_not_give():
    with pytest.raises(ValueError, match="total is derived"):
        f.QuestionnaireResponseFactory(total=12)


@pytest.mark.parametrize("kind", SignalKind.values)
def test_signal_record_factory_makes_each_kind_with_its_values(kind):
    record = f.SignalRecordFactory(kind=kind)

    record.full_clean()
    assert record.start < record.end <= timezone.now()
    counted_at = record.end if kind == SignalKind.SLEEP else record.start
    assert record.day == counted_at.astimezone(record.patient.tz).date()
    values = {name: getattr(record, name) for name in f.SIGNAL_VALUES[kind]}
    assert values == f.SIGNAL_VALUES[kind]
    assert DailySummary.objects.get(patient=record.patient, date=record.day).passive_records == 1


def test_signal_record_factory_counts_a_night_for_the_local_day_it_ends():
    patient = f.ConsentedPatientFactory(timezone="America/New_York")
    tz = patient.tz
    now = timezone.now().astimezone(tz)
    wake = dt.datetime.combine(now.date(), dt.time(6, 30), tzinfo=tz)
    if wake > now:
        wake = dt.datetime.combine(now.date() - dt.timedelta(days=1), dt.time(6, 30), tzinfo=tz)
    onset = dt.datetime.combine(wake.date() - dt.timedelta(days=1), dt.time(23, 0), tzinfo=tz)

    record = f.SignalRecordFactory(patient=patient, kind=SignalKind.SLEEP, start=onset, end=wake)

    assert record.day == wake.date() == onset.date() + dt.timedelta(days=1)
    summary = DailySummary.objects.get(patient=patient, date=wake.date())
    hours = (wake.astimezone(dt.UTC) - onset.astimezone(dt.UTC)).total_seconds() / 3600  # 7.5 but on a DST night
    assert (summary.sleep_hours, summary.sleep_onset, summary.sleep_wake) == (hours, dt.time(23, 0), dt.time(6, 30))


def test_speech_recording_factory_receives_a_voice_diary_pending_analysis():
    recording = f.SpeechRecordingFactory()

    recording.full_clean()
    assert recording.status == RecordingStatus.PENDING
    with recording.audio.open("rb") as handle:
        content = handle.read()
    assert len(content) == recording.size_bytes
    assert recording.sha256 == audio_digest(ContentFile(content))
    assert 1 <= recording.duration_s <= 180


def test_speech_recording_factory_analysed_stores_the_speech_record():
    recording = f.SpeechRecordingFactory(status=RecordingStatus.DONE)

    recording.full_clean()
    assert (recording.status, recording.audio.name, recording.error) == (RecordingStatus.DONE, "", "")
    record = SignalRecord.objects.get(pk=recording.pk)
    assert (record.kind, record.patient, record.start) == (SignalKind.SPEECH, recording.patient, recording.recorded_at)
    assert 100 <= record.pitch_mean_hz <= 200


def test_speech_recording_factory_without_speech_fails_its_analysis():
    recording = f.SpeechRecordingFactory(content=silence_wav(2.0), status=RecordingStatus.FAILED)

    assert recording.status == RecordingStatus.FAILED and recording.error
    assert not SignalRecord.objects.exists()


def test_daily_summary_factory_is_one_ordinary_local_day():
    summary = f.DailySummaryFactory()

    summary.full_clean()
    assert summary.date == local_yesterday(summary.patient)
    assert summary.patient.enrolled_on <= summary.date
    onset = dt.datetime.combine(summary.date - dt.timedelta(days=1), summary.sleep_onset)
    wake = dt.datetime.combine(summary.date, summary.sleep_wake)
    assert (wake - onset).total_seconds() / 3600 == summary.sleep_hours
    assert summary.phq9 is None and summary.speech_rate_wpm is None  # nothing recorded: NULL, never 0


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
    }[event]
    alert.refresh_from_db()
    assert alert.status == expected_status
    if event in (AlertEventKind.ACKNOWLEDGED, AlertEventKind.RESOLVED):
        assert alert.care_team in record.actor.care_teams.all()
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
