"""Emergency access ("bris de glace") in the phone app, in Chromium at 360 x 740: the consent
scope `emergency_access` is opt-out (in force unless the patient turns it off). The patient turns
it off, in the first consent flow (French) or later in Settings (English), and an emergency
clinician of another establishment is then refused, with the explanation, on her page and
through the API; turned on again, the clinician gets in."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from patients.emergency import emergency_access_excluded
from patients.models import EmergencyAccess
from patients.services import patient_identity_set
from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, EstablishmentFactory, PatientFactory, UserFactory
from tests.mobile.conftest import existing_patient, phone, sign_in, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INS = "189127512501282"
BORN = dt.date(1989, 12, 3)


def _emergency_clinician() -> object:
    return UserFactory(username="er-phone", role="emergency", establishment=EstablishmentFactory(name="CU Mistral"))


def _form() -> dict[str, str]:
    return {"ins": INS, "birth_date": BORN.isoformat(), "reason": "agitation", "reason_text": "Agitated, card only."}


def _refused_on_the_page(browser, base_url, artifacts_dir, locale: str) -> str:
    page = browser.new_page(viewport={"width": 1366, "height": 800}, locale=locale)
    browser_login(page, base_url, "er-phone", DEFAULT_PASSWORD)
    page.goto(f"{base_url}/dashboard/emergency/")
    page.fill("#em-ins", INS)
    page.fill("#em-born", BORN.isoformat())
    page.select_option("#em-reason", "agitation")
    page.fill("#em-text", "Agitated, card only.")
    page.click("#emergency-open")
    page.wait_for_selector("#emergency-refusal")
    page.screenshot(path=str(artifacts_dir / f"clinician-refused-{locale}.png"))
    text = page.inner_text("#emergency-refusal")
    page.close()
    return text


def test_saying_no_in_the_first_consent_flow_refuses_the_emergency_clinician(
    live_asgi_server, browser, artifacts_dir, team
):
    patient = PatientFactory(care_team=team, user__username="em-first")  # no consent given yet
    patient_identity_set(patient=patient, ins=INS, birth_date=BORN)
    clinician = _emergency_clinician()
    app = phone(browser, live_asgi_server, artifacts_dir, locale="fr-FR")
    app.open("#/login")
    app.page.fill("input[name=username]", "em-first")
    app.page.fill("input[name=password]", DEFAULT_PASSWORD)
    app.page.click("form button[type=submit]")
    for scope in ("self_report", "sleep", "activity", "mobility", "speech", "risk_scoring"):
        app.page.click(f"[data-scope={scope}][data-answer=yes]")
    app.page.wait_for_selector("[data-scope=emergency_access][data-answer=no]")
    main = app.page.inner_text("main")
    assert "Étape 7 sur 7" in main and "Accès en urgence par d’autres hôpitaux" in main
    assert "urgences psychiatriques" in main and "on lui dira que vous avez refusé" in main
    assert app.page.inner_text("[data-scope=emergency_access][data-answer=no]") == "Non, désactiver"
    app.shoot("01-consent-emergency-fr")
    app.page.click("[data-scope=emergency_access][data-answer=no]")
    summary = app.page.inner_text("ul.choices")
    assert "Accès en urgence par d’autres hôpitaux\nNon autorisé" in summary, summary
    app.shoot("02-consent-summary-fr")
    app.page.click("#consent-confirm")
    app.page.wait_for_selector("#start-checkin")

    assert emergency_access_excluded(patient=patient) is not None
    assert set(patient.consents.filter(withdrawn_at=None).values_list("scope", flat=True)) == {
        "self_report", "sleep", "activity", "mobility", "speech", "risk_scoring",
    }  # fmt: skip
    refusal = _refused_on_the_page(browser, live_asgi_server, artifacts_dir, "fr-FR")
    assert "Accès refusé par le patient" in refusal and "consentement" in refusal
    assert not EmergencyAccess.objects.filter(clinician=clinician).exists()
    assert app.real_errors() == []


def test_turning_it_off_in_settings_refuses_the_clinician_and_on_again_lets_her_in(
    live_asgi_server, browser, artifacts_dir, team
):
    patient = existing_patient(team, "em-settings")
    patient.consents.filter(scope="emergency_access").delete()  # as for a patient who never said a word of it
    patient_identity_set(patient=patient, ins=INS, birth_date=BORN)
    clinician = _emergency_clinician()
    api = APIClient()
    api.force_authenticate(clinician)
    app = phone(browser, live_asgi_server, artifacts_dir)
    sign_in(app, "em-settings")
    app.go("#/settings")
    row = app.page.locator("li.scope[data-scope=emergency_access]")
    row.wait_for()
    # Opt-out: allowed without any grant on record.
    assert not patient.consents.filter(scope="emergency_access").exists()
    assert "Emergency access from other hospitals" in row.inner_text()
    assert row.locator(".choice").inner_text() == "Allowed"
    row.scroll_into_view_if_needed()
    app.shoot("03-settings-emergency-allowed")

    dialogs: list[str] = []

    def accept(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    app.page.once("dialog", accept)
    row.locator("button[data-action=withdraw]").click()
    app.page.wait_for_selector(".flash")
    row = app.page.locator("li.scope[data-scope=emergency_access]")
    assert row.locator(".choice").inner_text() == "Not allowed"
    assert "“Emergency access from other hospitals” is off." in app.page.inner_text(".flash")
    assert "will not see your record, even in a crisis" in dialogs[0]
    row.scroll_into_view_if_needed()
    app.shoot("04-settings-emergency-off")
    assert emergency_access_excluded(patient=patient) is not None

    # The clinician is refused, with the explanation, through the API and on her page.
    refused = api.post("/api/v1/emergency/accesses/", _form(), format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "excluded_by_consent"
    assert "excluded emergency access in their consent settings" in refused.json()["detail"]
    assert patient.code not in refused.content.decode()
    refusal = _refused_on_the_page(browser, live_asgi_server, artifacts_dir, "en-GB")
    assert "Access refused by the patient" in refusal and "consent settings" in refusal
    assert not EmergencyAccess.objects.exists()

    # Turned on again: the exclusion is lifted and the clinician gets in.
    row.locator("button[data-action=grant]").click()
    wait_for(app.page, lambda: emergency_access_excluded(patient=patient) is None, 10, "the exclusion to lift")
    app.page.wait_for_selector("li.scope[data-scope=emergency_access] .choice.yes")
    opened = api.post("/api/v1/emergency/accesses/", _form(), format="json")
    assert opened.status_code == 201, opened.content
    assert app.real_errors() == []
