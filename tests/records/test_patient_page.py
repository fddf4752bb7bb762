"""One patient's trend page: scoping (404 outside one's teams), audit, range, CSP-safe markup."""

import datetime as dt
import re

import pytest
from django.test import Client

from patients.models import AuditEvent
from tests.records.seeding import active_model


def url(patient) -> str:
    return f"/dashboard/patients/{patient.pk}/"


def logged_in(user, **headers) -> Client:
    client = Client(headers=headers)
    client.force_login(user)
    return client


def data_attr(html: str, name: str) -> str:
    match = re.search(rf'data-{name}="([^"]*)"', html)
    assert match, name
    return match.group(1)


def test_anonymous_is_sent_to_login(client, patient):
    response = client.get(url(patient))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/dashboard/patients/{patient.pk}/"
    assert not AuditEvent.objects.filter(resource="patient_dashboard").exists()


def test_nurse_of_another_team_gets_404_and_nothing_leaks(other_nurse, patient):
    response = logged_in(other_nurse).get(url(patient))

    assert response.status_code == 404
    body = response.content.decode()
    assert patient.code not in body
    assert str(patient.pk) not in body
    denied = AuditEvent.objects.get(resource="patient_dashboard")
    assert (denied.action, denied.actor_username, denied.patient_id) == ("denied", "nurse-b", patient.pk)


def test_unknown_patient_is_404(nurse):
    response = logged_in(nurse).get("/dashboard/patients/00000000-0000-0000-0000-000000000000/")

    assert response.status_code == 404


def test_a_patient_account_gets_404_even_for_itself(patient):
    response = logged_in(patient.user).get(url(patient))

    assert response.status_code == 404


def test_each_view_is_in_the_audit_trail(psychiatrist, patient):
    client = logged_in(psychiatrist)

    first = client.get(url(patient))
    second = client.get(url(patient), {"days": "30"})

    assert first.status_code == second.status_code == 200
    rows = list(AuditEvent.objects.filter(resource="patient_dashboard").order_by("id"))
    assert [(r.action, r.actor_username, r.patient_id, r.method) for r in rows] == [
        ("read", "psy-a", patient.pk, "GET"),
        ("read", "psy-a", patient.pk, "GET"),
    ]


def test_page_carries_the_api_urls_range_and_threshold(psychiatrist, patient):
    active_model(threshold=0.27)
    html = logged_in(psychiatrist).get(url(patient)).content.decode()
    today = dt.date.fromisoformat(data_attr(html, "today"))

    assert data_attr(html, "timeline-url") == f"/api/v1/patients/{patient.pk}/timeline/"
    assert data_attr(html, "events-url") == f"/api/v1/patients/{patient.pk}/events/"
    assert data_attr(html, "risk-url") == f"/api/v1/patients/{patient.pk}/risk-scores/"
    assert data_attr(html, "alerts-url") == f"/api/v1/alerts/?patient={patient.pk}&amp;limit=100"
    assert data_attr(html, "start") == (today - dt.timedelta(days=89)).isoformat()
    assert data_attr(html, "end") == today.isoformat()
    assert data_attr(html, "threshold") == "0.27"
    assert f'href="/api/v1/patients/{patient.pk}/export/?format=csv"' in html
    assert f'href="/api/v1/patients/{patient.pk}/export/?format=fhir"' in html
    for chart in ["risk", "mood", "sleep", "sleep-timing", "activity", "mobility", "speech", "phq9", "gad7", "asrm"]:
        assert f'id="chart-{chart}"' in html


def test_team_threshold_overrides_the_model(psychiatrist, patient):
    active_model(threshold=0.27)
    patient.care_team.risk_threshold = 0.4
    patient.care_team.save(update_fields=["risk_threshold"])

    html = logged_in(psychiatrist).get(url(patient)).content.decode()

    assert data_attr(html, "threshold") == "0.4"


@pytest.mark.parametrize(
    ("params", "days", "preset"),
    [
        ({"days": "30"}, 30, "30"),
        # The patient was enrolled 120 days ago: a preset starts no earlier than that.
        ({"days": "365"}, 121, "365"),
        ({"days": "12"}, 90, "90"),
        ({"start": "2026-01-01", "end": "2026-01-31"}, None, "custom"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, 90, "90"),
        ({"start": "2020-01-01", "end": "2026-01-01"}, 90, "90"),
        ({"start": "nope", "end": "2026-01-01"}, 90, "90"),
    ],
)
def test_range_from_the_query(nurse, patient, params, days, preset):
    html = logged_in(nurse).get(url(patient), params).content.decode()
    start, end = data_attr(html, "start"), data_attr(html, "end")

    assert data_attr(html, "preset") == preset
    if days is None:
        assert (start, end) == (params["start"], params["end"])
    else:
        assert (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days == days - 1
        assert end == data_attr(html, "today")


def test_nurses_see_that_explanations_are_for_psychiatrists(nurse, psychiatrist, patient):
    nurse_html = logged_in(nurse).get(url(patient)).content.decode()
    psy_html = logged_in(psychiatrist).get(url(patient)).content.decode()

    # Both explain a day (score, band, threshold); only psychiatrists get its factors.
    assert 'id="explanation-note"' in nurse_html and 'id="explanation-body"' in nurse_html
    assert data_attr(nurse_html, "role") == "nurse"
    assert 'id="explanation-body"' in psy_html and 'id="explanation-note"' not in psy_html
    assert data_attr(psy_html, "role") == "psychiatrist"


def test_markup_is_allowed_by_the_content_security_policy(psychiatrist, patient):
    response = logged_in(psychiatrist).get(url(patient))
    html = response.content.decode()

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts, "the page loads its scripts"
    for attrs in scripts:
        assert 'src="/static/' in attrs or 'type="application/json"' in attrs, attrs
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert 'src="/static/records/vendor/chart.umd.js"' in html
    # The page's ES modules read window.Chart: the classic Chart.js script comes first.
    after_chartjs = html[html.index('src="/static/records/vendor/chart.umd.js"') :]
    assert '<script type="module" src="/static/records/js/patient_charts.js">' in after_chartjs


def test_page_is_in_french_when_the_browser_asks(nurse, patient):
    html = logged_in(nurse, accept_language="fr").get(url(patient)).content.decode()

    assert '<html lang="fr">' in html
    assert "Enregistrer un événement clinique" in html
    assert "Humeur" in html


def test_rule_alert_titles_are_given_to_the_charts_in_the_readers_language(nurse, patient):
    """Rule alerts store an English title; the page hands the charts its translation."""
    import json

    from alerts.rules import TITLE_RISK, TITLE_SAFETY_PHQ9

    for language, expected in (("fr", "Risque de rechute au-dessus du seuil de l’équipe"), ("en", TITLE_RISK)):
        html = logged_in(nurse, accept_language=language).get(url(patient)).content.decode()
        strings = json.loads(re.search(r'id="dashboard-strings"[^>]*>(.*?)</script>', html, re.S).group(1))
        assert strings["alert_titles"][TITLE_RISK] == expected
        assert set(strings["alert_titles"]) >= {TITLE_RISK, TITLE_SAFETY_PHQ9}
