"""Factories: monitoring."""

import datetime as dt
import io
import uuid
from typing import Any

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from monitoring.models import (
    CheckIn,
    DailySummary,
    Instrument,
    QuestionnaireResponse,
    RecordingStatus,
    SignalKind,
    SignalRecord,
    SpeechRecording,
)
from monitoring.services import (
    CONFLICT,
    AudioUpload,
    audio_digest,
    checkins_store,
    ingestion_context,
    questionnaire_scored,
    questionnaires_store,
    signals_store,
    speech_recording_process,
    speech_recording_receive,
)
from monitoring.speech import wav_info
from monitoring.validation import (
    SIGNAL_VALUE_FIELDS,
    QuestionnaireIn,
    validate_checkin,
    validate_questionnaire,
    validate_signal,
)
from patients.models import (
    Patient,
)
from tests.monitoring.audio import speechlike, wav_bytes

from .base import ServiceFactory, _local_today, _require_derived
from .patients import ConsentedPatientFactory, PatientFactory

# --- monitoring: raw records through ingestion ---------------------------------------------


def _validated(validate: Any, raw: dict[str, Any], patient: Patient) -> Any:
    record, errors = validate(raw, ingestion_context(patient=patient))
    if record is None:
        raise ValueError(f"The API would refuse this record: {errors}")
    return record


def _stored(model_class: type, pk: uuid.UUID, status: str, times: dict[str, Any]) -> Any:
    if status.startswith("consent:"):
        scope = status.removeprefix("consent:")
        raise ValueError(f"Not stored: the patient has not consented to {scope!r} (grant it first).")
    if status == CONFLICT:
        raise ValueError(f"Not stored: a different record with id {pk} exists.")
    if times:
        model_class.objects.filter(pk=pk).update(**times)
    return model_class.objects.get(pk=pk)


def _recent(**delta: float) -> factory.LazyFunction:
    return factory.LazyFunction(lambda: timezone.now() - dt.timedelta(**delta))


class CheckInFactory(ServiceFactory):
    """A daily self-report, validated and stored as the API does (`checkins_store`): `day` is
    the patient's local day of `recorded_at`, and the day's summary is updated. The default
    patient has consented; another must have the self-report consent."""

    class Meta:
        model = CheckIn

    id = factory.LazyFunction(uuid.uuid4)
    patient = factory.SubFactory(ConsentedPatientFactory)
    recorded_at = _recent(hours=2)
    day = factory.LazyAttribute(lambda o: o.recorded_at.astimezone(o.patient.tz).date())
    mood = 1
    anxiety = 3
    energy = 6
    irritability = 2
    sleep_quality = 7
    medication_taken = True
    note = ""
    for_next_appointment = False
    _set_by_service = ("received_at",)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> CheckIn:
        patient = kwargs["patient"]
        times = cls._given_times(kwargs)
        raw = {
            "id": str(kwargs["id"]),
            "recorded_at": kwargs["recorded_at"].isoformat(),
            **{
                name: kwargs[name]
                for name in (
                    "mood",
                    "anxiety",
                    "energy",
                    "irritability",
                    "sleep_quality",
                    "medication_taken",
                    "note",
                    "for_next_appointment",
                )
            },
        }
        record = _validated(validate_checkin, raw, patient)
        _require_derived(model_class, {"day": record.day}, kwargs)
        (status,) = checkins_store(patient=patient, checkins=[record])
        return _stored(model_class, record.id, status, times)


# Answers of a patient in remission: PHQ-9 5 (mild, item 9 at 0), GAD-7 4, ASRM 2.
TYPICAL_ANSWERS = {
    Instrument.PHQ9: [1, 1, 1, 0, 1, 0, 1, 0, 0],
    Instrument.GAD7: [1, 1, 0, 1, 0, 1, 0],
    Instrument.ASRM: [0, 1, 0, 1, 0],
}


def _scored(o: Any) -> Any:
    return questionnaire_scored(QuestionnaireIn(o.id, o.instrument, list(o.answers), o.completed_at, o.day))


class QuestionnaireResponseFactory(ServiceFactory):
    """A completed questionnaire, validated, scored and stored as the API does
    (`questionnaires_store`): total, severity and flags come from the answers; a PHQ-9 with
    item 9 above 0 raises the safety alert with it; the day's summary is updated."""

    class Meta:
        model = QuestionnaireResponse

    id = factory.LazyFunction(uuid.uuid4)
    patient = factory.SubFactory(ConsentedPatientFactory)
    instrument = Instrument.PHQ9
    answers = factory.LazyAttribute(lambda o: list(TYPICAL_ANSWERS[o.instrument]))
    completed_at = _recent(hours=3)
    day = factory.LazyAttribute(lambda o: o.completed_at.astimezone(o.patient.tz).date())
    total = factory.LazyAttribute(lambda o: _scored(o).total)
    severity = factory.LazyAttribute(lambda o: _scored(o).severity)
    flags = factory.LazyAttribute(lambda o: _scored(o).flags)
    _set_by_service = ("received_at",)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> QuestionnaireResponse:
        patient = kwargs["patient"]
        times = cls._given_times(kwargs)
        raw = {
            "id": str(kwargs["id"]),
            "instrument": kwargs["instrument"],
            "answers": kwargs["answers"],
            "completed_at": kwargs["completed_at"].isoformat(),
        }
        record = _validated(validate_questionnaire, raw, patient)
        scored = questionnaire_scored(record)
        _require_derived(
            model_class,
            {"day": record.day, "total": scored.total, "severity": scored.severity, "flags": scored.flags},
            kwargs,
        )
        (status,) = questionnaires_store(patient=patient, records=[record])
        return _stored(model_class, record.id, status, times)


# Per kind: how long a record lasts and its values, as a phone sends them.
SIGNAL_SPANS = {
    SignalKind.SLEEP: dt.timedelta(hours=7, minutes=30),
    SignalKind.STEPS: dt.timedelta(hours=1),
    SignalKind.MOBILITY: dt.timedelta(hours=1),
    SignalKind.SPEECH: dt.timedelta(seconds=45),
    SignalKind.SCREEN: dt.timedelta(hours=1),
}
SIGNAL_VALUES: dict[str, dict[str, float | int]] = {
    SignalKind.SLEEP: {"efficiency": 0.91, "awakenings": 2},
    SignalKind.STEPS: {"count": 640},
    SignalKind.MOBILITY: {"time_at_home_min": 42.0, "distance_km": 1.8, "places_visited": 2},
    SignalKind.SPEECH: {
        "speech_rate_wpm": 132.0,
        "pause_ratio": 0.22,
        "pitch_mean_hz": 186.0,
        "pitch_sd_hz": 24.0,
        "energy_db": 61.5,
    },
    SignalKind.SCREEN: {"screen_minutes": 14.0, "unlocks": 9},
}


def _signal_value(name: str) -> factory.LazyAttribute:
    return factory.LazyAttribute(lambda o: SIGNAL_VALUES[o.kind].get(name))


class SignalRecordFactory(ServiceFactory):
    """A passive-signal record (steps by default; `kind=` gives another with its own values),
    validated and stored as the API does (`signals_store`): `day` is the patient's local day
    the record ends (sleep) or starts (the others); the day's summary is updated."""

    class Meta:
        model = SignalRecord

    class Params:
        span = factory.LazyAttribute(lambda o: SIGNAL_SPANS[o.kind])

    id = factory.LazyFunction(uuid.uuid4)
    patient = factory.SubFactory(ConsentedPatientFactory)
    kind = SignalKind.STEPS
    start = factory.LazyAttribute(lambda o: timezone.now() - dt.timedelta(hours=1) - o.span)
    end = factory.LazyAttribute(lambda o: o.start + o.span)
    day = factory.LazyAttribute(
        lambda o: (o.end if o.kind == SignalKind.SLEEP else o.start).astimezone(o.patient.tz).date()
    )
    efficiency = _signal_value("efficiency")
    awakenings = _signal_value("awakenings")
    count = _signal_value("count")
    time_at_home_min = _signal_value("time_at_home_min")
    distance_km = _signal_value("distance_km")
    places_visited = _signal_value("places_visited")
    speech_rate_wpm = _signal_value("speech_rate_wpm")
    pause_ratio = _signal_value("pause_ratio")
    pitch_mean_hz = _signal_value("pitch_mean_hz")
    pitch_sd_hz = _signal_value("pitch_sd_hz")
    energy_db = _signal_value("energy_db")
    screen_minutes = _signal_value("screen_minutes")
    unlocks = _signal_value("unlocks")
    _set_by_service = ("received_at",)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> SignalRecord:
        patient = kwargs["patient"]
        times = cls._given_times(kwargs)
        raw = {
            "id": str(kwargs["id"]),
            "type": kwargs["kind"],
            "start": kwargs["start"].isoformat(),
            "end": kwargs["end"].isoformat(),
            **{name: kwargs[name] for name in SIGNAL_VALUE_FIELDS if kwargs[name] is not None},
        }
        record = _validated(validate_signal, raw, patient)
        _require_derived(model_class, {"day": record.day}, kwargs)
        (status,) = signals_store(patient=patient, records=[record])
        return _stored(model_class, record.id, status, times)


def _speech_wav() -> bytes:
    return wav_bytes(speechlike(phrases=2))


class SpeechRecordingFactory(ServiceFactory):
    """A voice diary received as the API receives it (`speech_recording_receive`: speech
    consent, audio kept until analysed): pending. `status=RecordingStatus.DONE` (or FAILED,
    for audio without speech) runs the analysis (`speech_recording_process`), which stores the
    features as a speech record with the recording's id and drops the audio."""

    class Meta:
        model = SpeechRecording

    id = factory.LazyFunction(uuid.uuid4)
    patient = factory.SubFactory(ConsentedPatientFactory)
    recorded_at = _recent(hours=1)
    content = factory.LazyFunction(_speech_wav)  # the WAV file's bytes
    sha256 = factory.LazyAttribute(lambda o: audio_digest(ContentFile(o.content)))
    size_bytes = factory.LazyAttribute(lambda o: len(o.content))
    duration_s = factory.LazyAttribute(lambda o: wav_info(io.BytesIO(o.content)).duration_s)
    status = RecordingStatus.PENDING
    _service_args = ("content",)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> SpeechRecording:
        content = kwargs["content"]
        upload = AudioUpload(
            file=ContentFile(content, name="diary.wav"),
            sha256=audio_digest(ContentFile(content)),
            size_bytes=len(content),
            duration_s=wav_info(io.BytesIO(content)).duration_s,
        )
        _require_derived(
            model_class,
            {"sha256": upload.sha256, "size_bytes": upload.size_bytes, "duration_s": upload.duration_s},
            kwargs,
        )
        recording, _created = speech_recording_receive(
            patient=kwargs["patient"], recording_id=kwargs["id"], recorded_at=kwargs["recorded_at"], upload=upload
        )
        if kwargs["status"] != RecordingStatus.PENDING:
            outcome = speech_recording_process(recording_id=recording.pk)
            if outcome != kwargs["status"]:
                raise ValueError(f"The analysis of this audio ended {outcome!r}, not {kwargs['status']!r}.")
            recording.refresh_from_db()
        return recording


class DailySummaryFactory(factory.django.DjangoModelFactory):
    """A summary row of the patient's local yesterday, written directly (charts, exports and
    the model read these rows; raw-record factories update them through ingestion instead).
    The values are one ordinary day: one check-in, a 7.5 h main sleep from 23:15 to 06:45,
    hourly steps and screen records, no questionnaire and no voice diary."""

    class Meta:
        model = DailySummary

    patient = factory.SubFactory(PatientFactory)
    date = factory.LazyAttribute(lambda o: _local_today(o.patient) - dt.timedelta(days=1))
    checkins = 1
    mood = 1.0
    anxiety = 3.0
    energy = 6.0
    irritability = 2.0
    sleep_quality = 7.0
    medication_taken = True
    phq9 = None
    gad7 = None
    asrm = None
    sleep_hours = 7.5
    sleep_onset = dt.time(23, 15)
    sleep_wake = dt.time(6, 45)
    sleep_efficiency = 0.91
    sleep_awakenings = 2
    steps = 6400
    time_at_home_min = 960.0
    distance_km = 5.2
    places_visited = 3
    screen_minutes = 175.0
    unlocks = 64
    passive_records = 50  # the sleep episode, 24 hourly steps, 24 hourly screen, 1 mobility
