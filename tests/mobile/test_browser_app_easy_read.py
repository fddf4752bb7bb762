"""Issue 18 in Chromium at 360 × 740: the easy-read check-in chosen by the care team, end to end
to the clinician's timeline (pictograms, one question per screen, read aloud in the app's
language, a last screen to check, "Skip" sent as missing); the display settings remembered;
axe-core with no violation of any impact on the easy-read screens; and the weekly summary's
sentences for a fixture patient."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from monitoring.models import DailySummary
from tests.conftest import auth_client
from tests.mobile.conftest import existing_patient, phone, sign_in, timeline_today
from tests.mobile.test_browser_app_safe_answers import _assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Records what the app asks the phone's voice to say (headless Chromium has no voice to hear).
SPEECH_SPY = """() => {
  window.spoken = [];
  window.speechSynthesis.speak = (u) => window.spoken.push({ text: u.text, lang: u.lang });
}"""


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_easy_read_checkin_chosen_by_the_team_reaches_the_clinicians_timeline(
    live_asgi_server, browser, artifacts_dir, team, nurse, locale
):
    patient = existing_patient(team, f"kim-phone-{locale}")
    response = auth_client(nurse).put(
        f"/api/v1/patients/{patient.pk}/app-preferences/", {"easy_read": True}, format="json"
    )
    assert response.status_code == 200
    app = phone(browser, live_asgi_server, artifacts_dir, locale=locale)
    sign_in(app, f"kim-phone-{locale}")
    app.page.wait_for_function("document.documentElement.classList.contains('easy-read')")
    french = locale == "fr-FR"

    app.page.click("#start-checkin")
    app.page.wait_for_selector(".picto-choice[data-field=mood]")
    assert app.page.locator(".picto-choice").count() == 5
    assert app.page.locator(".picto-choice img[src$='mood-steady.svg']").count() == 1
    title = app.page.inner_text("h1")
    assert title == ("Comment vous sentez-vous aujourd’hui ?" if french else "How do you feel today?")
    app.page.evaluate(SPEECH_SPY)
    app.page.click("#read-aloud")
    spoken = app.page.evaluate("window.spoken")
    assert spoken[0]["lang"] == ("fr-FR" if french else "en-GB") and spoken[0]["text"].startswith(title)
    app.shoot("01-easy-mood")
    _assert_no_axe_violations(app, f"easy-read mood ({locale})")

    app.page.click(".picto-choice[data-value='1']")  # Good / Bien
    app.page.wait_for_selector(".picto-choice[data-field=sleep_quality]")
    app.shoot("02-easy-sleep")
    _assert_no_axe_violations(app, f"easy-read sleep ({locale})")
    app.page.click(".picto-choice[data-value='8']")  # slept well
    app.page.wait_for_selector(".picto-choice[data-field=energy]")
    app.page.click("#easy-skip")  # energy skipped: sent as missing

    app.page.wait_for_selector("#easy-review")
    answers = app.page.locator("#easy-review .review-answer").all_inner_texts()
    assert answers == (["Bien", "Bien", "Passée"] if french else ["Good", "Well", "Skipped"])
    app.shoot("03-easy-review")
    _assert_no_axe_violations(app, f"easy-read review ({locale})")
    app.page.click("#easy-send")
    app.page.wait_for_selector(".flash")
    app.wait_outbox_empty()

    day = timeline_today(nurse, patient)
    assert (day["checkins"], day["mood"], day["sleep_quality"], day["energy"]) == (1, 1.0, 8.0, None)
    assert app.real_errors() == []


def test_display_settings_are_remembered_and_pass_axe(live_asgi_server, browser, artifacts_dir, team):
    existing_patient(team, "lou-phone")
    app = phone(browser, live_asgi_server, artifacts_dir, locale="fr-FR")
    sign_in(app, "lou-phone")
    app.go("#/settings")
    app.page.wait_for_selector("#easy-read")
    app.page.check("#easy-read")
    app.page.check("#high-contrast")
    app.page.check("#text-size-larger", force=True)
    app.page.reload()
    app.page.wait_for_selector("html[data-ready=true]", state="attached")
    classes = app.page.evaluate("document.documentElement.className")
    assert {"easy-read", "high-contrast", "text-larger"} <= set(classes.split())
    app.go("#/settings")
    app.page.wait_for_selector("#sign-out")
    app.shoot("01-settings-large-contrast-fr")
    _assert_no_axe_violations(app, "settings, easy-read, high contrast, larger text")
    for route, ready in (("#/", "#start-checkin"), ("#/checkin", ".picto-choice"), ("#/help", "#call-crisis-line")):
        app.go(route)
        app.page.wait_for_selector(ready)
        _assert_no_axe_violations(app, f"{route} in easy-read, high contrast, larger text")
        app.shoot(f"02-{route.strip('#/') or 'today'}-easy-fr")


def _fixture_weeks(patient: Any) -> None:
    """Five weeks: the usual sleep 7.2 h; this week 6.1 h; last week's mood up and down, this
    week's steady; steps 6,800 usually, 5,200 this week; check-ins on 5 of the last 7 days."""
    today = timezone.localdate(timezone=patient.tz)
    rows = []
    for back in range(35):
        day = today - timedelta(days=back)
        this_week = back < 7
        last_week = 7 <= back < 14
        mood = (2.0 if back % 2 else -2.0) if last_week else 0.0
        rows.append(
            DailySummary(
                patient=patient,
                date=day,
                checkins=0 if back in (2, 5) else 1,
                mood=None if back in (2, 5) else mood,
                sleep_hours=6.1 if this_week else 7.2,
                steps=5200 if this_week else 6800,
            )
        )
    DailySummary.objects.bulk_create(rows)


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_weekly_summary_in_plain_words_for_a_fixture_patient(
    live_asgi_server, browser, artifacts_dir, team, locale
):
    patient = existing_patient(team, f"max-phone-{locale}")
    _fixture_weeks(patient)
    app = phone(browser, live_asgi_server, artifacts_dir, locale=locale)
    sign_in(app, f"max-phone-{locale}")
    app.go("#/history")
    app.page.wait_for_selector("#week-summary li")
    sentences = app.page.locator("#week-summary li").all_inner_texts()
    if locale == "en-GB":
        assert sentences == [
            "You checked in on 5 of the last 7 days.",
            "You slept 6.1 h a night this week; your usual is 7.2 h.",
            "Your mood was steadier than last week.",
            "You walked about 5,200 steps a day; your usual is 6,800.",
        ]
    else:
        assert sentences == [
            "Vous avez fait le point 5 jours sur les 7 derniers.",
            "Vous avez dormi 6,1 h par nuit cette semaine ; d’habitude, vous dormez 7,2 h.",
            "Votre humeur a été plus stable que la semaine dernière.",
            "Vous avez fait environ 5\u202f200 pas par jour ; d’habitude, vous en faites 6\u202f800.",
        ]
    # The trends drawn with the clinicians' library (Chart.js), the numbers still in words and tables.
    app.page.wait_for_selector("figure[data-field=sleep_hours][data-renderer=chartjs] canvas[role=img]")
    assert app.page.locator("figure[data-renderer=chartjs]").count() >= 3
    assert app.page.locator("figure .chart-summary").count() >= 3
    app.shoot(f"01-week-{locale}")
    _assert_no_axe_violations(app, f"history with the weekly summary ({locale})")
    assert app.real_errors() == []
