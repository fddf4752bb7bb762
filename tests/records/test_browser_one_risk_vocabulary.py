"""One risk vocabulary (the nurse's alert desk, "Must show"): one patient-day's stored score
reads with the same value and unit, and its threshold in percent, on the nurse desk (the
patient card and the risk alert's card), the patient list, the patient page's risk chart
tooltip, the risk-scores API's `display` and the alert API's `risk`: the text
`alerts.factors.risk_display` gives, computed once here.

The score, 0.048473, sits where rounding the score before wording it would change the text:
as stored it reads 4.8%; rounded to four decimals first (0.0485) it would read 4.9%."""

import datetime as dt

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import expect

from alerts.factors import risk_display
from alerts.models import Alert, AlertKind
from ml.alerting import risk_alerts_evaluate
from tests.conftest import browser_login, make_score
from tests.factories import DEFAULT_PASSWORD, ClinicianFactory
from tests.records.test_browser_charts import READY, watch

pytestmark = pytest.mark.browser

SCORE = 0.048473
TEAM_THRESHOLD = 0.04


def api_get(base_url: str, username: str, path: str) -> requests.Response:
    token = requests.post(
        f"{base_url}/api/v1/auth/token/", json={"username": username, "password": DEFAULT_PASSWORD}, timeout=10
    ).json()["access"]
    return requests.get(
        f"{base_url}{path}", headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"}, timeout=10
    )


def risk_tooltip_lines(page, day: dt.date) -> list[str]:
    """The risk chart's tooltip on `day`, as Chart.js builds it (the score and the threshold)."""
    return page.evaluate(
        """(day) => {
          const canvas = document.querySelector("#chart-risk");
          const chart = Chart.getChart(canvas) || window.charts.risk;
          const index = chart.data.labels.indexOf(day);
          if (index < 0) return [];
          const active = chart.data.datasets
            .map((d, datasetIndex) => ({ datasetIndex, index, raw: d.data[index] }))
            .filter((a) => a.raw !== null && a.raw !== undefined)
            .map(({ datasetIndex, index }) => ({ datasetIndex, index }));
          chart.tooltip.setActiveElements(active, { x: 0, y: 0 });
          chart.update();
          return chart.tooltip.body.flatMap((b) => [...b.before, ...b.lines, ...b.after]);
        }""",
        day.isoformat(),
    )


def test_one_patient_day_reads_the_same_risk_and_threshold_in_percent_everywhere(
    live_asgi_server, browser, artifacts_dir, team, patient, model_version
):
    base = live_asgi_server
    team.risk_threshold = TEAM_THRESHOLD
    team.save(update_fields=["risk_threshold"])
    ClinicianFactory(username="nurse-one", role="nurse", teams=[team])
    ClinicianFactory(username="psy-one", role="psychiatrist", teams=[team])
    day = timezone.localdate(timezone=patient.tz) - dt.timedelta(days=1)
    score = make_score(patient, model_version, day, SCORE, band="high")
    assert risk_alerts_evaluate(score_ids=[score.pk]) == 1
    alert = Alert.objects.get(patient=patient, kind=AlertKind.RISK)

    # Computed once: what every surface must say for this patient-day.
    expected = risk_display(SCORE, TEAM_THRESHOLD, band="high")
    risk, threshold = expected["text"], expected["threshold_text"]
    assert (risk, threshold) == ("4.8%", "4.0%")
    # What each surface says, checked together at the end: a failure names every surface that
    # words this patient-day differently.
    said: dict[str, str] = {}

    # (4) The APIs: the risk-scores API's display field, and the alert API's risk field.
    scores = api_get(base, "psy-one", f"/api/v1/patients/{patient.pk}/risk-scores/")
    assert scores.status_code == 200, scores.text
    (entry,) = [s for s in scores.json() if s["date"] == day.isoformat()]
    said["risk-scores API display"] = f"{entry['display']['text']} / {entry['display']['threshold_text']}"
    alert_json = api_get(base, "nurse-one", f"/api/v1/alerts/{alert.pk}/")
    assert alert_json.status_code == 200, alert_json.text
    alert_risk = alert_json.json()["risk"]
    said["alert API risk"] = f"{alert_risk['text']} / {alert_risk['threshold_text']}"
    said["alert API message"] = alert_json.json()["message"]

    # (1) The nurse desk: the patient card's head and the risk alert's card.
    context = browser.new_context(
        locale="en-GB", viewport={"width": 1366, "height": 900}, extra_http_headers={"Accept-Language": "en"}
    )
    page = context.new_page()
    problems = watch(page)
    browser_login(page, base, "nurse-one", DEFAULT_PASSWORD)
    page.goto(f"{base}/dashboard/")
    page.wait_for_selector('#conn-state[data-state="live"]', timeout=15000)
    card = page.locator("li.patient-card", has_text=patient.code)
    expect(card.locator("li.alert-card")).to_have_count(1)
    expect(card.locator(".risk-text")).not_to_be_empty()
    said["desk patient card"] = card.locator(".risk-text").inner_text()
    said["desk risk alert card"] = card.locator("li.alert-card .alert-detail").inner_text()
    page.screenshot(path=str(artifacts_dir / "1-desk.png"))

    # (2) The patient list's row (its title: the threshold in the same unit), and its legend.
    page.goto(f"{base}/dashboard/patients/")
    score_cell = page.locator(f'tr[data-patient="{patient.code}"] td.risk .score')
    said["patient list row"] = f"{score_cell.inner_text()} / {score_cell.get_attribute('title')}"
    said["patient list legend"] = page.locator("#risk-legend").inner_text()

    # (3) The patient page: its head, and the risk chart's tooltip on that day.
    page.goto(f"{base}/dashboard/patients/{patient.pk}/")
    page.wait_for_selector(READY)
    said["patient page head"] = (
        f"{page.locator('#head-risk-score').inner_text()} / {page.locator('#head-threshold').inner_text()}"
    )
    said["risk chart tooltip"] = " | ".join(risk_tooltip_lines(page, day))
    page.locator("#card-risk").screenshot(path=str(artifacts_dir / "3-risk-chart.png"))

    should_say = {
        "risk-scores API display": f"{risk} / {threshold}",
        "alert API risk": f"{risk} / {threshold}",
        "alert API message": f"Relapse risk {risk} (alert threshold {threshold}): high risk",
        "desk patient card": f"Risk {risk}, high risk (threshold {threshold})",
        "desk risk alert card": f"Relapse risk {risk}, high risk (alert threshold {threshold}).",
        "patient list row": f"{risk} / alert threshold {threshold}",
        "patient list legend": f"Alert threshold: {threshold}.",
        "patient page head": f"{risk} / alert threshold {threshold}",
        "risk chart tooltip": f"Relapse risk (next 14 days): {risk} | Alert threshold: {threshold}",
    }
    wrong = {k: said[k] for k, v in should_say.items() if v not in said[k]}
    assert wrong == {}, f"expected {risk} (threshold {threshold}) on every surface; these differ: {wrong}"
    assert entry["display"] == expected
    assert problems == []
