"""What clinicians read of skipped questionnaire items (CLINICAL.md, "Skipped questionnaire
items"): the pre-consultation summary says what was skipped and never invents a total; the FHIR
export leaves a skipped item without an answer."""

import pytest
from fhir.resources.R4B.bundle import Bundle

from monitoring.models import QuestionnaireResponse
from tests.monitoring.conftest import iso, recent, uid

pytestmark = pytest.mark.django_db


def _post(client, instrument, answers):
    body = {"id": uid(), "instrument": instrument, "answers": answers, "completed_at": iso(recent(hours=1))}
    return body, client.post("/api/v1/questionnaires/", body, format="json")


def test_the_pre_consultation_summary_says_what_was_skipped(patient, patient_client, psychiatrist_client):
    _post(patient_client, "PHQ-9", [1, 1, 1, 1, 1, 1, 1, 1, None])
    _post(patient_client, "GAD-7", [None, None, 0, 0, 0, 0, 0])
    day = QuestionnaireResponse.objects.filter(patient=patient).first().day

    response = psychiatrist_client.get(f"/api/v1/patients/{patient.pk}/summary/?start={day}&end={day}")

    assert response.status_code == 200
    document = response.json()
    sentences = {s["key"]: s for section in document["sections"] for s in section["sentences"]}
    assert "item9_not_answered" in sentences
    assert sentences["item9_not_answered"]["text"].startswith(
        "PHQ-9 item 9 (thoughts of death or of self-harm) not answered"
    )
    assert sentences["PHQ-9"]["text"].endswith("1 score was prorated over skipped questions.")
    assert sentences["GAD-7"]["text"].startswith("GAD-7: 1 response had too many questions skipped to be scored")
    assert sentences["GAD-7"]["facts"]["responses"] == []  # no total made up for the trend


def test_the_fhir_export_leaves_a_skipped_item_without_answer_and_no_total_invented(
    patient, patient_client, nurse_client
):
    body, _response = _post(patient_client, "GAD-7", [None, None, 0, 0, 0, 0, 0])

    response = nurse_client.get(f"/api/v1/patients/{patient.pk}/export/?format=fhir")

    assert response.status_code == 200
    bundle = Bundle.model_validate_json(response.content)
    resources = [entry.resource for entry in bundle.entry]
    (answers,) = [r for r in resources if r.get_resource_type() == "QuestionnaireResponse"]
    assert [(item.linkId, item.answer) for item in answers.item[:3]] == [
        ("1", None),
        ("2", None),
        ("3", answers.item[2].answer),
    ]
    assert answers.item[2].answer[0].valueInteger == 0
    assert not [r for r in resources if r.get_resource_type() == "Observation" and r.id == f"{body['id']}-total"]
