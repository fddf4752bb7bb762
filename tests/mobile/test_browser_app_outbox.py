"""What the phone app sends, in Chromium at phone size: a check-in queued offline and sent once,
a lost answer retried with the same id, the voice diary recorded, converted to WAV and uploaded,
and a refused access token refreshed once (the refresh token rotates)."""

from typing import Any

import pytest

from monitoring.models import CheckIn, SpeechRecording
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, auth_client
from tests.mobile.conftest import PHONE, Phone, existing_patient, phone, sign_in, timeline_today, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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
