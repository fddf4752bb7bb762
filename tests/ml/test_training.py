"""Labels, training reproducibility, evaluation figures and explanations."""

import hashlib
import io

import joblib
import numpy as np
import pandas as pd

from ml import evaluation
from ml.training import _split_patients, build_dataset, label_rows, train_risk_model
from tests.ml.helpers import cohort, trained


def test_labels_mark_the_14_days_before_an_event_and_exclude_the_episode():
    rows = pd.DataFrame({"patient": "p", "date": pd.date_range("2026-01-01", periods=120, freq="D")})
    events = pd.DataFrame({"patient": ["p"], "kind": ["relapse"], "date": [pd.Timestamp("2026-02-15")]})
    y = label_rows(rows, events)
    by_date = dict(zip(rows["date"], y, strict=True))
    assert by_date[pd.Timestamp("2026-02-14")] == 1 and by_date[pd.Timestamp("2026-02-01")] == 1
    assert by_date[pd.Timestamp("2026-01-31")] == 0
    assert np.isnan(by_date[pd.Timestamp("2026-02-15")]) and np.isnan(by_date[pd.Timestamp("2026-03-31")])
    assert by_date[pd.Timestamp("2026-04-02")] == 0
    assert np.isnan(by_date[pd.Timestamp("2026-04-25")])  # horizon not yet observed


def test_patient_split_keeps_relapsing_patients_on_both_sides_whatever_the_keys():
    # 30 patients, 3 of whom relapse: a plain random quarter would often hold none of them.
    rows = []
    for i in range(30):
        rows += [{"patient": f"uuid-{i}", "code": f"P-{i:03d}", "y": float(i < 3 and d == 0)} for d in range(5)]
    labelled = pd.DataFrame(rows)
    train, test = _split_patients(labelled, seed=2, test_share=0.25)
    relapsing = {f"uuid-{i}" for i in range(3)}
    assert not train & test and len(train | test) == 30 and len(test) == 8
    assert test & relapsing and train & relapsing
    # Other primary keys for the same codes (another database): the same split by code.
    renamed = labelled.assign(patient=labelled["patient"].str.replace("uuid", "pk"))
    _train2, test2 = _split_patients(renamed, seed=2, test_share=0.25)
    assert {p.replace("pk", "uuid") for p in test2} == test


def test_training_is_reproducible_for_the_same_data_and_seed():
    model_a, _report_a = trained(seed=3)
    _lines, _latent, summaries, pats, events = cohort()
    data = build_dataset(summaries, pats, events)
    steps: list[str] = []
    # `make demo` shows each long step as it starts; reporting it changes nothing in the model.
    model_b, _report_b = train_risk_model(data, events, seed=3, n_boot=10, progress=steps.append)
    assert [step.split(" ")[0] for step in steps] == [
        *["fitting", "model", "fitting", "logistic"],
        *["evaluating", "evaluated"] * 3,  # model, logistic, heuristic (no latent ceiling here)
        "forward",
        "fitting",
        "operating",
    ]
    assert steps[0].endswith("(3 patient-grouped calibration folds)")
    assert steps[4] == "evaluating model (10 patient-bootstrap resamples)"
    x = data.head(500)
    assert np.array_equal(model_a.predict(x), model_b.predict(x))

    def digest(model):  # type: ignore[no-untyped-def]
        buf = io.BytesIO()
        joblib.dump(model, buf)
        return hashlib.sha256(buf.getvalue()).hexdigest()

    assert digest(model_a) == digest(model_b)


def test_report_has_every_figure_with_intervals_and_subgroups():
    _model, report = trained()
    overall = report["scorers"]["model"]["overall"]
    for key in (
        "auroc",
        "auprc",
        "brier",
        "calibration_slope",
        "event_sensitivity",
        "median_lead_days",
        "false_alerts_per_patient_month",
    ):
        assert "value" in overall[key] and len(overall[key]["ci95"]) == 2
    assert set(report["scorers"]) == {"model", "logistic", "heuristic"}
    for key in ("by_sex", "by_age_band", "by_diagnosis"):
        assert report["scorers"]["model"][key]
    assert report["operating_threshold"] > 0 and report["budget_curve"]
    assert set(report["curves"]) == set(report["scorers"]) and report["curves"]["model"]["roc"]


def test_the_report_records_every_patient_the_deployed_model_was_fitted_on():
    """The final fit reads every labelled patient, the evaluation's held-out ones included: a
    later comparison must count them as seen (ml.comparison)."""
    _lines, _latent, summaries, pats, events = cohort()
    data = build_dataset(summaries, pats, events)
    _model, report = trained()
    labelled = set(data.loc[data["y"].notna(), "patient"])
    assert set(report["trained_patients"]) == labelled
    assert set(report["held_out_patients"]) < labelled


def test_alerts_merge_consecutive_days_and_threshold_meets_the_budget():
    days = pd.date_range("2026-01-01", periods=61, freq="D")
    scores = np.zeros(61)
    scores[10:15] = 0.9  # one run of five flagged days = one alert
    scores[40] = 0.8
    frame = pd.DataFrame({"patient": "p", "date": days, "y": 0, "score": scores})
    frame.loc[frame["date"].between("2026-01-06", "2026-01-19"), "y"] = 1
    events = pd.DataFrame({"patient": ["p"], "date": [pd.Timestamp("2026-01-20")]})
    stats = evaluation.per_patient_events(frame, events, threshold=0.5)
    assert stats.loc["p", "alerts"] == 2 and stats.loc["p", "false_alerts"] == 1
    assert stats.loc["p", "alerted"] == 1 and stats.loc["p", "leads"] == [9]
    assert evaluation.alert_rate(frame, evaluation.threshold_for_budget(frame, 1.0)) <= 1.0


def test_explanations_name_the_factors_with_direction_and_numbers():
    model, _report = trained()
    _lines, _latent, summaries, pats, events = cohort()
    data = build_dataset(summaries, pats, events)
    rows = data.sort_values("date").tail(40)
    scores = model.predict(rows)
    factors = model.explain(rows, scores)
    assert len(factors) == len(rows)
    flat = [f for row in factors for f in row]
    assert flat and all(f["direction"] in ("up", "down") and isinstance(f["params"], dict) for f in flat)
    assert all(abs(f["weight"]) > 0 for f in flat)
    assert all(len(row) <= 3 for row in factors)


def test_explanations_in_batches_equal_one_pass(monkeypatch):
    import ml.serving as serving

    model, _report = trained()
    _lines, _latent, summaries, pats, events = cohort()
    rows = build_dataset(summaries, pats, events).head(300)
    whole = model.explain(rows)
    monkeypatch.setattr(serving, "EXPLAIN_BATCH_ROWS", 70)
    assert model.explain(rows) == whole


def test_tree_by_tree_counterfactuals_equal_a_full_predict_proba(monkeypatch):
    import ml.serving as serving
    from ml.features import GROUPS

    model, _report = trained()
    FEATURES = model.feature_names  # the columns the model was fitted on
    _lines, _latent, summaries, pats, events = cohort()
    rows = build_dataset(summaries, pats, events).sample(400, random_state=1)
    X = rows[FEATURES].to_numpy(dtype=float)
    neutral = serving.neutral_values(rows)[FEATURES].to_numpy(dtype=float)
    col = {name: i for i, name in enumerate(FEATURES)}
    picks, blocks, columns = [], [], []
    for group in ("sleep_hours", "phq9", "logging", "sensors", "mood"):
        idx = [col[f] for f in GROUPS[group] if f in col]
        chosen = np.arange(0, len(X), 3 if group != "mood" else 1)
        altered = X[chosen].copy()
        altered[:, idx] = np.where(np.isnan(neutral[chosen][:, idx]), altered[:, idx], neutral[chosen][:, idx])
        picks.append(chosen), blocks.append(altered), columns.append(idx)
    fast = serving._counterfactuals_by_tree(model.pipeline, X, picks, blocks, columns)
    assert fast is not None
    base, per_group = fast
    assert np.allclose(base, model.predict(rows), rtol=0, atol=1e-12)
    assert np.allclose(model.score_and_explain(rows)[0], model.predict(rows), rtol=0, atol=1e-12)
    for block, probas in zip(blocks, per_group, strict=True):
        assert np.allclose(probas, model.pipeline.predict_proba(block)[:, 1], rtol=0, atol=1e-12)
    # And whole explanations are the same through either path.
    explained = model.explain(rows)
    monkeypatch.setattr(serving, "_counterfactuals_by_tree", lambda *args: None)
    assert model.explain(rows) == explained


def test_model_card_subgroup_table_shows_counts_as_numbers():
    from ml.modelcard import subgroup_table

    table = subgroup_table(
        {"by_sex": {"F": {"patients": 38.0, "events": {"value": 21.0, "ci95": [13.2, 29.0]}, "auroc": None}}}
    )
    assert "| sex F | 38 | 21 |" in table and "ci95" not in table


def test_stored_english_labels_equal_the_translated_english_and_french_still_translates():
    from django.utils import translation

    from alerts.factors import english, factor_label

    model, _report = trained()
    _lines, _latent, summaries, pats, events = cohort()
    rows = build_dataset(summaries, pats, events).sample(300, random_state=2)
    factors = [f for row in model.explain(rows) for f in row]
    cases = [(f["feature"], f["params"]) for f in factors] + [
        ("logging", {"days_since": 1, "days7": 1, "usual7": 6.0}),
        ("logging", {"days_since": 5}),
        ("sensors", {"days_since": 1}),
        ("steps", {"value": None, "usual": 5000.0, "days_since": 1}),
    ]
    assert len({feature for feature, _p in cases}) >= 5
    with translation.override("en"):
        expected = [factor_label(feature, params) for feature, params in cases]
    with translation.override("fr"), english():
        assert [factor_label(feature, params) for feature, params in cases] == expected
    with translation.override("fr"):
        french = [factor_label(feature, params) for feature, params in cases]
    assert french != expected and any("jour" in label for label in french)


def test_labels_write_numbers_as_the_reader_does():
    from django.utils import translation

    from alerts.factors import english, factor_label

    sleep = {"value": 5.2, "usual": 7.3}
    with translation.override("en"):
        assert factor_label("sleep_hours", sleep) == "sleep 2.1 h below this patient's usual (5.2 h vs 7.3 h)"
    with translation.override("fr"):
        label = factor_label("sleep_hours", sleep)
        assert "2,1" in label and "5,2" in label and "7,3" in label and "2.1" not in label
        with english():  # what scoring stores: the English source, whatever the active language
            assert factor_label("sleep_hours", sleep) == "sleep 2.1 h below this patient's usual (5.2 h vs 7.3 h)"


def test_training_does_not_depend_on_primary_keys():
    """The same cohort loaded into two databases gets other patient UUIDs: the model, its
    threshold and its evaluation must be the same."""
    import uuid

    _lines, _latent, summaries, pats, events = cohort()
    pats = pats.assign(code=pats["patient"])

    def with_keys(seed: int):  # type: ignore[no-untyped-def]
        rng = np.random.default_rng(seed)
        keys = {p: str(uuid.UUID(int=int(rng.integers(0, 2**62)))) for p in pats["patient"]}
        return (
            summaries.assign(patient=summaries["patient"].map(keys)),
            pats.assign(patient=pats["patient"].map(keys)),
            events.assign(patient=events["patient"].map(keys)),
        )

    results = []
    for seed in (1, 2):
        s, p, e = with_keys(seed)
        model, report = train_risk_model(build_dataset(s, p, e), e, seed=3, n_boot=5)
        results.append((model.threshold, report["scorers"]["model"]["overall"]["auroc"]["value"]))
    assert results[0] == results[1]


def test_operating_threshold_meets_the_budget_on_the_deployed_models_scores_of_the_latest_days():
    from ml.training import HORIZON_DAYS

    model, report = trained()
    FEATURES = model.feature_names
    _lines, _latent, summaries, pats, events = cohort()
    data = build_dataset(summaries, pats, events)
    recent = data["date"] > data["date"].max() - pd.Timedelta(days=HORIZON_DAYS)
    latest = data[recent]
    assert latest["y"].isna().mean() > 0.9  # the outcome of the latest days is mostly unknown
    scores = model.pipeline.predict_proba(latest[FEATURES].to_numpy(dtype=float))[:, 1]
    frame = latest[["patient", "date"]].assign(score=scores).reset_index(drop=True)

    assert model.threshold == evaluation.threshold_for_budget(frame, 1.0)
    assert evaluation.alert_rate(frame.sort_values(["patient", "date"]), model.threshold) <= 1.0
    expected = f"latest {HORIZON_DAYS} days of {latest['patient'].nunique()} patients"
    assert expected in report["operating_threshold_basis"]


def test_with_too_few_recent_patients_the_threshold_is_set_on_every_observed_day():
    from ml.training import MIN_THRESHOLD_PATIENTS, _threshold_basis

    _lines, _latent, summaries, pats, events = cohort()
    data = build_dataset(summaries, pats, events)
    keep = sorted(data["patient"].unique())[: MIN_THRESHOLD_PATIENTS - 1]
    few = data[data["patient"].isin(keep)].reset_index(drop=True)

    frame, basis = _threshold_basis(few, np.linspace(0, 1, len(few)))

    assert len(frame) == len(few) and basis.startswith(f"the deployed model's scores of all {len(few)} observed days")
