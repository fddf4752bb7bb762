"""The pre-consultation summary: facts computed from the data, sentences that carry them, the
API (JSON and PDF), its scoping and audit, the default period, and the FHIR document."""

import base64
import datetime as dt
import io
import json
from statistics import mean

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from pypdf import PdfReader

from alerts.services import alert_resolve
from monitoring.models import DailySummary
from patients.formatting import format_date
from patients.models import AuditEvent, ClinicalEvent
from records.episodes import risk_episodes_for_patient
from records.summary import Period, summary_facts, summary_period
from records.summary_serializers import SummaryOutputSerializer
from records.summary_text import patient_summary
from tests.conftest import auth_client
from tests.factories import (
    CheckInFactory,
    ClinicianFactory,
    PatientFactory,
    QuestionnaireResponseFactory,
    grant_consents,
)
from tests.records.seeding import seed_relapsing_patient

pytestmark = pytest.mark.django_db

# PHQ-9 answers giving totals 6 (mild), 12 (moderate) and 17 (moderately severe), item 9 at 0.
PHQ9 = {
    6: [1, 1, 1, 1, 1, 1, 0, 0, 0],
    12: [2, 2, 2, 2, 1, 1, 1, 1, 0],
    17: [3, 3, 2, 2, 2, 2, 2, 1, 0],
}
FLAGGED_NOTE = "I would like to talk about the new dose and my sleep."
PRIVATE_NOTE = "Bad day at work."
RESOLUTION = "Called the patient; appointment moved to Friday."


def _at(patient, day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=patient.tz)


def seed_summary_patient(team, code: str = "SUMMARY-1"):
    """The dashboard's relapsing patient, plus three PHQ-9 in the last month, a check-in note
    flagged for the appointment and one not, and the risk alert resolved with a note."""
    patient = PatientFactory(code=code, care_team=team, diagnosis="F33")
    grant_consents(patient)
    seeded = seed_relapsing_patient(patient)
    today = seeded.today
    for days_ago, total in ((25, 6), (18, 12), (4, 17)):
        QuestionnaireResponseFactory(
            patient=patient,
            instrument="PHQ-9",
            answers=PHQ9[total],
            completed_at=_at(patient, today - dt.timedelta(days=days_ago), 9),
        )
    CheckInFactory(
        patient=patient,
        recorded_at=_at(patient, today - dt.timedelta(days=3), 20),
        mood=-2,
        note=FLAGGED_NOTE,
        for_next_appointment=True,
    )
    CheckInFactory(
        patient=patient, recorded_at=_at(patient, today - dt.timedelta(days=2), 20), mood=-1, note=PRIVATE_NOTE
    )
    nurse = ClinicianFactory(username=f"nurse-{code.lower()}", role="nurse", teams=[team])
    alert_resolve(alert=seeded.alert, user=nurse, note=RESOLUTION)
    return seeded


@pytest.fixture
def seeded(team):
    return seed_summary_patient(team)


def _period(seeded, days: int = 30) -> Period:
    return Period(start=seeded.today - dt.timedelta(days=days - 1), end=seeded.today, basis="requested")


def _sentences(document, section: str) -> list[dict]:
    return next(s["sentences"] for s in document["sections"] if s["key"] == section)


def test_facts_are_computed_from_the_data(seeded):
    patient, period = seeded.patient, _period(seeded)
    facts = summary_facts(patient=patient, period=period, now=timezone.now())

    rows = DailySummary.objects.filter(patient=patient, date__range=(period.start, period.end))
    usual_rows = DailySummary.objects.filter(
        patient=patient, date__range=(period.start - dt.timedelta(days=60), period.start - dt.timedelta(days=1))
    )
    sleep = next(s for s in facts.signals if s.measure == "sleep_hours")
    in_period = [r.sleep_hours for r in rows if r.sleep_hours is not None]
    usual = [r.sleep_hours for r in usual_rows if r.sleep_hours is not None]
    assert sleep.mean == pytest.approx(mean(in_period))
    assert sleep.usual == pytest.approx(mean(usual))
    assert (sleep.low, sleep.high, sleep.days_with_data) == (min(in_period), max(in_period), len(in_period))
    assert sleep.direction == "above"  # the depressive prodrome lengthens sleep
    mood = next(s for s in facts.signals if s.measure == "mood")
    assert mood.direction == "below"

    (phq9,) = facts.questionnaires
    assert [r["total"] for r in phq9.responses] == [6, 12, 17]
    assert [r["severity"] for r in phq9.responses] == ["mild", "moderate", "moderately_severe"]
    assert phq9.trend == "up"

    assert facts.adherence is not None
    assert facts.adherence.checkin_days == sum(1 for r in rows if r.checkins > 0)
    assert facts.adherence.sensor_days == sum(1 for r in rows if r.passive_records > 0)
    assert facts.adherence.medication_missed_days == sum(1 for r in rows if r.medication_taken is False)
    assert facts.adherence.questionnaires == 3

    # The episodes are the charts' (records.episodes), cut to the period.
    expected = risk_episodes_for_patient(patient=patient, start=period.start, end=period.end)
    assert facts.risk is not None and expected
    assert [(e.start, e.end, e.peak_score) for e in facts.risk.episodes] == [
        (e.start, e.end, e.peak_score) for e in expected
    ]
    assert facts.risk.days_above == sum(e.days for e in expected)

    (alert,) = facts.alerts
    assert (alert["status"], alert["resolution_note"]) == ("resolved", RESOLUTION)
    assert [(e["kind"], e["date"]) for e in facts.events] == [("relapse", seeded.relapse_on)]
    # Only the note the patient flagged for the appointment.
    assert [n["note"] for n in facts.notes] == [FLAGGED_NOTE]


def test_every_sentence_carries_the_facts_it_states(seeded):
    patient = seeded.patient
    with translation.override("en"):
        document = patient_summary(
            patient=patient, start=_period(seeded).start, end=seeded.today, explain=True, now=timezone.now()
        )
    assert [s["key"] for s in document["sections"]] == [
        "period",
        "signals",
        "questionnaires",
        "adherence",
        "risk",
        "alerts",
        "events",
        "notes",
    ]
    for section in document["sections"]:
        assert section["sentences"], section["key"]
        for sentence in section["sentences"]:
            assert sentence["text"] and isinstance(sentence["facts"], dict)
            json.dumps(sentence["facts"])  # JSON-ready

    sleep = next(s for s in _sentences(document, "signals") if s["key"] == "sleep_hours")
    assert f"{sleep['facts']['mean']:.1f} h a night" in sleep["text"]
    assert f"usual {sleep['facts']['usual']:.1f} h" in sleep["text"]
    (phq9,) = _sentences(document, "questionnaires")
    first_day = seeded.today - dt.timedelta(days=25)
    assert phq9["text"].startswith(f"PHQ-9 rose from 6 (mild) on {format_date(first_day)} to 17 (moderately severe)")
    episodes = [s for s in _sentences(document, "risk") if s["key"] == "episode"]
    assert episodes and all("What raised it at the peak: sleep 2.1 h above" in e["text"] for e in episodes)
    # Lowering factors are never listed as reasons.
    assert all("steps" not in e["text"] for e in episodes)
    (alert,) = _sentences(document, "alerts")
    assert RESOLUTION in alert["text"] and alert["facts"]["resolution_note"] == RESOLUTION
    (note,) = _sentences(document, "notes")
    assert FLAGGED_NOTE in note["text"] and PRIVATE_NOTE not in json.dumps(document)


def test_the_summary_reads_in_french(seeded):
    with translation.override("fr"):
        document = patient_summary(
            patient=seeded.patient, start=_period(seeded).start, end=seeded.today, explain=True, now=timezone.now()
        )
    sleep = next(s for s in _sentences(document, "signals") if s["key"] == "sleep_hours")
    assert f"{sleep['facts']['mean']:.1f}".replace(".", ",") + " h par nuit" in sleep["text"]
    (phq9,) = _sentences(document, "questionnaires")
    assert phq9["text"].startswith("PHQ-9 : en hausse, de 6 (léger)")
    assert document["sections"][0]["title"] == "Période"


def test_api_json_for_a_psychiatrist_with_factors_and_for_a_nurse_without(team, seeded, psychiatrist, nurse):
    url = (
        f"/api/v1/patients/{seeded.patient.pk}/summary/?start={seeded.today - dt.timedelta(days=29)}&end={seeded.today}"
    )
    body = auth_client(psychiatrist).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    shape = SummaryOutputSerializer(data=body)  # the shape the OpenAPI schema documents
    assert shape.is_valid(), shape.errors
    assert body["explanations_included"] is True
    assert (body["start"], body["end"]) == (
        (seeded.today - dt.timedelta(days=29)).isoformat(),
        seeded.today.isoformat(),
    )
    episodes = [s for s in _sentences(body, "risk") if s["key"] == "episode"]
    assert episodes and all(e["facts"]["factors"] for e in episodes)

    body = auth_client(nurse).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["explanations_included"] is False
    episodes = [s for s in _sentences(body, "risk") if s["key"] == "episode"]
    assert episodes and not any("factors" in e["facts"] or "What raised it" in e["text"] for e in episodes)


def test_api_is_scoped_to_the_care_team_and_every_generation_is_audited(seeded, psychiatrist, other_nurse):
    url = f"/api/v1/patients/{seeded.patient.pk}/summary/"
    response = auth_client(other_nurse).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "sentences" not in response.content.decode()
    assert AuditEvent.objects.filter(patient_id=seeded.patient.pk, action="denied", resource="summary_json").exists()

    client = auth_client(psychiatrist)
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    assert client.get(url + "?format=pdf", HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    audited = list(
        AuditEvent.objects.filter(patient_id=seeded.patient.pk, actor_id=psychiatrist.pk)
        .order_by("at")
        .values_list("resource", "action")
    )
    assert audited == [("summary_json", "read"), ("summary_pdf", "export")]


def test_api_refuses_bad_parameters(seeded, psychiatrist):
    client = auth_client(psychiatrist)
    url = f"/api/v1/patients/{seeded.patient.pk}/summary/"
    assert client.get(url + "?start=2026-02-10&end=2026-02-01", HTTP_ACCEPT_LANGUAGE="en").status_code == 400
    assert client.get(url + "?start=2024-01-01&end=2026-02-01", HTTP_ACCEPT_LANGUAGE="en").status_code == 400
    assert client.get(url + "?start=yesterday", HTTP_ACCEPT_LANGUAGE="en").status_code == 400
    assert client.get(url + "?format=docx", HTTP_ACCEPT_LANGUAGE="en").status_code == 400
    assert client.get(url + "?start=9999-12-31", HTTP_ACCEPT_LANGUAGE="en").status_code == 400
    assert client.get(url + "?end=0001-01-01", HTTP_ACCEPT_LANGUAGE="en").status_code == 400


def test_pdf_contains_the_figures(seeded, psychiatrist):
    start = seeded.today - dt.timedelta(days=29)
    url = f"/api/v1/patients/{seeded.patient.pk}/summary/?start={start}&end={seeded.today}"
    client = auth_client(psychiatrist)
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    response = client.get(url + "&format=pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages)
    sleep = next(s for s in _sentences(body, "signals") if s["key"] == "sleep_hours")
    assert f"{sleep['facts']['mean']:.1f} h a night" in text
    assert "PHQ-9 rose from 6 (mild)" in text
    assert "SUMMARY-1" in text and RESOLUTION in text


def test_default_period_starts_at_the_latest_consultation_else_30_days(seeded):
    patient, today = seeded.patient, seeded.today
    assert summary_period(patient=patient, start=None, end=None, today=today) == Period(
        start=today - dt.timedelta(days=29), end=today, basis="default"
    )
    visit = today - dt.timedelta(days=12)
    ClinicalEvent.objects.create(patient=patient, kind="crisis_visit", date=visit)
    assert summary_period(patient=patient, start=None, end=None, today=today) == Period(
        start=visit, end=today, basis="since_consultation", consultation=visit
    )


def test_query_count_does_not_depend_on_the_period(seeded):
    patient = seeded.patient
    counts = []
    for days in (30, 120):  # both periods hold an episode of risk
        with CaptureQueriesContext(connection) as queries:
            patient_summary(
                patient=patient,
                start=seeded.today - dt.timedelta(days=days - 1),
                end=seeded.today,
                explain=True,
                now=timezone.now(),
            )
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


def test_fhir_export_carries_the_summary_as_composition_and_document_reference(seeded, psychiatrist):
    response = auth_client(psychiatrist).get(
        f"/api/v1/patients/{seeded.patient.pk}/export/?format=fhir", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    resources = [e["resource"] for e in json.loads(response.content)["entry"]]
    (composition,) = [r for r in resources if r["resourceType"] == "Composition"]
    (document,) = [r for r in resources if r["resourceType"] == "DocumentReference"]
    assert composition["subject"]["reference"] == f"Patient/{seeded.patient.pk}"
    assert composition["type"]["coding"][0]["code"] == "34133-9"
    assert [s["title"] for s in composition["section"]][:2] == [
        "Period",
        "Mood, sleep, activity and speech against the patient's usual",
    ]
    text = base64.b64decode(document["content"][0]["attachment"]["data"]).decode()
    assert "PHQ-9 rose from 6 (mild)" in text and FLAGGED_NOTE in text
    assert document["context"]["related"] == [{"reference": f"Composition/{composition['id']}"}]


def test_a_patient_without_data_gets_sentences_that_say_so(team, psychiatrist):
    patient = PatientFactory(code="EMPTY-1", care_team=team)
    body = auth_client(psychiatrist).get(f"/api/v1/patients/{patient.pk}/summary/", HTTP_ACCEPT_LANGUAGE="en").json()
    texts = [s["text"] for section in body["sections"] for s in section["sentences"]]
    assert "Sleep: no data in this period." in texts
    assert "No questionnaire was completed in this period." in texts
    assert "No relapse-risk score in this period." in texts
    assert "The patient flagged no note for this appointment." in texts


def test_pdf_in_french_contains_the_figures_in_french(seeded, psychiatrist):
    start = seeded.today - dt.timedelta(days=29)
    url = f"/api/v1/patients/{seeded.patient.pk}/summary/?start={start}&end={seeded.today}"
    client = auth_client(psychiatrist)
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").json()
    response = client.get(url + "&format=pdf", HTTP_ACCEPT_LANGUAGE="fr")
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages)
    sleep = next(s for s in _sentences(body, "signals") if s["key"] == "sleep_hours")
    assert f"{sleep['facts']['mean']:.1f}".replace(".", ",") + " h par nuit" in text
    assert "PHQ-9 : en hausse, de 6 (léger)" in text
    assert "Synthèse avant consultation" in text


def test_page_for_the_team_only_audited_and_falls_back_on_a_bad_period(client, seeded, psychiatrist, other_nurse):
    url = f"/dashboard/patients/{seeded.patient.pk}/summary/"
    client.force_login(other_nurse)
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 404
    client.force_login(psychiatrist)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "PHQ-9 rose from 6 (mild)" in page and "What raised it at the peak" in page
    assert f'data-start="{seeded.today - dt.timedelta(days=29)}"' in page
    assert AuditEvent.objects.filter(patient_id=seeded.patient.pk, resource="summary_page", action="read").exists()
    assert AuditEvent.objects.filter(patient_id=seeded.patient.pk, resource="summary_page", action="denied").exists()

    response = client.get(url + "?start=2026-02-10&end=2026-02-01", HTTP_ACCEPT_LANGUAGE="en")
    assert "That period could not be used" in response.content.decode()
    assert f'data-start="{seeded.today - dt.timedelta(days=29)}"' in response.content.decode()
