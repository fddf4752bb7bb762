"""The validation rules of API.md ("Patient data") for questionnaires, through the API: the
status, the field named, and nothing stored."""

import pytest

from monitoring.models import QuestionnaireResponse
from tests.monitoring.conftest import iso, recent, uid


def questionnaire(instrument="PHQ-9", answers=None, **extra):
    return {
        "id": uid(),
        "instrument": instrument,
        "answers": answers if answers is not None else [0] * 9,
        "completed_at": iso(recent(hours=2)),
        **extra,
    }


@pytest.mark.parametrize(
    "instrument, answers, message",
    [
        ("PHQ-9", [0] * 8, "PHQ-9 has 9 items; got 8."),
        ("PHQ-9", [0] * 10, "PHQ-9 has 9 items; got 10."),
        ("PHQ-9", [0] * 8 + [4], "Item 9 must be an integer from 0 to 3; got 4."),
        ("GAD-7", [1] * 6, "GAD-7 has 7 items; got 6."),
        ("GAD-7", [0, 0, -1, 0, 0, 0, 0], "Item 3 must be an integer from 0 to 3; got -1."),
        ("ASRM", [0] * 4, "ASRM has 5 items; got 4."),
        ("ASRM", [5, 0, 0, 0, 0], "Item 1 must be an integer from 0 to 4; got 5."),
        ("ASRM", [1.5, 0, 0, 0, 0], "Item 1 must be an integer from 0 to 4; got 1.5."),
        ("ASRM", "12345", "Expected a list of integers."),
    ],
)
def test_questionnaire_item_rules(patient_client, instrument, answers, message):
    response = patient_client.post("/api/v1/questionnaires/", questionnaire(instrument, answers), format="json")
    assert response.status_code == 400
    assert message in response.json()["answers"]
    assert QuestionnaireResponse.objects.count() == 0


def test_questionnaire_unknown_instrument(patient_client):
    response = patient_client.post("/api/v1/questionnaires/", questionnaire("BDI", [0] * 21), format="json")
    assert response.status_code == 400
    assert response.json() == {"instrument": ['"BDI" is not a valid choice.']}


def test_questionnaire_needs_completed_at(patient_client):
    body = questionnaire()
    del body["completed_at"]
    response = patient_client.post("/api/v1/questionnaires/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"completed_at": ["This field is required."]}
