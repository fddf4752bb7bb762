"""Alert services: stored first, one event per change, idempotent rules."""

import datetime as dt
import logging
import uuid

import pytest
from django.utils import timezone

from alerts import services
from alerts.models import Alert, AlertEvent
from ml.alerting import risk_alerts_evaluate
from patients.errors import IdempotencyConflict
from tests.alerts.conftest import make_score, raise_manual, raise_safety
from tests.conftest import free_port

pytestmark = pytest.mark.django_db


def events_of(alert):
    return list(AlertEvent.objects.filter(alert=alert).values_list("event", flat=True))


# --- safety ---------------------------------------------------------------------------------


def test_safety_alert_is_critical_with_a_created_event_pushed_on_commit(patient, django_capture_on_commit_callbacks):
    qid = uuid.uuid4()
    with django_capture_on_commit_callbacks() as callbacks:
        alert = raise_safety(patient, item9=2, questionnaire_id=qid)

    assert (alert.kind, alert.severity, alert.status, alert.care_team_id) == (
        "safety",
        "critical",
        "open",
        patient.care_team_id,
    )
    assert alert.detail["item9"] == 2 and alert.detail["questionnaire_id"] == str(qid)
    assert events_of(alert) == ["created"]
    assert len(callbacks) == 1  # the push waits for the commit


def test_safety_alert_is_raised_once_per_questionnaire(patient):
    qid = uuid.uuid4()
    first = raise_safety(patient, questionnaire_id=qid)
    again = raise_safety(patient, questionnaire_id=qid)

    assert again.pk == first.pk
    assert Alert.objects.count() == 1 and AlertEvent.objects.count() == 1


def test_safety_alerts_never_pause(patient):
    patient.care_team.risk_alerts_paused = True
    patient.care_team.save()

    raise_safety(patient)

    assert Alert.objects.filter(kind="safety").count() == 1


def test_a_failed_push_never_fails_the_caller_nor_loses_the_alert(
    patient, settings, caplog, django_capture_on_commit_callbacks
):
    # A channel layer on a port where nothing listens: every push fails.
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{free_port()}/0"]},
        }
    }
    settings.ALERTS_PUSH_TIMEOUT_SECONDS = 1.0
    caplog.set_level(logging.WARNING, logger="patients.sockets")

    with django_capture_on_commit_callbacks(execute=True):
        alert = raise_safety(patient)

    assert Alert.objects.filter(pk=alert.pk).exists()
    assert events_of(alert) == ["created"]
    failures = [r for r in caplog.records if r.getMessage().startswith("channel push failed")]
    assert len(failures) == 1
    assert patient.code not in caplog.text and str(patient.pk) not in caplog.text


# --- lifecycle ------------------------------------------------------------------------------


def test_acknowledge_then_resolve_records_who_when_and_what(patient, nurse, psychiatrist):
    alert = raise_safety(patient)

    alert, changed = services.alert_acknowledge(alert=alert, user=nurse)
    assert changed and alert.status == "acknowledged" and alert.acknowledged_by == nurse
    again, changed_again = services.alert_acknowledge(alert=alert, user=psychiatrist)
    assert not changed_again and again.acknowledged_by == nurse

    alert, changed = services.alert_resolve(alert=alert, user=psychiatrist, note="Called the patient; seen today.")
    assert changed and alert.status == "resolved" and alert.resolved_by == psychiatrist
    assert alert.resolution_note == "Called the patient; seen today." and alert.resolved_at is not None
    assert events_of(alert) == ["created", "acknowledged", "resolved"]


def test_resolving_an_open_alert_acknowledges_it_too(patient, nurse):
    alert = raise_safety(patient)
    alert, _ = services.alert_resolve(alert=alert, user=nurse, note="Crisis team visited.")
    assert alert.acknowledged_by == nurse and alert.acknowledged_at is not None
    assert events_of(alert) == ["created", "resolved"]


def test_resolve_needs_a_note_and_happens_once(patient, nurse, psychiatrist):
    alert = raise_safety(patient)
    with pytest.raises(services.AlertNoteRequired):
        services.alert_resolve(alert=alert, user=nurse, note="   ")
    services.alert_resolve(alert=alert, user=nurse, note="Done.")
    same, changed = services.alert_resolve(alert=alert, user=nurse, note="Done.")  # a retried request
    assert not changed and same.resolution_note == "Done."
    with pytest.raises(services.AlertTransitionError):
        services.alert_resolve(alert=alert, user=psychiatrist, note="Something else.")
    with pytest.raises(services.AlertTransitionError):
        services.alert_acknowledge(alert=alert, user=psychiatrist)
    assert events_of(alert) == ["created", "resolved"]


def test_manual_alert_with_client_id_is_idempotent(patient, nurse):
    cid = uuid.uuid4()
    first, created = services.alert_raise_manual(
        patient=patient, title="Missed depot injection", note="Call", severity="high", created_by=nurse, client_id=cid
    )
    again, created_again = services.alert_raise_manual(
        patient=patient, title="Missed depot injection", note="Call", severity="high", created_by=nurse, client_id=cid
    )
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(IdempotencyConflict):
        services.alert_raise_manual(
            patient=patient, title="Other", note="", severity="high", created_by=nurse, client_id=cid
        )
    assert Alert.objects.count() == 1


# --- escalation ------------------------------------------------------------------------------


def test_unacknowledged_critical_alert_escalates_once_after_the_team_delay(patient, nurse):
    patient.care_team.escalation_minutes = 10
    patient.care_team.save()
    critical = raise_safety(patient)
    acknowledged = raise_safety(patient)
    services.alert_acknowledge(alert=acknowledged, user=nurse)
    high = raise_manual(patient, nurse, severity="high")
    t0 = timezone.now()

    assert services.alerts_escalate_due(now=t0 + dt.timedelta(minutes=9)) == 0
    assert services.alerts_escalate_due(now=t0 + dt.timedelta(minutes=11)) == 1
    assert services.alerts_escalate_due(now=t0 + dt.timedelta(minutes=30)) == 0  # a second run

    critical.refresh_from_db()
    assert critical.escalated_at is not None and critical.status == "open"
    assert events_of(critical) == ["created", "escalated"]
    assert AlertEvent.objects.get(alert=critical, event="escalated").detail == {"after_minutes": 10}
    assert events_of(acknowledged) == ["created", "acknowledged"]
    assert events_of(high) == ["created"]


# --- risk -------------------------------------------------------------------------------------


def test_risk_alert_factors_are_rendered_in_the_readers_language_over_http(nurse, psychiatrist, patient, model_version):
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import AccessToken

    day = timezone.localdate() - dt.timedelta(days=1)
    score = make_score(patient, model_version, day, 0.9)
    score.explanation = [
        {"feature": "sleep_hours", "label": "English", "direction": "up", "weight": 0.3,
         "params": {"value": 5.2, "usual": 7.3}}
    ]  # fmt: skip
    score.save(update_fields=["explanation"])
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 1
    client = APIClient()
    # Explanations are for psychiatrists (API.md roles; tests/alerts/test_desk_security.py).
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(psychiatrist)}")
    services.alert_raise_manual(patient=patient, title="Sœur inquiète", note="", severity="low", created_by=nurse)
    labels, titles = {}, {}
    for language in ("fr", "en"):
        body = client.get("/api/v1/alerts/", HTTP_ACCEPT_LANGUAGE=language).json()
        rows = body["results"] if isinstance(body, dict) else body
        (risk,) = [a for a in rows if a["kind"] == "risk"]
        labels[language] = risk["detail"]["explanation"][0]["label"]
        titles[language] = {a["kind"]: (a["title"], a["title_display"]) for a in rows}
    assert titles["fr"]["risk"] == (
        "Relapse risk above the team threshold",
        "Risque de rechute au-dessus du seuil de l’équipe",
    )
    assert titles["en"]["risk"] == ("Relapse risk above the team threshold", "Relapse risk above the team threshold")
    assert titles["fr"]["manual"] == titles["en"]["manual"] == ("Sœur inquiète", "Sœur inquiète")
    assert labels["fr"].startswith("sommeil 2,1 h en dessous de l'habitude")
    assert labels["en"] == "sleep 2.1 h below this patient's usual (5.2 h vs 7.3 h)"
    # What is stored is unchanged.
    assert Alert.objects.get(kind="risk").detail["explanation"][0]["label"] == "English"
