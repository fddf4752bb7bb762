"""The emergency flow in Debian's Chromium: the emergency clinician signs in, lands on her
page, opens a relapsed patient's record by INS and date of birth, and reads the read-only view
(countdown, identity, team, 30 days of charts drawn by the patient page's chart code), in
English and French, with no serious accessibility violation and no console error."""

import datetime as dt

import pytest

from patients.emergency import emergency_access_revoke
from patients.models import EmergencyAccess
from patients.services import patient_identity_set
from tests.browser_a11y import assert_no_serious_axe_violations
from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, EstablishmentFactory, PatientFactory, UserFactory, grant_consents
from tests.records.seeding import seed_relapsing_patient
from tests.records.test_browser_charts import chart_points, watch

READY = '#patient-dashboard[data-state="ready"]'


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_emergency_clinician_opens_and_reads_a_record(
    live_asgi_server, browser, artifacts_dir, team, nurse, locale
):
    patient = PatientFactory(code="ER-1", care_team=team, diagnosis="F31")
    grant_consents(patient)
    seed_relapsing_patient(patient)
    patient_identity_set(patient=patient, ins="189127512501282", birth_date=dt.date(1989, 12, 3))
    UserFactory(username="er-live", role="emergency", establishment=EstablishmentFactory(name="CU Mistral"))
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale=locale)
    problems = watch(page)
    browser_login(page, live_asgi_server, "er-live", DEFAULT_PASSWORD)
    page.goto(f"{live_asgi_server}/dashboard/")
    page.wait_for_selector("#emergency-form")
    assert problems == []
    # axe-core is injected as a script (the CSP refuses the first try, logged as a console error).
    assert_no_serious_axe_violations(page, f"the emergency form ({locale})")
    problems.clear()

    page.fill("#em-ins", "1 89 12 75 125 012 82")
    page.fill("#em-born", "1989-12-03")
    page.select_option("#em-reason", "agitation")
    page.fill("#em-text", "Agitated, carries the card only.")
    page.click("#emergency-open")
    page.wait_for_selector(READY, timeout=20000)
    assert "ER-1" in page.inner_text("#emergency-banner")
    countdown = page.inner_text("#emergency-countdown")
    assert countdown.startswith(("3:59", "4:00")), countdown
    assert "1 89 12 75 125 012 82" in page.inner_text("#emergency-identity")
    points = chart_points(page)
    assert points["risk"] > 0 and points["mood"] > 0 and points["sleep"] > 0, points
    assert page.evaluate("() => window.charts.risk.data.labels.length") <= 30
    page.screenshot(path=str(artifacts_dir / f"emergency-view-{locale}.png"), full_page=False)
    assert problems == []
    assert_no_serious_axe_violations(page, f"the emergency view ({locale})")

    # The patient's team revokes it: the open page drops the record at its next check.
    page.goto(page.url.split("?")[0] + "?watch=1")
    page.wait_for_selector(READY, timeout=20000)
    access = EmergencyAccess.objects.get()
    emergency_access_revoke(access=access, user=nurse)
    page.wait_for_selector("#emergency-expired:not([hidden])", timeout=10000)
    assert page.locator("#patient-dashboard").count() == 0
    assert page.get_attribute("#emergency-banner", "data-ended") == "true"
