"""What the README says of the demo's story patient, checked against the data `demo_setup`
makes (seed 7, 60 patients, 180 days, the trained model, its scores and alerts): its warning
signs precede its relapse, and a risk alert is raised before it.

Slow (the whole demo: about 7 minutes, most of it training the model), but it is the only way
to check a claim about the model's scores and the alert rule on the demo's own data."""

import datetime as dt
from pathlib import Path
from statistics import mean

import pytest
from django.core.management import call_command

from alerts.models import Alert
from demo.management.commands.demo_setup import STORY_PATIENT
from ml.models import ModelVersion, RiskScore
from monitoring.models import DailySummary
from patients.models import ClinicalEvent

README = Path(__file__).resolve().parents[2] / "README.md"


def _values(patient, field: str, first: dt.date, last: dt.date) -> list[float]:
    rows = DailySummary.objects.filter(patient=patient, date__range=(first, last)).values_list(field, flat=True)
    return [v for v in rows if v is not None]


@pytest.mark.slow
@pytest.mark.timeout(1800)
@pytest.mark.django_db(transaction=True)
def test_the_readme_story_patient_shows_signs_and_an_alert_before_its_relapse():
    call_command("demo_setup")
    check_story()


def check_story() -> None:
    """The README's claims, against the database as demo_setup left it."""
    readme = README.read_text(encoding="utf-8")
    relapse = ClinicalEvent.objects.select_related("patient").get(
        patient__code=STORY_PATIENT, kind="relapse", date__gte=dt.date.today() - dt.timedelta(days=60)
    )
    patient, day = relapse.patient, relapse.date
    # The cohort's last day: the last one scored (demo_alerts adds a PHQ-9 today, after it).
    last = RiskScore.objects.filter(patient__care_team=patient.care_team).order_by("-date").first().date
    usual = (day - dt.timedelta(days=40), day - dt.timedelta(days=11))
    before = (day - dt.timedelta(days=10), day - dt.timedelta(days=1))

    short_nights = [h for h in _values(patient, "sleep_hours", *before) if h < 6.2]
    usual_sleep = mean(_values(patient, "sleep_hours", *usual))
    mood_before = mean(_values(patient, "mood", day - dt.timedelta(days=9), day - dt.timedelta(days=1)))
    mood_usual = mean(_values(patient, "mood", *usual))
    phq9 = [
        v
        for v in DailySummary.objects.filter(patient=patient, date__lt=day, phq9__isnull=False)
        .order_by("date")
        .values_list("phq9", flat=True)
    ]
    scores = dict(RiskScore.objects.filter(patient=patient).values_list("date", "score"))
    early = [s for d, s in scores.items() if usual[0] <= d <= day - dt.timedelta(days=15)]
    late = [s for d, s in scores.items() if day - dt.timedelta(days=14) <= d < day]
    alerts = [
        dt.date.fromisoformat(a["score_date"])
        for a in Alert.objects.filter(patient=patient, kind="risk").values_list("detail", flat=True)
    ]

    assert STORY_PATIENT in readme and "11 days" in readme
    assert (last - day).days == 11
    # Sleep shortens to 4-6 h on several nights (usually about 7.5 h). The generator follows the
    # calendar (weekends), so the figures may move a little with the day the demo is set up:
    # the README's words, not its decimals, are checked.
    assert len(short_nights) >= 3 and min(short_nights) < 5.0
    assert 7.0 <= usual_sleep <= 8.0
    # Mood falls, PHQ-9 rises.
    assert mood_before < mood_usual - 0.5
    assert phq9[-1] > phq9[-2]
    # Risk about doubles (from about 3% to about 6%).
    assert max(late) >= 1.5 * mean(early)
    # A risk alert on a score of the two weeks before the relapse.
    assert any(day - dt.timedelta(days=14) <= a < day for a in alerts)
    # "about a dozen risk alerts for 60 patients" (one alert per patient-month of budget).
    assert "about a dozen risk alerts" in readme
    assert 8 <= Alert.objects.filter(kind="risk").count() <= 16
    # "trained on only 60 synthetic patients and is close to chance on its 15 held-out patients"
    assert "close to chance on its 15 held-out patients" in " ".join(readme.split())
    metrics = ModelVersion.objects.get(is_active=True).metrics
    assert metrics["train_patients"] + metrics["test_patients"] == 60 and metrics["test_patients"] == 15
    assert metrics["scorers"]["model"]["overall"]["auroc"]["value"] < 0.65
    check_desk_context()


def check_desk_context() -> None:
    """The README: every patient has a phone (fiction range 01 99 00) and a key worker, the team
    its phone and hours, and the patients with an open alert a crisis plan."""
    from patients.models import CareTeam, CrisisPlan, Patient

    readme = README.read_text(encoding="utf-8")
    assert "01 99 00 xx xx" in readme
    team = CareTeam.objects.get(name="demo")
    assert team.phone and team.out_of_hours_phone and team.opens_at and team.closes_at
    active = Patient.objects.filter(care_team=team, status="active")
    assert active.exists()
    assert not active.filter(phone="").exists()
    assert all(p.startswith("+3319900") for p in active.values_list("phone", flat=True))
    assert not active.filter(key_worker__isnull=True).exists()
    open_alert_patients = active.filter(alerts__status="open").distinct()
    planned = set(CrisisPlan.objects.values_list("patient_id", flat=True))
    assert open_alert_patients.exists()
    assert any(p.pk in planned for p in open_alert_patients)
