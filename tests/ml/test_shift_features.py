"""Features of small persistent shifts (EWMA, CUSUM, agreement across channels): nothing after
the scored day leaks in, scoring's 90-day window gives the values training computes on the
whole history, and a small shift that lasts shows where single days do not."""

import numpy as np
import pandas as pd

from ml.features import COMPOSITES, LOOKBACK_DAYS, SHIFT_CHANNELS, SHIFT_FEATURES, build_features
from tests.ml.helpers import cohort


def test_shift_features_of_a_day_do_not_change_when_later_data_exists():
    _lines, _latent, summaries, pats, _events = cohort()
    full = build_features(summaries, patients=pats, shift=True)
    cut = pd.Timestamp("2026-05-01")
    targets = full.loc[full["date"] <= cut, ["patient", "date"]]
    truncated = build_features(summaries[summaries["date"] <= cut], patients=pats, targets=targets, shift=True)
    perturbed = summaries.copy()
    later = perturbed["date"] > cut
    for col in ("mood", "sleep_hours", "steps", "time_at_home_min", "screen_minutes", "checkins", "passive_records"):
        perturbed.loc[later, col] = perturbed.loc[later, col] * 3 + 1
    changed = build_features(perturbed, patients=pats, targets=targets, shift=True)
    key = ["patient", "date"]
    a = full.loc[full["date"] <= cut, [*key, *SHIFT_FEATURES]].sort_values(key).reset_index(drop=True)
    b = truncated[[*key, *SHIFT_FEATURES]].sort_values(key).reset_index(drop=True)
    c = changed.loc[changed["date"] <= cut, [*key, *SHIFT_FEATURES]].sort_values(key).reset_index(drop=True)
    assert len(a) == len(b) > 1000
    assert a[SHIFT_FEATURES].notna().mean().mean() > 0.5  # mostly computed, not all missing
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, c, check_exact=True)


def test_scoring_window_gives_the_training_values():
    """Scoring reads the LOOKBACK_DAYS days up to the scored day: the shift features of that day
    are the same as on the whole history (the deviations are taken against the day's own
    baseline, d-80 .. d-21, inside that window). Equal to rounding: the baselines come from
    prefix sums started on another day, as for every other feature."""
    _lines, _latent, summaries, pats, _events = cohort()
    full = build_features(summaries, patients=pats, shift=True)
    day = pd.Timestamp("2026-06-20")
    window = summaries[(summaries["date"] > day - pd.Timedelta(days=LOOKBACK_DAYS)) & (summaries["date"] <= day)]
    targets = pd.DataFrame({"patient": pats["patient"], "date": day})
    scored = build_features(window, patients=pats, targets=targets, shift=True).set_index("patient")
    trained = full[full["date"] == day].set_index("patient").loc[scored.index]
    assert len(trained) == len(pats)
    assert trained[SHIFT_FEATURES].notna().mean().mean() > 0.5
    pd.testing.assert_frame_equal(trained[SHIFT_FEATURES], scored[SHIFT_FEATURES], rtol=1e-9, atol=1e-9)


def test_a_small_persistent_drop_shows_in_ewma_cusum_and_agreement():
    rng = np.random.default_rng(4)
    days = pd.date_range("2026-01-01", periods=120, freq="D")
    frame = pd.DataFrame(
        {
            "patient": "p",
            "date": days,
            "checkins": 1,
            "passive_records": 4,
            "mood": np.round(rng.normal(0.0, 1.0, len(days))),
            "energy": np.round(rng.normal(5.0, 1.0, len(days))),
            "steps": np.exp(rng.normal(8.5, 0.3, len(days))),
            "distance_km": np.exp(rng.normal(1.5, 0.4, len(days))),
        }
    )
    quiet = build_features(frame, shift=True).iloc[-1]
    # The last two weeks: each signal 0.7 SD lower, a drop hidden in any single day's noise.
    last = frame.index >= len(days) - 14
    frame.loc[last, "mood"] -= 0.7
    frame.loc[last, "energy"] -= 0.7
    frame.loc[last, "steps"] *= np.exp(-0.7 * 0.3)
    frame.loc[last, "distance_km"] *= np.exp(-0.7 * 0.4)
    shifted = build_features(frame, shift=True).iloc[-1]
    for ch in ("mood", "energy", "steps", "distance"):
        assert shifted[f"{ch}__ewma"] < quiet[f"{ch}__ewma"] - 0.3, ch
        assert shifted[f"{ch}__cusum"] < quiet[f"{ch}__cusum"] - 2, ch
    assert shifted["depressive_signs__agree"] > quiet["depressive_signs__agree"]
    assert np.isnan(shifted["speech_rate__ewma"])  # never recorded: missing, not 0
    assert set(SHIFT_FEATURES) == {f"{c}__{s}" for c in SHIFT_CHANNELS for s in ("ewma", "cusum")} | {
        f"{n}__agree" for n in COMPOSITES
    }
