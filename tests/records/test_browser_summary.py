"""The pre-consultation summary in Debian's Chromium: opened from the patient page, its page
and its PDF (text extracted with pypdf) carry the figures computed from the data, in English
and in French; axe-core finds no serious or critical violation on the page."""

import datetime as dt
import io

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from records.summary_text import patient_summary
from tests.browser_a11y import assert_no_serious_axe_violations
from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, ClinicianFactory
from tests.records.test_summary import FLAGGED_NOTE, RESOLUTION, seed_summary_patient

READY = "#summary"


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return problems


def _expected(patient, language: str) -> dict[str, str]:
    """The sentences the server must show, computed here from the same data (the default
    period: no consultation recorded, so the last 30 days)."""
    with translation.override(language):
        document = patient_summary(patient=patient, start=None, end=None, explain=True, now=timezone.now())
    by_key = {}
    for section in document["sections"]:
        for sentence in section["sentences"]:
            by_key.setdefault(sentence["key"], sentence)
    return {
        "sleep": by_key["sleep_hours"]["text"],
        "sleep_mean": f"{by_key['sleep_hours']['facts']['mean']:.1f}",
        "mood": by_key["mood"]["text"],
        "phq9": by_key["PHQ-9"]["text"],
        "adherence": by_key["logging"]["text"],
        "start": document["start"],
    }


def _pdf_text(page, base: str, locale: str) -> str:
    href = page.get_attribute("#summary-pdf", "href")
    # As the browser sends it when the link is followed (the API request context does not).
    response = page.request.get(f"{base}{href}", headers={"Accept-Language": locale})
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


@pytest.mark.browser
def test_summary_page_and_pdf_in_english_and_french(live_asgi_server, browser, artifacts_dir, team):
    seeded = seed_summary_patient(team)
    patient = seeded.patient
    ClinicianFactory(username="psy-summary", role="psychiatrist", teams=[team])
    base = live_asgi_server
    expected = {"en": _expected(patient, "en"), "fr": _expected(patient, "fr")}
    assert expected["en"]["start"] == (seeded.today - dt.timedelta(days=29)).isoformat()

    for language, locale in (("en", "en-GB"), ("fr", "fr-FR")):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
        page = context.new_page()
        problems = _watch(page)
        browser_login(page, base, "psy-summary", DEFAULT_PASSWORD)

        # From the patient page, through its link.
        page.goto(f"{base}/dashboard/patients/{patient.pk}/")
        page.click("#summary-link")
        page.wait_for_selector(READY)
        assert page.get_attribute(READY, "data-start") == expected[language]["start"]
        text = " ".join(page.inner_text("main").split())
        want = expected[language]
        for key in ("sleep", "mood", "phq9", "adherence"):
            assert " ".join(want[key].split()) in text, (language, key)
        decimal = want["sleep_mean"] if language == "en" else want["sleep_mean"].replace(".", ",")
        assert (f"{decimal} h a night" if language == "en" else f"{decimal} h par nuit") in text
        assert FLAGGED_NOTE in text and RESOLUTION in text
        # Every sentence opens onto the data behind it.
        page.locator("#summary-signals details summary").first.click()
        assert '"source": "daily_summaries"' in page.inner_text("#summary-signals details[open] pre")
        assert problems == [], problems  # before axe-core, whose injection the page's CSP reports
        assert_no_serious_axe_violations(page, f"the summary page ({language})")
        page.screenshot(path=str(artifacts_dir / f"summary-{language}.png"), full_page=True)

        pdf = _pdf_text(page, base, locale)
        assert f"{decimal} h a night" in pdf if language == "en" else f"{decimal} h par nuit" in pdf
        assert " ".join(want["phq9"].split()) in pdf
        assert patient.code in pdf
        context.close()
