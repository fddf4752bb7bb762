"""factory_boy factories shared by the whole suite: one (at least) for every model of the apps.

Where a service keeps a model's invariants, `create()` goes through that service, so a row made
by a factory is one the application could have written: consent history (`consent_grant`),
enrolment codes (`enrollment_code_issue`), the audit trail (`audit_record`), raw records (the
ingestion validation and store: consent gate, the patient's local `day`, questionnaire scoring,
the safety rule and the daily-summary upsert), voice diaries, the alert lifecycle and its event
log, a patient's schedule and push subscriptions. `build()` gives the same values, unsaved.

A field the service derives (a raw record's `day`, a questionnaire's score, an alert's care
team, ...) may be passed only with the value the service derives: any other value raises
ValueError rather than writing a row the application never would."""

import datetime as dt
import hashlib
import io
import secrets
import uuid
import zoneinfo
from base64 import urlsafe_b64encode
from typing import Any

import factory
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.utils import timezone

from alerts import rules
from alerts.factors import english, factor_label
from alerts.models import Alert, AlertEvent, AlertEventKind, AlertKind, AlertSeverity, AlertStatus
from alerts.services import alert_acknowledge, alert_escalate, alert_raise, alert_resolve
from ml.features import FEATURES, LOOKBACK_DAYS
from ml.models import ModelVersion, RiskScore, ScoringRun
from ml.serving import band_for
from mobile.due import default_cadences
from mobile.models import Instrument as ScheduleInstrument
from mobile.models import PatientSchedule, PushSubscription, ReminderSent, ScheduledQuestionnaire
from mobile.push import push_subscription_save
from mobile.services import schedule_set
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
from patients.audit import audit_record
from patients.models import (
    AuditAction,
    AuditEvent,
    CareTeam,
    ClinicalEvent,
    ConsentRecord,
    ConsentScope,
    EnrollmentCode,
    Patient,
    Role,
    User,
)
from patients.services import consent_grant, consent_withdraw, enrollment_code_issue
from tests.monitoring.audio import speechlike, wav_bytes

DEFAULT_PASSWORD = "correct-horse-battery-9"  # noqa: S105 - test fixture


def _local_today(patient: Any) -> dt.date:
    return timezone.localdate(timezone=patient.tz)


def _require_derived(model_class: type, derived: dict[str, Any], given: dict[str, Any]) -> None:
    """Refuse a value given for a field the service derives, unless it is the derived one."""
    for name, value in derived.items():
        if name in given and given[name] != value:
            raise ValueError(
                f"{model_class.__name__}.{name} is derived by the service ({value!r}); it cannot be {given[name]!r}."
            )


class ServiceFactory(factory.django.DjangoModelFactory):
    """A factory whose `create()` calls a service. `_service_args` are arguments of that service
    that are no model fields (`build()` drops them); `_set_by_service` are fields the service
    sets itself (timestamps): `create()` applies them afterwards only when they are given, and
    `build()` sets them to now."""

    class Meta:
        abstract = True

    _service_args: tuple[str, ...] = ()
    _set_by_service: tuple[str, ...] = ()

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        for name in cls._service_args:
            kwargs.pop(name, None)
        for name in cls._set_by_service:
            kwargs.setdefault(name, timezone.now())
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _given_times(cls, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {name: kwargs.pop(name) for name in cls._set_by_service if name in kwargs}


# --- patients ------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.PATIENT
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeam
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"team-{n}")
    timezone = "Europe/Paris"


class ClinicianFactory(UserFactory):
    role = Role.NURSE

    @factory.post_generation
    def teams(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            for team in extracted:
                team.members.add(obj)


def _team_clinician() -> factory.SubFactory:
    """A nurse of the care team of the patient of the object being made."""
    # `o` is the context of ClinicianFactory.teams: its parent is the clinician being made, and
    # the clinician's parent the object that needs one.
    return factory.SubFactory(
        ClinicianFactory, teams=factory.LazyAttribute(lambda o: [o.factory_parent.factory_parent.patient.care_team])
    )


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    code = factory.Sequence(lambda n: f"P{n:04d}")
    care_team = factory.SubFactory(CareTeamFactory)
    user = factory.SubFactory(UserFactory, role=Role.PATIENT)
    timezone = "Europe/Paris"
    birth_year = 1985
    sex = "F"
    diagnosis = "F33"
    enrolled_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=120))


class ConsentedPatientFactory(PatientFactory):
    """A patient who has granted every consent scope (version "1"), through `consent_grant`.
    `consents=[...]` grants only those scopes."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def consents(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            scopes = ConsentScope.values if extracted is None else extracted
            consent_grant(patient=obj, version="1", scopes=scopes)


def grant_consents(patient: Patient, scopes: list[str] | None = None, version: str = "1") -> None:
    for scope in scopes or ConsentScope.values:
        ConsentRecord.objects.get_or_create(
            patient=patient,
            scope=scope,
            withdrawn_at=None,
            defaults={"version": version, "granted_at": timezone.now()},
        )


class ClinicalEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicalEvent

    patient = factory.SubFactory(PatientFactory)
    kind = "relapse"
    date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    note = ""


class ConsentRecordFactory(ServiceFactory):
    """One grant, through `consent_grant`: granting a scope already granted under another
    version closes that grant (history is kept). `withdrawn_at` withdraws it
    (`consent_withdraw`)."""

    class Meta:
        model = ConsentRecord

    patient = factory.SubFactory(PatientFactory)
    scope = ConsentScope.SELF_REPORT
    version = "1"
    granted_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    withdrawn_at = None

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> ConsentRecord:
        patient, scope = kwargs["patient"], kwargs["scope"]
        (record,) = consent_grant(patient=patient, version=kwargs["version"], scopes=[scope], at=kwargs["granted_at"])
        if record.granted_at != kwargs["granted_at"]:
            raise ValueError(
                f"{scope!r} is granted already under version {record.version!r} (consent_grant keeps that grant)."
            )
        if kwargs["withdrawn_at"] is not None:
            consent_withdraw(patient=patient, scopes=[scope], at=kwargs["withdrawn_at"])
            record.refresh_from_db()
        return record


class EnrollmentCodeFactory(ServiceFactory):
    """A code issued by `enrollment_code_issue` (earlier unused codes of the patient stop
    working). The clear code, which only the issuer ever sees, is on `.clear_code`. `used_at`
    and `expires_at`, when given, are applied afterwards."""

    class Meta:
        model = EnrollmentCode

    patient = factory.SubFactory(PatientFactory, user=None)
    created_by = _team_clinician()

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> EnrollmentCode:
        # The keyed hash of a code nobody knows: build() only, create() stores the issued one's.
        kwargs.setdefault("code_hash", secrets.token_hex(32))
        kwargs.setdefault("expires_at", timezone.now() + dt.timedelta(hours=settings.ENROLLMENT_CODE_TTL_HOURS))
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> EnrollmentCode:
        if "code_hash" in kwargs:
            raise ValueError("EnrollmentCode.code_hash is the issued code's keyed hash; it cannot be given.")
        patient = kwargs["patient"]
        clear = enrollment_code_issue(patient=patient, created_by=kwargs["created_by"])
        entry = EnrollmentCode.objects.filter(patient=patient).latest("pk")
        changes = {name: kwargs[name] for name in ("expires_at", "used_at") if name in kwargs}
        if changes:
            EnrollmentCode.objects.filter(pk=entry.pk).update(**changes)
            entry.refresh_from_db()
        entry.clear_code = clear  # type: ignore[attr-defined]
        return entry


class AuditEventFactory(ServiceFactory):
    """A nurse of the patient's team reading the patient's record through the API, written by
    `audit_record` from a request like the one the API receives."""

    class Meta:
        model = AuditEvent

    patient = factory.SubFactory(PatientFactory)
    actor = _team_clinician()
    actor_id = factory.LazyAttribute(lambda o: o.actor.pk if o.actor is not None else None)
    actor_username = factory.LazyAttribute(lambda o: o.actor.username if o.actor is not None else "")
    actor_role = factory.LazyAttribute(lambda o: o.actor.role if o.actor is not None else "")
    patient_id = factory.LazyAttribute(lambda o: o.patient.pk if o.patient is not None else None)
    action = AuditAction.READ
    resource = "patient"
    method = "GET"
    path = factory.LazyAttribute(lambda o: f"/api/v1/patients/{o.patient_id}/")
    ip = "192.0.2.10"  # TEST-NET-1
    status_code = 200
    detail = factory.Dict({})
    _service_args = ("patient", "actor")
    _set_by_service = ("at",)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> AuditEvent:
        actor = kwargs["actor"]
        _require_derived(
            model_class,
            {
                "actor_id": actor.pk if actor is not None else None,
                "actor_username": actor.username if actor is not None else "",
                "actor_role": actor.role if actor is not None else "",
            },
            kwargs,
        )
        if "at" in kwargs:
            raise ValueError("AuditEvent.at is the moment audit_record writes it (the trail is append-only).")
        request = RequestFactory().generic(kwargs["method"], kwargs["path"], REMOTE_ADDR=kwargs["ip"])
        request.user = actor
        return audit_record(
            action=kwargs["action"],
            resource=kwargs["resource"],
            request=request,
            actor=actor,
            patient_id=kwargs["patient_id"],
            status_code=kwargs["status_code"],
            detail=kwargs["detail"],
        )


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
                for name in ("mood", "anxiety", "energy", "irritability", "sleep_quality", "medication_taken", "note")
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


# --- ml ------------------------------------------------------------------------------------


class ModelVersionFactory(factory.django.DjangoModelFactory):
    """A registered model version with its registry data. There is no artifact file behind it
    (use ml.services.model_register with a trained model for one). `is_active=True` makes it
    the only active version, as `model_activate` does."""

    class Meta:
        model = ModelVersion

    version = factory.Sequence(lambda n: f"risk-test-{n:04d}")
    trained_by = None
    is_active = False
    activated_at = factory.LazyAttribute(lambda o: timezone.now() if o.is_active else None)
    artifact_path = factory.LazyAttribute(lambda o: f"{settings.MODEL_ARTIFACT_DIR}/{o.version}.joblib")
    artifact_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.version.encode()).hexdigest())
    data_start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=366))
    data_end = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    seed = 0
    feature_names = factory.LazyFunction(lambda: list(FEATURES))
    threshold = 0.3
    metrics = factory.LazyAttribute(
        lambda o: {
            "budget": 1.0,
            "training": {"data_start": o.data_start.isoformat(), "data_end": o.data_end.isoformat()},
            "scorers": {"model": {"overall": {"auroc": {"value": 0.74}, "event_sensitivity": {"value": 0.62}}}},
        }
    )
    model_card = factory.LazyAttribute(lambda o: f"# Relapse-risk model {o.version}\n\nA test model version.\n")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> ModelVersion:
        if kwargs.get("is_active"):
            ModelVersion.objects.filter(is_active=True).update(is_active=False)
        return super()._create(model_class, *args, **kwargs)


def _sleep_factor() -> dict[str, Any]:
    """One explanation factor as scoring stores it: short sleep raising the risk, labelled in
    English by the one labelling rule."""
    params = {"value": 5.9, "usual": 7.5, "z7": -1.8, "vol7": 0.2, "days_since": 0}
    with english():
        label = factor_label("sleep_hours", params)
    return {"feature": "sleep_hours", "label": label, "direction": "up", "weight": 0.04, "params": params}


class RiskScoreFactory(factory.django.DjangoModelFactory):
    """A nightly score of the patient's local yesterday by a model version, as scoring stores
    it: the team's threshold (its own, else the model's), the band of the score against it,
    the 90-day input window, one explanation factor."""

    class Meta:
        model = RiskScore

    patient = factory.SubFactory(PatientFactory)
    date = factory.LazyAttribute(lambda o: _local_today(o.patient) - dt.timedelta(days=1))
    model_version = factory.SubFactory(ModelVersionFactory)
    score = 0.12
    threshold = factory.LazyAttribute(
        lambda o: (
            o.patient.care_team.risk_threshold
            if o.patient.care_team.risk_threshold is not None
            else o.model_version.threshold
        )
    )
    band = factory.LazyAttribute(lambda o: band_for(o.score, o.threshold))
    explanation = factory.LazyFunction(lambda: [_sleep_factor()])
    input_start = factory.LazyAttribute(lambda o: o.date - dt.timedelta(days=LOOKBACK_DAYS - 1))
    input_end = factory.SelfAttribute("date")


class ScoringRunFactory(factory.django.DjangoModelFactory):
    """The nightly run of a care team's local yesterday. The default team has no patients, so
    the run dispatched no chunk."""

    class Meta:
        model = ScoringRun

    care_team = factory.SubFactory(CareTeamFactory)
    date = factory.LazyAttribute(
        lambda o: timezone.localdate(timezone=zoneinfo.ZoneInfo(o.care_team.timezone)) - dt.timedelta(days=1)
    )
    model_version = factory.SubFactory(ModelVersionFactory)
    chunks = 0


# --- alerts --------------------------------------------------------------------------------

ALERT_TITLES = {
    AlertKind.SAFETY: rules.TITLE_SAFETY_PHQ9,
    AlertKind.RISK: rules.TITLE_RISK,
    AlertKind.ADHERENCE: rules.TITLE_ADHERENCE,
    AlertKind.MANUAL: "Call the patient back about their sleep",
}
_ALERT_EVENT_FOR_TIME = {
    "created_at": AlertEventKind.CREATED,
    "acknowledged_at": AlertEventKind.ACKNOWLEDGED,
    "resolved_at": AlertEventKind.RESOLVED,
}


class AlertFactory(ServiceFactory):
    """An alert raised by `alert_raise` (its care team is the patient's; a `created` event),
    by default a clinician's manual one. `status=` acknowledged or resolved takes it there
    through `alert_acknowledge`/`alert_resolve`, by `acknowledged_by`/`resolved_by` or else a
    nurse of the team. `created_at`, `acknowledged_at`, `resolved_at`, when given, backdate the
    alert and the matching event."""

    class Meta:
        model = Alert

    patient = factory.SubFactory(PatientFactory)
    care_team = factory.LazyAttribute(lambda o: o.patient.care_team)
    kind = AlertKind.MANUAL
    severity = AlertSeverity.MEDIUM
    title = factory.LazyAttribute(lambda o: ALERT_TITLES[o.kind])
    detail = factory.LazyAttribute(
        lambda o: {"note": "Slept badly all week; wants a call."} if o.kind == AlertKind.MANUAL else {}
    )
    dedupe_key = None
    created_by = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == AlertKind.MANUAL),
        yes_declaration=_team_clinician(),
        no_declaration=None,
    )
    status = AlertStatus.OPEN
    acknowledged_by = None
    resolved_by = None
    resolution_note = factory.LazyAttribute(
        lambda o: "Called the patient; safety plan reviewed." if o.status == AlertStatus.RESOLVED else ""
    )
    _set_by_service = tuple(_ALERT_EVENT_FOR_TIME)

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> Alert:
        status = kwargs.get("status", AlertStatus.OPEN)
        if status == AlertStatus.OPEN:
            kwargs.setdefault("acknowledged_at", None)
        if status != AlertStatus.RESOLVED:
            kwargs.setdefault("resolved_at", None)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Alert:
        patient = kwargs["patient"]
        _require_derived(model_class, {"care_team": patient.care_team}, kwargs)
        times = cls._given_times(kwargs)
        status = kwargs["status"]
        if status not in AlertStatus.values:
            raise ValueError(f"Unknown alert status {status!r}.")
        if ("acknowledged_at" in times and status == AlertStatus.OPEN) or (
            "resolved_at" in times and status != AlertStatus.RESOLVED
        ):
            raise ValueError(f"An alert {status} has no such time: {sorted(times)}.")
        alert, _created = alert_raise(
            patient=patient,
            kind=kwargs["kind"],
            severity=kwargs["severity"],
            title=kwargs["title"],
            detail=kwargs["detail"],
            dedupe_key=kwargs["dedupe_key"],
            created_by=kwargs["created_by"],
        )
        acknowledger = kwargs["acknowledged_by"]
        if status == AlertStatus.ACKNOWLEDGED or (status == AlertStatus.RESOLVED and acknowledger is not None):
            alert, _changed = alert_acknowledge(alert=alert, user=acknowledger or _team_nurse(alert.care_team))
        if status == AlertStatus.RESOLVED:
            resolver = kwargs["resolved_by"] or acknowledger or _team_nurse(alert.care_team)
            alert, _changed = alert_resolve(alert=alert, user=resolver, note=kwargs["resolution_note"])
        if times:
            Alert.objects.filter(pk=alert.pk).update(**times)
            for name, moment in times.items():
                AlertEvent.objects.filter(alert=alert, event=_ALERT_EVENT_FOR_TIME[name]).update(at=moment)
            alert.refresh_from_db()
        return alert


def _team_nurse(team: CareTeam) -> User:
    return ClinicianFactory(teams=[team])


class AlertEventFactory(ServiceFactory):
    """An event of the alert log, written by the lifecycle service that writes it, in `seq`
    order: `acknowledged` (default; `alert_acknowledge`), `resolved` (`alert_resolve`),
    `escalated` (`alert_escalate`, for an open critical alert; detail {"after_minutes"}), or
    the `created` event `alert_raise` wrote with the alert. `actor` defaults to a nurse of
    the alert's team for acknowledgements and resolutions."""

    class Meta:
        model = AlertEvent

    alert = factory.SubFactory(
        AlertFactory,
        severity=factory.LazyAttribute(
            lambda o: (
                AlertSeverity.CRITICAL if o.factory_parent.event == AlertEventKind.ESCALATED else AlertSeverity.MEDIUM
            )
        ),
    )
    care_team = factory.LazyAttribute(lambda o: o.alert.care_team)
    event = AlertEventKind.ACKNOWLEDGED
    actor = factory.LazyAttribute(lambda o: o.alert.created_by if o.event == AlertEventKind.CREATED else None)
    detail = factory.LazyAttribute(
        lambda o: {"after_minutes": o.alert.care_team.escalation_minutes} if o.event == AlertEventKind.ESCALATED else {}
    )
    note = "Called the patient; safety plan reviewed."  # a resolution's note
    _service_args = ("note",)
    _set_by_service = ("at",)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> AlertEvent:
        alert, event = kwargs["alert"], kwargs["event"]
        _require_derived(model_class, {"care_team": alert.care_team}, kwargs)
        if "at" in kwargs:
            raise ValueError("AlertEvent.at is the moment the service writes it (use AlertFactory's times).")
        actor = kwargs["actor"]
        if event in (AlertEventKind.ACKNOWLEDGED, AlertEventKind.RESOLVED) and actor is None:
            actor = kwargs["actor"] = _team_nurse(alert.care_team)
        if event == AlertEventKind.CREATED:
            written = True
        elif event == AlertEventKind.ACKNOWLEDGED:
            _alert, written = alert_acknowledge(alert=alert, user=actor)
        elif event == AlertEventKind.RESOLVED:
            _alert, written = alert_resolve(alert=alert, user=actor, note=kwargs["note"])
        elif event == AlertEventKind.ESCALATED:
            written = alert_escalate(alert_id=alert.pk, minutes=kwargs["detail"]["after_minutes"])
        else:
            raise ValueError(f"Unknown alert event {event!r}.")
        if not written:
            raise ValueError(f"The alert's state ({alert.status}) allows no {event!r} event.")
        record = AlertEvent.objects.filter(alert=alert, event=event).latest("seq")
        _require_derived(model_class, {"actor": record.actor, "detail": record.detail}, kwargs)
        return record


# --- mobile --------------------------------------------------------------------------------


class PatientScheduleFactory(ServiceFactory):
    """A schedule set by a nurse of the patient's team through `schedule_set`: a 19:30 check-in
    and, unless `cadences=[Cadence(...), ...]` says otherwise, the questionnaires by diagnosis."""

    class Meta:
        model = PatientSchedule

    patient = factory.SubFactory(PatientFactory)
    checkin_time = dt.time(19, 30)
    updated_by = _team_clinician()
    cadences = factory.LazyAttribute(lambda o: list(default_cadences(o.patient.diagnosis)))
    _service_args = ("cadences",)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> PatientSchedule:
        return schedule_set(
            patient=kwargs["patient"],
            checkin_time=kwargs["checkin_time"],
            cadences=kwargs["cadences"],
            updated_by=kwargs["updated_by"],
        )


class ScheduledQuestionnaireFactory(factory.django.DjangoModelFactory):
    """One questionnaire cadence of a schedule (the default schedule has no other)."""

    class Meta:
        model = ScheduledQuestionnaire

    schedule = factory.SubFactory(PatientScheduleFactory, cadences=[])
    instrument = ScheduleInstrument.PHQ9
    every_days = 14


def _b64url(raw: bytes) -> str:
    return urlsafe_b64encode(raw).rstrip(b"=").decode()


def _p256dh() -> str:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    return _b64url(public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


class PushSubscriptionFactory(ServiceFactory):
    """A browser's Web Push subscription saved by `push_subscription_save`: an FCM endpoint,
    a real P-256 public key and a 16-byte auth secret. `failures` and `last_sent_at`, when
    given, are applied afterwards."""

    class Meta:
        model = PushSubscription

    patient = factory.SubFactory(PatientFactory)
    endpoint = factory.LazyFunction(lambda: f"https://fcm.googleapis.com/fcm/send/{secrets.token_urlsafe(24)}")
    p256dh = factory.LazyFunction(_p256dh)
    auth = factory.LazyFunction(lambda: _b64url(secrets.token_bytes(16)))
    language = "fr"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> PushSubscription:
        subscription, _created = push_subscription_save(
            patient=kwargs["patient"],
            endpoint=kwargs["endpoint"],
            keys={"p256dh": kwargs["p256dh"], "auth": kwargs["auth"]},
            language=kwargs["language"],
        )
        _require_derived(model_class, {"language": subscription.language}, kwargs)
        changes = {name: kwargs[name] for name in ("failures", "last_sent_at") if name in kwargs}
        if changes:
            PushSubscription.objects.filter(pk=subscription.pk).update(**changes)
            subscription.refresh_from_db()
        return subscription


class ReminderSentFactory(factory.django.DjangoModelFactory):
    """The check-in reminder of the patient's local today, claimed and sent to the one device
    the patient subscribed (`subscription=None`: no subscription is made)."""

    class Meta:
        model = ReminderSent
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    day = factory.LazyAttribute(lambda o: _local_today(o.patient))
    devices = 1
    subscription = factory.RelatedFactory(PushSubscriptionFactory, patient=factory.SelfAttribute("..patient"))
