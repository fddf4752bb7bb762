"""A check-in note with risk language, posted by the phone's API to the real ASGI server, shows on
the nurse's desk live: a `Risk language` card quoting the patient's sentence with the words that
raised it highlighted and named, in English and in French; the patient page's alert history
quotes it too. axe-core finds no serious or critical violation."""

import uuid

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import expect

from tests.alerts.test_browser_desk import open_desk
from tests.browser_a11y import assert_no_serious_axe_violations
from tests.factories import DEFAULT_PASSWORD, ClinicianFactory

pytestmark = pytest.mark.browser

NOTE = "Rien ne va depuis lundi. Ce soir je prends toute la boite de xanax."


def post_checkin(base_url, username, note):
    token = requests.post(
        f"{base_url}/api/v1/auth/token/", json={"username": username, "password": DEFAULT_PASSWORD}, timeout=10
    ).json()["access"]
    response = requests.post(
        f"{base_url}/api/v1/checkins/",
        json={"id": str(uuid.uuid4()), "recorded_at": timezone.now().isoformat(), "mood": -3, "note": note},
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,  # the test server builds the detector on its first note
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_risk_language_note_reaches_the_desk_quoted_and_highlighted(
    live_asgi_server, browser, artifacts_dir, team, patient
):
    ClinicianFactory(username="nurse-one", role="nurse", teams=[team])
    page, problems = open_desk(browser, live_asgi_server, "nurse-one")

    body = post_checkin(live_asgi_server, "patient-a", NOTE)
    assert body["crisis_line"] is True and body["flags"] == ["risk_language"]

    card = page.locator("li.patient-card", has_text="PA1").locator("li.alert-card")
    expect(card.locator(".badge.kind")).to_have_text("Risk language", timeout=20000)
    expect(card.locator(".badge.sev")).to_have_text("Critical")
    expect(card.locator(".alert-title")).to_have_text("Risk language in a note: intent or plan")
    expect(card.locator(".alert-detail")).to_contain_text("intent or plan")
    quote = card.locator(".alert-quote blockquote")
    expect(quote).to_have_text("Ce soir je prends toute la boite [intent or plan] de xanax.")
    expect(quote.locator("mark")).to_have_text("prends toute la boite")
    assert "Rien ne va" not in quote.inner_text()  # the sentence, not the whole note
    assert_no_serious_axe_violations(page, "the desk with a risk-language alert")
    page.screenshot(path=str(artifacts_dir / "risk-language-desk.png"))

    french, _ = open_desk(browser, live_asgi_server, "nurse-one", locale="fr-FR")
    card_fr = french.locator("li.patient-card", has_text="PA1").locator("li.alert-card")
    expect(card_fr.locator(".badge.kind")).to_have_text("Propos à risque")
    expect(card_fr.locator(".alert-quote figcaption")).to_contain_text("Le patient a écrit")
    expect(card_fr.locator(".alert-quote .quote-kind")).to_have_text(" [intention ou projet]")
    assert_no_serious_axe_violations(french, "the desk in French with a risk-language alert")

    page.goto(f"{live_asgi_server}/dashboard/patients/{patient.pk}/")
    history = page.locator("#alert-list")
    expect(history.locator("mark")).to_have_text("prends toute la boite", timeout=15000)
    assert_no_serious_axe_violations(page, "the patient page with a risk-language alert")
    page.screenshot(path=str(artifacts_dir / "risk-language-patient.png"))
    assert problems == []


def test_a_warning_sign_alone_is_named_as_a_sign_not_as_an_intent(live_asgi_server, browser, team, patient):
    """Belongings given away, with no ideation or means in the note: a high alert (it does not
    escalate like a critical one) whose quote and line say "warning sign of a plan"."""
    ClinicianFactory(username="nurse-sign", role="nurse", teams=[team])
    page, problems = open_desk(browser, live_asgi_server, "nurse-sign")
    post_checkin(live_asgi_server, "patient-a", "J'ai donné toutes mes affaires à ma voisine hier soir.")

    card = page.locator("li.patient-card", has_text="PA1").locator("li.alert-card")
    expect(card.locator(".badge.sev")).to_have_text("High", timeout=20000)
    expect(card.locator(".alert-title")).to_have_text("Risk language in a note written by the patient")
    expect(card.locator(".alert-detail")).to_contain_text("warning sign of a plan (a farewell, belongings given away)")
    expect(card.locator(".alert-detail")).not_to_contain_text("intent or plan")
    expect(card.locator(".alert-quote .quote-kind")).to_have_text(
        " [warning sign of a plan (a farewell, belongings given away)]"
    )
    french, _ = open_desk(browser, live_asgi_server, "nurse-sign", locale="fr-FR")
    card_fr = french.locator("li.patient-card", has_text="PA1").locator("li.alert-card")
    expect(card_fr.locator(".alert-quote .quote-kind")).to_have_text(
        " [signe avant-coureur d'un passage à l'acte (adieux, affaires données)]"
    )
    assert problems == []
