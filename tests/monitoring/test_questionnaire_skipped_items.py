"""Skipped questionnaire items (CLINICAL.md, "Skipped questionnaire items"): an item may be null,
stored as missing, never as 0; the total is prorated when few items are skipped and absent when
more are; a skipped PHQ-9 item 9 raises no safety alert and is flagged for the clinicians; the
day's summary keeps missing as missing (what clinicians read: tests/records/test_skipped_items.py)."""

import pytest

from alerts.models import Alert
from monitoring.models import DailySummary, QuestionnaireResponse
from monitoring.questionnaires import answer_errors, prorated_total, score
from tests.monitoring.conftest import iso, recent, uid

pytestmark = pytest.mark.django_db


def _post(client, instrument, answers, **extra):
    body = {"id": uid(), "instrument": instrument, "answers": answers, "completed_at": iso(recent(hours=1)), **extra}
    return body, client.post("/api/v1/questionnaires/", body, format="json")


# --- the rule (pure) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument", "answers", "total", "severity", "flags"),
    [
        ("PHQ-9", [1, 2, 1, 0, 1, 2, 1, 0, 0], 8, "mild", []),
        # 8 over 8 answered items: 8 × 9 / 8 = 9; 8 over 7: 8 × 9 / 7 = 10.29 → 10
        ("PHQ-9", [1, 2, 1, None, 1, 2, 1, 0, 0], 9, "mild", ["prorated"]),
        ("PHQ-9", [1, 2, 1, None, 1, 2, 1, 0, None], 10, "moderate", ["prorated", "item9_not_answered"]),
        ("PHQ-9", [3, 3, None, None, None, 3, 3, 3, 0], None, "", ["not_scored"]),
        ("PHQ-9", [3, 3, None, None, None, 3, 3, 3, 1], None, "", ["not_scored", "item9_positive"]),
        # 5 over 6: 5 × 7 / 6 = 5.83 → 6
        ("GAD-7", [1, 1, 1, 1, 1, None, 0], 6, "mild", ["prorated"]),
        ("GAD-7", [1, 1, 1, 1, 1, None, None], None, "", ["not_scored"]),
        # 5 over 4: 5 × 5 / 4 = 6.25 → 6, over the mania threshold
        ("ASRM", [2, 2, 1, 0, None], 6, "likely_mania_or_hypomania", ["prorated", "mania_screen_positive"]),
        ("ASRM", [4, 4, None, None, 0], None, "", ["not_scored"]),
    ],
)
def test_skipped_items_are_prorated_or_leave_no_total(instrument, answers, total, severity, flags):
    assert answer_errors(instrument, answers) == []
    result = score(instrument, answers)
    assert (result.total, result.severity, result.flags) == (total, severity, flags)


def test_proration_rounds_half_up_exactly():
    assert prorated_total([1, None], 2) == 2  # 1.5 → 2
    assert prorated_total([1, 2, 1, 1, None], 5) == 6  # 5 × 5 / 4 = 6.25
    assert prorated_total([0, 0, 0, None], 4) == 0


def test_all_items_skipped_is_refused():
    assert answer_errors("GAD-7", [None] * 7) == ["At least one item must be answered."]


# --- the API -------------------------------------------------------------------------------------


def test_complete_answers_answer_exactly_as_before(patient_client):
    body, response = _post(patient_client, "PHQ-9", [1, 2, 1, 0, 1, 2, 1, 0, 0])
    assert response.status_code == 201
    assert response.json() == {"id": body["id"], "total": 8, "severity": "mild", "flags": []}


def test_a_skipped_item_is_stored_as_missing_and_the_total_prorated(patient, patient_client):
    body, response = _post(patient_client, "PHQ-9", [1, 2, 1, None, 1, 2, 1, 0, 0])

    assert response.status_code == 201
    assert response.json() == {"id": body["id"], "total": 9, "severity": "mild", "flags": ["prorated"]}
    stored = QuestionnaireResponse.objects.get(pk=body["id"])
    assert stored.answers == [1, 2, 1, None, 1, 2, 1, 0, 0]
    assert DailySummary.objects.get(patient=patient, date=stored.day).phq9 == 9
    # The same skip resent is the same record; a 0 in its place is another content.
    assert patient_client.post("/api/v1/questionnaires/", body, format="json").status_code == 200
    zero = {**body, "answers": [1, 2, 1, 0, 1, 2, 1, 0, 0]}
    assert patient_client.post("/api/v1/questionnaires/", zero, format="json").status_code == 409


def test_too_many_skipped_items_leave_the_days_total_missing_not_zero(patient, patient_client):
    body, response = _post(patient_client, "GAD-7", [2, None, None, 1, 0, 0, 1])

    assert response.status_code == 201
    assert response.json() == {"id": body["id"], "total": None, "severity": None, "flags": ["not_scored"]}
    stored = QuestionnaireResponse.objects.get(pk=body["id"])
    assert (stored.total, stored.severity) == (None, "")
    assert DailySummary.objects.get(patient=patient, date=stored.day).gad7 is None


def test_an_unscored_response_does_not_hide_the_days_earlier_total(patient, patient_client):
    _post(patient_client, "GAD-7", [1, 1, 1, 1, 1, 1, 1], completed_at=iso(recent(hours=2)))
    _body, later = _post(patient_client, "GAD-7", [3, None, None, 3, 3, 3, 3])
    assert later.json()["total"] is None
    (day,) = DailySummary.objects.filter(patient=patient)
    assert day.gad7 == 7


def test_a_skipped_item9_raises_no_alert_and_is_flagged(patient, patient_client):
    body, response = _post(patient_client, "PHQ-9", [2, 2, 2, 2, 2, 2, 2, 2, None])

    assert response.status_code == 201
    assert response.json()["flags"] == ["prorated", "item9_not_answered"]
    assert Alert.objects.filter(patient=patient).count() == 0
    # Item 9 answered above 0 still raises it, even when other items are skipped.
    _body, answered = _post(patient_client, "PHQ-9", [None, None, None, 0, 0, 0, 0, 0, 1])
    assert answered.json()["flags"] == ["not_scored", "item9_positive", "safety_alert"]
    assert Alert.objects.filter(patient=patient, kind="safety").count() == 1


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ([None] * 9, ["At least one item must be answered."]),
        ([0] * 8, ["PHQ-9 has 9 items; got 8."]),
        ([0] * 8 + [4], ["Item 9 must be an integer from 0 to 3; got 4."]),
    ],
)
def test_bad_answers_are_still_refused(patient_client, answers, errors):
    _body, response = _post(patient_client, "PHQ-9", answers)
    assert response.status_code == 400
    assert response.json()["answers"] == errors
    assert QuestionnaireResponse.objects.count() == 0
