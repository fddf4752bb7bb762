"""Issue 20's further feature families (multivariate anomaly, variability and autocorrelation,
missingness patterns): each reads nothing after the scored day, scoring's 90-day window gives
the values training computes on the whole history, and each shows the change it is built for."""

import numpy as np
import pandas as pd
import pytest
from sklearn.covariance import OAS

from ml.features import (
    ANOMALY_FEATURES,
    FAMILIES,
    LOOKBACK_DAYS,
    MISSINGNESS_FEATURES,
    VARIABILITY_FEATURES,
    build_features,
    oas_covariance,
)
from tests.ml.helpers import cohort

NEW = ("anomaly", "variability", "missingness")


@pytest.mark.parametrize("family", NEW)
def test_a_day_s_row_never_changes_with_later_data(family):
    """Changing or removing every day after t never changes day t's row (bit-identical)."""
    _lines, _latent, summaries, pats, _events = cohort()
    flag = {family: True}
    names = FAMILIES[family]
    full = build_features(summaries, patients=pats, **flag)
    cut = pd.Timestamp("2026-05-01")
    targets = full.loc[full["date"] <= cut, ["patient", "date"]]
    truncated = build_features(summaries[summaries["date"] <= cut], patients=pats, targets=targets, **flag)
    perturbed = summaries.copy()
    later = perturbed["date"] > cut
    for col in ("mood", "energy", "sleep_hours", "steps", "time_at_home_min", "screen_minutes"):
        perturbed.loc[later, col] = perturbed.loc[later, col] * 3 + 1
    perturbed.loc[later, "checkins"] = 0  # every later day now "missing"
    perturbed.loc[later, "passive_records"] = 0
    changed = build_features(perturbed, patients=pats, targets=targets, **flag)
    key = ["patient", "date"]
    a = full.loc[full["date"] <= cut, [*key, *names]].sort_values(key).reset_index(drop=True)
    b = truncated[[*key, *names]].sort_values(key).reset_index(drop=True)
    c = changed.loc[changed["date"] <= cut, [*key, *names]].sort_values(key).reset_index(drop=True)
    assert len(a) == len(b) > 1000
    assert a[names].notna().mean().mean() > 0.4  # mostly computed, not all missing
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, c, check_exact=True)
    # And the later days did change (the perturbation reached the features).
    changed_all = build_features(perturbed, patients=pats, **flag)
    after = (full["date"] > cut + pd.Timedelta(days=20)).to_numpy()
    assert not np.allclose(
        full.loc[after, names].to_numpy(dtype=float),
        changed_all.loc[after, names].to_numpy(dtype=float),
        equal_nan=True,
    )


@pytest.mark.parametrize("family", NEW)
def test_scoring_window_gives_the_training_values(family):
    _lines, _latent, summaries, pats, _events = cohort()
    names = FAMILIES[family]
    full = build_features(summaries, patients=pats, **{family: True})
    day = pd.Timestamp("2026-06-20")
    window = summaries[(summaries["date"] > day - pd.Timedelta(days=LOOKBACK_DAYS)) & (summaries["date"] <= day)]
    targets = pd.DataFrame({"patient": pats["patient"], "date": day})
    scored = build_features(window, patients=pats, targets=targets, **{family: True}).set_index("patient")
    trained = full[full["date"] == day].set_index("patient").loc[scored.index]
    assert trained[names].notna().mean().mean() > 0.4
    pd.testing.assert_frame_equal(trained[names], scored[names], rtol=1e-9, atol=1e-9)


def test_vectorised_oas_is_sklearn_s():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(3, 40, 6)) @ rng.normal(size=(6, 6))
    ours = oas_covariance(z, np.full(3, 40.0))
    for k in range(3):
        np.testing.assert_allclose(ours[k], OAS(assume_centered=True).fit(z[k]).covariance_, rtol=1e-10)


def _one_patient(n_days: int = 120, seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "patient": "p",
            "date": pd.date_range("2026-01-01", periods=n_days, freq="D"),
            "checkins": 1,
            "passive_records": 4,
            "mood": rng.normal(0.0, 1.0, n_days),
            "energy": rng.normal(5.0, 1.0, n_days),
            "sleep_hours": rng.normal(7.0, 0.8, n_days),
            "steps": np.exp(rng.normal(8.5, 0.3, n_days)),
        }
    )


def test_an_unusual_combination_shows_in_the_anomaly_score():
    """Mood and energy usually move together; a week where they move apart (each by about one
    SD, unremarkable alone) is far from the patient's own covariance."""
    frame = _one_patient()
    frame["energy"] = 5.0 + frame["mood"] + np.random.default_rng(1).normal(0, 0.3, len(frame))
    quiet = build_features(frame, anomaly=True).iloc[-1]
    last = frame.index >= len(frame) - 7
    frame.loc[last, "mood"] -= 1.0
    frame.loc[last, "energy"] += 1.0
    odd = build_features(frame, anomaly=True).iloc[-1]
    assert odd["anomaly__mean7"] > quiet["anomaly__mean7"] + 1.0
    assert odd["anomaly__rms7"] > quiet["anomaly__rms7"] + 0.2
    assert set(ANOMALY_FEATURES) <= set(odd.index)


def test_rising_variability_and_autocorrelation_show():
    frame = _one_patient()
    last = frame.index >= len(frame) - 14
    # The last two weeks: mood wanders slowly (AR(1) with 0.9) and twice as widely.
    rng = np.random.default_rng(2)
    walk = np.zeros(14)
    for i in range(1, 14):
        walk[i] = 0.9 * walk[i - 1] + rng.normal(0, 1.0)
    frame.loc[last, "mood"] = 2.0 * walk / walk.std()
    row = build_features(frame, variability=True).iloc[-1]
    base = build_features(_one_patient(), variability=True).iloc[-1]
    assert row["mood__sd14"] > base["mood__sd14"] + 0.4
    assert row["mood__ac14"] > 0.5 > base["mood__ac14"]
    assert row["mood__ac_change"] > 0.4
    assert np.isnan(row["speech_rate__sd14"])  # never recorded: missing, not 0
    assert {f"mood__{s}" for s in ("sd14", "ac14", "ac_change")} <= set(VARIABILITY_FEATURES)


def test_missingness_tells_a_device_gap_from_disengagement():
    device = _one_patient()
    device.loc[device.index[-6:], "passive_records"] = 0  # one 6-day device gap, check-ins go on
    gone = _one_patient()
    gone.loc[gone.index[[-13, -10, -8, -5, -3, -1]], "checkins"] = 0  # scattered days without a check-in
    a = build_features(device, missingness=True).iloc[-1]
    b = build_features(gone, missingness=True).iloc[-1]
    assert a["passive__run14"] == 6 and a["passive__gaps14"] == 1 and a["selfreport__miss14"] == 0
    assert b["selfreport__run14"] == 1 and b["selfreport__gaps14"] == 6 and b["passive__miss14"] == 0
    assert b["disengaged__miss14"] == pytest.approx(6 / 14)
    assert a["disengaged__miss14"] == 0
    assert set(MISSINGNESS_FEATURES) <= set(a.index)
