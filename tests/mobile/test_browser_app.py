"""The phone app in Chromium (Playwright) at phone size, against a real server (daphne on
the test database): enrolment → consent → check-in → the clinician's timeline; the same
offline; PHQ-9 item 9; the voice diary; the care team's schedule panel. Every screen is
photographed at 360 px wide under test-results/<test>/."""

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from alerts.models import Alert
from monitoring.models import CheckIn, QuestionnaireResponse, SpeechRecording
from patients.services import patient_create
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, asgi_server, auth_client, browser_login
from tests.factories import DEFAULT_PASSWORD, PatientFactory, grant_consents

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTH, HEIGHT = 360, 740
PHONE = {"viewport": {"width": WIDTH, "height": HEIGHT}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
NEW_PASSWORD = "a-long-phone-password-42"  # noqa: S105 - test fixture


class Phone:
    """A page of the app with its console watched and a screenshot helper."""

    def __init__(self, context: Any, base_url: str, artifacts: Path) -> None:
        self.context = context
        self.base = base_url
        self.artifacts = artifacts
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)

    def open(self, route: str = "") -> None:
        self.page.goto(f"{self.base}/app/{route}")
        self.page.wait_for_selector("html[data-ready=true]", state="attached")

    def go(self, route: str) -> None:
        self.page.evaluate("(route) => { window.location.hash = route; }", route)

    def shoot(self, name: str) -> None:
        """The whole screen at phone width; fails if anything is wider than the phone."""
        page = self.page
        page.wait_for_timeout(150)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, f"{name} overflows horizontally"
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": WIDTH, "height": max(HEIGHT, height)})
        page.screenshot(path=str(self.artifacts / f"{name}.png"))
        page.set_viewport_size({"width": WIDTH, "height": HEIGHT})

    def outbox_size(self) -> int:
        return self.page.evaluate("window.relapseOutboxSize()")

    def wait_outbox_empty(self, timeout: float = 20) -> None:
        wait_for(self.page, lambda: self.outbox_size() == 0, timeout, "the outbox to empty")

    def real_errors(self) -> list[str]:
        # Requests that fail while the test has switched the network off are expected.
        return [e for e in self.errors if "ERR_INTERNET_DISCONNECTED" not in e and "Failed to fetch" not in e]


def wait_for(page: Any, condition: Callable[[], bool], timeout: float, what: str) -> None:
    # Playwright's sync API runs route and event handlers only while the test is inside one
    # of its calls: wait with the page, not with time.sleep.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        page.wait_for_timeout(200)
    pytest.fail(f"timed out waiting for {what}")


def phone(browser: Any, base_url: str, artifacts: Path, locale: str = "en-GB") -> Phone:
    return Phone(browser.new_context(locale=locale, **PHONE), base_url, artifacts)


def sign_in(app: Phone, username: str, password: str = DEFAULT_PASSWORD) -> None:
    app.open("#/login")
    app.page.fill("input[name=username]", username)
    app.page.fill("input[name=password]", password)
    app.page.click("form button[type=submit]")
    app.page.wait_for_selector("#start-checkin, .task.done")


def existing_patient(team: Any, username: str, **extra: Any) -> Any:
    patient = PatientFactory(
        care_team=team, user__username=username, enrolled_on=timezone.localdate() - timedelta(days=30), **extra
    )
    grant_consents(patient)
    return patient


def timeline_today(nurse: Any, patient: Any) -> dict:
    today = timezone.localdate(timezone=patient.tz).isoformat()
    response = auth_client(nurse).get(f"/api/v1/patients/{patient.pk}/timeline/?start={today}&end={today}")
    assert response.status_code == 200
    return response.json()["days"][0]


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
    app.shoot("06-checkin")
    app.page.click("#checkin-submit")
    app.page.wait_for_selector(".flash")
    app.wait_outbox_empty()
    app.page.wait_for_selector(".task.done")
    app.shoot("07-today-after-checkin")

    day = timeline_today(nurse, patient)
    assert (day["checkins"], day["mood"], day["anxiety"], day["medication_taken"]) == (1, 1.0, 3.0, True)
    checkin = CheckIn.objects.get(patient=patient)
    assert checkin.note == "Slept well, busy day."
    assert sorted(patient.consents.filter(withdrawn_at=None).values_list("scope", flat=True)) == [
        "activity", "mobility", "self_report", "sleep", "speech",
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


def test_offline_checkin_is_queued_then_sent_once(live_asgi_server, browser, artifacts_dir, team, nurse):
    patient = existing_patient(team, "bob-phone")
    app = phone(browser, live_asgi_server, artifacts_dir, locale="fr-FR")
    sign_in(app, "bob-phone")
    app.page.wait_for_function("() => navigator.serviceWorker.controller !== null")

    app.page.click("#start-checkin")
    app.page.wait_for_selector("#checkin-submit")
    app.context.set_offline(True)
    app.page.click("label:has-text('-2')")
    app.page.click("#checkin-submit")

    app.page.wait_for_selector("#waiting-count[data-count='1']")
    assert app.page.inner_text("#waiting-count") == "En attente d’envoi : 1"
    assert app.page.inner_text("#offline-badge") == "Hors ligne"
    assert "enregistré sur votre téléphone" in app.page.inner_text(".flash")
    app.shoot("01-offline-queued")
    assert CheckIn.objects.filter(patient=patient).count() == 0

    # The app shell opens offline (service worker cache) and the entry is still waiting.
    app.page.reload()
    app.page.wait_for_selector("#waiting-count[data-count='1']")
    app.shoot("02-offline-reloaded")

    app.context.set_offline(False)
    app.wait_outbox_empty()
    app.page.wait_for_selector("#waiting-count", state="detached")
    app.shoot("03-back-online")
    assert CheckIn.objects.filter(patient=patient).count() == 1
    assert timeline_today(nurse, patient)["checkins"] == 1
    assert app.real_errors() == []


def test_a_lost_answer_is_retried_with_the_same_id_and_stored_once(live_asgi_server, browser, artifacts_dir, team):
    patient = existing_patient(team, "carol-phone")
    app = phone(browser, live_asgi_server, artifacts_dir)
    sign_in(app, "carol-phone")
    answers: list[int] = []

    def lose_first_answer(route: Any) -> None:
        response = route.fetch()  # the server receives and stores the check-in...
        answers.append(response.status)
        if len(answers) == 1:
            route.abort("connectionreset")  # ...but its answer never reaches the phone
        else:
            route.fulfill(response=response)

    app.page.route("**/api/v1/checkins/", lose_first_answer)
    app.page.click("#start-checkin")
    app.page.click("label:has-text('0')")
    app.page.click("#checkin-submit")
    wait_for(app.page, lambda: len(answers) == 1, 20, "the first attempt")
    app.page.wait_for_selector("#waiting-count[data-count='1']")
    assert CheckIn.objects.filter(patient=patient).count() == 1  # stored, but the phone does not know

    app.context.set_offline(True)  # the network "comes back": the queue is flushed at once
    app.context.set_offline(False)
    app.wait_outbox_empty()

    assert answers == [201, 200]  # the retry carried the same id and content: a duplicate
    assert CheckIn.objects.filter(patient=patient).count() == 1


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


def test_voice_diary_is_recorded_converted_to_wav_and_uploaded(live_asgi_server, _playwright, artifacts_dir, team):
    patient = existing_patient(team, "fay-phone")
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
    )
    try:
        context = browser.new_context(locale="en-GB", permissions=["microphone"], **PHONE)
        app = Phone(context, live_asgi_server, artifacts_dir)
        sign_in(app, "fay-phone")
        app.go("#/voice")
        app.page.wait_for_selector("#voice-start")
        app.shoot("01-voice")
        app.page.click("#voice-start")
        app.page.wait_for_selector("#voice-stop")
        app.page.wait_for_timeout(2500)
        app.shoot("02-voice-recording")
        app.page.click("#voice-stop")
        app.page.wait_for_selector("#voice-send", timeout=20000)
        app.shoot("03-voice-review")
        uploads: list[Any] = []
        app.page.on("request", lambda r: uploads.append(r) if "speech/recordings" in r.url else None)
        app.page.click("#voice-send")
        app.page.wait_for_selector(".flash")  # queued on the phone...
        app.wait_outbox_empty()  # ...then sent

        # The server reads the upload's WAV header (it refuses anything but PCM WAV).
        recording = SpeechRecording.objects.get(patient=patient)
        assert 2.0 <= recording.duration_s <= 4.0
        assert uploads[0].method == "POST"
        assert uploads[0].headers["content-type"].startswith("multipart/form-data; boundary=")
        assert app.real_errors() == []
    finally:
        browser.close()


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
    assert errors == []


def test_a_rejected_access_token_is_refreshed_once_and_the_refresh_token_rotates(
    live_asgi_server, browser, artifacts_dir, team
):
    patient = existing_patient(team, "hal-phone")
    app = phone(browser, live_asgi_server, artifacts_dir)
    sign_in(app, "hal-phone")
    read_auth = """() => new Promise((resolve) => {
        const open = indexedDB.open("relapse-app");
        open.onsuccess = () => {
          const get = open.result.transaction("kv").objectStore("kv").get("auth");
          get.onsuccess = () => resolve(get.result);
        };
    })"""
    before = app.page.evaluate(read_auth)
    # An access token the server refuses (bad signature) although it claims to be valid for
    # hours: the app must get a 401, refresh, and retry the same request once.
    app.page.evaluate(
        """(auth) => new Promise((resolve) => {
            const b64 = (o) => btoa(JSON.stringify(o)).replace(/=+$/, "");
            const forged = b64({alg: "HS256", typ: "JWT"}) + "." + b64({exp: Date.now() / 1000 + 36000}) + ".bad";
            const open = indexedDB.open("relapse-app");
            open.onsuccess = () => {
              const tx = open.result.transaction("kv", "readwrite");
              tx.objectStore("kv").put({...auth, access: forged}, "auth");
              tx.oncomplete = () => resolve();
            };
        })""",
        before,
    )
    statuses: list[tuple[str, int]] = []
    app.page.on(
        "response", lambda r: statuses.append((r.url.split("/api/v1/")[-1], r.status)) if "/api/v1/" in r.url else None
    )

    app.page.click("#start-checkin")
    app.page.click("label:has-text('+2')")
    app.page.click("#checkin-submit")
    app.page.wait_for_selector(".flash")
    app.wait_outbox_empty()

    after = app.page.evaluate(read_auth)
    assert CheckIn.objects.filter(patient=patient).count() == 1
    assert [s for s in statuses if s[0] in ("checkins/", "auth/token/refresh/")] == [
        ("checkins/", 401), ("auth/token/refresh/", 200), ("checkins/", 201),
    ]  # fmt: skip
    assert after["refresh"] != before["refresh"]  # rotated, and the new one replaced the old
    reuse = auth_client(patient.user).post("/api/v1/auth/token/refresh/", {"refresh": before["refresh"]}, format="json")
    assert reuse.status_code == 401  # the old refresh token is blacklisted


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
