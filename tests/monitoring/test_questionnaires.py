"""Questionnaire scoring (pure) and the PHQ-9 item 9 safety path."""

import uuid

import pytest
from django.db import transaction

from alerts.models import Alert
from monitoring import services
from monitoring.models import QuestionnaireResponse
from monitoring.questionnaires import answer_errors, score
from monitoring.validation import QuestionnaireIn
from tests.monitoring.conftest import iso, recent, uid


def spread(total, items, top):
    """Answers adding up to `total`, filling the first items first."""
    answers = []
    for _ in range(items):
        answers.append(min(top, total))
        total -= answers[-1]
    return answers


@pytest.mark.parametrize(
    "total, band",
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_bands(total, band):
    result = score("PHQ-9", spread(total, 9, 3))
    assert (result.total, result.severity) == (total, band)


@pytest.mark.parametrize(
    "total, band",
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_bands(total, band):
    result = score("GAD-7", spread(total, 7, 3))
    assert (result.total, result.severity, result.flags) == (total, band, [])


def test_asrm_threshold():
    assert score("ASRM", [1, 1, 1, 1, 1]).severity == "below_threshold"
    assert score("ASRM", [1, 1, 1, 1, 1]).flags == []
    high = score("ASRM", [2, 1, 1, 1, 1])
    assert (high.total, high.severity, high.flags) == (6, "likely_mania_or_hypomania", ["mania_screen_positive"])
    assert score("ASRM", [4] * 5).total == 20


def test_item9_flag_whatever_the_total():
    result = score("PHQ-9", [0] * 8 + [1])
    assert (result.total, result.severity, result.flags, result.item9) == (1, "minimal", ["item9_positive"], 1)
    assert score("PHQ-9", [3] * 8 + [0]).flags == []


def test_answer_errors_pure():
    assert answer_errors("PHQ-9", [0] * 9) == []
    assert answer_errors("PHQ-9", [True] + [0] * 8) == ["Item 1 must be an integer from 0 to 3; got True."]


def test_phq9_item9_raises_safety_alert_through_the_api(patient_client, patient):
    body = {
        "id": uid(),
        "instrument": "PHQ-9",
        "answers": [1, 1, 1, 1, 1, 1, 1, 1, 2],
        "completed_at": iso(recent(hours=1)),
    }
    response = patient_client.post("/api/v1/questionnaires/", body, format="json")
    assert response.status_code == 201
    assert response.json() == {
        "id": body["id"],
        "total": 10,
        "severity": "moderate",
        "flags": ["item9_positive", "safety_alert"],
    }
    alert = Alert.objects.get(patient=patient)
    assert (alert.kind, alert.severity, alert.status) == ("safety", "critical", "open")
    assert alert.detail["questionnaire_id"] == body["id"] and alert.detail["item9"] == 2
    assert QuestionnaireResponse.objects.get().flags == ["item9_positive", "safety_alert"]


def test_phq9_item9_zero_raises_nothing(patient_client, patient):
    body = {"id": uid(), "instrument": "PHQ-9", "answers": [3] * 8 + [0], "completed_at": iso(recent(hours=1))}
    assert patient_client.post("/api/v1/questionnaires/", body, format="json").json()["flags"] == []
    assert not Alert.objects.exists()


def test_response_and_alert_commit_together(patient, monkeypatch):
    """If raising the alert fails, the questionnaire is not stored either (one transaction)."""
    from monitoring.services import ingestion

    def broken(**kwargs):
        raise RuntimeError("alert store down")

    monkeypatch.setattr(ingestion, "alert_raise_safety", broken)
    record = QuestionnaireIn(uuid.uuid4(), "PHQ-9", [0] * 8 + [1], recent(hours=1), recent(hours=1).date())
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.questionnaire_record(patient=patient, record=record)
    assert not QuestionnaireResponse.objects.exists()
