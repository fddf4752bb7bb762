"""The pure alert rules, on plain values."""

import datetime as dt

import pytest

from alerts import rules
from alerts.rules import PriorRiskAlert

D = dt.date(2026, 3, 10)


def decide(score=0.8, band="high", day=D, threshold=0.5, paused=False, prior=()):
    return rules.risk_alert_decision(
        score=score, band=band, score_date=day, threshold=threshold, paused=paused, prior=list(prior)
    )


def test_risk_raises_at_or_above_threshold_only():
    assert decide(score=0.5, threshold=0.5).raise_alert is True
    assert decide(score=0.4999, threshold=0.5).reason == "below_threshold"


def test_team_threshold_wins_over_the_models():
    assert rules.risk_threshold(team_threshold=0.7, score_threshold=0.4) == 0.7
    assert rules.risk_threshold(team_threshold=None, score_threshold=0.4) == 0.4


def test_paused_team_raises_no_risk_alert():
    assert decide(paused=True).reason == "paused"


def test_no_new_alert_while_one_is_unresolved_even_weeks_later():
    prior = [PriorRiskAlert(score_date=D - dt.timedelta(days=30), band="high", unresolved=True)]
    assert decide(prior=prior) == rules.RiskDecision(False, "alert_unresolved")


def test_unresolved_alert_yields_to_a_worse_band():
    prior = [PriorRiskAlert(score_date=D - dt.timedelta(days=1), band="medium", unresolved=True)]
    decision = decide(band="high", prior=prior)
    assert decision.raise_alert is True and decision.worse is True


def test_quiet_period_of_seven_days_after_the_last_alert():
    six = [PriorRiskAlert(score_date=D - dt.timedelta(days=6), band="high", unresolved=False)]
    seven = [PriorRiskAlert(score_date=D - dt.timedelta(days=7), band="high", unresolved=False)]
    assert decide(prior=six).reason == "quiet_period"
    assert decide(prior=seven) == rules.RiskDecision(True, "threshold")


def test_quiet_period_yields_to_a_worse_band_only():
    prior = [PriorRiskAlert(score_date=D - dt.timedelta(days=2), band="medium", unresolved=False)]
    assert decide(band="medium", prior=prior).raise_alert is False
    assert decide(band="high", prior=prior).raise_alert is True


def test_scores_evaluated_out_of_order_respect_the_quiet_period():
    later = [PriorRiskAlert(score_date=D + dt.timedelta(days=3), band="high", unresolved=False)]
    assert decide(prior=later).reason == "quiet_period"


@pytest.mark.parametrize(
    "last, today, expected",
    [
        (dt.date(2026, 3, 6), dt.date(2026, 3, 9), None),  # 7 and 8 empty: 2 complete days
        (dt.date(2026, 3, 6), dt.date(2026, 3, 10), dt.date(2026, 3, 7)),  # 7, 8, 9 empty
        (dt.date(2026, 3, 6), dt.date(2026, 3, 20), dt.date(2026, 3, 7)),  # same gap, same key
        (None, dt.date(2026, 3, 3), None),  # enrolled on the 1st: 2 days
        (None, dt.date(2026, 3, 4), dt.date(2026, 3, 1)),
        (dt.date(2026, 2, 1), dt.date(2026, 3, 2), None),  # data before enrolment doesn't count
    ],
)
def test_adherence_gap_counts_complete_local_days_since_the_last_data(last, today, expected):
    start = rules.adherence_gap_start(last_data_day=last, enrolled_on=dt.date(2026, 3, 1), today=today, gap_days=3)
    assert start == expected


def test_one_adherence_key_per_gap():
    assert rules.adherence_dedupe_key("p", dt.date(2026, 3, 7)) == "adherence:p:2026-03-07"


def test_safety_rule_is_item9_above_zero():
    assert [rules.safety_alert_needed(item9=v) for v in (None, 0, 1, 3)] == [False, False, True, True]


def test_escalation_due_only_for_unacknowledged_critical_after_the_delay():
    t0 = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
    args = {"severity": "critical", "status": "open", "escalated": False, "created_at": t0, "minutes": 15}
    assert rules.escalation_due(**args, now=t0 + dt.timedelta(minutes=14, seconds=59)) is False
    assert rules.escalation_due(**args, now=t0 + dt.timedelta(minutes=15)) is True
    assert rules.escalation_due(**{**args, "status": "acknowledged"}, now=t0 + dt.timedelta(hours=1)) is False
    assert rules.escalation_due(**{**args, "severity": "high"}, now=t0 + dt.timedelta(hours=1)) is False
    assert rules.escalation_due(**{**args, "escalated": True}, now=t0 + dt.timedelta(hours=1)) is False
