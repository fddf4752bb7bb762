"""The family of cohort generators (ml.cohort.SETTINGS): the defaults still make the cohort
the model was developed on, byte for byte, and each knob changes what it says."""

import hashlib
import json
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ml.cohort import SETTINGS, CohortConfig, cohort_config, generate
from ml.cohort_latent import latent_trajectory, patient_profile
from ml.cohort_observations import observe

END = date(2026, 6, 30)
# SHA-256 of a default cohort (12 patients x 120 days, seed 3, team "pin"): lines and latent
# table, taken before the knobs existed.
DEFAULT_COHORT_SHA256 = "8899ce42399a03874f2395ee849b3d9c0fbe3468d752ab9d9c840000a02aa57f"


def _digest(config: CohortConfig) -> str:
    digest = hashlib.sha256()
    for truth in generate(config):
        for line in truth.lines:
            digest.update(json.dumps(line, separators=(",", ":"), sort_keys=True).encode())
        digest.update(truth.latent.to_csv(index=False).encode())
    return digest.hexdigest()


def test_the_default_cohort_is_unchanged_by_the_knobs():
    config = CohortConfig(patients=12, days=120, seed=3, team="pin", end=END)
    assert cohort_config("default", patients=12, days=120, seed=3, team="pin", end=END) == config
    assert _digest(config) == DEFAULT_COHORT_SHA256


def test_every_setting_is_a_valid_config_and_changes_the_cohort():
    assert "default" in SETTINGS and len(SETTINGS) >= 5
    digests = {name: _digest(cohort_config(name, patients=8, days=120, seed=4, team="s", end=END)) for name in SETTINGS}
    assert len(set(digests.values())) == len(SETTINGS)
    with pytest.raises(ValueError, match="unknown cohort setting"):
        cohort_config("nope", patients=1, days=30, seed=1)


def _prodrome_lengths(config: CohortConfig, patients: int) -> list[int]:
    lengths = []
    for index in range(patients):
        rng = np.random.default_rng([config.seed, index, 20260])
        latent = latent_trajectory(rng, config, patient_profile(rng, config))
        lengths += [ep["length"] for ep in latent.episodes]
    return lengths


def test_late_warning_prodromes_are_shorter_and_rise_later():
    default = _prodrome_lengths(cohort_config("default", patients=80, days=365, seed=2, end=END), 80)
    late = _prodrome_lengths(cohort_config("late-warning", patients=80, days=365, seed=2, end=END), 80)
    assert len(default) > 20 and len(late) > 20
    assert np.median(late) < 0.6 * np.median(default)
    assert max(late) <= 21 and min(late) >= 3


def _per_day(config: CohortConfig) -> pd.DataFrame:
    rows = []
    for truth in generate(config):
        steps: dict[str, int] = {}
        for line in truth.lines:
            if line["type"] == "signal" and line["record"]["type"] == "steps":
                day = line["record"]["start"][:10]
                steps[day] = steps.get(day, 0) + line["record"]["count"]
        latent = truth.latent.assign(steps=truth.latent["date"].map(steps))
        rows.append(latent)
    return pd.concat(rows, ignore_index=True)


def test_device_changes_shift_levels_and_hospital_stays_leave_gaps():
    base: dict[str, Any] = {"patients": 10, "days": 150, "seed": 8, "team": "dev", "end": END}
    plain = _per_day(cohort_config("default", **base))
    shifted = _per_day(cohort_config("default", device_change_share=1.0, device_shift_size=3.0, **base))
    # Same patients, same days: only the levels after each patient's change day differ.
    assert plain["date"].equals(shifted["date"])
    ratio = np.log1p(shifted["steps"]) - np.log1p(plain["steps"])
    jumps = ratio.groupby(shifted["patient_code"]).agg(lambda r: r.dropna().abs().max())
    assert (jumps > 0.3).mean() >= 0.7
    gaps = _per_day(
        cohort_config(
            "default",
            relapse_interval_days=40.0,
            never_relapse_share=0.0,
            hospitalisation_share=1.0,
            hospital_gap_days=(10, 10),
            **base,
        )
    )
    in_hospital = gaps[gaps["in_episode"] == 1]
    assert len(in_hospital) > 50
    # Most in-episode days follow an admission within 0-5 days: a 10-day stay leaves them unsensed.
    assert (in_hospital["sensing"] == 0).mean() > 0.4
    assert (gaps["sensing"] == 0).mean() > (plain["sensing"] == 0).mean()


def _observed(config: CohortConfig, index: int):
    rng = np.random.default_rng([config.seed, index, 20260])
    profile = patient_profile(rng, config)
    latent = latent_trajectory(rng, config, profile)
    return profile.diagnosis, latent, observe(rng, config, profile, latent)


def test_effect_sizes_scale_the_prodrome_shift_per_channel_and_diagnosis():
    """The effect knobs draw nothing: the same patient with another effect size differs only by
    the prodrome's shift, in proportion, on the channels and diagnoses named."""
    base: dict[str, Any] = {"patients": 40, "days": 200, "seed": 12, "team": "eff", "end": END}
    moved = bipolar = 0
    for index in range(40):
        diagnosis, latent, full = _observed(cohort_config("default", **base), index)
        _d, _l, none = _observed(cohort_config("default", self_report_effect=0.0, **base), index)
        _d, _l, third = _observed(cohort_config("default", self_report_effect=0.5, **base), index)
        _d, _l, no_mood = _observed(cohort_config("default", channel_effects=(("mood", 0.0),), **base), index)
        _d, _l, no_f31 = _observed(cohort_config("default", diagnosis_effects=(("F31", 0.0),), **base), index)
        np.testing.assert_allclose(third.mood - none.mood, (full.mood - none.mood) / 3, atol=1e-9)
        np.testing.assert_array_equal(no_mood.mood, none.mood)
        np.testing.assert_array_equal(no_mood.scales["energy"], full.scales["energy"])
        quiet = (latent.prodrome == 0) & (latent.confounder == 0)
        np.testing.assert_allclose(full.mood[quiet], none.mood[quiet], atol=1e-9)
        if diagnosis == "F31":
            np.testing.assert_array_equal(no_f31.mood, none.mood)
            bipolar += 1
        else:
            np.testing.assert_array_equal(no_f31.mood, full.mood)
        moved += bool(np.abs(full.mood - none.mood).max() > 0.1)
    assert moved >= 10 and bipolar >= 5


@pytest.mark.parametrize("setting", [name for name in SETTINGS if name != "default"])
def test_every_settings_lines_pass_the_api_validators_through_import_cohort(tmp_path, db, setting):
    from django.core.management import call_command

    from monitoring.importing import cohort_import
    from monitoring.models import DailySummary

    out = tmp_path / "cohort.jsonl"
    call_command(
        "generate_cohort",
        patients=3,
        days=60,
        seed=31,
        out=str(out),
        team="set-test",
        end="2026-06-30",
        setting=setting,
        verbosity=0,
    )
    report = cohort_import(path=out)
    assert report.errors == []
    assert DailySummary.objects.filter(patient__code__startswith="SETTEST-S31-").count() > 3 * 30
