"""Alert services: stored first, one event per change, idempotent rules."""

import datetime as dt
import logging
import uuid

import pytest
from django.utils import timezone

from alerts import rules, services
from alerts.models import Alert, AlertEvent
from ml.alerting import risk_alerts_evaluate
from monitoring.alerting import adherence_alerts_evaluate
from monitoring.models import DailySummary
from patients.errors import IdempotencyConflict
from patients.services import clinician_deactivate
from tests.alerts.conftest import make_score, raise_manual, raise_safety
from tests.conftest import free_port
from tests.factories import PatientFactory

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


def test_risk_rule_uses_the_team_threshold_else_the_scores(patient, model_version):
    day = timezone.localdate() - dt.timedelta(days=1)
    below = make_score(patient, model_version, day, 0.45)
    assert risk_alerts_evaluate(score_ids=[below.pk]) == 0
    patient.care_team.risk_threshold = 0.4
    patient.care_team.save()
    assert risk_alerts_evaluate(score_ids=[below.pk]) == 1
    alert = Alert.objects.get(kind="risk")
    assert (
        alert.dedupe_key == rules.risk_dedupe_key(below.pk)
        and alert.detail["threshold"] == 0.4
        and alert.detail["band"] == "high"
    )
    assert alert.detail["explanation"][0]["label"] == "sleep 2.1 h below usual"


def test_risk_rule_is_idempotent_under_reruns(patient, model_version):
    score = make_score(patient, model_version, timezone.localdate(), 0.9)
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 1
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 0
    assert risk_alerts_evaluate(score_ids=[score.pk, score.pk]) == 0
    assert Alert.objects.filter(kind="risk").count() == 1 and AlertEvent.objects.count() == 1


def test_risk_hysteresis_over_a_backfill(patient, model_version, nurse):
    start = timezone.localdate() - dt.timedelta(days=30)
    scores = [make_score(patient, model_version, start + dt.timedelta(days=i), 0.8, "medium") for i in range(3)]
    # Still high while the first alert is open: nothing new.
    assert risk_alerts_evaluate(score_ids=[s.pk for s in scores]) == 1
    first = Alert.objects.get(kind="risk")
    services.alert_resolve(alert=first, user=nurse, note="Reviewed at home visit.")

    # Resolved, but within 7 days of the last alert: nothing new at the same band ...
    day5 = make_score(patient, model_version, start + dt.timedelta(days=5), 0.8, "medium")
    assert risk_alerts_evaluate(score_ids=[day5.pk]) == 0
    # ... unless the band gets worse.
    day6 = make_score(patient, model_version, start + dt.timedelta(days=6), 0.95, "high")
    assert risk_alerts_evaluate(score_ids=[day6.pk]) == 1
    worse = Alert.objects.filter(kind="risk").exclude(pk=first.pk).get()
    assert worse.severity == "high" and worse.detail["reason"] == "band_worse"

    # Open again: even 30 days later, nothing while it stays unresolved.
    later = make_score(patient, model_version, start + dt.timedelta(days=29), 0.95, "high")
    assert risk_alerts_evaluate(score_ids=[later.pk]) == 0
    services.alert_resolve(alert=worse, user=nurse, note="Medication adjusted.")
    assert risk_alerts_evaluate(score_ids=[later.pk]) == 1  # >= 7 days after day 6
    assert Alert.objects.filter(kind="risk").count() == 3


def test_paused_team_gets_no_risk_alert_and_nothing_retroactive(patient, model_version):
    services.care_team_risk_alerts_set(team=patient.care_team, paused=True)
    score = make_score(patient, model_version, timezone.localdate(), 0.99)
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 0
    assert not Alert.objects.exists()


def test_no_risk_alert_for_a_discharged_patient(patient, model_version):
    patient.status = "discharged"
    patient.save()
    score = make_score(patient, model_version, timezone.localdate(), 0.99)
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 0


# --- adherence --------------------------------------------------------------------------------


def test_adherence_alert_once_per_gap(team):
    today = dt.date(2026, 3, 20)
    now = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)
    patient = PatientFactory(care_team=team, enrolled_on=dt.date(2026, 3, 1))
    quiet = PatientFactory(care_team=team, enrolled_on=dt.date(2026, 3, 1))
    DailySummary.objects.create(patient=patient, date=dt.date(2026, 3, 15), checkins=1)
    DailySummary.objects.create(patient=patient, date=dt.date(2026, 3, 16), checkins=0, passive_records=0)
    DailySummary.objects.create(patient=quiet, date=today - dt.timedelta(days=1), passive_records=4)

    assert adherence_alerts_evaluate(now=now) == 1
    assert adherence_alerts_evaluate(now=now + dt.timedelta(days=2)) == 0  # same gap
    alert = Alert.objects.get(kind="adherence")
    assert alert.patient == patient and alert.severity == "medium"
    assert alert.detail == {
        "gap_start": "2026-03-16",
        "days_without_data": 4,
        "gap_days": 3,
        "last_data_day": "2026-03-15",
    }

    # Data comes back, then a new gap: a new alert.
    DailySummary.objects.create(patient=patient, date=dt.date(2026, 3, 22), checkins=2)
    only = [patient.pk]
    assert adherence_alerts_evaluate(now=now + dt.timedelta(days=3), patient_ids=only) == 0
    assert adherence_alerts_evaluate(now=now + dt.timedelta(days=6), patient_ids=only) == 1
    assert Alert.objects.filter(kind="adherence", patient=patient).count() == 2


def test_adherence_respects_the_team_gap_and_enrolment(team):
    team.adherence_gap_days = 5
    team.save()
    now = dt.datetime(2026, 3, 20, 10, 0, tzinfo=dt.UTC)
    PatientFactory(care_team=team, enrolled_on=dt.date(2026, 3, 16))  # 4 complete days since enrolment
    assert adherence_alerts_evaluate(now=now) == 0
    assert adherence_alerts_evaluate(now=now + dt.timedelta(days=1)) == 1


# --- accounts ---------------------------------------------------------------------------------


def test_clinician_deactivate_blacklists_tokens_and_closes_sockets_on_commit(nurse, django_capture_on_commit_callbacks):
    from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
    from rest_framework_simplejwt.tokens import RefreshToken

    RefreshToken.for_user(nurse)
    with django_capture_on_commit_callbacks() as callbacks:
        assert clinician_deactivate(user=nurse) is True
    nurse.refresh_from_db()
    assert nurse.is_active is False
    assert BlacklistedToken.objects.filter(token__user=nurse).count() == 1
    assert len(callbacks) == 1
    assert clinician_deactivate(user=nurse) is False


def test_risk_alert_factors_are_rendered_in_the_readers_language_over_http(nurse, patient, model_version):
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
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(nurse)}")
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
