"""GDPR portability (art. 20) and access (art. 15): the export holds every personal-data model
and nothing of anyone else. A new model that points at a patient fails this test until the
export (or the explicit exclusion list) says what becomes of it."""

import datetime as dt
import json
import uuid

from django.apps import apps
from django.utils import timezone

from alerts.models import Alert, AlertNote
from ml.models import ModelVersion, RiskScore
from mobile.models import AppPreference, PatientSchedule, PushSubscription, ReminderSent, ScheduledQuestionnaire
from monitoring.models import (
    ActivityDay,
    ActivityEpochRecord,
    CheckIn,
    DailySummary,
    QuestionnaireResponse,
    SignalRecord,
    SpeechRecording,
)
from patients.models import ClinicalEvent, CrisisPlan, EmergencyAccess, EnrollmentCode, Patient
from tests.factories import UserFactory

# model label -> export section
EXPORTED = {
    "patients.ConsentRecord": "consents",
    "patients.ClinicalEvent": "clinical_events",
    "patients.CrisisPlan": "crisis_plan",
    "monitoring.CheckIn": "checkins",
    "monitoring.QuestionnaireResponse": "questionnaires",
    "monitoring.SignalRecord": "signals",
    "monitoring.ActivityEpochRecord": "activity_epoch_records",
    "monitoring.ActivityDay": "activity_days",
    "monitoring.SpeechRecording": "speech_recordings",
    "monitoring.DailySummary": "daily_summaries",
    "ml.RiskScore": "risk_scores",
    "alerts.Alert": "alerts",
    "mobile.PatientSchedule": "schedule",
    "mobile.PushSubscription": "push_subscriptions",
    "mobile.ReminderSent": "push_subscriptions",
    "mobile.AppPreference": "app_preference",
    "patients.EmergencyAccess": "emergency_accesses",
}
# Not personal data: a keyed hash of a one-time secret.
NOT_EXPORTED = {"patients.EnrollmentCode"}


def _patient_models() -> set[str]:
    found = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                getattr(field, "related_model", None) is Patient
                and field.concrete
                and (field.many_to_one or field.one_to_one)
            ):
                found.add(model._meta.label)
    return found


def test_every_model_pointing_at_a_patient_is_exported_or_excluded_on_purpose():
    assert _patient_models() == set(EXPORTED) | NOT_EXPORTED


def _seed(patient, marker: str) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now() - dt.timedelta(hours=2)
    day = timezone.localdate()
    CheckIn.objects.create(
        id=uuid.uuid4(), patient=patient, recorded_at=now, day=day, mood=1, note=f"{marker}-note", received_at=now
    )
    QuestionnaireResponse.objects.create(
        id=uuid.uuid4(),
        patient=patient,
        instrument="GAD-7",
        answers=[1] * 7,
        total=7,
        severity="mild",
        flags=[],
        completed_at=now,
        day=day,
        received_at=now,
    )
    SignalRecord.objects.create(
        id=uuid.uuid4(),
        patient=patient,
        kind="steps",
        start=now - dt.timedelta(hours=1),
        end=now,
        day=day,
        received_at=now,
        count=1234,
    )
    ActivityEpochRecord.objects.create(
        id=uuid.uuid4(),
        patient=patient,
        start=now - dt.timedelta(minutes=2),
        end=now,
        day=day,
        epoch_seconds=60,
        epochs=2,
        digest="0" * 64,
        received_at=now,
    )
    ActivityDay.objects.create(
        patient=patient, date=day, minutes=[None] * 1438 + [5, 7], wear_minutes=2, updated_at=now
    )
    SpeechRecording.objects.create(
        id=uuid.uuid4(), patient=patient, recorded_at=now, sha256="0" * 64, size_bytes=10, duration_s=5, status="done"
    )
    DailySummary.objects.create(patient=patient, date=day, checkins=1, mood=1)
    version, _ = ModelVersion.objects.get_or_create(
        version="gdpr-v", defaults={"artifact_path": "x", "artifact_sha256": "0" * 64, "threshold": 0.3}
    )
    RiskScore.objects.create(
        patient=patient, date=day, model_version=version, score=0.1, band="low", threshold=0.3, explanation=[]
    )
    alert = Alert.objects.create(
        patient=patient, care_team=patient.care_team, kind="manual", severity="low", title=f"{marker}-alert"
    )
    AlertNote.objects.create(alert=alert, kind="call", outcome="reached", text=f"{marker}-call")
    CrisisPlan.objects.create(patient=patient, warning_signs=f"{marker}-signs")
    ClinicalEvent.objects.create(patient=patient, kind="crisis_visit", date=day, note=f"{marker}-event")
    schedule = PatientSchedule.objects.create(patient=patient, checkin_time=dt.time(19, 30))
    ScheduledQuestionnaire.objects.create(schedule=schedule, instrument="PHQ-9", every_days=14)
    AppPreference.objects.create(patient=patient, easy_read=True)
    EnrollmentCode.objects.create(
        patient=patient, code_hash=uuid.uuid4().hex * 2, expires_at=now + dt.timedelta(days=1)
    )
    PushSubscription.objects.create(
        patient=patient, endpoint=f"https://fcm.googleapis.com/fcm/send/{marker}-device", p256dh="k", auth="a"
    )
    ReminderSent.objects.create(patient=patient, day=day, devices=1)
    EmergencyAccess.objects.create(
        patient=patient,
        clinician=UserFactory(username=f"er-{marker}", role="emergency"),
        reason="other",
        reason_text=f"{marker}-emergency",
        started_at=now,
        expires_at=now + dt.timedelta(hours=4),
    )


def test_export_holds_all_of_it_and_nothing_of_anyone_else(patient_client, patient, other_patient):
    _seed(patient, "mine")
    _seed(other_patient, "theirs")

    data = patient_client.get("/api/v1/me/export/").json()
    text = json.dumps(data)

    for label, section in EXPORTED.items():
        assert data[section], f"{label} missing from the export section {section!r}"
    assert data["checkins"][0]["note"] == "mine-note"
    assert data["clinical_events"][0]["note"] == "mine-event"
    assert data["alerts"][0]["notes"][0]["text"] == "mine-call"
    assert data["crisis_plan"]["warning_signs"] == "mine-signs"
    assert [a["reason_text"] for a in data["emergency_accesses"]] == ["mine-emergency"]
    assert data["schedule"]["questionnaires"] == [{"instrument": "PHQ-9", "every_days": 14}]
    assert data["app_preference"]["easy_read"] is True
    assert [d["endpoint"] for d in data["push_subscriptions"]["devices"]] == [
        "https://fcm.googleapis.com/fcm/send/mine-device"
    ]
    assert [r["devices"] for r in data["push_subscriptions"]["reminders_sent"]] == [1]
    assert len(data["signals"]) == 1 and len(data["risk_scores"]) == 1
    assert data["activity_days"][0]["minutes"][-2:] == [5, 7] and data["activity_days"][0]["wear_minutes"] == 2
    assert "theirs" not in text
    assert other_patient.code not in text
