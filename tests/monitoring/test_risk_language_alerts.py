"""A check-in note with risk language raises a `language` safety alert at ingestion, once, with
the matched sentence; the response tells the phone to show the crisis line; history loaded
without --raise-alerts raises nothing."""

import pytest

from alerts.models import Alert, AlertEvent, AlertKind
from monitoring.models import CheckIn
from monitoring.services import checkins_store, ingestion_context
from monitoring.validation import validate_checkin
from tests.monitoring.conftest import checkin_body

pytestmark = pytest.mark.django_db


def test_a_note_with_a_plan_raises_a_critical_language_alert_and_shows_the_crisis_line(make_patient):
    patient, client = make_patient()
    note = "Journée horrible. J'ai tout préparé pour en finir samedi."
    body = checkin_body(note=note, for_next_appointment=True)

    response = client.post("/api/v1/checkins/", body, format="json")

    assert response.status_code == 201
    assert response.json()["flags"] == ["risk_language"]
    assert response.json()["crisis_line"] is True
    alert = Alert.objects.get(patient=patient)
    assert (alert.kind, alert.severity, alert.status) == (AlertKind.LANGUAGE, "critical", "open")
    assert alert.title == "Risk language in a note: intent or plan"
    assert alert.detail["source"] == "checkin" and alert.detail["record_id"] == body["id"]
    assert alert.detail["kinds"] == ["plan"]
    (match,) = alert.detail["matches"]
    assert match["sentence"] == "J'ai tout préparé pour en finir samedi."
    assert note[match["start"] : match["end"]] == match["expression"]
    assert note[match["sentence_start"] : match["sentence_end"]] == match["sentence"]
    assert alert.recorded_at == CheckIn.objects.get(pk=body["id"]).recorded_at
    assert list(AlertEvent.objects.filter(alert=alert).values_list("event", flat=True)) == ["created"]


def test_posting_the_same_check_in_again_raises_nothing_twice(make_patient):
    patient, client = make_patient()
    body = checkin_body(note="i want to die")
    first = client.post("/api/v1/checkins/", body, format="json")
    again = client.post("/api/v1/checkins/", body, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    # The replay still tells the phone (its first answer may have been lost on the way).
    assert again.json()["flags"] == ["risk_language"] and again.json()["crisis_line"] is True
    assert Alert.objects.filter(patient=patient).count() == 1
    assert Alert.objects.get(patient=patient).severity == "high"
    assert AlertEvent.objects.count() == 1


@pytest.mark.parametrize(
    "note",
    ["", "Bonne journée, j'ai bien dormi.", "je ne pense pas à me faire du mal", "ma sœur a fait une tentative"],
)
def test_a_note_without_present_risk_raises_nothing(make_patient, note):
    patient, client = make_patient()
    response = client.post("/api/v1/checkins/", checkin_body(note=note), format="json")
    assert response.status_code == 201
    assert response.json()["flags"] == [] and response.json()["crisis_line"] is False
    assert not Alert.objects.filter(patient=patient).exists()


def test_a_check_in_refused_for_consent_raises_no_alert(make_patient):
    patient, client = make_patient(scopes=["sleep"])
    response = client.post("/api/v1/checkins/", checkin_body(note="je veux mourir"), format="json")
    assert response.status_code == 403
    assert not Alert.objects.exists()


def test_loading_history_raises_no_alert_unless_asked(make_patient):
    patient, _client = make_patient()
    ctx = ingestion_context(patient=patient)
    old, _ = validate_checkin(checkin_body(note="je veux mourir"), ctx)
    new, _ = validate_checkin(checkin_body(note="je veux mourir"), ctx)

    assert checkins_store(patient=patient, checkins=[old], raise_alerts=False) == ["stored"]
    assert not Alert.objects.exists()
    assert checkins_store(patient=patient, checkins=[new]) == ["stored"]
    assert Alert.objects.get().detail["record_id"] == str(new.id)


@pytest.mark.parametrize(
    ("note", "severity", "title"),
    [
        # A warning sign alone (branch risk16b): an alert, not a critical one (it does not page).
        (
            "J'ai fait mon testament et donné toutes mes affaires à mes amis.",
            "high",
            "Risk language in a note written by the patient",
        ),
        # The same sign beside ideation is part of a plan: critical.
        (
            "J'ai donné toutes mes affaires à mes amis. Je veux mourir.",
            "critical",
            "Risk language in a note: intent or plan",
        ),
        # An explicit plan with its means stays critical on its own.
        ("j'ai acheté une corde pour samedi", "critical", "Risk language in a note: intent or plan"),
    ],
)
def test_a_warning_sign_alone_raises_a_high_alert_and_beside_ideation_a_critical_one(
    make_patient, note, severity, title
):
    patient, client = make_patient()
    response = client.post("/api/v1/checkins/", checkin_body(note=note), format="json")
    assert response.status_code == 201 and response.json()["flags"] == ["risk_language"]
    alert = Alert.objects.get(patient=patient)
    assert (alert.kind, alert.severity, alert.title) == (AlertKind.LANGUAGE, severity, title)
    assert "plan" in alert.detail["kinds"]


def test_an_ordinary_errand_raises_nothing(make_patient):
    patient, client = make_patient()
    note = "J'ai fait mon testament chez le notaire ce matin, puis j'ai donné mes vieux livres à la bibliothèque."
    response = client.post("/api/v1/checkins/", checkin_body(note=note), format="json")
    assert response.status_code == 201 and response.json()["flags"] == []
    assert not Alert.objects.filter(patient=patient).exists()
