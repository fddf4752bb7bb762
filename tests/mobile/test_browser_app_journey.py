"""The phone app in Chromium at phone size: enrolment → consent → check-in → the clinician's
timeline, then history, settings, help and sign-out. Every screen is photographed at 360 px
wide under test-results/<test>/."""

import pytest

from monitoring.models import CheckIn
from patients.services import patient_create
from tests.mobile.conftest import NEW_PASSWORD, phone, timeline_today

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_enrol_consent_checkin_reaches_the_clinician_timeline(live_asgi_server, browser, artifacts_dir, team, nurse):
    patient, code = patient_create(
        code="APP-1", care_team=team, timezone_name="Europe/Paris", birth_year=1984, sex="F", diagnosis="F31",
        created_by=nurse,
    )  # fmt: skip
    app = phone(browser, live_asgi_server, artifacts_dir)

    app.open()
    app.shoot("01-welcome")
    app.page.click("a[href='#/enrol']")
    app.page.fill("input[name=enrollment_code]", code)
    app.page.fill("input[name=username]", "alice-phone")
    app.page.fill("input[name=password]", NEW_PASSWORD)
    app.page.fill("input[name=password2]", NEW_PASSWORD)
    app.shoot("02-enrol")
    app.page.click("form button[type=submit]")

    app.page.wait_for_selector("[data-scope=self_report][data-answer=yes]")
    assert app.page.evaluate("document.activeElement.tagName") == "H1"  # focus moves to each new screen
    app.shoot("03-consent-self-report")
    for scope in ("self_report", "sleep", "activity", "mobility", "speech"):
        app.page.click(f"[data-scope={scope}][data-answer=yes]")
    app.page.click("[data-scope=risk_scoring][data-answer=no]")
    app.page.click("[data-scope=emergency_access][data-answer=yes]")
    app.shoot("04-consent-summary")
    app.page.click("#consent-confirm")

    app.page.wait_for_selector("#start-checkin")
    app.shoot("05-today")
    assert "ASRM" in app.page.inner_text("main")  # F31 defaults: PHQ-9 and ASRM due
    app.page.click("#start-checkin")
    app.page.wait_for_selector("#checkin-submit")
    app.page.click("label:has-text('+1')")
    app.page.locator("input[name=anxiety]").fill("3")
    app.page.click("fieldset.yesno label:has-text('Yes')")
    app.page.fill("textarea[name=note]", "Slept well, busy day.")
    app.page.check("#note-for-appointment")  # the note is for the next appointment's summary
    app.shoot("06-checkin")
    app.page.click("#checkin-submit")
    app.page.wait_for_selector(".flash")
    app.wait_outbox_empty()
    app.page.wait_for_selector(".task.done")
    app.shoot("07-today-after-checkin")

    day = timeline_today(nurse, patient)
    assert (day["checkins"], day["mood"], day["anxiety"], day["medication_taken"]) == (1, 1.0, 3.0, True)
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.note, checkin.for_next_appointment) == ("Slept well, busy day.", True)
    assert sorted(patient.consents.filter(withdrawn_at=None).values_list("scope", flat=True)) == [
        "activity", "emergency_access", "mobility", "self_report", "sleep", "speech",
    ]  # fmt: skip

    app.go("#/history")
    app.page.wait_for_selector("figure.chart-figure")
    app.shoot("08-history")
    app.go("#/settings")
    app.page.wait_for_selector("#sign-out")
    app.shoot("09-settings")
    app.go("#/help")
    app.page.wait_for_selector("#call-crisis-line")
    app.shoot("10-help")

    # Sign-out blacklists the token and clears the phone.
    app.go("#/settings")
    app.page.wait_for_selector("#sign-out")
    app.page.once("dialog", lambda dialog: dialog.accept())
    app.page.click("#sign-out")
    app.page.wait_for_selector("a[href='#/enrol']")
    stored = app.page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("relapse-app");
            open.onsuccess = () => {
              const tx = open.result.transaction("kv");
              const all = tx.objectStore("kv").getAllKeys();
              all.onsuccess = () => resolve(all.result);
            };
        })"""
    )
    assert stored == []
    app.shoot("11-signed-out")
    assert app.real_errors() == []
