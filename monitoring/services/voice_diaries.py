"""Voice diaries: the audio is kept until a background task has extracted its features,
stored as a `speech` signal record through ingestion (same consent gate, same idempotency),
then deleted."""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from celery import signature
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from patients.errors import IdempotencyConflict
from patients.models import ConsentScope, Patient, patient_lock
from patients.services import consent_require

from ..bulk import CONFLICT
from ..models import RecordingStatus, SignalRecord, SpeechRecording
from ..speech import extract_features
from ..validation import validate_signal
from .ingestion import CONFLICT_MESSAGE, ingestion_context, signals_store

logger = logging.getLogger(__name__)

# Enqueued by name: the task module imports this one (a task is a shell over a service).
PROCESS_TASK = "monitoring.tasks.process_speech_recording"


@dataclass(frozen=True)
class AudioUpload:
    file: File
    sha256: str
    size_bytes: int
    duration_s: float


def audio_digest(file: File) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def speech_recording_receive(
    *, patient: Patient, recording_id: UUID, recorded_at: datetime, upload: AudioUpload
) -> tuple[SpeechRecording, bool]:
    """Keep the audio until the background task has extracted its features. Idempotent by id:
    the same id with the same audio and time returns the existing recording (created False);
    anything else under that id is a conflict."""
    consent_require(patient=patient, scope=ConsentScope.SPEECH)
    with transaction.atomic():
        patient_lock(patient.pk)
        existing = SpeechRecording.objects.filter(pk=recording_id).first()
        if existing is None and SignalRecord.objects.filter(pk=recording_id).exists():
            # The id of a recording is also the id of the speech record made from it.
            raise IdempotencyConflict(recording_id)
        if existing is not None:
            if (
                existing.patient_id == patient.pk
                and existing.sha256 == upload.sha256
                and existing.recorded_at == recorded_at
            ):
                return existing, False
            raise IdempotencyConflict(recording_id)
        recording = SpeechRecording(
            id=recording_id,
            patient=patient,
            recorded_at=recorded_at,
            sha256=upload.sha256,
            size_bytes=upload.size_bytes,
            duration_s=upload.duration_s,
        )
        recording.audio.save(f"{recording_id}.wav", upload.file, save=False)
        saved_name = recording.audio.name
        try:
            with transaction.atomic():
                recording.save(force_insert=True)
        except IntegrityError as exc:  # the same id, for another patient, at the same moment
            default_storage.delete(saved_name)
            raise IdempotencyConflict(recording_id) from exc

        def enqueue() -> None:
            signature(PROCESS_TASK, args=(str(recording_id),)).delay()

        # robust: with the broker down the upload still succeeds (the recording is saved,
        # pending); speech_recordings_requeue_pending picks it up when the broker is back.
        transaction.on_commit(enqueue, robust=True)
    return recording, True


class AudioUnusable(Exception):
    """The audio holds nothing to measure (no voiced speech); retrying will not help."""


def speech_recording_process(*, recording_id: UUID | str) -> str:
    """Extract the voice features, store them as a `speech` record through `signals_store`
    (same consent gate, same idempotency: its id is the recording's), then delete the audio.
    Safe to run twice: a recording already done or failed is left as it is."""
    recording = SpeechRecording.objects.select_related("patient").filter(pk=recording_id).first()
    if recording is None or recording.status != RecordingStatus.PENDING:
        return recording.status if recording is not None else "missing"
    SpeechRecording.objects.filter(pk=recording.pk).update(attempts=models.F("attempts") + 1)
    patient = recording.patient
    try:
        if not recording.audio:
            raise AudioUnusable("The audio file is missing.")
        with recording.audio.open("rb") as handle:
            features = extract_features(handle)
    except AudioUnusable as exc:
        return _recording_finish(recording, RecordingStatus.FAILED, str(exc))
    except ValueError as exc:  # unreadable audio, or no speech in it
        return _recording_finish(recording, RecordingStatus.FAILED, str(exc)[:255])
    start = recording.recorded_at
    end = start + features.duration
    raw = {
        "id": str(recording.pk),
        "type": "speech",
        "start": start.isoformat(),
        "end": end.isoformat(),
        "speech_rate_wpm": features.speech_rate_wpm,
        "pause_ratio": features.pause_ratio,
        "pitch_mean_hz": features.pitch_mean_hz,
        "pitch_sd_hz": features.pitch_sd_hz,
        "energy_db": features.energy_db,
    }
    # "now" is when the recording arrived: the end of a diary just recorded is not "future".
    ctx = ingestion_context(patient=patient, now=max(recording.received_at, end))
    record, errors = validate_signal(raw, ctx)
    if record is None:
        return _recording_finish(recording, RecordingStatus.FAILED, json.dumps(errors)[:255])
    (status,) = signals_store(patient=patient, records=[record])
    if status.startswith("consent:"):
        return _recording_finish(recording, RecordingStatus.FAILED, "Consent to speech analysis was withdrawn.")
    if status == CONFLICT:
        return _recording_finish(recording, RecordingStatus.FAILED, CONFLICT_MESSAGE)
    return _recording_finish(recording, RecordingStatus.DONE, "")


def _recording_finish(recording: SpeechRecording, status: str, error: str) -> str:
    if status == RecordingStatus.FAILED:
        # The reason says what was wrong with the audio, never what was said.
        logger.warning("voice diary not analysed", extra={"recording": str(recording.pk), "reason": error[:120]})
    name = recording.audio.name if recording.audio else ""
    with transaction.atomic():
        updated = SpeechRecording.objects.filter(pk=recording.pk, status=RecordingStatus.PENDING).update(
            status=status, error=error, processed_at=timezone.now(), audio=""
        )
        if name and updated:
            transaction.on_commit(lambda: default_storage.delete(name))
    return status


def speech_recordings_requeue_pending(*, older_than_minutes: int = 10) -> int:
    """Re-enqueue recordings left pending (broker down at upload, worker killed). Safe to
    run any time: processing is guarded by the recording's state."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    ids = list(
        SpeechRecording.objects.filter(status=RecordingStatus.PENDING, received_at__lt=cutoff).values_list(
            "id", flat=True
        )[:500]
    )
    for recording_id in ids:
        signature(PROCESS_TASK, args=(str(recording_id),)).delay()
    return len(ids)
