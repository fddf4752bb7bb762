"""The header's search box leads to the results page: highlighted snippets that link into the
record, in English and in French, at desk and tablet widths, with no serious axe violation."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser_a11y import assert_no_serious_axe_violations
from tests.conftest import browser_login
from tests.factories import (
    DEFAULT_PASSWORD,
    CheckInFactory,
    ClinicalEventFactory,
    ClinicianFactory,
    ConsentedPatientFactory,
)

SHOTS = os.environ.get("SEARCH_SCREENSHOTS")  # a folder to keep the screenshots in, when set


@pytest.mark.browser
@pytest.mark.parametrize(("locale", "heading"), [("en-GB", "Search the notes"), ("fr-FR", "Rechercher dans les notes")])
def test_search_from_the_header(live_asgi_server, browser, team, locale, heading) -> None:  # type: ignore[no-untyped-def]
    ClinicianFactory(username="search-nurse", role="nurse", teams=[team])
    patient = ConsentedPatientFactory(code="SRCH-1", care_team=team)
    CheckInFactory(
        patient=patient,
        recorded_at=timezone.now() - dt.timedelta(days=2),
        note="Sortie d'hospitalisation lundi; <b>dort</b> mieux depuis.",
    )
    ClinicalEventFactory(patient=patient, kind="hospitalization", note="Hospitalisation à Sainte-Anne, 3 semaines.")
    for width, height in ((1366, 600), (768, 1024)):
        page = browser.new_page(viewport={"width": width, "height": height}, locale=locale)
        page.set_extra_http_headers({"Accept-Language": locale})
        browser_login(page, live_asgi_server, "search-nurse", DEFAULT_PASSWORD)
        page.goto(f"{live_asgi_server}/dashboard/patients/")
        page.fill("#header-search-q", "hospitalisée")
        page.press("#header-search-q", "Enter")
        page.wait_for_selector("#search-results")
        assert page.inner_text("h1") == heading
        snippets = page.locator(".search-snippet")
        assert snippets.count() == 2
        assert page.locator(".search-snippet mark").first.inner_text().lower() == "hospitalisation"
        assert page.locator(".search-snippet b").count() == 0  # the note's text is never markup
        link = page.locator(".search-meta a").first.get_attribute("href")
        assert link is not None and link.startswith(f"/dashboard/patients/{patient.pk}/")
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/search-{locale[:2]}-{width}.png", full_page=False)
        assert_no_serious_axe_violations(page, f"the search results ({locale}, {width} px)")
        page.close()
