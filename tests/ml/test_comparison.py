"""The side by side's figures on a fixture with known answers: the alerts a model would have
raised (threshold crossings) and the relapses or hospitalisations it would have caught (a day
at or above the threshold in the 14 days before the event)."""

import numpy as np
import pandas as pd

from ml.comparison import _summary, alert_onsets, events_caught

DAY0 = pd.Timestamp("2026-05-01")


def _day(n: int) -> pd.Timestamp:
    return DAY0 + pd.Timedelta(days=n - 1)


def _fixture() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame]:
    """Three patients scored on days 1-10 (30 patient-days). A is above the threshold on days
    3-5 and 8 (two crossings), B on day 1 (its first scored day: one), C never. Events: A on day
    9 (caught by day 8), B on day 11 (caught by day 1, 10 days before), C on day 6 (not
    caught), A on day 1 (no scored day before it: not in view), A on day 12 (its eve, day 11,
    was not scored: not in view)."""
    above = {"A": {3, 4, 5, 8}, "B": {1}, "C": set()}
    rows = [(p, _day(d)) for p in "ABC" for d in range(1, 11)]
    frame = pd.DataFrame(rows, columns=["patient", "date"])
    scores = np.array([0.6 if d.day - DAY0.day + 1 in above[p] else 0.1 for p, d in rows])
    events = pd.DataFrame(
        [("A", _day(9)), ("B", _day(11)), ("C", _day(6)), ("A", _day(1)), ("A", _day(12))],
        columns=["patient", "date"],
    )
    return frame, scores, events


def test_alerts_are_threshold_crossings_per_patient():
    frame, scores, _events = _fixture()
    assert alert_onsets(frame, scores >= 0.5) == 3
    # The order of the rows does not matter.
    shuffled = np.random.default_rng(0).permutation(len(frame))
    assert alert_onsets(frame.iloc[shuffled].reset_index(drop=True), (scores >= 0.5)[shuffled]) == 3


def test_events_caught_within_14_days_before():
    frame, scores, events = _fixture()
    assert events_caught(frame, scores >= 0.5, events) == (2, 3)


def test_summary_on_the_fixture():
    frame, scores, events = _fixture()
    got = _summary(frame, scores, 0.5, events)
    assert got == {
        "patient_days": 30,
        "alerts": 3,
        "alerts_per_patient_month": 3.0,
        "events": 3,
        "events_caught": 2,
        "sensitivity": 0.667,
    }
    # A higher threshold raises nothing and catches nothing.
    assert _summary(frame, scores, 0.7, events)["alerts"] == 0
    assert _summary(frame, scores, 0.7, events)["events_caught"] == 0
