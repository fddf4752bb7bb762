"""The nurse's alert desk in Chromium at 1366x600, on the real ASGI server: a new safety alert
raised while 20 older ones are open lands on top, above the fold, with the banner and the
count in the tab title; old and late answers say how old they are; one card per patient;
claim, notes and the handover live between two nurses' browsers; the keyboard. axe-core finds
no serious or critical violation in any of these states."""

import datetime as dt
import re
import uuid
import zoneinfo

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import expect

from alerts import services
from alerts.models import AlertKind, AlertSeverity
from tests.browser_a11y import assert_no_serious_axe_violations
from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, AlertFactory, ClinicianFactory, PatientFactory

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 600}


# Records the desktop notifications a page shows (the browser's own are invisible to a test).
NOTIFICATION_SPY = """
window.__notified = [];
window.Notification = class extends window.Notification {
  constructor(title, options) { super(title, options); window.__notified.push(title + " | " + (options || {}).body); }
};
"""


def open_desk(browser, base_url, username, locale="en-GB", path="/dashboard/", viewport=VIEWPORT, notify=False):
    context = browser.new_context(
        locale=locale, viewport=viewport, extra_http_headers={"Accept-Language": locale.split("-")[0]}
    )
    if notify:
        context.grant_permissions(["notifications"], origin=base_url)
        context.add_init_script(NOTIFICATION_SPY)
    page = context.new_page()
    problems: list[str] = []
    # axe is injected past the page's CSP (tests/browser_a11y.py): the refused first try is not ours.
    page.on(
        "console",
        lambda m: problems.append(m.text) if m.type == "error" and "Content Security Policy" not in m.text else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    browser_login(page, base_url, username, DEFAULT_PASSWORD)
    page.goto(f"{base_url}{path}")
    if path == "/dashboard/" or path.startswith("/dashboard/?"):
        page.wait_for_selector('#conn-state[data-state="live"]', timeout=15000)
    return page, problems


def post_phq9(base_url, username, item9, completed_at=None):
    token = requests.post(
        f"{base_url}/api/v1/auth/token/", json={"username": username, "password": DEFAULT_PASSWORD}, timeout=10
    ).json()["access"]
    response = requests.post(
        f"{base_url}/api/v1/questionnaires/",
        json={
            "id": str(uuid.uuid4()),
            "instrument": "PHQ-9",
            "answers": [2, 2, 1, 1, 2, 1, 1, 0, item9],
            "completed_at": (completed_at or timezone.now()).isoformat(),
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def twenty_older_alerts(team):
    """20 open alerts of 8 patients, from 2 to 40 hours old: critical safety alerts among them."""
    now = timezone.now()
    patients = [PatientFactory(code=f"OLD{i}", care_team=team) for i in range(8)]
    alerts = []
    for i in range(20):
        critical = i % 4 == 0
        alerts.append(
            AlertFactory(
                patient=patients[i % 8],
                kind=AlertKind.SAFETY if critical else AlertKind.MANUAL,
                severity=AlertSeverity.CRITICAL if critical else [AlertSeverity.HIGH, AlertSeverity.MEDIUM][i % 2],
                created_at=now - dt.timedelta(hours=2 + 2 * i),
            )
        )
    return alerts


def test_a_new_safety_alert_lands_on_top_above_the_fold_with_banner_and_title_count(
    live_asgi_server, browser, artifacts_dir, team, patient
):
    ClinicianFactory(username="nurse-one", role="nurse", teams=[team])
    older = twenty_older_alerts(team)
    page, problems = open_desk(browser, live_asgi_server, "nurse-one", notify=True)
    assert page.locator("li.alert-card").count() == 20
    # Sound and desktop notifications are on by default.
    expect(page.locator("#sound-toggle")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#notify-toggle")).to_have_attribute("aria-pressed", "true")
    # One card per patient: 8 patients, each with its alerts inside, the most severe first.
    assert page.locator("li.patient-card").count() == 8
    for group in page.locator("li.patient-card").all():
        severities = [c.get_attribute("data-severity") for c in group.locator("li.alert-card").all()]
        ranks = [["critical", "high", "medium", "low"].index(s) for s in severities]
        assert ranks == sorted(ranks), severities
    open_critical = sum(1 for a in older if a.severity == "critical")
    expect(page.locator("#critical-banner")).to_be_visible()
    expect(page.locator("#critical-banner .banner-text")).to_contain_text(str(open_critical))
    assert page.title().startswith(f"({open_critical}) ")
    assert_no_serious_axe_violations(page, "the desk with 20 open alerts")
    page.screenshot(path=str(artifacts_dir / "1-twenty-open.png"))

    post_phq9(live_asgi_server, "patient-a", item9=2)

    group = page.locator("li.patient-card").first
    expect(group.locator(".patient-link")).to_have_text("PA1", timeout=15000)
    card = page.locator("li.alert-card").first
    expect(card.locator(".badge.new")).to_be_visible()
    assert card.get_attribute("data-severity") == "critical"
    assert card.locator(".alert-title").inner_text() == "PHQ-9 item 9: thoughts of death or self-harm"
    box = card.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + 60 <= VIEWPORT["height"], box  # above the fold
    assert page.evaluate("() => window.scrollY") == 0
    expect(page.locator("#critical-banner .banner-text")).to_contain_text(str(open_critical + 1))
    expect(page).to_have_title(re.compile(rf"^\({open_critical + 1}\) "))
    expect(page.locator("#announcer")).to_contain_text("PA1")
    notified = page.evaluate("() => window.__notified")
    assert len(notified) == 1 and "PHQ-9 item 9" in notified[0] and "PA1" in notified[0], notified
    assert "today" in card.locator(".alert-age").inner_text()
    # The time left before it escalates (the team's 15 minutes), absolute and in the team's zone.
    countdown = card.locator(".alert-countdown").inner_text()
    assert countdown.startswith("Escalates in ") and re.search(r"\d{2}:\d{2} CES?T", countdown), countdown
    assert_no_serious_axe_violations(page, "the desk after a new safety alert")
    page.screenshot(path=str(artifacts_dir / "2-new-on-top.png"))

    # Acknowledging it takes it out of the banner's count and the title's.
    card.locator(".btn-ack").click()
    expect(page.locator("#critical-banner .banner-text")).to_contain_text(str(open_critical))
    expect(page).to_have_title(re.compile(rf"^\({open_critical}\) "))

    # Switched off, the sound stays off for this nurse after a reload.
    page.locator("#sound-toggle").click()
    expect(page.locator("#sound-toggle")).to_have_attribute("aria-pressed", "false")
    page.reload()
    page.wait_for_selector('#conn-state[data-state="live"]', timeout=15000)
    expect(page.locator("#sound-toggle")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#notify-toggle")).to_have_attribute("aria-pressed", "true")
    assert problems == []


def test_a_late_and_an_imported_old_phq9_say_how_old_they_are(live_asgi_server, browser, artifacts_dir, team, patient):
    ClinicianFactory(username="nurse-one", role="nurse", teams=[team])
    old_patient = PatientFactory(code="HIST1", care_team=team)
    # Imported history (import_cohort --raise-alerts): an answer of 114 days ago. The desk counts
    # calendar days in the care team's zone (yesterday evening is "yesterday"), so the answer is
    # put at noon of the team's day 114 days back: the count then holds whatever the hour of the
    # run and across a daylight-saving change.
    zone = zoneinfo.ZoneInfo(team.timezone)
    answered_day = timezone.localtime(timezone.now(), zone).date() - dt.timedelta(days=114)
    services.alert_raise_safety(
        patient=old_patient,
        questionnaire_id=uuid.uuid4(),
        item9=1,
        completed_at=dt.datetime.combine(answered_day, dt.time(12), tzinfo=zone),
    )
    page, problems = open_desk(browser, live_asgi_server, "nurse-one")
    old_card = page.locator("li.patient-card", has_text="HIST1").locator("li.alert-card")
    age = old_card.locator(".alert-age").inner_text()
    assert "Answered 114 days ago" in age and "received today" in age, age
    assert old_card.locator(".badge.late").is_visible()
    # A phone that uploads three days late: it still alerts, marked late, with both ages.
    three_days_back = timezone.localtime(timezone.now(), zone).date() - dt.timedelta(days=3)
    post_phq9(
        live_asgi_server,
        "patient-a",
        item9=1,
        completed_at=dt.datetime.combine(three_days_back, dt.time(12), tzinfo=zone),
    )
    late_card = page.locator("li.patient-card", has_text="PA1").locator("li.alert-card")
    expect(late_card.locator(".badge.late")).to_be_visible(timeout=15000)
    age = late_card.locator(".alert-age").inner_text()
    assert "Answered 3 days ago" in age and "received today" in age, age
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2} CES?T", age), age  # absolute, in the team's zone
    assert_no_serious_axe_violations(page, "the desk with late alerts")
    page.screenshot(path=str(artifacts_dir / "late-and-old.png"))

    # The card's context, expanded below the alerts; the crisis plan edited from the card.
    group = page.locator("li.patient-card", has_text="HIST1")
    page_top = "el => el.getBoundingClientRect().top + window.scrollY"
    top_before = group.locator("li.alert-card").evaluate(page_top)
    group.locator("details.patient-more summary").click()
    assert group.locator("li.alert-card").evaluate(page_top) == top_before  # the alerts did not move
    expect(group.locator(".plan-warning_signs")).to_have_text("Not written yet")
    group.locator(".btn-plan-edit").click()
    group.locator("textarea[name=warning_signs]").fill("Stops answering; sleeps under 5 h.")
    group.locator("textarea[name=who_to_call]").fill("His sister, then the crisis team.")
    assert_no_serious_axe_violations(page, "the crisis plan being edited")
    group.locator(".btn-plan-save").click()
    expect(group.locator(".plan-warning_signs")).to_have_text("Stops answering; sleeps under 5 h.")
    expect(group.locator(".plan-updated")).to_contain_text("nurse-one")
    assert_no_serious_axe_violations(page, "the card's context open")

    french, _ = open_desk(browser, live_asgi_server, "nurse-one", locale="fr-FR")
    age_fr = french.locator("li.patient-card", has_text="HIST1").locator(".alert-age").inner_text()
    assert "il y a 114 jours" in age_fr, age_fr
    assert_no_serious_axe_violations(french, "the desk in French")
    assert problems == []


def test_claim_notes_and_handover_live_between_two_nurses(live_asgi_server, browser, artifacts_dir, team, patient):
    ClinicianFactory(username="nurse-one", role="nurse", teams=[team], first_name="Ana", last_name="One")
    ClinicianFactory(username="nurse-two", role="nurse", teams=[team], first_name="Ben", last_name="Two")
    other = PatientFactory(code="PZ9", care_team=team)
    alert = AlertFactory(patient=patient, kind=AlertKind.SAFETY, severity=AlertSeverity.CRITICAL)
    second = AlertFactory(patient=other, severity=AlertSeverity.MEDIUM)
    first, first_problems = open_desk(browser, live_asgi_server, "nurse-one")
    second_page, second_problems = open_desk(browser, live_asgi_server, "nurse-two", locale="fr-FR")
    card = first.locator(f'li.alert-card[data-alert-id="{alert.pk}"]')
    seen = second_page.locator(f'li.alert-card[data-alert-id="{alert.pk}"]')

    # Claim: the other nurse's desk shows who has it.
    card.locator(".btn-claim").click()
    expect(card.locator(".alert-assignee")).to_have_text("Assigned to Ana One")
    expect(card.locator(".btn-claim")).to_have_text("Release")
    expect(seen.locator(".alert-assignee")).to_contain_text("Ana One", timeout=15000)
    assert_no_serious_axe_violations(second_page, "a claimed alert seen by a colleague")

    # A call attempt with its outcome, then a free note: live in the colleague's thread.
    card.locator(".btn-team").click()
    expect(card.locator(".team-panel")).to_be_visible()
    card.locator(".outcome-select").select_option("no_answer")
    card.locator(".team-note-input").fill("Voicemail, will try again at 23:00.")
    card.locator(".btn-note-add").click()
    expect(card.locator(".notes li")).to_have_count(1)
    assert_no_serious_axe_violations(first, "the note thread open")
    expect(seen.locator(".btn-team")).to_contain_text("(1)", timeout=15000)
    seen.locator(".btn-team").click()
    expect(seen.locator(".notes li")).to_have_count(1)
    assert "Voicemail" in seen.locator(".notes li").first.inner_text()
    card.locator(".note-kind input[value=note]").check()
    card.locator(".team-note-input").fill("Sister says he is at home.")
    card.locator(".btn-note-add").click()
    expect(seen.locator(".notes li")).to_have_count(2, timeout=15000)
    assert "Sister says" in seen.locator(".notes li").nth(1).inner_text()
    second_page.screenshot(path=str(artifacts_dir / "1-notes-live.png"))

    # The colleague gives the other alert to nurse-one; it shows on nurse-one's desk.
    other_seen = second_page.locator(f'li.alert-card[data-alert-id="{second.pk}"]')
    other_seen.locator(".btn-team").click()
    other_seen.locator(".assign-select").select_option(label="Ana One (nurse-one)")
    other_seen.locator(".btn-assign").click()
    expect(first.locator(f'li.alert-card[data-alert-id="{second.pk}"] .alert-assignee')).to_have_text(
        "Assigned to Ana One", timeout=15000
    )

    # Handover, as nurse-two sees it: who did what since the start of the shift.
    handover, _ = open_desk(browser, live_asgi_server, "nurse-two", path="/dashboard/handover/")
    handover.wait_for_selector('#handover-body[data-state="ready"]', timeout=15000)
    assigned = handover.locator(".handover-assigned").inner_text()
    assert "PA1" in assigned and "PZ9" in assigned and "Ana One" in assigned, assigned
    noted = handover.locator(".handover-noted").inner_text()
    assert "Voicemail" in noted and "Sister says" in noted, noted
    assert "2" in handover.locator(".handover-created h2").inner_text()
    assert_no_serious_axe_violations(handover, "the handover page")
    handover.screenshot(path=str(artifacts_dir / "2-handover.png"), full_page=True)

    # The handover stays live: a call nurse-one logs now appears in it without a reload.
    handover.evaluate("window.__noReload = true")
    card.locator(".note-kind input[value=call]").check()
    card.locator(".outcome-select").select_option("reached")
    card.locator(".team-note-input").fill("Reached him at 23:05, safe at home.")
    card.locator(".btn-note-add").click()
    expect(handover.locator(".handover-noted")).to_contain_text("Reached him at 23:05", timeout=15000)
    assert handover.evaluate("window.__noReload") is True
    assert first_problems == [] and second_problems == []


def test_keyboard_shortcuts_and_focus_after_resolving(live_asgi_server, browser, artifacts_dir, team, patient):
    ClinicianFactory(username="nurse-one", role="nurse", teams=[team])
    other = PatientFactory(code="PZ9", care_team=team)
    top = AlertFactory(patient=patient, kind=AlertKind.SAFETY, severity=AlertSeverity.CRITICAL)
    below = AlertFactory(patient=other, severity=AlertSeverity.MEDIUM)
    page, problems = open_desk(browser, live_asgi_server, "nurse-one")
    focused_alert = "() => document.activeElement.closest('li.alert-card')?.dataset.alertId || null"

    # Few tab stops: the skip link, then the first card's patient and its first action.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    stops = 0
    while stops < 6:
        page.keyboard.press("Tab")
        stops += 1
        if page.evaluate("() => document.activeElement.classList.contains('btn-ack')"):
            break
    assert stops <= 4, stops

    page.locator("#alerts-heading").focus()
    page.keyboard.press("j")
    assert page.evaluate(focused_alert) == str(top.pk)
    page.keyboard.press("j")
    assert page.evaluate(focused_alert) == str(below.pk)
    page.keyboard.press("k")
    assert page.evaluate(focused_alert) == str(top.pk)
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-dialog")).to_be_visible()
    assert_no_serious_axe_violations(page, "the shortcuts help")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-dialog")).to_be_hidden()

    # Typing "a" in a field does not acknowledge; "a" on the card does.
    card = page.locator(f'li.alert-card[data-alert-id="{top.pk}"]')
    card.locator(".btn-resolve").click()
    page.keyboard.type("a call")
    assert card.get_attribute("data-status") == "open"
    page.keyboard.press("Escape")
    card.locator(".alert-body").focus()
    page.keyboard.press("a")
    expect(card).to_have_attribute("data-status", "acknowledged")

    # Resolve with the keyboard: focus moves to the next card, not to <body>.
    card.locator(".btn-resolve").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("Called back, safe at home with his sister.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(card).to_have_count(0)
    page.wait_for_function(f"() => ({focused_alert})() === '{below.pk}'", timeout=5000)
    assert_no_serious_axe_violations(page, "the desk after resolving")

    # Resolved cards (status "all"): still AA contrast; the filters narrow the list.
    page.goto(f"{live_asgi_server}/dashboard/?status=all")
    page.wait_for_selector('#conn-state[data-state="live"]', timeout=15000)
    expect(page.locator("li.alert-card.status-resolved")).to_have_count(1)
    assert_no_serious_axe_violations(page, "resolved cards")
    page.goto(f"{live_asgi_server}/dashboard/?status=all&severity=critical")
    page.wait_for_selector('#conn-state[data-state="live"]', timeout=15000)
    expect(page.locator("li.alert-card")).to_have_count(1)
    assert page.locator("li.alert-card").get_attribute("data-alert-id") == str(top.pk)
    page.goto(f"{live_asgi_server}/dashboard/?patient={other.pk}")
    page.wait_for_selector('#conn-state[data-state="live"]', timeout=15000)
    expect(page.locator("li.patient-card")).to_have_count(1)
    expect(page.locator("li.patient-card .patient-link")).to_have_text("PZ9")

    # Raised-on days are the team's (Europe/Paris): today has both alerts, tomorrow none.
    today = timezone.now().astimezone(zoneinfo.ZoneInfo("Europe/Paris")).date()
    page.goto(f"{live_asgi_server}/dashboard/?status=all&from={today}&to={today}")
    page.wait_for_selector('#conn-state[data-state="live"]', timeout=15000)
    expect(page.locator("li.alert-card")).to_have_count(2)
    page.goto(f"{live_asgi_server}/dashboard/?status=all&from={today + dt.timedelta(days=1)}")
    page.wait_for_selector('#conn-state[data-state="live"]', timeout=15000)
    expect(page.locator("#alerts-empty")).to_be_visible()
    page.goto(f"{live_asgi_server}/dashboard/?patient={other.pk}")
    page.wait_for_selector('#conn-state[data-state="live"]', timeout=15000)

    # n opens the card's notes and assignment; o opens the patient.
    page.keyboard.press("j")
    page.keyboard.press("n")
    expect(page.locator("li.alert-card .team-panel")).to_be_visible()
    page.locator("li.alert-card .alert-body").focus()
    page.keyboard.press("o")
    page.wait_for_url(f"**/dashboard/patients/{other.pk}/")
    assert problems == []
