"""Issue 18 in Chromium at 360 × 740: safe answers (a review before a questionnaire is sent, the
crisis line before the review, sliders unanswered until touched, "Skip" stored as missing),
focus never hidden under the tab bar, the care team's contact (online, offline, in French),
and axe-core with no violation of any impact on the app's screens."""

import io
from datetime import time
from typing import Any

import pytest
from PIL import Image

from alerts.models import Alert
from monitoring.models import CheckIn, QuestionnaireResponse
from tests.browser_a11y import AXE, axe_violations, describe
from tests.mobile.conftest import HEIGHT, WIDTH, existing_patient, phone, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")


def _team_contact(team: Any) -> None:
    team.phone = "+33 1 45 65 00 00"
    team.opening_days = "12345"
    team.opens_at = time(9, 0)
    team.closes_at = time(17, 30)
    team.out_of_hours_phone = "+33 1 45 65 99 99"
    team.full_clean()  # as the admin saves it: the E.164 forms beside the typed numbers
    team.save()


def _assert_no_axe_violations(app: Any, where: str) -> None:
    # Evaluated rather than added as a script tag: the app's CSP would refuse (and log) the tag.
    if not app.page.evaluate("() => typeof window.axe !== 'undefined'"):
        app.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    violations = axe_violations(app.page, impacts=ALL_IMPACTS)
    assert not violations, f"axe-core on {where}:\n{describe(violations)}"


def test_phq9_review_lets_a_mistap_on_item9_be_corrected_before_anything_is_sent(
    live_asgi_server, browser, artifacts_dir, team
):
    patient = existing_patient(team, "fay-phone")
    app = phone(browser, live_asgi_server, artifacts_dir)
    sign_in(app, "fay-phone")

    app.go("#/q/PHQ-9")
    app.page.wait_for_selector("button.answer")
    for _item in range(8):
        app.page.click("button.answer[data-value='0']")
    app.page.click("button.answer[data-value='1']")  # the mis-tap

    # The crisis line at once, before the review; nothing sent, no alert.
    app.page.wait_for_selector("#crisis-now #call-crisis-line")
    app.shoot("01-crisis-before-review")
    _assert_no_axe_violations(app, "the crisis line before the review")
    assert not QuestionnaireResponse.objects.filter(patient=patient).exists()
    app.page.click("#crisis-continue")

    app.page.wait_for_selector("#review-list")
    answers = app.page.locator(".review-answer").all_inner_texts()
    assert len(answers) == 9
    assert answers[8] == "Several days" and set(answers[:8]) == {"Not at all"}
    app.shoot("02-review")
    _assert_no_axe_violations(app, "the review")

    # Every answer can be changed: item 9 back to 0, item 2 to "More than half the days".
    app.page.click("[data-change='9']")
    assert "better off dead" in app.page.inner_text(".q-text")
    app.page.click("button.answer[data-value='0']")
    app.page.wait_for_selector("#review-list")
    assert app.page.locator("#review-crisis").count() == 0
    app.page.click("[data-change='2']")
    app.page.click("button.answer[data-value='2']")
    app.page.wait_for_selector("#review-list")
    assert app.page.locator(".review-answer").nth(1).inner_text() == "More than half the days"
    app.page.click("#review-send")
    app.page.wait_for_selector("text=Thank you")
    app.wait_outbox_empty()

    response = QuestionnaireResponse.objects.get(patient=patient)
    assert response.answers == [0, 2, 0, 0, 0, 0, 0, 0, 0]
    assert not Alert.objects.filter(patient=patient, kind="safety").exists()
    assert app.real_errors() == []


def test_sliders_look_unanswered_until_touched_and_skip_is_stored_as_missing(
    live_asgi_server, browser, artifacts_dir, team
):
    patient = existing_patient(team, "gus-phone")
    app = phone(browser, live_asgi_server, artifacts_dir, locale="fr-FR")
    sign_in(app, "gus-phone")
    app.go("#/checkin")
    app.page.wait_for_selector("#checkin-submit")

    assert set(app.page.locator(".slider-value").all_inner_texts()) == {"Pas de réponse"}
    # An untouched scale has no visible thumb: no pixel of the thumb's colour until touched.
    assert _thumb_pixels(app, "anxiety") == 0
    app.page.locator("input[name=irritability]").fill("7")
    assert _thumb_pixels(app, "irritability") > 50
    app.shoot("01-checkin-untouched-fr")

    app.page.click("label:has-text('0')")  # mood "Steady"
    app.page.locator("input[name=anxiety]").fill("3")
    app.page.locator("input[name=energy]").fill("0")
    app.page.click("[data-skip=energy]")  # touched, then skipped: missing, not 0
    assert app.page.locator(".slider-value").nth(1).inner_text() == "Passée"
    assert app.page.evaluate("document.activeElement.name") == "energy"
    app.shoot("02-checkin-skip-fr")
    app.page.click("#checkin-submit")
    app.page.wait_for_selector(".flash")
    app.wait_outbox_empty()

    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.mood, checkin.anxiety, checkin.energy, checkin.irritability) == (0, 3, None, 7)
    assert checkin.sleep_quality is None
    assert app.real_errors() == []


def _thumb_pixels(app: Any, name: str) -> int:
    """Pixels of the thumb's colour (--primary, #0b4f8a) in the slider's box."""
    png = app.page.locator(f"input[name={name}]").screenshot()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(
        1 for r, g, b in image.get_flattened_data() if abs(r - 0x0B) < 30 and abs(g - 0x4F) < 30 and abs(b - 0x8A) < 30
    )


FOCUS_REPORT = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  const bar = document.getElementById('tabbar');
  const header = document.querySelector('.app-header');
  const inBar = bar && bar.contains(el);
  const inHeader = (header && header.contains(el)) || el.classList.contains('skip-link');
  return {
    what: el.outerHTML.slice(0, 90),
    top: box.top, bottom: box.bottom, left: box.left, right: box.right,
    barTop: bar && !bar.hidden ? bar.getBoundingClientRect().top : innerHeight,
    headerBottom: header ? header.getBoundingClientRect().bottom : 0,
    chrome: Boolean(inBar || inHeader), body: el === document.body,
  };
}"""


def test_tabbing_never_hides_focus_under_the_tab_bar(live_asgi_server, browser, artifacts_dir, team):
    _team_contact(team)
    existing_patient(team, "hal-phone")
    app = phone(browser, live_asgi_server, artifacts_dir)
    sign_in(app, "hal-phone")

    for route, ready in (
        ("#/", "#start-checkin"),
        ("#/checkin", "#checkin-submit"),
        ("#/settings", "#sign-out"),
        ("#/help", "#call-crisis-line"),
        ("#/history", "figure.chart-figure"),
        ("#/voice", "main h1"),
    ):
        app.go(route)
        app.page.wait_for_selector(ready)
        app.page.evaluate("window.scrollTo(0, 0)")
        seen = 0
        for _step in range(80):
            app.page.keyboard.press("Tab")
            report = app.page.evaluate(FOCUS_REPORT)
            if report["body"] or report["chrome"]:
                continue
            seen += 1
            where = f"{route}: {report['what']}"
            assert report["left"] >= 0 and report["right"] <= WIDTH, where
            assert report["top"] >= report["headerBottom"] - 1, f"under the header: {where}"
            assert report["bottom"] <= report["barTop"] + 1, f"under the tab bar: {where}"
            assert report["bottom"] <= HEIGHT, where
        assert seen > 0, route
    assert app.real_errors() == []


def test_the_care_teams_contact_on_help_crisis_and_settings_offline_and_in_french(
    live_asgi_server, browser, artifacts_dir, team
):
    _team_contact(team)
    existing_patient(team, "ida-phone")
    app = phone(browser, live_asgi_server, artifacts_dir, locale="fr-FR")
    sign_in(app, "ida-phone")

    app.go("#/help")
    app.page.wait_for_selector("#call-care-team")
    # Shown in the national format, dialled as E.164 (the one phone rule, patients/phones.py).
    assert app.page.inner_text("#call-care-team") == "Appeler votre équipe : 01 45 65 00 00"
    assert app.page.get_attribute("#call-care-team", "href") == "tel:+33145650000"
    assert app.page.inner_text("#care-team-hours") == "Ouverte du lundi au vendredi, de 9:00 à 17:30."
    assert "01 45 65 99 99" in app.page.inner_text("#care-team-out-of-hours")
    assert app.page.get_attribute("#care-team-out-of-hours a", "href") == "tel:+33145659999"
    app.shoot("01-help-fr")
    app.go("#/settings")
    app.page.wait_for_selector("#sign-out")
    assert "01 45 65 00 00" in app.page.inner_text("#care-team-contact")

    # Offline, after a reload: still there (the page from the service worker, the contact from IndexedDB).
    app.page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    app.context.set_offline(True)
    app.page.reload()
    app.page.wait_for_selector("html[data-ready=true]", state="attached")
    app.go("#/help")
    app.page.wait_for_selector("#call-care-team")
    assert "17:30" in app.page.inner_text("#care-team-hours")
    app.go("#/q/PHQ-9")
    app.page.wait_for_selector("button.answer")
    for _item in range(8):
        app.page.click("button.answer[data-value='0']")
    app.page.click("button.answer[data-value='2']")
    app.page.wait_for_selector("#crisis-now #call-care-team")
    app.shoot("02-crisis-offline-fr")


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_every_app_screen_has_no_axe_violation_of_any_impact(live_asgi_server, browser, artifacts_dir, team, locale):
    _team_contact(team)
    existing_patient(team, f"jo-phone-{locale}")
    app = phone(browser, live_asgi_server, artifacts_dir, locale=locale)
    app.open()
    app.page.wait_for_selector("a[href='#/enrol']")
    _assert_no_axe_violations(app, "welcome")
    for route, ready in (("#/enrol", "input[name=enrollment_code]"), ("#/login", "input[name=username]")):
        app.go(route)
        app.page.wait_for_selector(ready)
        _assert_no_axe_violations(app, route)
    sign_in(app, f"jo-phone-{locale}")
    for route, ready in (
        ("#/", "#start-checkin"),
        ("#/checkin", "#checkin-submit"),
        ("#/q/PHQ-9", "button.answer"),
        ("#/q/ASRM", "button.answer"),
        ("#/voice", "main h1"),
        ("#/history", "figure.chart-figure"),
        ("#/settings", "#sign-out"),
        ("#/help", "#call-care-team"),
        ("#/crisis/x", "#crisis"),
        ("#/thanks/x", "main h1"),
        ("#/consent", "[data-scope][data-answer=yes]"),
    ):
        app.go(route)
        app.page.wait_for_selector(ready)
        app.page.wait_for_timeout(100)
        _assert_no_axe_violations(app, f"{route} ({locale})")
        app.shoot(f"{route.strip('#/').replace('/', '-') or 'today'}-{locale}")
    app.go("#/q/GAD-7")
    app.page.wait_for_selector("button.answer")
    for _item in range(7):
        app.page.click("button.answer[data-value='1']")
    app.page.wait_for_selector("#review-list")
    _assert_no_axe_violations(app, f"review ({locale})")
