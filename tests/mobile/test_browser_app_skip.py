"""'Skip this question' on the questionnaire review (Chromium, 360 × 740): a skipped item is sent
as null and stored as missing, never 0; the total is prorated; a skipped PHQ-9 item 9 raises no
alert but keeps the crisis line on the review; axe-core finds no violation of any impact."""

from typing import Any

import pytest

from alerts.models import Alert
from monitoring.models import DailySummary, QuestionnaireResponse
from tests.mobile.conftest import existing_patient, phone, sign_in
from tests.mobile.test_browser_app_safe_answers import _assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _answer_all(app: Any, n: int, value: int) -> None:
    app.page.wait_for_selector("button.answer")
    for _item in range(n):
        app.page.click(f"button.answer[data-value='{value}']")
    app.page.wait_for_selector("#review-list")


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_skipped_questions_are_sent_as_missing_and_item9_skipped_keeps_the_crisis_line(
    live_asgi_server, browser, artifacts_dir, team, locale
):
    patient = existing_patient(team, f"max-phone-{locale}")
    app = phone(browser, live_asgi_server, artifacts_dir, locale=locale)
    sign_in(app, f"max-phone-{locale}")
    if locale == "fr-FR":  # the other display mode: easy-read, high contrast, larger text
        app.go("#/settings")
        app.page.wait_for_selector("#easy-read")
        app.page.check("#easy-read")
        app.page.check("#high-contrast")
        app.page.check("#text-size-larger", force=True)

    app.go("#/q/PHQ-9")
    app.page.wait_for_selector("button.answer")
    for _item in range(9):
        app.page.click("button.answer[data-value='1']")
    app.page.click("#crisis-continue")  # item 9 above 0: the crisis line before the review
    app.page.wait_for_selector("#review-list")
    assert app.page.locator("#review-crisis").count() == 1  # item 9 answered 1 (the crisis screen came first)
    app.page.click("[data-change='9']")
    app.page.click("button.answer[data-value='0']")
    app.page.wait_for_selector("#review-list")
    assert app.page.locator("#review-crisis").count() == 0

    app.page.click("[data-skip='4']")
    assert app.page.evaluate("document.activeElement.dataset.change") == "4"  # focus stays on that question
    app.page.click("[data-skip='9']")
    answers = app.page.locator(".review-answer")
    skipped = (
        "Skipped (left out, not counted as 0)" if locale == "en-GB" else "Passée (laissée de côté, pas comptée comme 0)"
    )
    assert (answers.nth(3).inner_text(), answers.nth(8).inner_text()) == (skipped, skipped)
    assert app.page.locator("[data-skip='9']").count() == 0
    # Item 9 skipped: no alert will be raised, so the crisis line stays offered here.
    assert app.page.locator("#review-crisis a[href^='tel:']").count() == 1
    app.shoot("01-review-with-skips")
    _assert_no_axe_violations(app, f"review with skipped questions ({locale})")

    app.page.click("#review-send")
    app.page.wait_for_selector("#review-send", state="detached")  # the thanks screen: queued
    app.wait_outbox_empty()

    stored = QuestionnaireResponse.objects.get(patient=patient)
    assert stored.answers == [1, 1, 1, None, 1, 1, 1, 1, None]
    # 7 over 7 answered items: 7 × 9 / 7 = 9
    assert (stored.total, stored.severity, stored.flags) == (9, "mild", ["prorated", "item9_not_answered"])
    assert DailySummary.objects.get(patient=patient, date=stored.day).phq9 == 9
    assert not Alert.objects.filter(patient=patient).exists()
    assert app.real_errors() == []


def test_a_questionnaire_with_every_question_skipped_cannot_be_sent(live_asgi_server, browser, artifacts_dir, team):
    patient = existing_patient(team, "ola-phone")
    app = phone(browser, live_asgi_server, artifacts_dir)
    sign_in(app, "ola-phone")
    app.go("#/q/ASRM")
    _answer_all(app, 5, 0)
    for item in range(1, 6):
        app.page.click(f"[data-skip='{item}']")
    assert app.page.is_disabled("#review-send")
    assert "Answer at least one question" in app.page.inner_text("main")
    app.page.click("[data-change='2']")
    app.page.click("button.answer[data-value='3']")
    app.page.wait_for_selector("#review-list")
    app.page.click("#review-send")
    app.page.wait_for_selector("text=Thank you")
    app.wait_outbox_empty()
    stored = QuestionnaireResponse.objects.get(patient=patient)
    assert (stored.answers, stored.total, stored.flags) == ([None, 3, None, None, None], None, ["not_scored"])
