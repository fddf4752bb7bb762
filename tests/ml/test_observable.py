"""The matched filters of ml.observable (issue 20: the observable ceiling and the
diagnosis-oriented features): a day's statistics read nothing after it, they rise in the
generator's prodromes, and each knows what its docstring says it knows."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from ml.cohort import cohort_config
from ml.observable import KINDS, clinical_knowledge, expected_ramp, generator_knowledge, matched_filter
from tests.ml.helpers import cohort

KNOWLEDGE = {"generator": lambda: generator_knowledge("default"), "clinical": clinical_knowledge}
COLUMNS = [*KINDS, "score"]


@pytest.mark.parametrize("knowledge", list(KNOWLEDGE))
def test_a_day_s_statistics_never_change_with_later_data(knowledge):
    _lines, _latent, summaries, pats, _events = cohort()
    know = KNOWLEDGE[knowledge]()
    targets = summaries[["patient", "date"]].copy()
    cut = pd.Timestamp("2026-05-01")
    early = targets[targets["date"] <= cut].reset_index(drop=True)
    full = matched_filter(summaries, pats, early, know)
    perturbed = summaries.copy()
    later = perturbed["date"] > cut
    for col in ("mood", "energy", "sleep_hours", "steps", "time_at_home_min", "phq9", "medication_taken"):
        perturbed.loc[later, col] = perturbed.loc[later, col] * 3 + 1
    perturbed.loc[later, "checkins"] = 0
    changed = matched_filter(perturbed, pats, early, know)
    truncated = matched_filter(summaries[summaries["date"] <= cut], pats, early, know)
    assert len(full) > 1000 and full["score"].notna().all()
    pd.testing.assert_frame_equal(full[COLUMNS], changed[COLUMNS], check_exact=True)
    pd.testing.assert_frame_equal(full[COLUMNS], truncated[COLUMNS], check_exact=True)
    # The perturbation does reach later days.
    after = targets[targets["date"] > cut + pd.Timedelta(days=5)].reset_index(drop=True)
    assert not np.allclose(
        matched_filter(summaries, pats, after, know)["score"], matched_filter(perturbed, pats, after, know)["score"]
    )


@pytest.mark.parametrize("knowledge", list(KNOWLEDGE))
def test_the_statistics_rise_in_the_generator_s_prodromes(knowledge):
    _lines, latent, summaries, pats, _events = cohort(patients=80, days=180)
    targets = summaries[["patient", "date"]].copy()
    stats = matched_filter(summaries, pats, targets, KNOWLEDGE[knowledge]())
    lat = latent.rename(columns={"patient_code": "patient"}).assign(date=lambda f: pd.to_datetime(f["date"]))
    merged = targets.assign(score=stats["score"].to_numpy()).merge(lat, on=["patient", "date"])
    strong = merged[merged["prodrome_intensity"] > 0.4]
    quiet = merged[(merged["prodrome_intensity"] == 0) & (merged["in_episode"] == 0)]
    assert strong["patient"].nunique() > 10
    # The mean score of clear prodrome days is several times that of quiet days, and they rank
    # above quiet days more often than not (modestly: the signs are faint, docs/model.md).
    assert strong["score"].mean() > 3 * quiet["score"].mean()
    assert (
        roc_auc_score(np.r_[np.ones(len(strong)), np.zeros(len(quiet))], np.r_[strong["score"], quiet["score"]]) > 0.6
    )


def test_what_each_observer_knows():
    generator, clinical = generator_knowledge("default"), clinical_knowledge()
    # Depressive sleep change has a per-patient sign: no weight; mania shortens sleep.
    assert "sleep_hours" not in generator.weights["depressive"]
    assert generator.weights["manic"]["sleep_hours"] < 0 and clinical.weights["manic"]["sleep_hours"] == -1
    # Clinical knowledge is directions only; the generator's has sizes (self-report > passive here).
    assert {abs(a) for w in clinical.weights.values() for a in w.values()} == {1}
    assert abs(generator.weights["depressive"]["mood"]) > abs(generator.weights["depressive"]["steps"])
    # Setting knobs reach the generator observer only: `subtle` has weaker passive signs.
    assert abs(generator_knowledge("subtle").weights["manic"]["steps"]) < abs(generator.weights["manic"]["steps"])
    # Bipolar disorder relapses into mania or depression; schizophrenia into psychosis.
    assert set(generator.dx_kinds["F31"]) == set(clinical.dx_kinds["F31"]) == {"manic", "depressive"}
    assert set(clinical.dx_kinds["F20"]) == {"psychotic"}


def test_the_expected_ramp_is_highest_on_the_day_and_shorter_for_late_warnings():
    ramp = expected_ramp(17.0, cohort_config("default", patients=1, days=1, seed=0))
    late = expected_ramp(8.0, cohort_config("late-warning", patients=1, days=1, seed=0))
    assert ramp[0] == ramp.max() and np.all(np.diff(ramp) <= 1e-12)
    assert len(late) < len(ramp)
