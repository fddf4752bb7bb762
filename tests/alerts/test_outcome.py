"""Human oversight of risk alerts: the outcome asked at resolution (one tap), corrected later by
a psychiatrist (audited), and whether a relapse or hospitalisation followed within 14 days
(computed from the clinical events), in the API and the patient's export."""

import datetime as dt

import pytest

from alerts import services
from alerts.models import Alert, AlertKind, AlertSeverity
from patients.models import AuditEvent, ClinicalEvent
from records.portability import patient_data_export
from tests.alerts.conftest import raise_manual

pytestmark = pytest.mark.django_db


def raise_risk(patient, day: dt.date) -> Alert:
    alert, _ = services.alert_raise(
        patient=patient,
        kind=AlertKind.RISK,
        severity=AlertSeverity.HIGH,
        title="Relapse risk above the team threshold",
        detail={"score": 0.4, "band": "high", "threshold": 0.2, "score_date": day.isoformat()},
        dedupe_key=f"risk-test:{patient.pk}:{day}",
    )
    return alert


def test_resolve_with_outcome_stores_it_and_the_event_log_says_so(nurse_client, patient):
    alert = raise_risk(patient, dt.date.today() - dt.timedelta(days=3))
    response = nurse_client.post(
        f"/api/v1/alerts/{alert.pk}/resolve/", {"note": "Called, appointment set", "outcome": "useful"}, format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["outcome"] == "useful" and response.data["outcome_by"] == "nurse-a"
    alert.refresh_from_db()
    assert alert.outcome == "useful" and alert.outcome_at is not None
    assert alert.events.get(event="resolved").detail == {"outcome": "useful"}


def test_resolve_without_outcome_still_works_as_before(nurse_client, patient):
    alert = raise_risk(patient, dt.date.today())
    response = nurse_client.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": "Seen"}, format="json")
    assert response.status_code == 200
    assert response.data["outcome"] == ""


def test_outcome_refused_on_another_kind_and_unknown_values(nurse_client, nurse, patient):
    manual = raise_manual(patient, nurse)
    response = nurse_client.post(
        f"/api/v1/alerts/{manual.pk}/resolve/", {"note": "ok", "outcome": "useful"}, format="json"
    )
    assert response.status_code == 400 and "outcome" in response.data
    risk = raise_risk(patient, dt.date.today())
    response = nurse_client.post(
        f"/api/v1/alerts/{risk.pk}/resolve/", {"note": "ok", "outcome": "maybe"}, format="json"
    )
    assert response.status_code == 400 and "outcome" in response.data


def test_psychiatrist_corrects_the_outcome_audited_nurse_refused(nurse_client, psychiatrist_client, nurse, patient):
    alert = raise_risk(patient, dt.date.today())
    services.alert_resolve(alert=alert, user=nurse, note="Called", outcome="false_alarm")

    refused = nurse_client.post(f"/api/v1/alerts/{alert.pk}/outcome/", {"outcome": "useful"}, format="json")
    assert refused.status_code == 403

    response = psychiatrist_client.post(
        f"/api/v1/alerts/{alert.pk}/outcome/", {"outcome": "already_known"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["outcome"] == "already_known" and response.data["outcome_by"] == "psy-a"
    audit = AuditEvent.objects.get(resource="alert_outcome", action="update")
    assert audit.detail == {"alert": str(alert.pk), "from": "false_alarm", "to": "already_known"}
    assert audit.patient_id == patient.pk


def test_event_followed_is_computed_from_clinical_events(nurse_client, patient):
    today = dt.date.today()
    followed = raise_risk(patient, today - dt.timedelta(days=30))
    ClinicalEvent.objects.create(patient=patient, kind="relapse", date=today - dt.timedelta(days=20))
    not_followed = raise_risk(patient, today - dt.timedelta(days=60))  # nothing in its 14 days, horizon passed
    ClinicalEvent.objects.create(patient=patient, kind="medication_change", date=today - dt.timedelta(days=55))
    open_window = raise_risk(patient, today - dt.timedelta(days=2))
    too_late = raise_risk(patient, today - dt.timedelta(days=100))
    ClinicalEvent.objects.create(patient=patient, kind="hospitalization", date=today - dt.timedelta(days=85))

    def read(alert):
        return nurse_client.get(f"/api/v1/alerts/{alert.pk}/").data["event_followed"]

    got = read(followed)
    assert got["followed"] is True and got["kind"] == "relapse"
    assert got["date"] == (today - dt.timedelta(days=20)).isoformat()
    assert read(not_followed)["followed"] is False
    assert read(open_window)["followed"] is None
    assert read(too_late)["followed"] is False  # day 15 after the scored day: outside the horizon
    manual = nurse_client.get("/api/v1/alerts/?kind=manual").data
    assert manual["count"] == 0


def test_outcome_and_followed_event_are_in_the_gdpr_export(nurse, patient):
    alert = raise_risk(patient, dt.date.today() - dt.timedelta(days=30))
    ClinicalEvent.objects.create(patient=patient, kind="relapse", date=dt.date.today() - dt.timedelta(days=25))
    services.alert_resolve(alert=alert, user=nurse, note="Called", outcome="useful")
    rows = patient_data_export(patient=patient)["alerts"]
    assert rows[0]["outcome"] == "useful"
    assert rows[0]["event_followed"]["followed"] is True


@pytest.mark.browser
@pytest.mark.parametrize(
    "locale,label",
    [("en-GB", "Useful: led to contact or action"), ("fr-FR", "Utile : a conduit à un contact ou une action")],
)
def test_the_desk_asks_the_outcome_of_a_risk_alert_in_one_tap(live_asgi_server, browser, team, patient, locale, label):
    from playwright.sync_api import expect

    from tests.alerts.test_browser_desk import open_desk
    from tests.browser_a11y import assert_no_serious_axe_violations
    from tests.factories import ClinicianFactory

    ClinicianFactory(username="nurse-outcome", role="nurse", teams=[team])
    alert = raise_risk(patient, dt.date.today() - dt.timedelta(days=1))
    page, problems = open_desk(browser, live_asgi_server, "nurse-outcome", locale=locale)
    card = page.locator(f'li.alert-card[data-alert-id="{alert.pk}"]')
    card.locator(".btn-resolve").click()
    expect(card.locator(".alert-outcome")).to_be_visible()
    assert_no_serious_axe_violations(page, f"the resolve form with its outcome ({locale})")
    card.locator(".note-input").fill("Called, appointment tomorrow")
    card.get_by_label(label).check()
    card.locator(".btn-save").click()
    # The resolved card leaves the desk's active list.
    expect(page.locator(f'li.alert-card[data-alert-id="{alert.pk}"]')).to_have_count(0)
    alert.refresh_from_db()
    assert alert.outcome == "useful" and alert.status == "resolved"
    assert problems == []
