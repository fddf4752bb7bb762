"""The model page (/dashboard/model/): psychiatrists and admins only; the four-eyes change from
the page (the trainer is refused, a second person activates); live figures, drift and model
alerts shown, in English and in French; and, in Chromium, charts drawn with no console error
and no serious axe violation."""

import datetime as dt

import pytest
from django.test import Client

from alerts import services as alert_services
from alerts.models import AlertKind, AlertSeverity
from ml.models import ModelDrift, ModelVersion
from ml.performance import performance_record
from patients.models import ClinicalEvent
from tests.browser_a11y import assert_no_serious_axe_violations
from tests.conftest import browser_login
from tests.factories import DEFAULT_PASSWORD, ClinicianFactory, PatientFactory, UserFactory
from tests.ml.helpers import register, trained


def seed(team):  # type: ignore[no-untyped-def]
    model, report = trained()
    active = register(model, report, activate=True)
    candidate = register(model, report, activate=False)
    trainer = ClinicianFactory(username="psy-trainer", role="psychiatrist", teams=[team])
    ModelVersion.objects.filter(pk=candidate.pk).update(trained_by=trainer)
    today = dt.date.today()
    start = today - dt.timedelta(days=40)
    for i in range(6):
        patient = PatientFactory(care_team=team)
        alert_services.alert_raise(
            patient=patient,
            kind=AlertKind.RISK,
            severity=AlertSeverity.HIGH,
            title="Relapse risk above the team threshold",
            detail={
                "score": 0.3,
                "band": "high",
                "threshold": 0.2,
                "score_date": start.isoformat(),
                "model_version_id": active.pk,
            },  # fmt: skip
            dedupe_key=f"page:{i}",
        )
        if i < 3:
            ClinicalEvent.objects.create(patient=patient, kind="relapse", date=start + dt.timedelta(days=4))
    for back in (2, 1, 0):
        performance_record(team=team, model_version=active, day=today - dt.timedelta(days=back))
    ModelDrift.objects.create(
        model_version=active,
        day=today,
        figures={"window": {"from": "2026-01-01", "to": "2026-01-30"}, "score_psi": 0.31, "no_passive": 0.1},
        moved=[{"check": "psi", "feature": "mood__z7", "value": 0.4}],
    )
    alert_services.alert_raise_model(
        care_team=team, title="Model inputs drifted", detail={"features": ["mood__z7"]}, dedupe_key="page-drift"
    )
    return active, candidate, trainer


@pytest.mark.django_db
def test_page_roles_and_four_eyes_from_the_page(team, nurse, psychiatrist):
    active, candidate, trainer = seed(team)
    client = Client()
    client.force_login(nurse)
    assert client.get("/dashboard/model/").status_code == 403

    client.force_login(trainer)
    page = client.get("/dashboard/model/")
    assert page.status_code == 200
    text = page.content.decode()
    assert candidate.version in text and "Risk model in service" in text and "50%" in text  # 3 of 6 followed
    # Drift in words, not feature names.
    assert "mood: 7-day mean against the patient" in text and "stability index 0.4, alert above 0.25" in text
    client.post("/dashboard/model/", {"action": "compare", "version": candidate.version})
    refused = client.post("/dashboard/model/", {"action": "activate", "version": candidate.version}, follow=True)
    assert "Refused" in refused.content.decode()
    assert ModelVersion.objects.get(is_active=True) == active

    reviewer = UserFactory(username="admin-page", role="admin", is_staff=True)
    client.force_login(reviewer)
    done = client.post("/dashboard/model/", {"action": "activate", "version": candidate.version}, follow=True)
    assert f"{candidate.version} is now active." in done.content.decode()
    assert ModelVersion.objects.get(is_active=True) == candidate
    client.post("/dashboard/model/", {"action": "rollback"})
    assert ModelVersion.objects.get(is_active=True) == active


@pytest.mark.django_db
def test_page_in_french(team, psychiatrist):
    seed(team)
    client = Client(headers={"accept-language": "fr"})
    client.force_login(psychiatrist)
    text = client.get("/dashboard/model/").content.decode()
    assert "Modèle de risque en service" in text and "Sensibilité en service" in text


@pytest.mark.browser
@pytest.mark.parametrize(
    "locale,heading", [("en-GB", "Risk model in service"), ("fr-FR", "Modèle de risque en service")]
)
def test_model_page_in_chromium(live_asgi_server, browser, team, locale, heading):
    seed(team)
    ClinicianFactory(username="psy-model", role="psychiatrist", teams=[team])
    for width, height in ((1366, 600), (768, 1024)):  # a laptop, a tablet held upright
        context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m, p=problems: p.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e, p=problems: p.append(f"pageerror: {e}"))
        browser_login(page, live_asgi_server, "psy-model", DEFAULT_PASSWORD)
        page.goto(f"{live_asgi_server}/dashboard/model/")
        page.wait_for_function("() => window.Chart && window.Chart.getChart('chart-calibration')")
        assert heading in page.inner_text("h1")
        assert page.evaluate("() => window.Chart.getChart('chart-alerts').data.datasets.length") == 2
        # Nothing wider than the window: the tables scroll inside their cards.
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert problems == []  # before axe: its injection meets the page's CSP on purpose (tests/browser_a11y.py)
        assert_no_serious_axe_violations(page, f"model page {locale} {width}x{height}")
        context.close()
