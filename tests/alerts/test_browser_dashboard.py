"""The live nurse dashboard in Chromium: a patient's PHQ-9 with item 9 = 2, posted through the
API, appears on a nurse's open dashboard without reload; acknowledging it there updates a
second nurse's dashboard; resolving it (keyboard only) removes it from both."""

import subprocess
import uuid

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import expect

from ml.alerting import risk_alerts_evaluate
from ml.models import ModelVersion
from tests.alerts.conftest import make_score, raise_safety
from tests.conftest import browser_login, free_port, start_asgi_server, stop_process
from tests.factories import DEFAULT_PASSWORD, ClinicianFactory

pytestmark = pytest.mark.browser


def open_dashboard(browser, base_url, username, locale="en-GB"):
    context = browser.new_context(locale=locale, extra_http_headers={"Accept-Language": locale.split("-")[0]})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    browser_login(page, base_url, username, DEFAULT_PASSWORD)
    page.goto(f"{base_url}/dashboard/")
    page.wait_for_selector('#conn-state[data-state="live"]', timeout=15000)
    return page, problems


def post_phq9(base_url, username, item9):
    token = requests.post(
        f"{base_url}/api/v1/auth/token/", json={"username": username, "password": DEFAULT_PASSWORD}, timeout=10
    ).json()["access"]
    response = requests.post(
        f"{base_url}/api/v1/questionnaires/",
        json={
            "id": str(uuid.uuid4()),
            "instrument": "PHQ-9",
            "answers": [2, 2, 1, 1, 2, 1, 1, 0, item9],
            "completed_at": timezone.now().isoformat(),
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_safety_alert_appears_live_and_acknowledgement_reaches_a_second_nurse(
    live_asgi_server, browser, artifacts_dir, team, patient, other_patient
):
    ClinicianFactory(username="nurse-one", role="nurse", teams=[team])
    ClinicianFactory(username="nurse-two", role="nurse", teams=[team])
    ClinicianFactory(username="nurse-other", role="nurse", teams=[other_patient.care_team])
    first, first_problems = open_dashboard(browser, live_asgi_server, "nurse-one")
    second, second_problems = open_dashboard(browser, live_asgi_server, "nurse-two", locale="fr-FR")
    outsider, _ = open_dashboard(browser, live_asgi_server, "nurse-other")
    first.screenshot(path=str(artifacts_dir / "1-empty-dashboard.png"), full_page=True)
    first.evaluate("window.__noReload = true")  # gone if the page reloads

    body = post_phq9(live_asgi_server, "patient-a", item9=2)
    assert "safety_alert" in body["flags"]

    # One card per patient (li.patient-card), its alerts inside (li.alert-card).
    group = first.locator("li.patient-card", has_text="PA1")
    card = group.locator("li.alert-card")
    card.wait_for(timeout=15000)
    assert first.evaluate("window.__noReload") is True
    assert card.locator(".badge.new").is_visible()
    assert "sev-critical" in card.get_attribute("class")
    assert card.locator(".alert-title").inner_text() == "PHQ-9 item 9: thoughts of death or self-harm"
    assert group.locator(".patient-link").get_attribute("href") == f"/dashboard/patients/{patient.pk}/"
    expect(first.locator("#announcer")).to_contain_text("PA1")
    first.screenshot(path=str(artifacts_dir / "2-alert-arrived.png"), full_page=True)

    second_card = second.locator("li.patient-card", has_text="PA1").locator("li.alert-card")
    second_card.wait_for(timeout=15000)
    assert second_card.locator(".alert-title").inner_text() == "PHQ-9 item 9 : idées de mort ou d’automutilation"

    # Keyboard only: focus the Acknowledge button, press Enter.
    card.locator(".btn-ack").focus()
    first.keyboard.press("Enter")
    second.wait_for_selector("li.alert-card.status-acknowledged", timeout=15000)
    expect(second_card.locator(".alert-who")).to_contain_text("nurse-one")
    assert second_card.locator(".badge.status").inner_text().lower() == "prise en compte"
    assert card.locator(".btn-ack").is_hidden()
    second.screenshot(path=str(artifacts_dir / "3-acknowledged-on-second-dashboard.png"), full_page=True)

    # The second nurse resolves with a note, with the keyboard; the first one sees it go.
    second_card.locator(".btn-resolve").focus()
    second.keyboard.press("Enter")
    assert second.evaluate("document.activeElement.classList.contains('note-input')")
    second.keyboard.type("Appel au patient, vu en consultation le jour même.")
    second.keyboard.press("Tab")
    second.keyboard.press("Enter")
    first.wait_for_selector("li.alert-card", state="detached", timeout=15000)
    second.wait_for_selector("li.alert-card", state="detached", timeout=15000)
    assert first.locator("#alerts-empty").is_visible()
    first.screenshot(path=str(artifacts_dir / "4-resolved.png"), full_page=True)

    assert outsider.locator("li.alert-card").count() == 0  # another team's nurse saw nothing

    # A nightly risk alert: in percent, as each nurse reads it ("73,1 %" in French), with its threshold.
    version = ModelVersion.objects.create(
        version="browser-1", artifact_path="/tmp/none", artifact_sha256="0" * 64, threshold=0.5, is_active=True
    )
    score = make_score(patient, version, timezone.localdate(), 0.7312)
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 1
    first.reload()  # raised in this process: without Redis its push cannot reach the server's sockets
    second.reload()
    risk_en = first.locator("li.patient-card", has_text="PA1").locator("li.alert-card.sev-high")
    risk_fr = second.locator("li.patient-card", has_text="PA1").locator("li.alert-card.sev-high")
    risk_en.wait_for(timeout=15000)
    risk_fr.wait_for(timeout=15000)
    detail_en = risk_en.locator(".alert-detail").inner_text()
    assert "73.1" in detail_en and "50.0" in detail_en and "%" in detail_en, detail_en
    detail_fr = risk_fr.locator(".alert-detail").inner_text()
    assert "73,1" in detail_fr and "50,0" in detail_fr and "73.1" not in detail_fr, detail_fr
    assert first_problems == [] and second_problems == []


@pytest.fixture
def restartable_server(transactional_db):
    """daphne on the test database, which the test may stop and start again on the same port."""
    port = free_port()
    procs: list[subprocess.Popen] = []

    def start() -> None:
        procs.append(start_asgi_server(port))

    def stop() -> None:
        stop_process(procs[-1])

    start()
    try:
        yield f"http://127.0.0.1:{port}", start, stop
    finally:
        for proc in procs:
            stop_process(proc)


def test_dashboard_reconnects_by_itself_and_resumes_what_it_missed(
    restartable_server, browser, artifacts_dir, team, patient
):
    base_url, start, stop = restartable_server
    ClinicianFactory(username="nurse-one", role="nurse", teams=[team])
    page, _ = open_dashboard(browser, base_url, "nurse-one")
    page.evaluate("window.__noReload = true")

    stop()
    page.wait_for_selector('#conn-state[data-state="reconnecting"]', timeout=30000)
    page.screenshot(path=str(artifacts_dir / "1-reconnecting.png"), full_page=True)
    missed = raise_safety(patient)  # stored while no server pushes anything
    start()

    card = page.locator(f'li.alert-card[data-alert-id="{missed.pk}"]')
    card.wait_for(timeout=60000)
    page.wait_for_selector('#conn-state[data-state="live"]', timeout=60000)
    assert page.evaluate("window.__noReload") is True
    assert card.locator(".badge.new").is_visible()
    page.screenshot(path=str(artifacts_dir / "2-resumed.png"), full_page=True)
