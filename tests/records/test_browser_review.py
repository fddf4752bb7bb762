"""The psychiatrist's review in Debian's Chromium (issue 14): a clicked or keyboard-chosen past
day explained with its factors, a nap drawn as its own length, labelled events and hospital
stays, the events list edited by its author, and axe-core on the page and its tables view."""

import datetime as dt

import pytest

from monitoring.models import SignalKind
from patients.models import AuditEvent, ClinicalEvent
from tests.browser_a11y import assert_no_serious_axe_violations
from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, ClinicianFactory, PatientFactory, grant_consents
from tests.factories.monitoring import SignalRecordFactory
from tests.records.seeding import seed_relapsing_patient
from tests.records.test_browser_charts import READY, watch

EXPLAINED = '#explanation-body[data-state="ready"]'


@pytest.fixture
def reviewed(team):
    patient = PatientFactory(code="REVIEW-1", care_team=team, diagnosis="F31")
    grant_consents(patient)
    seeded = seed_relapsing_patient(patient)
    psychiatrist = ClinicianFactory(username="psy-review", role="psychiatrist", teams=[team])
    # A hospital stay recorded by the psychiatrist, two days after the relapse, nine days long.
    stay = ClinicalEvent.objects.create(
        patient=patient,
        kind="hospitalization",
        date=seeded.relapse_on + dt.timedelta(days=2),
        end_date=seeded.relapse_on + dt.timedelta(days=10),
        note="Admitted to the ward",
        recorded_by=psychiatrist,
    )
    # Yesterday: a night from 23:10 and a nap from 15:41 to 16:43.
    tz = patient.tz
    nap_day = seeded.today - dt.timedelta(days=1)
    night = dt.datetime.combine(nap_day - dt.timedelta(days=1), dt.time(23, 10), tzinfo=tz)
    SignalRecordFactory(
        patient=patient, kind=SignalKind.SLEEP, start=night, end=night + dt.timedelta(hours=7, minutes=50)
    )
    nap = dt.datetime.combine(nap_day, dt.time(15, 41), tzinfo=tz)
    SignalRecordFactory(patient=patient, kind=SignalKind.SLEEP, start=nap, end=nap + dt.timedelta(minutes=62))
    return seeded, stay, nap_day


def click_day(page, chart: str, day: dt.date) -> None:
    """Click the middle of the plot, over `day`, on one chart."""
    x, y = page.evaluate(
        """([id, day]) => { const c = window.charts[id]; const i = c.data.labels.indexOf(day);
           c.canvas.scrollIntoView({ block: "center" });
           const box = c.canvas.getBoundingClientRect(); const a = c.chartArea;
           return [box.left + c.scales.x.getPixelForValue(i), box.top + (a.top + a.bottom) / 2]; }""",
        [chart, day.isoformat()],
    )
    page.mouse.click(x, y)


def bar_hours(page, label_start: str, day: dt.date) -> float:
    """The drawn height of a sleep-timing bar of `day`, in hours of the axis."""
    return page.evaluate(
        """([prefix, day]) => { const c = window.charts["sleep-timing"];
           const i = c.data.labels.indexOf(day);
           const k = c.data.datasets.findIndex(d => d.label.startsWith(prefix) && d.data[i]);
           const bar = c.getDatasetMeta(k).data[i]; const y = c.scales.y;
           return Math.abs(bar.base - bar.y) / Math.abs(y.getPixelForValue(1) - y.getPixelForValue(0)); }""",
        [label_start, day.isoformat()],
    )


@pytest.mark.browser
def test_a_past_day_is_explained_by_click_and_keyboard_with_naps_events_and_stays_readable(
    live_asgi_server, browser, artifacts_dir, reviewed
):
    seeded, stay, nap_day = reviewed
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="en-GB")
    problems = watch(page)
    browser_login(page, live_asgi_server, "psy-review", DEFAULT_PASSWORD)
    page.goto(f"{live_asgi_server}/dashboard/patients/{seeded.patient.pk}/")
    page.wait_for_selector(READY)
    page.wait_for_selector(EXPLAINED)
    latest = page.get_attribute("#explanation-body", "data-day")

    # A click on a past day of the mood chart explains that day (its score is on the risk chart).
    past = seeded.crossing_on
    click_day(page, "mood", past)
    page.wait_for_selector(f'#explanation-body[data-day="{past.isoformat()}"]')
    title = page.inner_text("#explanation-title")
    score = page.inner_text("#day-score")
    reasons = page.inner_text("#explanation-list")
    lowering = page.inner_text("#explanation-lowering")
    page.screenshot(path=str(artifacts_dir / "day-explained.png"), full_page=True)

    # The keyboard: focus a chart, the left arrow goes back a day.
    page.focus("#card-sleep .chart-box")
    page.keyboard.press("ArrowLeft")
    before = past - dt.timedelta(days=1)
    page.wait_for_selector(f'#explanation-body[data-day="{before.isoformat()}"]')
    announced = page.inner_text("#day-status")

    # Events named on the risk chart, the stay a span, the episodes listed.
    labels = page.get_attribute("#chart-risk", "data-event-labels")
    stays = page.get_attribute("#chart-risk", "data-stays")
    episodes = page.locator("#episode-list li").count()
    episode_text = page.inner_text("#episode-list")
    events_text = page.inner_text("#event-list")

    # The nap is drawn from 15:41 to 16:43, the night from 23:10 to 07:00.
    naps = page.get_attribute("#chart-sleep-timing", "data-naps")
    nap_hours = bar_hours(page, "Naps", nap_day)
    night_hours = bar_hours(page, "Night", nap_day)
    page.locator("#card-sleep-timing").screenshot(path=str(artifacts_dir / "sleep-timing-nap.png"))
    page.locator("#card-risk").screenshot(path=str(artifacts_dir / "risk-episodes-events.png"))

    # The author edits the stay's note from the list; the edit is audited.
    page.click(f'li[data-event="{stay.pk}"] .event-edit-button')
    page.fill(f"#edit-note-{stay.pk}", "Admitted; discharged home")
    page.click(f'form[data-event="{stay.pk}"] button[type=submit]')
    page.wait_for_selector('#event-list li[data-kind="hospitalization"] .event-note >> text=discharged home')
    edited = page.inner_text(f'li[data-event="{stay.pk}"]')
    # Before axe-core: injecting it tries an inline script first, which the CSP rightly refuses.
    seen = list(problems)

    assert_no_serious_axe_violations(page, "the patient page")
    page.click("#table-toggle")
    page.wait_for_selector("#table-risk table")
    assert_no_serious_axe_violations(page, "the tables view")

    assert latest == seeded.today.isoformat() or latest < seeded.today.isoformat()
    assert past.strftime("%d") in title
    assert "%" in score and "alert threshold 30.0%" in score
    assert "9.4" in reasons and "7.3" in reasons  # sleep with its unit and the patient's usual
    assert "steps" in lowering.lower() and "steps" not in reasons.lower()
    assert "risk" in announced
    assert "Relapse" in labels.split("|") and "Hospitalisation" in labels.split("|")
    assert stays == "1"
    assert episodes >= 1 and "peak" in episode_text
    assert "Seen in clinic" in events_text and "Admitted to the ward" in events_text
    assert naps == "1"
    assert nap_hours == pytest.approx(62 / 60, abs=0.05)
    assert night_hours == pytest.approx(7 + 50 / 60, abs=0.05)
    stay.refresh_from_db()
    assert stay.note == "Admitted; discharged home" and "edited" in edited
    assert AuditEvent.objects.filter(resource="clinical_event", action="update", detail__changed=["note"]).exists()
    assert seen == []


@pytest.mark.browser
def test_the_page_in_french_at_tablet_width_passes_axe(live_asgi_server, browser, artifacts_dir, reviewed):
    seeded, _stay, _nap_day = reviewed
    page = browser.new_page(
        viewport={"width": 768, "height": 1024}, locale="fr-FR", extra_http_headers={"Accept-Language": "fr"}
    )
    problems = watch(page)
    browser_login(page, live_asgi_server, "psy-review", DEFAULT_PASSWORD)
    page.goto(f"{live_asgi_server}/dashboard/patients/")
    widths = page.evaluate(
        "() => { const t = document.querySelector('#patient-table'); const card = t.parentElement;"
        " const code = t.querySelector('tbody th a');"
        " return [t.scrollWidth, card.clientWidth, code.getClientRects().length]; }"
    )
    seen = list(problems)
    assert_no_serious_axe_violations(page, "the patient list")
    page.goto(f"{live_asgi_server}/dashboard/patients/{seeded.patient.pk}/")
    page.wait_for_selector(READY)
    page.wait_for_selector(EXPLAINED)
    title = page.inner_text("#explanation-title")
    seen += [p for p in problems if "inline script" not in p]  # axe-core's first try, refused by the CSP
    page.screenshot(path=str(artifacts_dir / "patient-fr-768.png"), full_page=True)
    assert_no_serious_axe_violations(page, "the patient page in French")

    table_width, card_width, code_lines = widths
    assert table_width <= card_width  # no clipped column at 768 px
    assert code_lines == 1  # a patient code on one line
    assert title.startswith("Expliquer un jour")
    assert seen == []
