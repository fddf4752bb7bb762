"""The crisis plan in the phone app (Chromium, 360 × 740): on the help screen and both crisis
screens, its numbers as tel: links, offline after a reload, gone once the team removes it, and
axe-core with no violation of any impact, in the standard and the easy-read/high-contrast modes."""

from typing import Any

import pytest

from patients.models import CrisisPlan
from tests.mobile.conftest import existing_patient, phone, sign_in
from tests.mobile.test_browser_app_safe_answers import _assert_no_axe_violations, _team_contact

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _plan(patient: Any) -> CrisisPlan:
    return CrisisPlan.objects.create(
        patient=patient,
        warning_signs="Je dors moins de 5 h.\nJe dépense beaucoup.",
        what_helped="Marcher avec ma sœur.",
        who_to_call="Ma sœur Anne : 06 12 34 56 78\nLe CMP : 01 45 65 00 00",
    )


def test_the_crisis_plan_on_help_and_crisis_screens_online_and_offline(live_asgi_server, browser, artifacts_dir, team):
    _team_contact(team)
    patient = existing_patient(team, "kim-phone")
    _plan(patient)
    app = phone(browser, live_asgi_server, artifacts_dir, locale="fr-FR")
    sign_in(app, "kim-phone")

    app.go("#/help")
    app.page.wait_for_selector("#crisis-plan")
    assert app.page.inner_text("#crisis-plan-title") == "Mon plan de crise"
    assert "Je dors moins de 5 h." in app.page.inner_text("#plan-warning-signs")
    assert "Marcher avec ma sœur." in app.page.inner_text("#plan-what-helps")
    links = app.page.eval_on_selector_all(
        "#plan-who-to-call a", "els => els.map(a => [a.textContent, a.getAttribute('href')])"
    )
    assert links == [["06 12 34 56 78", "tel:+33612345678"], ["01 45 65 00 00", "tel:+33145650000"]]
    app.shoot("01-help-with-plan-fr")
    _assert_no_axe_violations(app, "help with the crisis plan (fr)")

    # Offline, after a reload: the page from the service worker, the plan from IndexedDB.
    app.page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    app.context.set_offline(True)
    app.page.reload()
    app.page.wait_for_selector("html[data-ready=true]", state="attached")
    app.go("#/help")
    app.page.wait_for_selector("#plan-who-to-call a[href='tel:+33612345678']")
    app.go("#/q/PHQ-9")
    app.page.wait_for_selector("button.answer")
    for _item in range(8):
        app.page.click("button.answer[data-value='0']")
    app.page.click("button.answer[data-value='1']")
    app.page.wait_for_selector("#crisis-now #crisis-plan")
    assert "Je dépense beaucoup." in app.page.inner_text("#crisis-now #plan-warning-signs")
    app.shoot("02-crisis-now-offline-with-plan-fr")
    _assert_no_axe_violations(app, "crisis before the review, offline, with the plan (fr)")
    app.page.click("#crisis-continue")
    app.page.click("#review-send")
    app.page.wait_for_selector("#crisis #crisis-plan")
    app.shoot("03-crisis-offline-with-plan-fr")

    # Back online: the team removed the plan, so the phone forgets it.
    CrisisPlan.objects.filter(patient=patient).delete()
    app.context.set_offline(False)
    app.page.reload()
    app.page.wait_for_selector("html[data-ready=true]", state="attached")
    app.wait_outbox_empty()
    app.go("#/help")
    app.page.wait_for_selector("#call-crisis-line")
    app.page.wait_for_selector("#crisis-plan", state="detached")
    assert app.page.evaluate("document.querySelectorAll('#crisis-plan').length") == 0
    assert app.real_errors() == []


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_crisis_plan_passes_axe_in_easy_read_with_high_contrast(
    live_asgi_server, browser, artifacts_dir, team, locale
):
    _team_contact(team)
    _plan(existing_patient(team, f"lee-phone-{locale}"))
    app = phone(browser, live_asgi_server, artifacts_dir, locale=locale)
    sign_in(app, f"lee-phone-{locale}")
    app.go("#/settings")
    app.page.wait_for_selector("#easy-read")
    app.page.check("#easy-read")
    app.page.check("#high-contrast")
    app.page.check("#text-size-larger", force=True)
    for route, ready in (("#/help", "#crisis-plan"), ("#/crisis/x", "#crisis #crisis-plan")):
        app.go(route)
        app.page.wait_for_selector(ready)
        app.page.wait_for_timeout(100)
        _assert_no_axe_violations(app, f"{route} with the crisis plan, easy-read, high contrast ({locale})")
        app.shoot(f"{route.strip('#/').replace('/', '-')}-easy-{locale}")
