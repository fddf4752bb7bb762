"""The trend charts in Debian's Chromium, on a patient who relapsed after a visible prodrome."""

import datetime as dt

import pytest

from patients.models import ClinicalEvent
from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, ClinicianFactory, PatientFactory, grant_consents
from tests.records.seeding import seed_relapsing_patient

CHARTS = ["risk", "mood", "sleep", "sleep-timing", "activity", "mobility", "speech", "phq9", "gad7", "asrm"]
READY = '#patient-dashboard[data-state="ready"]'


def watch(page) -> list[str]:
    """Console errors, uncaught exceptions and failed requests (CSP violations are console errors)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def chart_points(page) -> dict[str, int]:
    return page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('canvas[id^=chart-]')]"
        ".map(c => [c.id.slice(6), Number(c.dataset.points)]))"
    )


def day_count(page) -> int:
    return page.evaluate("() => window.charts.risk.data.labels.length")


def risk_markers(page, kind: str) -> int:
    return int(page.get_attribute("#chart-risk", f"data-{kind}-markers") or 0)


@pytest.fixture
def relapsed(team):
    patient = PatientFactory(code="RELAPSE-1", care_team=team, diagnosis="F33")
    grant_consents(patient)
    return seed_relapsing_patient(patient)


@pytest.mark.browser
def test_psychiatrist_reads_the_charts_changes_range_and_records_an_event(
    live_asgi_server, browser, artifacts_dir, team, relapsed
):
    ClinicianFactory(username="psy-live", role="psychiatrist", teams=[team])
    base, today = live_asgi_server, relapsed.today
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    problems = watch(page)
    browser_login(page, base, "psy-live", DEFAULT_PASSWORD)

    # The overview lists the patient with a sparkline of the scores.
    page.goto(f"{base}/dashboard/patients/")
    row = page.locator('tr[data-patient="RELAPSE-1"]')
    sparkline_points = int(row.locator("svg.sparkline").get_attribute("data-points"))
    page.screenshot(path=str(artifacts_dir / "overview.png"), full_page=True)
    row.locator("a").first.click()

    # Default range: 90 days, every chart drawn with data, markers on the risk chart.
    page.wait_for_selector(READY)
    page.evaluate("() => { window.__sameDocument = true; }")
    points_90 = chart_points(page)
    days_90 = day_count(page)
    page.wait_for_selector("#explanation-list li")
    page.wait_for_selector("#alert-list li")
    explanation = page.inner_text("#explanation-list")
    alerts_text = page.inner_text("#alert-list")
    page.screenshot(path=str(artifacts_dir / "patient-90-days.png"), full_page=True)
    events_before = risk_markers(page, "events")
    alert_markers = risk_markers(page, "alerts")
    alert_marker_days = page.evaluate(
        "() => { const c = window.charts.risk; const d = c.data.datasets.find(x => x.role === 'alerts').data;"
        " return c.data.labels.filter((_l, i) => d[i] !== null); }"
    )

    # 30 days.
    page.click('button[data-days="30"]')
    start_30 = (today - dt.timedelta(days=29)).isoformat()
    page.wait_for_selector(f'{READY}[data-range="{start_30}..{today.isoformat()}"]')
    points_30 = chart_points(page)
    days_30 = day_count(page)
    url_30 = page.url
    page.screenshot(path=str(artifacts_dir / "patient-30-days.png"), full_page=True)

    # A custom range: the 8 weeks around the relapse.
    start_c = (relapsed.relapse_on - dt.timedelta(days=42)).isoformat()
    end_c = (relapsed.relapse_on + dt.timedelta(days=14)).isoformat()
    page.fill("#range-start", start_c)
    page.fill("#range-end", end_c)
    page.click("#range-apply")
    page.wait_for_selector(f'{READY}[data-range="{start_c}..{end_c}"]')
    points_custom = chart_points(page)
    days_custom = day_count(page)
    page.screenshot(path=str(artifacts_dir / "patient-around-relapse.png"), full_page=True)

    # Record a crisis visit inside the range: it appears as a marker without a reload.
    event_day = relapsed.relapse_on + dt.timedelta(days=5)
    markers_custom = risk_markers(page, "events")
    page.select_option("#event-kind", "crisis_visit")
    page.fill("#event-date", event_day.isoformat())
    page.fill("#event-note", "Seen by the mobile team")
    page.click("#event-submit")
    page.wait_for_function(
        f"() => Number(document.querySelector('#chart-risk').dataset.eventsMarkers) === {markers_custom + 1}"
    )
    event_status = page.inner_text("#event-status")
    same_document = page.evaluate("() => window.__sameDocument === true")
    page.locator("#card-risk").screenshot(path=str(artifacts_dir / "risk-with-new-event.png"))

    # The table view shows the same days.
    page.click("#table-toggle")
    page.wait_for_selector("#table-risk table")
    table_rows = page.locator("#table-risk tbody tr").count()
    crisis_cells = page.locator("#table-risk tbody td", has_text="Crisis visit").count()
    page.screenshot(path=str(artifacts_dir / "patient-tables.png"), full_page=True)
    page.click("#table-toggle")

    # Print: pictures of the charts at page width, no controls.
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    print_images = page.locator("img.chart-print").evaluate_all("imgs => imgs.filter(i => i.naturalWidth > 0).length")
    page.screenshot(path=str(artifacts_dir / "patient-print.png"), full_page=True)

    assert sparkline_points == 30
    assert days_90 == 90 and days_30 == 30 and days_custom == 57
    assert all(points_90[c] > 0 for c in CHARTS), points_90
    assert all(points_30[c] > 0 for c in CHARTS), points_30
    assert all(points_custom[c] > 0 for c in CHARTS), points_custom
    assert points_30["risk"] == 30 and points_90["risk"] == 60
    assert points_30["mood"] < points_90["mood"]
    assert "days=30" in url_30
    assert events_before == 1 and alert_markers == 1
    # Raised today by the nightly run, shown on the day of the score that crossed the threshold.
    assert alert_marker_days == [relapsed.crossing_on.isoformat()]
    assert "sleep 2.1 h above this patient's usual" in explanation
    assert "Relapse risk above the team threshold" in alerts_text
    event = ClinicalEvent.objects.get(patient=relapsed.patient, kind="crisis_visit")
    assert (event.date, event.note, event.recorded_by.username) == (event_day, "Seen by the mobile team", "psy-live")
    assert "Event recorded" in event_status
    assert same_document
    assert table_rows == 57 and crisis_cells == 1
    assert print_images == len(CHARTS)
    assert problems == []


@pytest.mark.browser
def test_nurse_sees_the_page_in_french_without_explanations(live_asgi_server, browser, artifacts_dir, team, relapsed):
    ClinicianFactory(username="nurse-live", role="nurse", teams=[team])
    page = browser.new_page(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", extra_http_headers={"Accept-Language": "fr"}
    )
    problems = watch(page)
    browser_login(page, live_asgi_server, "nurse-live", DEFAULT_PASSWORD)

    page.goto(f"{live_asgi_server}/dashboard/patients/{relapsed.patient.pk}/?days=365")
    page.wait_for_selector(READY)
    page.wait_for_selector('#alerts-body[data-state="ready"]')
    points = chart_points(page)
    legend = page.evaluate("() => window.charts.mood.data.datasets.map(d => d.label)")
    note = page.inner_text("#explanation-note")
    page.screenshot(path=str(artifacts_dir / "patient-fr-365-days.png"), full_page=True)

    assert page.get_attribute("html", "lang") == "fr"
    assert page.inner_text("#event-title") == "Enregistrer un événement clinique"
    assert legend[0] == "Humeur (−3 à +3)"
    assert page.inner_text("#event-kind option[value=relapse]") == "Rechute"
    assert "psychiatres" in note
    # Nurses see the day's score and band, not its factors (API.md roles).
    assert page.locator("#explanation-body .band").count() == 1
    assert page.locator("#explanation-list").count() == 0
    # 365 days asked, but the view starts at enrolment, 120 days ago.
    assert day_count(page) == 121
    assert all(points[c] > 0 for c in CHARTS), points
    assert problems == []
