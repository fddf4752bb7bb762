"""Every factory of tests/factories/ makes a valid row the application could have written: it
passes full_clean, keeps the invariants its service keeps, and two of a kind coexist."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from alerts.models import Alert, AlertKind, AlertSeverity
from monitoring.models import DailySummary, RecordingStatus, SignalKind, SignalRecord
from monitoring.questionnaires import ITEM9_POSITIVE, SAFETY_ALERT
from monitoring.services import audio_digest
from tests import factories as f
from tests.factories.base import latest_utc, local_yesterday
from tests.monitoring.audio import silence_wav

pytestmark = pytest.mark.django_db


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
