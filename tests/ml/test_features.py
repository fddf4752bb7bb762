"""Features: nothing after the scored day leaks in; missing data stays missing."""

import numpy as np
import pandas as pd

from ml.features import FEATURES, build_features, time_to_hours
from tests.ml.helpers import cohort


def test_features_of_a_day_do_not_change_when_later_data_exists():
    _lines, _latent, summaries, pats, _events = cohort()
    full = build_features(summaries, patients=pats)
    cut = pd.Timestamp("2026-05-01")
    targets = full.loc[full["date"] <= cut, ["patient", "date"]]
    truncated = build_features(summaries[summaries["date"] <= cut], patients=pats, targets=targets)
    # Also perturb everything after the cut wildly: day-d features must not see it.
    perturbed = summaries.copy()
    later = perturbed["date"] > cut
    for col in ("mood", "sleep_hours", "steps", "phq9", "checkins", "passive_records"):
        perturbed.loc[later, col] = perturbed.loc[later, col] * 3 + 1
    changed = build_features(perturbed, patients=pats, targets=targets)
    key = ["patient", "date"]
    a = full[full["date"] <= cut].sort_values(key).reset_index(drop=True)
    b = truncated.sort_values(key).reset_index(drop=True)
    c = changed[changed["date"] <= cut].sort_values(key).reset_index(drop=True)
    assert len(a) == len(b) > 1000
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, c, check_exact=True)


def test_a_patient_who_stops_logging_shows_it_and_nothing_becomes_zero():
    days = pd.date_range("2026-01-01", periods=60, freq="D")
    frame = pd.DataFrame(
        {"patient": "p", "date": days, "checkins": 1, "mood": 1.0, "passive_records": 3, "steps": 5000}
    )
    frame.loc[50:, ["mood"]] = np.nan
    frame.loc[50:, "checkins"] = 0
    feats = build_features(frame)
    last = feats.iloc[-1]
    assert last["days_since_checkin"] == 10
    assert last["checkin_vs_base"] < -6
    assert np.isnan(last["mood__z7"])  # no mood in the last 7 days: missing, not 0
    assert last["mood__miss7"] == 1.0
    assert list(feats.columns[2 : 2 + len(FEATURES)]) != []


def test_scoring_a_day_without_any_summary_uses_only_earlier_data():
    days = pd.date_range("2026-01-01", periods=30, freq="D")
    frame = pd.DataFrame({"patient": "p", "date": days, "checkins": 1, "mood": 0.0, "passive_records": 2})
    targets = pd.DataFrame({"patient": ["p"], "date": [pd.Timestamp("2026-02-05")]})
    feats = build_features(frame, targets=targets)
    assert feats.iloc[0]["days_since_checkin"] == 6
    assert feats.iloc[0]["days_since_passive"] == 6


def test_time_parsing_accepts_strings_time_objects_and_missing():
    import datetime as dt

    parsed = time_to_hours(pd.Series(["23:30", dt.time(7, 15), None, "06:00:00"], dtype=object))
    assert parsed.iloc[0] == 23.5 and parsed.iloc[1] == 7.25 and np.isnan(parsed.iloc[2]) and parsed.iloc[3] == 6.0
