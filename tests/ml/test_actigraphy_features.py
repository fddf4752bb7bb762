"""Wrist actigraphy as model inputs: deviations from the patient's own baseline that see no
later data, missing (never zero) without a wearable, left out of a model trained on a cohort
without wearables (which is then the phone-only model, prediction for prediction), used when
the cohort has them, and named in a nurse's words."""

import functools

import numpy as np
import pandas as pd

from ml.features import ACTIGRAPHY_CHANNELS, CHANNEL_SUFFIXES, MODEL_FEATURES, build_features
from ml.training import _grouped_folds, _groups, build_dataset, make_pipeline, train_risk_model
from tests.ml.helpers import cohort, trained

ACTIGRAPHY_FEATURES = [f"{ch}__{sfx}" for ch in ACTIGRAPHY_CHANNELS for sfx in CHANNEL_SUFFIXES]
# The phone-only model: today's features without the wrist, and the relapse history.
PHONE_FEATURES = [f for f in MODEL_FEATURES if f not in ACTIGRAPHY_FEATURES]
COLUMNS = list(ACTIGRAPHY_CHANNELS)


def with_wearables(summaries: pd.DataFrame, latent: pd.DataFrame, wearers: list[str]) -> pd.DataFrame:
    """The cohort's summaries with daily actigraphy columns for `wearers`: less activity, more
    motionless time and a flatter, more fragmented rhythm as a prodrome builds."""
    lat = latent[["patient_code", "date", "prodrome_intensity"]].rename(columns={"patient_code": "patient"})
    lat = lat.assign(date=pd.to_datetime(lat["date"]).astype("datetime64[ns]"))
    out = summaries.copy()
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    x = out[["patient", "date"]].merge(lat, on=["patient", "date"], how="left")["prodrome_intensity"]
    x = np.clip(x.fillna(0.0).to_numpy(), 0, 3)
    rng = np.random.default_rng(5)
    noise = lambda scale: rng.normal(0, scale, len(out))  # noqa: E731
    values = {
        "activity_mean": np.exp(5.3 - 0.35 * x + noise(0.12)),
        "activity_zero_share": np.clip(0.35 + 0.06 * x + noise(0.03), 0, 1),
        "rhythm_is": np.clip(0.6 - 0.08 * x + noise(0.04), 0, 1),
        "rhythm_iv": np.clip(0.8 + 0.15 * x + noise(0.06), 0, 2),
        "rhythm_ra": np.clip(0.85 - 0.06 * x + noise(0.03), 0, 1),
        "rhythm_l5": np.exp(3.0 + 0.3 * x + noise(0.15)),
        "rhythm_m10": np.exp(5.8 - 0.3 * x + noise(0.1)),
    }
    worn = out["patient"].isin(wearers).to_numpy()
    for column, v in values.items():
        out[column] = np.where(worn, np.round(v, 3), np.nan)
    return out


@functools.cache
def wearable_cohort(share: float = 1.0) -> tuple:
    _lines, latent, summaries, pats, events = cohort()
    patients = sorted(pats["patient"])
    wearers = patients[: max(1, round(len(patients) * share))]
    return with_wearables(summaries, latent, wearers), pats, events, wearers


@functools.cache
def trained_with_wearables() -> tuple:
    summaries, pats, events, _wearers = wearable_cohort()
    data = build_dataset(summaries, pats, events)
    model, report = train_risk_model(data, events, seed=3, n_boot=10)
    return model, report, data


def test_actigraphy_features_of_a_day_do_not_change_when_later_data_exists():
    summaries, pats, _events, _wearers = wearable_cohort()
    full = build_features(summaries, patients=pats)
    cut = pd.Timestamp("2026-05-01")
    targets = full.loc[full["date"] <= cut, ["patient", "date"]]
    truncated = build_features(summaries[summaries["date"] <= cut], patients=pats, targets=targets)
    perturbed = summaries.copy()
    later = perturbed["date"] > cut
    perturbed.loc[later, COLUMNS] = perturbed.loc[later, COLUMNS] * 3 + 1
    perturbed.loc[later & (perturbed.index % 2 == 0), COLUMNS] = np.nan  # and later days unworn
    changed = build_features(perturbed, patients=pats, targets=targets)
    key = ["patient", "date"]
    a = full[full["date"] <= cut].sort_values(key).reset_index(drop=True)
    b = truncated.sort_values(key).reset_index(drop=True)
    c = changed[changed["date"] <= cut].sort_values(key).reset_index(drop=True)
    assert len(a) == len(b) > 1000
    assert a[ACTIGRAPHY_FEATURES].notna().mean().min() > 0.3  # the test does look at values
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, c, check_exact=True)


def test_actigraphy_is_a_deviation_from_the_patients_own_baseline_and_missing_without_a_wearable():
    days = pd.date_range("2026-01-01", periods=100, freq="D")
    worn = pd.DataFrame({"patient": "w", "date": days, "checkins": 1, "mood": 0.0, "activity_mean": 200.0})
    worn["activity_mean"] += np.tile([-10.0, 10.0], 50)
    worn.loc[93:, "activity_mean"] = 100.0  # the last week: half the usual activity
    worn.loc[98:, "activity_mean"] = np.nan  # and the last two days not worn
    unworn = pd.DataFrame({"patient": "n", "date": days, "checkins": 1, "mood": 0.0})
    # A patient far less active in absolute terms, steady at their own usual level.
    low = pd.DataFrame({"patient": "l", "date": days, "checkins": 1, "activity_mean": 40.0})
    low["activity_mean"] += np.tile([-2.0, 2.0], 50)
    feats = build_features(pd.concat([worn, unworn, low], ignore_index=True)).set_index(["patient", "date"])
    last = days[-1]
    assert feats.loc[("w", last), "activity_mean__z7"] < -3
    assert feats.loc[("w", last), "activity_mean__miss7"] > 0.25
    assert abs(feats.loc[("l", last), "activity_mean__z7"]) < 0.5  # low but usual for them
    assert feats.loc[("l", last), "activity_mean__miss7"] == 0.0
    assert feats.loc[("n", last), ACTIGRAPHY_FEATURES].isna().all()  # missing, never 0
    assert feats.loc[("w", last), "ref__wearable__days7"] == 5
    assert feats.loc[("w", last), "ref__wearable__days_since"] == 2


def test_a_cohort_without_wearables_trains_the_phone_only_model():
    model, report = trained()
    assert model.feature_names == PHONE_FEATURES
    assert report["training"]["features"] == len(PHONE_FEATURES)
    assert report["training"]["features_dropped"] == ACTIGRAPHY_FEATURES
    # Prediction for prediction the model sklearn fits on the phone-only columns alone.
    _lines, _latent, summaries, pats, events = cohort()
    data = build_dataset(summaries, pats, events)
    labelled = data[data["y"].notna()].reset_index(drop=True)
    reference = make_pipeline("model", 3, cv=_grouped_folds(_groups(labelled)))
    reference.fit(labelled[PHONE_FEATURES].to_numpy(dtype=float), labelled["y"].to_numpy().astype(int))
    expected = reference.predict_proba(data[PHONE_FEATURES].to_numpy(dtype=float))[:, 1]
    assert np.array_equal(model.predict(data), expected)
    # Serving reads the stored columns only: actigraphy values cannot reach this model.
    assert np.array_equal(model.predict(data.assign(activity_mean__z7=5.0)), expected)


def test_a_cohort_with_actigraphy_trains_on_it_and_explains_it():
    from ml.modelcard import model_card

    model, report, data = trained_with_wearables()
    assert set(ACTIGRAPHY_FEATURES) <= set(model.feature_names)
    assert model.feature_names == MODEL_FEATURES
    assert report["training"]["features_dropped"] == []
    # The fitted trees read the wearable inputs.
    scores = model.predict(data)
    without = data.copy()
    without[ACTIGRAPHY_FEATURES] = np.nan
    assert np.abs(model.predict(without) - scores).max() > 0.01
    rows = data.sample(600, random_state=4)
    groups = {f["feature"] for row in model.explain(rows) for f in row}
    assert groups & set(ACTIGRAPHY_CHANNELS), groups
    assert "wrist actigraphy (activity and rest-activity rhythm) among them" in model_card(
        version="t", report=report, seed=3
    )


def test_one_wearer_in_the_cohort_does_not_break_training():
    summaries, pats, events, wearers = wearable_cohort(share=0.01)
    assert len(wearers) == 1
    data = build_dataset(summaries, pats, events)
    model, report = train_risk_model(data, events, seed=3, n_boot=5)
    # Kept only where every grouped fold has data to bin; whatever is kept is served as fitted.
    assert set(PHONE_FEATURES) <= set(model.feature_names)
    assert set(report["training"]["features_dropped"]) <= set(ACTIGRAPHY_FEATURES)
    assert len(model.predict(data)) == len(data)


def test_actigraphy_factors_read_in_a_nurses_words_in_english_and_french():
    from django.utils import translation

    from alerts.factors import factor_label, raising

    cases = {
        "activity_mean": {"value": 120.0, "usual": 200.0, "z7": -2.0, "vol7": 0.1},
        "activity_zero_share": {"value": 0.52, "usual": 0.38, "z7": 2.5, "vol7": 0.0},
        "rhythm_is": {"value": 0.41, "usual": 0.62, "z7": -2.0, "vol7": 0.0},
        "rhythm_iv": {"value": 1.12, "usual": 0.8, "z7": 2.0, "vol7": 0.0},
        "rhythm_ra": {"value": 0.7, "usual": 0.86, "z7": -2.0, "vol7": 0.0},
        "rhythm_l5": {"value": 40.0, "usual": 20.0, "z7": 2.0, "vol7": 0.0},
        "rhythm_m10": {"value": 240.0, "usual": 320.0, "z7": -2.0, "vol7": 0.0},
        "wearable": {"days_since": 3, "days7": 4, "usual7": 7.0},
    }
    with translation.override("en"):
        en = {k: factor_label(k, p) for k, p in cases.items()}
    with translation.override("fr"):
        fr = {k: factor_label(k, p) for k, p in cases.items()}
    assert en["activity_mean"] == "wrist activity 40% below usual (120 activity counts a minute vs usually 200)"
    assert en["activity_zero_share"] == "motionless time (wrist) up: 52% vs usual 38%"
    assert en["rhythm_is"] == (
        "regularity of the daily rhythm from day to day (wrist) 0.21 below this patient's usual (0.41 vs usually 0.62)"
    )
    assert en["rhythm_l5"].startswith("activity in the quietest 5 hours (wrist) 100% above usual")
    assert en["wearable"] == "no wrist activity data for 3 days"
    assert fr["activity_mean"].startswith("activité au poignet : 40")
    assert "0,21" in fr["rhythm_is"] and "régularité du rythme quotidien" in fr["rhythm_is"]
    assert fr["wearable"] == "aucune donnée d’activité au poignet depuis 3 jours"
    for key in cases:
        assert en[key] != fr[key] and key not in en[key], key
    # Wearing the device as usual is no reason for alarm, whatever the model's weight.
    usual = {"feature": "wearable", "direction": "up", "weight": 0.01, "params": {"days_since": 0, "days7": 7}}
    usual["params"]["usual7"] = 6.5
    assert raising([usual]) == []
