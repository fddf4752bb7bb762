"""Live performance in service: each figure on a fixture with known answers, then the same
read from the database (risk alerts, their outcomes and the clinical events that followed)."""

import datetime as dt
import uuid

import pytest

from alerts import services as alert_services
from alerts.models import AlertKind, AlertSeverity
from ml.models import ModelPerformance
from ml.performance import AlertRow, figures, performance_record
from patients.models import ClinicalEvent
from tests.factories import PatientFactory

DAY = dt.date(2026, 6, 30)


def _fixture():  # type: ignore[no-untyped-def]
    """10 alerts whose horizon has passed, 4 of them followed by an event within 14 days;
    5 judged, 2 useful; 5 events in the period, 4 preceded by an alert (leads 2, 5, 9, 14 days)."""
    p = [uuid.UUID(int=i) for i in range(10)]
    alerts, events = [], []
    start = DAY - dt.timedelta(days=60)
    outcomes = ["useful", "useful", "false_alarm", "already_known", "no_contact", "", "", "", "", ""]
    for i in range(10):
        alerts.append(
            AlertRow(patient=p[i], risk_date=start, horizon=start + dt.timedelta(days=14), outcome=outcomes[i])
        )
    for i, lead in zip(range(3), (2, 5, 9), strict=True):
        events.append((p[i], start + dt.timedelta(days=lead)))  # followed, preceded (lead days)
    events.append((p[3], start + dt.timedelta(days=14)))  # followed on the horizon day; lead 14
    events.append((p[4], start + dt.timedelta(days=15)))  # a day too late: neither
    events.append((p[9], start - dt.timedelta(days=40)))  # before the 90-day period: not counted
    return alerts, events


def test_figures_on_a_fixture_with_known_answers():
    alerts, events = _fixture()
    got = figures(alerts=alerts, events=events, scores=[], patient_days=300, budget=0.8, day=DAY)
    assert got["alerts_matured"] == 10 and got["alerts_followed_by_event"] == 4
    assert got["share_followed_by_event"] == 0.4
    assert got["alerts_judged"] == 5 and got["share_useful"] == 0.4
    assert got["alerts_per_patient_month"] == 1.0 and got["over_budget"] is True
    # Events of the period: leads 2, 5, 9, 14 preceded; the day-15 one not.
    assert got["events"] == 5 and got["events_preceded_by_alert"] == 4
    assert got["sensitivity"] == 0.8
    assert got["median_lead_days"] == 7.0


def test_alerts_not_yet_matured_are_not_judged_on_events():
    alerts, events = _fixture()
    fresh = AlertRow(
        patient=uuid.UUID(int=99), risk_date=DAY - dt.timedelta(days=3), horizon=DAY + dt.timedelta(days=11), outcome=""
    )
    got = figures(alerts=[*alerts, fresh], events=events, scores=[], patient_days=330, budget=1.0, day=DAY)
    assert got["alerts"] == 11 and got["alerts_matured"] == 10 and got["share_followed_by_event"] == 0.4


def test_calibration_bins_count_scores_whose_horizon_passed():
    pid = uuid.UUID(int=1)
    other = uuid.UUID(int=2)
    old = DAY - dt.timedelta(days=30)
    scores = [(pid, old, 0.5), (other, old, 0.45), (pid, old - dt.timedelta(days=1), 0.02), (pid, DAY, 0.9)]
    events = [(pid, old + dt.timedelta(days=3))]
    got = figures(alerts=[], events=events, scores=scores, patient_days=4, budget=1.0, day=DAY)
    cal = got["calibration"]
    assert cal["scores"] == 3  # DAY's score: horizon not passed
    top = cal["bins"][-1]
    assert (top["n"], top["mean_score"], top["observed"]) == (2, 0.475, 0.5)
    low = cal["bins"][0]
    assert (low["n"], low["observed"]) == (1, 1.0)  # the event is within 14 days after that day too


@pytest.mark.django_db
def test_team_performance_from_the_database(team, model_version, nurse):
    start = DAY - dt.timedelta(days=60)
    patients = [PatientFactory(care_team=team, sex="F" if i % 2 else "M") for i in range(10)]
    for i, patient in enumerate(patients):
        alert, _ = alert_services.alert_raise(
            patient=patient,
            kind=AlertKind.RISK,
            severity=AlertSeverity.HIGH,
            title="Relapse risk above the team threshold",
            detail={
                "score": 0.3,
                "band": "high",
                "threshold": 0.2,
                "score_date": start.isoformat(),
                "model_version_id": model_version.pk,
            },  # fmt: skip
            dedupe_key=f"perf:{i}",
        )
        if i < 4:
            ClinicalEvent.objects.create(patient=patient, kind="relapse", date=start + dt.timedelta(days=3 + i))
        if i < 5:
            alert_services.alert_resolve(
                alert=alert, user=nurse, note="done", outcome="useful" if i < 2 else "false_alarm"
            )
    row = performance_record(team=team, model_version=model_version, day=DAY)
    got = row.figures
    assert got["share_followed_by_event"] == 0.4 and got["share_useful"] == 0.4
    assert got["sensitivity"] == 1.0 and got["events"] == 4
    # Subgroups: 5 alerts per sex is enough to say; 2 events per sex is not.
    by_sex = got["subgroups"]["sex"]
    assert by_sex["M"]["share_followed_by_event"] is not None
    assert by_sex["M"]["sensitivity"] is None and "too few" in by_sex["M"]["sensitivity_note"]
    # Idempotent: running it again replaces the row.
    performance_record(team=team, model_version=model_version, day=DAY)
    assert ModelPerformance.objects.count() == 1
