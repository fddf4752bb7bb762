"""The patient list passes axe-core's serious and critical rules, in English and in French."""

import datetime as dt

import pytest

from tests.browser_a11y import assert_no_serious_axe_violations, axe_violations
from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, ClinicianFactory, PatientFactory, grant_consents


@pytest.mark.browser
def test_the_patient_list_has_no_serious_accessibility_violation(live_asgi_server, browser, team, model_version):
    from tests.conftest import make_score

    ClinicianFactory(username="a11y-nurse", role="nurse", teams=[team])
    patient = PatientFactory(code="A11Y-1", care_team=team, diagnosis="F31")
    grant_consents(patient)
    today = dt.date.today()
    for back in range(5):
        make_score(patient, model_version, today - dt.timedelta(days=back), 0.6 - back * 0.1)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
    browser_login(page, live_asgi_server, "a11y-nurse", DEFAULT_PASSWORD)
    page.goto(f"{live_asgi_server}/dashboard/patients/")
    page.wait_for_selector('tr[data-patient="A11Y-1"]')
    assert page.get_attribute("body", "data-time-zone") == "Europe/Paris"
    assert_no_serious_axe_violations(page, "the patient list")

    # The helper does fail, readably, on a page that breaks a serious rule.
    page.set_content('<html lang="en"><body><main><img src="x.png"><input type="text"></main></body></html>')
    ids = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "label"} <= ids
    with pytest.raises(AssertionError, match=r"image-alt \(critical\)"):
        assert_no_serious_axe_violations(page, "a broken page")
