"""The direction of the patient's own previous episode (ml.features.EPISODE_FEATURES, behind
build_features(episodes=True)): a day's row reads neither later summaries nor later events,
and it shows whether the current 14-day pattern follows the one before the last episode."""

import numpy as np
import pandas as pd
import pytest

from ml.features import EPISODE_FEATURES, EPISODE_HISTORY, build_features, episode_starts
from tests.ml.helpers import cohort

COLUMNS = [*EPISODE_FEATURES, *EPISODE_HISTORY]


def test_a_day_s_row_never_changes_with_later_data_or_later_events():
    _lines, _latent, summaries, pats, events = cohort()
    full = build_features(summaries, patients=pats, episodes=True, events=events)
    cut = pd.Timestamp("2026-05-15")
    targets = full.loc[full["date"] <= cut, ["patient", "date"]]
    ev_dates = pd.to_datetime(events["date"])
    # Later summaries removed, later events removed (and an event dated on the cut itself:
    # not known on that day either, so it may go).
    truncated = build_features(
        summaries[pd.to_datetime(summaries["date"]) <= cut],
        patients=pats,
        targets=targets,
        episodes=True,
        events=events[ev_dates < cut],
    )
    # Later summaries changed, and an extra relapse for every patient on the day after the cut.
    perturbed = summaries.copy()
    later = pd.to_datetime(perturbed["date"]) > cut
    for col in ("mood", "energy", "sleep_hours", "steps", "time_at_home_min", "screen_minutes"):
        perturbed.loc[later, col] = perturbed.loc[later, col] * 3 + 1
    extra = pd.DataFrame({"patient": pats["patient"], "kind": "relapse", "date": (cut + pd.Timedelta(days=1)).date()})
    changed = build_features(
        perturbed, patients=pats, targets=targets, episodes=True, events=pd.concat([events, extra], ignore_index=True)
    )
    key = ["patient", "date"]
    a = full.loc[full["date"] <= cut, [*key, *COLUMNS]].sort_values(key).reset_index(drop=True)
    b = truncated[[*key, *COLUMNS]].sort_values(key).reset_index(drop=True)
    c = changed[[*key, *COLUMNS]].sort_values(key).reset_index(drop=True)
    assert len(a) == len(b) > 1000
    assert a["episode__similarity"].notna().sum() > 200  # days after an earlier episode exist
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, c, check_exact=True)
    # And the extra relapse does reach the rows after it.
    after = build_features(
        perturbed, patients=pats, episodes=True, events=pd.concat([events, extra], ignore_index=True)
    )
    late = after["date"] > cut + pd.Timedelta(days=2)
    assert (
        after.loc[late, "episode__similarity"].notna().mean()
        > full.loc[full["date"] > cut + pd.Timedelta(days=2), "episode__similarity"].notna().mean()
    )


def test_the_first_event_of_an_episode_starts_it():
    events = pd.DataFrame(
        {
            "patient": ["a", "a", "a", "b"],
            "kind": ["relapse", "hospitalisation", "relapse", "relapse"],
            "date": ["2026-03-01", "2026-03-04", "2026-06-01", "2026-04-10"],
        }
    )
    starts = episode_starts(events)
    assert [(p, d.date().isoformat()) for p, d in zip(starts["patient"], starts["date"], strict=True)] == [
        ("a", "2026-03-01"),
        ("a", "2026-06-01"),
        ("b", "2026-04-10"),
    ]


def _patient_with_episode(direction_now: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """150 quiet days; before a relapse on day 100, mood, energy and steps fall and time at
    home rises for 14 days; on the last 14 days the same channels move by `direction_now`
    times that pattern."""
    rng = np.random.default_rng(5)
    n = 200
    frame = pd.DataFrame(
        {
            "patient": "p",
            "date": pd.date_range("2026-01-01", periods=n, freq="D"),
            "checkins": 1,
            "passive_records": 4,
            "mood": rng.normal(0.0, 1.0, n),
            "energy": rng.normal(5.0, 1.0, n),
            "steps": np.exp(rng.normal(8.5, 0.3, n)),
            "time_at_home_min": rng.normal(700, 60, n),
        }
    )
    pattern = {"mood": -1.5, "energy": -1.5, "steps": None, "time_at_home_min": 90.0}
    for days, scale in ((range(86, 100), 1.0), (range(n - 14, n), direction_now)):
        rows = frame.index.isin(list(days))
        for col, shift in pattern.items():
            if col == "steps":
                frame.loc[rows, col] = frame.loc[rows, col] * np.exp(-0.5 * scale)
            else:
                frame.loc[rows, col] = frame.loc[rows, col] + scale * shift
    events = pd.DataFrame({"patient": ["p"], "kind": ["relapse"], "date": [frame["date"][100].date()]})
    return frame, events


@pytest.mark.parametrize("direction", [1.0, -1.0])
def test_the_current_pattern_is_compared_with_the_one_before_the_last_episode(direction):
    frame, events = _patient_with_episode(direction)
    rows = build_features(frame, episodes=True, events=events)
    last = rows.iloc[-1]
    if direction > 0:
        assert last["episode__similarity"] > 0.7 and last["episode__projection"] > 1.0
    else:
        assert last["episode__similarity"] < -0.7 and last["episode__projection"] < -1.0
    # Before the episode (nothing to follow yet) and on its own day: missing.
    assert rows.loc[rows["date"] <= frame["date"][100], EPISODE_FEATURES].isna().all().all()
    assert (rows.loc[rows["date"] <= frame["date"][100], "episode__before"] == 0).all()
    assert (rows.loc[rows["date"] > frame["date"][100], "episode__before"] == 1).all()
    # Without the flag the columns are not computed at all.
    assert "episode__similarity" not in build_features(frame, events=events).columns
