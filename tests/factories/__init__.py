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

from .alerts import ALERT_TITLES, AlertEventFactory, AlertFactory
from .base import DEFAULT_PASSWORD, ServiceFactory
from .ml import ModelVersionFactory, RiskScoreFactory, ScoringRunFactory
from .mobile import PatientScheduleFactory, PushSubscriptionFactory, ReminderSentFactory, ScheduledQuestionnaireFactory
from .monitoring import (
    SIGNAL_SPANS,
    SIGNAL_VALUES,
    TYPICAL_ANSWERS,
    CheckInFactory,
    DailySummaryFactory,
    QuestionnaireResponseFactory,
    SignalRecordFactory,
    SpeechRecordingFactory,
)
from .patients import (
    AuditEventFactory,
    CareTeamFactory,
    ClinicalEventFactory,
    ClinicianFactory,
    ConsentedPatientFactory,
    ConsentRecordFactory,
    EnrollmentCodeFactory,
    EstablishmentFactory,
    PatientFactory,
    UserFactory,
    grant_consents,
)

__all__ = [
    "SIGNAL_SPANS",
    "SIGNAL_VALUES",
    "TYPICAL_ANSWERS",
    "ALERT_TITLES",
    "AlertEventFactory",
    "AlertFactory",
    "AuditEventFactory",
    "CareTeamFactory",
    "EstablishmentFactory",
    "CheckInFactory",
    "ClinicalEventFactory",
    "ClinicianFactory",
    "ConsentRecordFactory",
    "ConsentedPatientFactory",
    "DEFAULT_PASSWORD",
    "DailySummaryFactory",
    "EnrollmentCodeFactory",
    "ModelVersionFactory",
    "PatientFactory",
    "PatientScheduleFactory",
    "PushSubscriptionFactory",
    "QuestionnaireResponseFactory",
    "ReminderSentFactory",
    "RiskScoreFactory",
    "SIGNAL_SPANS",
    "ScheduledQuestionnaireFactory",
    "ScoringRunFactory",
    "ServiceFactory",
    "SignalRecordFactory",
    "SpeechRecordingFactory",
    "TYPICAL_ANSWERS",
    "UserFactory",
    "grant_consents",
]
