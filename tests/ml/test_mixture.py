"""Training on a mixture of generator settings (ml.cross_cohort.make_mixture and
evaluate_across_cohorts --mixture / --leave-one-out): as many training patients as one
setting's cohort, each slice drawn under its own setting, and one model per design."""

import json

import pandas as pd
from django.core.management import call_command

from ml.cohort import SETTINGS
from ml.cross_cohort import make_cohort, make_mixture


def test_a_mixture_has_as_many_patients_each_slice_from_its_own_setting():
    settings = ["default", "late-warning", "device-shift"]
    mix = make_mixture(settings, patients=9, days=90, seed=3, team="train")
    codes = sorted(mix.data["patient"].unique())
    assert len(codes) == 9 and mix.setting == "default+late-warning+device-shift"
    assert set(mix.events["patient"]) <= set(codes) and set(mix.latent["patient_code"]) == set(codes)
    # Patients 4-6 are those of a late-warning cohort of the same seed (same code, same rows),
    # not those of a default cohort.
    late = make_cohort("late-warning", patients=9, days=90, seed=3, team="train", indices=[3, 4, 5])
    part = mix.data[mix.data["patient"].isin(set(late.data["patient"]))].reset_index(drop=True)
    columns = [c for c in late.data.columns if not c.startswith(("obs__", "ori__"))]
    pd.testing.assert_frame_equal(part[columns], late.data[columns].reset_index(drop=True))
    # The same nine patients' streams under `default` alone make another cohort.
    default = make_cohort("default", patients=9, days=90, seed=3, team="train")
    assert sorted(default.data["patient"].unique()) == codes
    assert not mix.data[columns].equals(default.data[columns])  # device changes in the last slice


def test_the_command_trains_one_pooled_model_and_one_per_left_out_setting(tmp_path, capsys):
    out = tmp_path / "grid.json"
    call_command(
        "evaluate_across_cohorts",
        "--size=tiny",
        "--train=default",
        "--mixture",
        "--leave-one-out",
        "--test",
        "default",
        "noisy",
        "--scorers",
        "model",
        "model+episodes",
        "--bootstrap=10",
        "--seed=5",
        f"--json={out}",
        verbosity=0,
    )
    rows = json.loads(out.read_text())["rows"]
    designs = [(r["train"], r["test"], r["scorer"]) for r in rows]
    scorers = ("model", "model+episodes", "ceiling")
    assert designs == [
        *((train, test, s) for train in ("default", "mixture") for test in ("default", "noisy") for s in scorers),
        *(("leave-one-out", test, s) for test in ("default", "noisy") for s in scorers),
    ]
    by = {(r["train"], r["test"]): r for r in rows}
    assert by[("mixture", "noisy")]["train_settings"] == list(SETTINGS)
    assert by[("leave-one-out", "noisy")]["train_settings"] == [s for s in SETTINGS if s != "noisy"]
    assert by[("leave-one-out", "default")]["train_settings"] == [s for s in SETTINGS if s != "default"]
    # Same test cohorts whatever the training design.
    assert len({r["test_seed"] for r in rows if r["test"] == "noisy"}) == 1
    printed = capsys.readouterr().out
    assert "| mixture | model | " in printed and "| leave-one-out | model+episodes | " in printed
