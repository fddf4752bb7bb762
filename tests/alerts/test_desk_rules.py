"""The desk's pure rules: the late flag, the escalation due time, the triage key; and a nightly
risk alert is recorded at the end of its scored day (not late), a backfilled one is late."""

import datetime as dt
import zoneinfo

import pytest

from alerts.rules import alert_late, escalation_due, escalation_due_at, triage_key
from ml.alerting import score_day_end

T0 = dt.datetime(2026, 8, 10, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "received_after, late",
    [(dt.timedelta(0), False), (dt.timedelta(hours=24), False), (dt.timedelta(hours=24, seconds=1), True)],
)
def test_late_is_more_than_24_hours_between_recorded_and_received(received_after, late):
    assert alert_late(recorded_at=T0, received_at=T0 + received_after) is late


def test_late_needs_both_times():
    assert alert_late(recorded_at=None, received_at=T0) is False


def test_escalation_due_at_agrees_with_escalation_due():
    due = escalation_due_at(severity="critical", status="open", escalated=False, created_at=T0, minutes=15)
    assert due == T0 + dt.timedelta(minutes=15)
    args = {"severity": "critical", "status": "open", "escalated": False, "created_at": T0, "minutes": 15}
    assert escalation_due(**args, now=due) and not escalation_due(**args, now=due - dt.timedelta(seconds=1))
    assert escalation_due_at(severity="high", status="open", escalated=False, created_at=T0, minutes=15) is None
    assert (
        escalation_due_at(severity="critical", status="acknowledged", escalated=False, created_at=T0, minutes=15)
        is None
    )
    assert escalation_due_at(severity="critical", status="open", escalated=True, created_at=T0, minutes=15) is None


def test_triage_key_orders_the_desk():
    later = T0 + dt.timedelta(hours=1)
    alerts = {
        "critical-old": triage_key(severity="critical", status="open", created_at=T0),
        "critical-new": triage_key(severity="critical", status="open", created_at=later),
        "critical-acked": triage_key(severity="critical", status="acknowledged", created_at=later),
        "high-old": triage_key(severity="high", status="open", created_at=T0),
        "high-new": triage_key(severity="high", status="open", created_at=later),
        "low": triage_key(severity="low", status="open", created_at=T0 - dt.timedelta(days=1)),
    }
    assert sorted(alerts, key=alerts.__getitem__) == [
        "critical-new",
        "critical-old",
        "critical-acked",
        "high-old",
        "high-new",
        "low",
    ]


def test_a_nightly_risk_alert_is_recorded_at_the_end_of_its_day():
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    end = score_day_end(dt.date(2026, 8, 10), paris)
    assert end == dt.datetime(2026, 8, 11, 0, 0, tzinfo=paris)
    nightly = dt.datetime(2026, 8, 11, 2, 30, tzinfo=paris)
    assert alert_late(recorded_at=end, received_at=nightly) is False
    assert alert_late(recorded_at=end, received_at=nightly + dt.timedelta(days=5)) is True
