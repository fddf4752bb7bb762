"""PHQ-9 item 9 in the phone app (Chromium, phone size): the crisis line is shown at once (before
the review, before anything is sent), and once the answers are checked and sent the care team's
safety alert is raised, online or, offline, as soon as the phone is back online."""

import pytest

from alerts.models import Alert
from monitoring.models import QuestionnaireResponse
from tests.mobile.conftest import existing_patient, phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_phq9_item9_shows_the_crisis_line_and_raises_the_safety_alert(
    live_asgi_server, browser, artifacts_dir, team, settings
):
    patient = existing_patient(team, "dan-phone")
    app = phone(browser, live_asgi_server, artifacts_dir)
    sign_in(app, "dan-phone")

    app.go("#/q/PHQ-9")
    app.page.wait_for_selector("button.answer")
    app.shoot("01-phq9-item1")
    for item in range(8):
        assert app.page.inner_text(".step") == f"Question {item + 1} of 9"
        app.page.click("button.answer[data-value='0']")
    assert "better off dead" in app.page.inner_text(".q-text")
    app.shoot("02-phq9-item9")
    app.page.click("button.answer[data-value='1']")

    # The crisis line at once, on the phone; nothing has gone to the team yet.
    app.page.wait_for_selector("#crisis-now #call-crisis-line")
    assert app.page.get_attribute("#crisis-now #call-crisis-line", "href") == "tel:3114"
    assert not QuestionnaireResponse.objects.filter(patient=patient).exists()
    app.page.click("#crisis-continue")
    app.page.wait_for_selector("#review-list")
    assert app.page.inner_text("#review-crisis a") == "Call 3114"
    app.page.click("#review-send")

    app.page.wait_for_selector("#crisis")
    assert app.page.get_attribute("#call-crisis-line", "href") == "tel:3114"
    app.page.wait_for_selector("#crisis-status[data-state='sent']")
    assert app.page.inner_text("#crisis-status") == "Your care team has been told. They will contact you."
    app.shoot("03-crisis")
    response = QuestionnaireResponse.objects.get(patient=patient)
    assert response.answers == [0, 0, 0, 0, 0, 0, 0, 0, 1]
    alert = Alert.objects.get(patient=patient, kind="safety")
    assert alert.status == "open"
    assert app.real_errors() == []


def test_phq9_item9_offline_still_shows_the_crisis_line_and_alerts_once_online(
    live_asgi_server, browser, artifacts_dir, team
):
    patient = existing_patient(team, "eve-phone")
    app = phone(browser, live_asgi_server, artifacts_dir, locale="fr-FR")
    sign_in(app, "eve-phone")

    app.go("#/q/PHQ-9")
    app.page.wait_for_selector("button.answer")
    app.context.set_offline(True)
    for _item in range(8):
        app.page.click("button.answer[data-value='1']")
    app.page.click("button.answer[data-value='3']")

    app.page.wait_for_selector("#crisis-now #call-crisis-line")  # offline: the line at once all the same
    assert app.page.inner_text("#crisis-now #call-crisis-line") == "Appeler le 3114"
    app.page.click("#crisis-continue")
    app.page.click("#review-send")

    app.page.wait_for_selector("#crisis #call-crisis-line")
    status = app.page.inner_text("#crisis-status")
    assert "Vous êtes hors ligne" in status and "3114" in status
    assert app.page.inner_text("#call-crisis-line") == "Appeler le 3114"
    app.shoot("01-crisis-offline-fr")
    assert not Alert.objects.filter(patient=patient).exists()

    app.context.set_offline(False)
    app.page.wait_for_selector("#crisis-status[data-state='sent']")
    assert app.page.inner_text("#crisis-status") == "Votre équipe soignante a été prévenue. Elle va vous contacter."
    app.shoot("02-crisis-sent-fr")
    assert Alert.objects.filter(patient=patient, kind="safety").count() == 1
