"""Voice diaries: upload rules, feature extraction on synthesised audio, the background
task (a real Celery worker when REDIS_URL is set), and the audio's deletion."""

import io
import os
import time
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring import services
from monitoring.models import DailySummary, SignalRecord, SpeechRecording
from monitoring.speech import extract_features
from tests.monitoring.audio import float_wav, silence_wav, speechlike, wav_bytes
from tests.monitoring.conftest import iso, recent

URL = "/api/v1/speech/recordings/"


def upload(client, content, *, recording_id=None, recorded_at=None, name="diary.wav"):
    return client.post(
        URL,
        {
            "id": recording_id or str(uuid.uuid4()),
            "recorded_at": recorded_at or iso(recent(hours=1)),
            "file": SimpleUploadedFile(name, content, content_type="audio/wav"),
        },
        format="multipart",
    )


# --- features (pure) ----------------------------------------------------------------------------------


def features(**kw):
    return extract_features(io.BytesIO(wav_bytes(speechlike(**kw))))


def test_pitch_follows_the_voice():
    low, high = features(f0=120), features(f0=220)
    assert low.pitch_mean_hz == pytest.approx(120, rel=0.03)
    assert high.pitch_mean_hz == pytest.approx(220, rel=0.03)
    assert 0 < low.pitch_sd_hz < 15


def test_speech_rate_counts_syllables():
    normal = features()
    # 20 syllables over ~7.4 s of speaking time: ~160 syllables/min, ~107 words/min.
    assert normal.speech_rate_wpm == pytest.approx(107, rel=0.1)
    assert features(syllable_s=0.12, gap_s=0.05).speech_rate_wpm > normal.speech_rate_wpm * 1.2


def test_pause_ratio_grows_with_pauses():
    assert features(pause_s=1.5).pause_ratio > features(pause_s=0.3).pause_ratio + 0.1


def test_loudness_follows_amplitude():
    quiet = extract_features(io.BytesIO(wav_bytes(speechlike() * 0.1)))
    assert features().energy_db - quiet.energy_db == pytest.approx(20, abs=1.5)


def test_stereo_and_8_bit_read():
    stereo = extract_features(io.BytesIO(wav_bytes(speechlike(), channels=2)))
    assert stereo.pitch_mean_hz == pytest.approx(150, rel=0.03)
    eight = extract_features(io.BytesIO(wav_bytes(speechlike(), width=1)))
    assert eight.pitch_mean_hz == pytest.approx(150, rel=0.03)


def test_silence_has_no_features():
    with pytest.raises(ValueError, match="silent"):
        extract_features(io.BytesIO(silence_wav(3)))


# --- the upload -------------------------------------------------------------------------------------------


def test_upload_then_process(patient_client, patient, django_capture_on_commit_callbacks, settings):
    recording_id = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(patient_client, wav_bytes(speechlike()), recording_id=recording_id)
    assert response.status_code == 202
    body = response.json()
    assert body["id"] == recording_id and body["duration_s"] == pytest.approx(8.3, abs=0.01)
    recording = SpeechRecording.objects.get(pk=recording_id)
    assert recording.status == "done" and recording.audio.name == ""
    assert os.listdir(os.path.join(settings.MEDIA_ROOT, "speech")) == []
    record = SignalRecord.objects.get(pk=recording_id)
    assert record.kind == "speech" and record.pitch_mean_hz == pytest.approx(150, rel=0.03)
    assert (record.end - record.start).total_seconds() == pytest.approx(8.3, abs=0.01)
    assert DailySummary.objects.get(patient=patient).speech_rate_wpm == record.speech_rate_wpm
    status = patient_client.get(f"{URL}{recording_id}/").json()
    assert status["status"] == "done" and status["error"] == ""


def test_processing_twice_changes_nothing(patient_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        recording_id = upload(patient_client, wav_bytes(speechlike())).json()["id"]
    assert services.speech_recording_process(recording_id=recording_id) == "done"
    assert SignalRecord.objects.count() == 1


def test_pending_until_the_task_runs(patient_client, settings, django_capture_on_commit_callbacks):
    response = upload(patient_client, wav_bytes(speechlike()))  # on_commit not run: no task yet
    recording = SpeechRecording.objects.get(pk=response.json()["id"])
    assert recording.status == "pending" and recording.audio.name.startswith("speech/")
    assert os.path.exists(os.path.join(settings.MEDIA_ROOT, recording.audio.name))
    with django_capture_on_commit_callbacks(execute=True):  # the audio goes once the result is committed
        assert services.speech_recording_process(recording_id=recording.pk) == "done"
    assert not os.path.exists(os.path.join(settings.MEDIA_ROOT, recording.audio.name))


def test_silent_recording_fails_clearly_and_is_deleted(patient_client, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(patient_client, silence_wav(3))
    recording = SpeechRecording.objects.get(pk=response.json()["id"])
    assert recording.status == "failed" and recording.error == "The recording is silent."
    assert recording.audio.name == "" and os.listdir(os.path.join(settings.MEDIA_ROOT, "speech")) == []
    assert not SignalRecord.objects.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"hello, not audio at all", "Not a readable WAV file: send uncompressed PCM WAV (RIFF/WAVE)."),
        (float_wav(), "Not a readable WAV file: send uncompressed PCM WAV (RIFF/WAVE)."),
        (silence_wav(0.5), "The recording must last 1 to 180 seconds; got 0.5."),
        (silence_wav(181), "The recording must last 1 to 180 seconds; got 181.0."),
        (silence_wav(2, rate=4000), "The sample rate must be between 8000 and 48000 Hz."),
    ],
)
def test_rejected_files(patient_client, content, message):
    response = upload(patient_client, content)
    assert response.status_code == 400
    assert response.json() == {"file": [message]}
    assert not SpeechRecording.objects.exists()


def test_too_big_rejected(patient_client):
    response = upload(patient_client, silence_wav(60, rate=48_000, width=4, channels=2))  # 23 MB
    assert response.status_code == 400
    assert response.json() == {"file": ["The file is larger than 16 MiB."]}


def test_missing_fields(patient_client):
    response = patient_client.post(URL, {}, format="multipart")
    assert response.status_code == 400
    assert set(response.json()) == {"id", "recorded_at", "file"}


def test_recorded_at_rules(patient_client):
    from django.utils import timezone

    future = upload(
        patient_client, wav_bytes(speechlike()), recorded_at=iso(timezone.now() + timezone.timedelta(hours=1))
    )
    assert future.status_code == 400 and "recorded_at" in future.json()


def test_idempotent_upload(patient_client):
    content = wav_bytes(speechlike())
    recording_id, at = str(uuid.uuid4()), iso(recent(hours=2))
    first = upload(patient_client, content, recording_id=recording_id, recorded_at=at)
    again = upload(patient_client, content, recording_id=recording_id, recorded_at=at)
    other = upload(patient_client, wav_bytes(speechlike(f0=200)), recording_id=recording_id, recorded_at=at)
    assert (first.status_code, again.status_code, other.status_code) == (202, 200, 409)
    assert SpeechRecording.objects.count() == 1


def test_speech_consent_required(make_patient):
    patient, client = make_patient(scopes=["self_report"])
    response = upload(client, wav_bytes(speechlike()))
    assert response.status_code == 403
    assert not SpeechRecording.objects.exists()


def test_status_of_another_patients_recording_is_404(patient_client, other_patient):
    from tests.conftest import auth_client

    recording_id = upload(auth_client(other_patient.user), wav_bytes(speechlike())).json()["id"]
    assert patient_client.get(f"{URL}{recording_id}/").status_code == 404


# --- with the real worker ---------------------------------------------------------------------------------


@pytest.mark.services
def test_real_worker_extracts_and_deletes(celery_worker_process, settings):
    from tests.conftest import auth_client
    from tests.factories import PatientFactory, grant_consents

    # The worker is another process: both must use the same media directory.
    settings.MEDIA_ROOT = "/tmp/relapse-test-media"  # noqa: S108 - config/settings/test.py's value
    patient = PatientFactory(code="SPEECH1")
    grant_consents(patient)
    response = upload(auth_client(patient.user), wav_bytes(speechlike(f0=180)))
    assert response.status_code == 202
    recording_id = response.json()["id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        recording = SpeechRecording.objects.get(pk=recording_id)
        if recording.status != "pending":
            break
        time.sleep(0.2)
    assert recording.status == "done", recording.error
    assert recording.audio.name == ""
    assert not os.path.exists(f"/tmp/relapse-test-media/speech/{recording_id}.wav")
    assert SignalRecord.objects.get(pk=recording_id).pitch_mean_hz == pytest.approx(180, rel=0.03)


def test_upload_succeeds_when_the_broker_is_down_and_is_requeued_later(
    patient_client, settings, django_capture_on_commit_callbacks, monkeypatch
):
    from kombu.exceptions import OperationalError as BrokerDown

    from monitoring import tasks

    def broker_down(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as m:
        m.setattr(tasks.process_speech_recording, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(patient_client, wav_bytes(speechlike()))
    recording = SpeechRecording.objects.get(pk=response.json()["id"])
    assert response.status_code == 202
    assert recording.status == "pending"

    # The sweeper leaves fresh uploads alone, then queues the stale one once the broker is back.
    assert services.speech_recordings_requeue_pending(older_than_minutes=10) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.speech_recordings_requeue_pending(older_than_minutes=0) == 1
    recording.refresh_from_db()
    assert recording.status == "done"
    assert SignalRecord.objects.filter(kind="speech").count() == 1
