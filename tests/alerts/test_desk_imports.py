"""History raises no live alert unless asked: `import_cohort` without and with `--raise-alerts`;
an imported old PHQ-9 alert reads as late, with when it was answered and when it arrived."""

import datetime as dt
import io
import json
import uuid
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts.models import Alert
from monitoring.models import QuestionnaireResponse
from tests.conftest import auth_client
from tests.factories import ClinicianFactory

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def cohort_file(tmp_path, answered: dt.datetime):  # type: ignore[no-untyped-def]
    enrolled = (answered - dt.timedelta(days=30)).date()
    lines = [
        {
            "type": "patient",
            "code": "HIST1",
            "care_team": "history",
            "timezone": "Europe/Paris",
            "birth_year": 1980,
            "sex": "F",
            "diagnosis": "F33",
            "enrolled_on": enrolled.isoformat(),
        },
        {
            "type": "consent",
            "patient": "HIST1",
            "version": "1",
            "scopes": ["self_report"],
            "at": dt.datetime.combine(enrolled, dt.time(9), tzinfo=PARIS).isoformat(),
        },
        {
            "type": "questionnaire",
            "patient": "HIST1",
            "id": str(uuid.uuid4()),
            "instrument": "PHQ-9",
            "answers": [2, 2, 1, 1, 1, 1, 1, 0, 1],
            "completed_at": answered.isoformat(),
        },
    ]
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def run(path, *flags: str) -> str:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("import_cohort", str(path), *flags, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_importing_history_raises_no_alert(tmp_path):
    answered = timezone.now().astimezone(PARIS) - dt.timedelta(days=114)
    run(cohort_file(tmp_path, answered))
    stored = QuestionnaireResponse.objects.get(patient__code="HIST1")
    assert "safety_alert" in stored.flags  # the answer is kept and flagged
    assert not Alert.objects.exists()


def test_raise_alerts_raises_them_marked_late_with_their_age(tmp_path):
    answered = (timezone.now() - dt.timedelta(days=114)).astimezone(PARIS).replace(microsecond=0)
    path = cohort_file(tmp_path, answered)
    run(path, "--raise-alerts")
    run(path, "--raise-alerts")  # safe to run twice: one alert

    alert = Alert.objects.get(patient__code="HIST1")
    assert (alert.kind, alert.severity, alert.status) == ("safety", "critical", "open")
    nurse = ClinicianFactory(role="nurse", teams=[alert.patient.care_team])
    shown = auth_client(nurse).get(f"/api/v1/alerts/{alert.pk}/").data
    assert shown["late"] is True
    assert dt.datetime.fromisoformat(shown["recorded_at"]) == answered
    assert timezone.now() - dt.datetime.fromisoformat(shown["received_at"]) < dt.timedelta(minutes=5)
