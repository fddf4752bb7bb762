"""The care team's schedule and the reminders that follow it, in Chromium: the schedule panel a
clinician page embeds, the app's reminder at the check-in time, a pushed reminder shown by the
service worker, and the Settings toggle for reminders while the app is closed."""

import pytest
from django.template.loader import render_to_string

from tests.conftest import asgi_server, auth_client, browser_login
from tests.factories import DEFAULT_PASSWORD
from tests.mobile.conftest import existing_patient, phone, sign_in, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_care_team_schedule_panel_reads_and_changes_the_schedule(live_asgi_server, browser, artifacts_dir, team, nurse):
    """The include a clinician page embeds, driven in a real browser with the nurse's session."""
    patient = existing_patient(team, "gus-phone", diagnosis="F31")
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    browser_login(page, live_asgi_server, "nurse-a", DEFAULT_PASSWORD)
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    panel = render_to_string("mobile/schedule_panel.html", {"patient_id": patient.pk, "csrf_token": csrf})
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Patient</title></head>'
        f"<body><main>{panel}</main></body></html>"
    )
    host_page = f"{live_asgi_server}/dashboard/schedule-panel-host/"
    csp = "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'"
    page.route(
        host_page,
        lambda route: route.fulfill(body=html, content_type="text/html", headers={"Content-Security-Policy": csp}),
    )

    page.goto(host_page)
    page.wait_for_function("() => document.querySelector('#schedule-checkin-time').value === '20:00'")
    assert page.is_checked("#schedule-on-phq9") and page.is_checked("#schedule-on-asrm")
    assert not page.is_checked("#schedule-on-gad7")
    assert "Defaults for the diagnosis" in page.inner_text("[data-role=source]")
    page.screenshot(path=str(artifacts_dir / "01-schedule-panel-defaults.png"), full_page=True)

    page.fill("#schedule-checkin-time", "09:30")
    page.check("#schedule-on-gad7")
    page.fill("#schedule-every-gad7", "21")
    page.uncheck("#schedule-on-phq9")
    page.click("[data-role=save]")
    page.wait_for_selector("[data-role=message]:has-text('Schedule saved')")
    page.screenshot(path=str(artifacts_dir / "02-schedule-panel-saved.png"), full_page=True)

    body = auth_client(patient.user).get("/api/v1/me/schedule/").json()
    assert body["source"] == "care_team" and body["checkin"]["time"] == "09:30"
    assert [(q["instrument"], q["every_days"]) for q in body["questionnaires"]] == [("ASRM", 7), ("GAD-7", 21)]
    assert "Set by nurse-a" in page.inner_text("[data-role=source]")

    # The care team chooses the easy-read app for this patient.
    assert not page.is_checked("#schedule-easy-read")
    page.check("#schedule-easy-read")
    page.wait_for_selector("[data-role=message]:has-text('easy-read mode')")
    assert auth_client(patient.user).get("/api/v1/me/schedule/").json()["easy_read"] is True
    assert errors == []


def test_the_app_reminds_the_patient_at_the_care_teams_check_in_time(live_asgi_server, browser, artifacts_dir, team):
    from datetime import time as clock

    from mobile.due import Cadence
    from mobile.services import schedule_set

    patient = existing_patient(team, "ida-phone")
    schedule_set(patient=patient, checkin_time=clock(0, 0), cadences=[Cadence("PHQ-9", 14)])  # always past
    app = phone(browser, live_asgi_server, artifacts_dir)
    sign_in(app, "ida-phone")

    app.page.wait_for_selector("#reminder")
    assert app.page.inner_text("#reminder p") == "It is time for your daily check-in."
    app.shoot("01-reminder")
    app.page.click("#reminder a")
    app.page.click("label:has-text('0')")
    app.page.click("#checkin-submit")
    app.page.wait_for_selector(".flash")
    assert app.page.locator("#reminder").count() == 0
    assert app.real_errors() == []


def test_a_pushed_reminder_is_shown_by_the_service_worker_in_the_patients_language(
    live_asgi_server, browser, artifacts_dir, team
):
    """What mobile/push.py sends, delivered to the app's service worker through Chromium's
    own push path (DevTools' ServiceWorker.deliverPushMessage), with the app closed to the
    background: the notification is shown, with the words of the app's French catalogue."""
    import json

    existing_patient(team, "lea-phone")
    app = phone(browser, live_asgi_server, artifacts_dir, locale="fr-FR")
    app.context.grant_permissions(["notifications"], origin=live_asgi_server)
    sign_in(app, "lea-phone")
    app.page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = app.context.new_cdp_session(app.page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    wait_for(app.page, lambda: any(r["scopeURL"].endswith("/app/") for r in registrations), 10, "the registration")
    registration = next(r for r in registrations if r["scopeURL"].endswith("/app/"))

    for message in ({"type": "something_else"}, {"type": "checkin_reminder", "lang": "fr"}):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {"origin": live_asgi_server, "registrationId": registration["registrationId"], "data": json.dumps(message)},
        )

    shown: list[dict] = []

    def notifications() -> bool:
        shown[:] = app.page.evaluate(
            "navigator.serviceWorker.ready.then((r) => r.getNotifications())"
            ".then((list) => list.map((n) => ({title: n.title, body: n.body, tag: n.tag})))"
        )
        return bool(shown)

    wait_for(app.page, notifications, 10, "the notification")
    assert shown == [{"title": "Mon suivi", "body": "C’est l’heure de votre point du jour.", "tag": "checkin-reminder"}]
    assert app.real_errors() == []


@pytest.fixture
def push_server(transactional_db):  # type: ignore[no-untyped-def]
    """daphne on the test database, with a VAPID key: Web Push is on."""
    from mobile.push import vapid_private_pem_new

    with asgi_server(WEBPUSH_VAPID_PRIVATE_KEY=vapid_private_pem_new()) as url:
        yield url


def test_settings_offer_reminders_when_closed_and_say_so_when_the_phone_cannot(
    push_server, browser, artifacts_dir, team
):
    """With Web Push on at the server, Settings shows the toggle. This Chromium cannot
    subscribe (a Playwright context is incognito, where Chrome has no Push API; nor could it
    reach Google's push service from here): the patient is told, the toggle goes back off,
    and nothing is stored."""
    from mobile.models import PushSubscription

    existing_patient(team, "noe-phone")
    app = phone(browser, push_server, artifacts_dir)
    app.context.grant_permissions(["notifications"], origin=push_server)
    sign_in(app, "noe-phone")
    app.go("#/settings")
    app.page.wait_for_selector("#push-on")
    assert app.page.inner_text("#push-hint") == "Reminders reach this phone only while the app is open."
    app.shoot("01-settings-push-toggle")

    app.page.click("label[for=push-on]")
    app.page.wait_for_selector("[role=alert]:has-text('could not be set up')", timeout=20000)
    assert app.page.is_checked("#push-on") is False
    assert not PushSubscription.objects.exists()
    app.shoot("02-push-unavailable")
    assert [e for e in app.real_errors() if "Push API" not in e] == []
