"""The emergency access pages, EN and FR: the form opens the view (with its countdown and the
30-day charts' endpoints), a refusal is explained on the page, the review page records a
verdict, and an ended access's page is gone."""

import datetime as dt

import pytest
from django.test import Client

from patients.models import EmergencyAccess
from patients.services import consent_withdraw, patient_identity_set
from tests.factories import EstablishmentFactory, UserFactory

pytestmark = pytest.mark.django_db

INS = "189127512501282"
BORN = dt.date(1989, 12, 3)


@pytest.fixture
def er_session(patient):
    patient_identity_set(patient=patient, ins=INS, birth_date=BORN)
    doctor = UserFactory(username="dr-er", role="emergency", establishment=EstablishmentFactory(name="CU Mistral"))
    client = Client()
    client.force_login(doctor)
    return client


def _form(**extra):
    return {
        "ins": "1 89 12 75 125 012 82",
        "birth_date": BORN.isoformat(),
        "reason": "agitation",
        "reason_text": "Agitated, no ID but card.",
        **extra,
    }


def test_the_form_opens_the_emergency_view_with_its_countdown(er_session, patient):
    assert er_session.get("/dashboard/").status_code == 302  # lands on the emergency page
    page = er_session.get("/dashboard/emergency/")
    assert page.status_code == 200 and b'id="emergency-form"' in page.content
    response = er_session.post("/dashboard/emergency/", _form())
    access = EmergencyAccess.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dashboard/emergency/{access.pk}/"
    view = er_session.get(response["Location"])
    html = view.content.decode()
    assert view.status_code == 200
    assert 'id="emergency-countdown"' in html and "emergency_countdown.js" in html
    assert f"/api/v1/emergency/accesses/{access.pk}/timeline/" in html
    assert patient.code in html and patient.care_team.name in html
    assert "1 89 12 75 125 012 82" in html
    # Listed among her accesses, and gone once she ends it.
    assert patient.code.encode() in er_session.get("/dashboard/emergency/").content
    assert er_session.post(f"/dashboard/emergency/{access.pk}/end/").status_code == 302
    assert er_session.get(f"/dashboard/emergency/{access.pk}/").status_code == 404


def test_a_refusal_is_explained_on_the_page_in_french(er_session, patient):
    consent_withdraw(patient=patient, scopes=["emergency_access"])
    er_session.cookies["django_language"] = "fr"
    response = er_session.post("/dashboard/emergency/", _form())
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="emergency-refusal"' in html and "consentement" in html
    assert patient.code not in html
    assert not EmergencyAccess.objects.exists()


def test_no_match_says_so_without_leaking(er_session, patient):
    response = er_session.post("/dashboard/emergency/", _form(birth_date="1990-01-01"))
    assert response.status_code == 404 and b'id="emergency-error"' in response.content
    assert patient.code.encode() not in response.content


def test_the_review_page_records_a_verdict(er_session, patient, psychiatrist):
    er_session.post("/dashboard/emergency/", _form())
    access = EmergencyAccess.objects.get()
    reviewer = Client()
    reviewer.force_login(psychiatrist)
    page = reviewer.get("/dashboard/emergency/review/")
    assert page.status_code == 200 and f'id="access-{access.pk}"'.encode() in page.content
    assert b"Agitated, no ID but card." in page.content
    done = reviewer.post(
        "/dashboard/emergency/review/", {"access": str(access.pk), "verdict": "justified", "note": "Ok"}
    )
    assert done.status_code == 302
    access.refresh_from_db()
    assert access.verdict == "justified" and access.verdict_by == psychiatrist
    assert b'data-verdict="justified"' in reviewer.get("/dashboard/emergency/review/").content


def test_a_nul_byte_in_the_page_form_is_a_400_not_a_server_error(er_session):
    response = er_session.post("/dashboard/emergency/", _form(reason_text="bad\x00text"))
    assert response.status_code == 400
    assert not EmergencyAccess.objects.exists()
    bad_ins = er_session.post("/dashboard/emergency/", _form(ins="1\x0089"))
    assert bad_ins.status_code == 400
