"""'Notes for my next appointment' end to end (Chromium, 360 × 740): a note the patient marks in
the daily check-in is quoted in the psychiatrist's pre-consultation summary; a note left
unmarked stays out of it."""

import pytest

from monitoring.models import CheckIn
from tests.conftest import auth_client
from tests.mobile.conftest import existing_patient, phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FOR_THE_DOCTOR = "Can we talk about the evening dose? I feel slowed down."
PRIVATE = "Argued with my neighbour."


def _check_in(app, note: str, for_appointment: bool) -> None:
    app.go("#/checkin")
    app.page.wait_for_selector("#checkin-submit")
    app.page.click("label:has-text('0')")
    app.page.fill("textarea[name=note]", note)
    if for_appointment:
        app.page.check("#note-for-appointment")
    app.page.click("#checkin-submit")
    app.page.wait_for_selector(".flash")
    app.wait_outbox_empty()


def test_a_note_marked_for_the_next_appointment_reaches_the_pre_consultation_summary(
    live_asgi_server, browser, artifacts_dir, team, psychiatrist
):
    patient = existing_patient(team, "ned-phone")
    app = phone(browser, live_asgi_server, artifacts_dir)
    sign_in(app, "ned-phone")
    _check_in(app, PRIVATE, for_appointment=False)
    _check_in(app, FOR_THE_DOCTOR, for_appointment=True)
    assert sorted(CheckIn.objects.filter(patient=patient).values_list("note", "for_next_appointment")) == sorted(
        [(PRIVATE, False), (FOR_THE_DOCTOR, True)]
    )

    response = auth_client(psychiatrist).get(f"/api/v1/patients/{patient.pk}/summary/")

    assert response.status_code == 200
    notes = next(s["sentences"] for s in response.json()["sections"] if s["key"] == "notes")
    assert len(notes) == 1 and FOR_THE_DOCTOR in notes[0]["text"]
    assert PRIVATE not in response.content.decode()
    assert app.real_errors() == []
