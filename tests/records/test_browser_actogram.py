"""The actogram on the patient page in Debian's Chromium: one row per day of stored wrist
activity, the non-wear hours drawn as not recorded; screenshot at 1366x600."""

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from django.utils import timezone

from monitoring.services import activity_epochs_store, ingestion_context
from monitoring.validation import validate_activity_epochs
from tests.browser_a11y import assert_no_serious_axe_violations
from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, ClinicianFactory, PatientFactory, grant_consents

# With ACTOGRAM_SCREENSHOTS set to a folder, the card's screenshot is kept there too
# (docs/screenshots/dashboard-actogram-en.png comes from it); a plain run writes test-results/ only.
SHOTS = os.environ.get("ACTOGRAM_SCREENSHOTS")


def _day(i: int, minute: int) -> int | None:
    if i == 4 and 14 * 60 <= minute < 17 * 60:
        return None  # the watch was off that afternoon
    asleep = minute < 7 * 60 or minute >= 23 * 60 + (i % 3) * 10
    return (minute % 4) if asleep else 150 + (minute * 37 + i * 11) % 350


@pytest.mark.browser
def test_the_actogram_stacks_the_days_and_shows_non_wear(live_asgi_server, browser, artifacts_dir, team):
    patient = PatientFactory(code="ACTO-1", care_team=team, diagnosis="F33", timezone="Europe/Paris")
    grant_consents(patient)
    ClinicianFactory(username="psy-acto", role="psychiatrist", teams=[team])
    today = timezone.localdate(timezone=patient.tz)
    ctx = ingestion_context(patient=patient)
    records = []
    for i in range(14):
        day = today - dt.timedelta(days=14 - i)
        start = dt.datetime.combine(day, dt.time(0), tzinfo=patient.tz)
        length = int((dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=patient.tz).timestamp()
                      - start.timestamp()) // 60)  # fmt: skip
        raw = {
            "id": str(uuid.uuid4()),
            "type": "activity_epochs",
            "start": start.isoformat(),
            "epoch_seconds": 60,
            "counts": [_day(i, m) for m in range(length)],
        }
        record, errors = validate_activity_epochs(raw, ctx)
        assert record is not None, errors
        records.append(record)
    assert set(activity_epochs_store(patient=patient, records=records, derive="now")) == {"stored"}

    page = browser.new_page(viewport={"width": 1366, "height": 600}, locale="en-GB")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    browser_login(page, live_asgi_server, "psy-acto", DEFAULT_PASSWORD)
    page.goto(f"{live_asgi_server}/dashboard/patients/{patient.pk}/")
    page.wait_for_selector('#actogram[data-rows="14"]')
    assert page.get_attribute("#actogram", "data-missing-bins") == "18"  # 3 hours of 10-minute bins
    assert "14 days of wrist activity" in page.inner_text("#summary-actogram")
    page.locator("#card-actogram").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "actogram.png"))
    page.locator("#card-actogram").screenshot(path=str(artifacts_dir / "dashboard-actogram-en.png"))
    if SHOTS:
        page.locator("#card-actogram").screenshot(path=str(Path(SHOTS) / "dashboard-actogram-en.png"))
    assert problems == []  # before axe, whose injected script the page's CSP reports
    assert_no_serious_axe_violations(page, "the patient page with an actogram")
