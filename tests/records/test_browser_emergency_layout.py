"""The emergency pages in Debian's Chromium at a laptop's 1366 x 600 and a tablet's 768 x 1024,
in English and French: the emergency clinician's form, her read-only view of a record and the
review list of the patient's psychiatrist. Nothing is wider than the screen, the banner with
its countdown and the end button are in the first screen, nothing overlaps in the header, and
the console stays clean. With EMERGENCY_SCREENSHOTS set to a folder, the screenshots are kept
there (docs/screenshots/emergency-*.png come from it)."""

import datetime as dt
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from patients.models import CrisisPlan
from patients.services import patient_identity_set
from records.emergency import emergency_access_open
from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, EstablishmentFactory, PatientFactory, UserFactory, grant_consents
from tests.records.seeding import seed_relapsing_patient
from tests.records.test_browser_charts import watch

READY = '#patient-dashboard[data-state="ready"]'
SIZES = ((1366, 600), (768, 1024))
SHOTS = os.environ.get("EMERGENCY_SCREENSHOTS")
OPENING: dict[str, Any] = {
    "ins": "189127512501282",
    "birth_date": dt.date(1989, 12, 3),
    "reason": "agitation",
    "reason_text": "Agitated at the front desk, carries only the card.",
}


def _shoot(page: Any, artifacts: Path, name: str) -> None:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path))
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(SHOTS) / path.name)


def _fits(page: Any, what: str) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{what} is wider than {width} px"
    # The header's items side by side or wrapped, never on top of one another.
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('header a, header select, header button, header span')]
            .filter((e) => e.offsetParent !== null)
            .map((e) => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""
    )
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1
            inside = (a[0] <= b[0] and a[2] >= b[2] and a[1] <= b[1] and a[3] >= b[3]) or (
                b[0] <= a[0] and b[2] >= a[2] and b[1] <= a[1] and b[3] >= a[3]
            )
            assert not overlap or inside, f"{what}: header items overlap {a} {b}"


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_emergency_pages_fit_a_laptop_and_a_tablet(
    live_asgi_server, browser, artifacts_dir, team, psychiatrist, locale
):
    lang = locale[:2]
    team.phone, team.out_of_hours_phone = "01 23 45 67 89", "01 98 76 54 32"
    team.full_clean()
    team.save()
    patient = PatientFactory(
        code="ER-7", care_team=team, diagnosis="F31", key_worker=psychiatrist, phone="+33612345678"
    )
    CrisisPlan.objects.create(
        patient=patient,
        warning_signs="Sleeps less than 5 hours, spends a lot, stops answering the phone.",
        who_to_call="My sister Claire, then the team's nurse.",
        what_helped="A quiet room, my usual treatment resumed, no new medicine without the team.",
    )
    grant_consents(patient)
    seed_relapsing_patient(patient)
    patient_identity_set(patient=patient, ins=OPENING["ins"], birth_date=OPENING["birth_date"])
    doctor = UserFactory(username="er-shots", role="emergency", establishment=EstablishmentFactory(name="CU Mistral"))
    access = emergency_access_open(clinician=doctor, **OPENING).access
    for width, height in SIZES:
        size = f"{width}x{height}"
        page = browser.new_page(viewport={"width": width, "height": height}, locale=locale)
        page.set_extra_http_headers({"Accept-Language": locale})
        problems = watch(page)
        browser_login(page, live_asgi_server, "er-shots", DEFAULT_PASSWORD)
        page.goto(f"{live_asgi_server}/dashboard/emergency/")
        page.wait_for_selector("#emergency-form")
        _fits(page, f"the form ({locale}, {size})")
        _shoot(page, artifacts_dir, f"emergency-form-{lang}-{size}")

        page.goto(f"{live_asgi_server}/dashboard/emergency/{access.pk}/")
        page.wait_for_selector(READY, timeout=20000)
        _fits(page, f"the view ({locale}, {size})")
        assert "06 12 34 56 78" in page.inner_text("#emergency-identity")  # the patient's phone, nationally
        assert page.get_attribute("#emergency-identity a[href^='tel:']", "href") == "tel:+33612345678"
        for first_screen in ("#emergency-countdown", "#emergency-end"):
            box = page.locator(first_screen).bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, f"{first_screen} below the first screen"
        _shoot(page, artifacts_dir, f"emergency-view-{lang}-{size}")
        page.locator("#patient-dashboard").scroll_into_view_if_needed()
        page.evaluate("() => document.getElementById('charts-title').scrollIntoView()")
        _shoot(page, artifacts_dir, f"emergency-view-charts-{lang}-{size}")
        assert problems == [], problems
        page.close()

        page = browser.new_page(viewport={"width": width, "height": height}, locale=locale)
        page.set_extra_http_headers({"Accept-Language": locale})
        problems = watch(page)
        browser_login(page, live_asgi_server, psychiatrist.username, DEFAULT_PASSWORD)
        page.goto(f"{live_asgi_server}/dashboard/emergency/review/")
        page.wait_for_selector(f"text={patient.code}")
        _fits(page, f"the review list ({locale}, {size})")
        _shoot(page, artifacts_dir, f"emergency-review-{lang}-{size}")
        assert problems == [], problems
        page.close()
