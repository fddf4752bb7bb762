"""The dashboard page (server side) and the management commands."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from alerts.models import Alert, AlertEvent
from patients.models import AuditEvent
from tests.alerts.conftest import raise_manual, raise_safety
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def page_data(response, element_id):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


def logged_in(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_dashboard_requires_a_signed_in_clinician(patient):
    assert Client().get("/dashboard/").status_code == 302
    assert logged_in(patient.user).get("/dashboard/").status_code == 403
    admin = UserFactory(username="root", role="admin", is_staff=True)
    assert logged_in(admin).get("/dashboard/").status_code == 403


def test_dashboard_lists_own_teams_alerts_in_triage_order(nurse, patient, other_patient):
    low = raise_manual(patient, nurse, severity="low")
    first_critical = raise_safety(patient)
    second_critical = raise_safety(patient)
    raise_safety(other_patient)

    response = logged_in(nurse).get("/dashboard/")

    assert response.status_code == 200
    alerts = page_data(response, "alerts-data")
    # Unacknowledged critical alerts first, the newest on top; then the others.
    assert [a["id"] for a in alerts] == [str(second_critical.pk), str(first_critical.pk), str(low.pk)]
    html = response.content.decode()
    assert "PB1" not in html
    assert f'data-last-seq="{AlertEvent.objects.order_by("-seq").first().seq}"' in html
    assert 'href="/dashboard/patients/"' in html and 'href="/dashboard/"' in html
    assert "<script>" not in html and "style=" not in html  # CSP: static files only
    assert AuditEvent.objects.filter(resource="alert_dashboard", actor_id=nurse.pk).exists()


def test_dashboard_filters(nurse, patient):
    from alerts import services

    safety = raise_safety(patient)
    manual = raise_manual(patient, nurse)
    services.alert_resolve(alert=manual, user=nurse, note="done")
    client = logged_in(nurse)

    assert [a["id"] for a in page_data(client.get("/dashboard/"), "alerts-data")] == [str(safety.pk)]
    resolved = page_data(client.get("/dashboard/?status=resolved"), "alerts-data")
    assert [a["id"] for a in resolved] == [str(manual.pk)]
    assert page_data(client.get("/dashboard/?status=all&kind=manual"), "alerts-data")[0]["id"] == str(manual.pk)
    assert page_data(client.get("/dashboard/?status=bogus&kind=bogus"), "alerts-data")[0]["id"] == str(safety.pk)


def test_dashboard_in_french(nurse, patient):
    raise_safety(patient)
    response = logged_in(nurse, "fr").get("/dashboard/")
    html = response.content.decode()
    strings = page_data(response, "alerts-strings")
    assert '<html lang="fr">' in html and "Appliquer les filtres" in html
    assert strings["ui"]["acknowledge"] == "Prendre en compte"
    assert strings["titles"]["PHQ-9 item 9: thoughts of death or self-harm"].startswith("PHQ-9 item 9 : idées de mort")


def test_commands_are_idempotent(nurse, patient, team):
    from django.utils import timezone

    raise_safety(patient)
    Alert.objects.update(created_at=timezone.now() - timezone.timedelta(minutes=20))
    out = StringIO()
    call_command("check_escalations", stdout=out)
    call_command("check_escalations", stdout=out)
    assert out.getvalue().splitlines() == ["escalated 1 alert(s)", "escalated 0 alert(s)"]

    out = StringIO()
    call_command("check_adherence", stdout=out)
    call_command("check_adherence", stdout=out)
    assert out.getvalue().splitlines() == ["raised 1 adherence alert(s)", "raised 0 adherence alert(s)"]


def test_demo_alerts_and_demo_safety_alert(team, patient, nurse):
    from patients.models import User

    team.name = "demo"
    team.save()
    User.objects.filter(pk=nurse.pk).update(username="nurse")
    call_command("demo_alerts", stdout=StringIO())
    call_command("demo_alerts", stdout=StringIO())
    assert Alert.objects.filter(kind="safety").count() == 1  # same day: nothing new

    call_command("demo_safety_alert", "--direct", "--patient", "PA1", stdout=StringIO())
    assert Alert.objects.filter(kind="safety", patient=patient).count() == 2


def test_demo_safety_alert_posts_through_the_running_servers_api(live_asgi_server, patient):
    from tests.factories import DEFAULT_PASSWORD

    out = StringIO()
    call_command(
        "demo_safety_alert", "--url", live_asgi_server, "--patient", "PA1", "--password", DEFAULT_PASSWORD, stdout=out
    )
    assert out.getvalue().strip() == "PHQ-9 with item 9 = 2 stored for patient PA1."
    alert = Alert.objects.get(kind="safety", patient=patient)
    assert alert.detail["item9"] == 2
