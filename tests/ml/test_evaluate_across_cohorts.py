"""`manage.py evaluate_across_cohorts` on a tiny grid: one table, every scorer on every test
setting at the alert budget, reproducible seeds, and the JSON rows."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ml.cohort import SETTINGS
from ml.cross_cohort import CHOICE_SCORERS, SCORERS, SIZES, seed_of_test_cohort
from ml.features import FAMILIES
from ml.training import BOOSTER_VARIANTS


def test_a_tiny_grid_prints_one_table_for_every_scorer_and_setting(tmp_path, capsys):
    out = tmp_path / "grid.json"
    call_command(
        "evaluate_across_cohorts",
        "--size=tiny",
        "--train=default",
        "--test",
        "default",
        "late-warning",
        "--bootstrap=10",
        "--seed=5",
        f"--json={out}",
        verbosity=0,
    )
    printed = capsys.readouterr().out
    table = [line for line in printed.splitlines() if line.startswith(("| default | default |", "| default | late-"))]
    assert len(table) == 2 * len(SCORERS)  # two test settings x every scorer
    # The summary: one line per scorer (means over the two test settings), then the ablation.
    means = [line for line in printed.splitlines() if line.startswith("| default | ") and line.endswith("| 2 |")]
    assert [line.split(" | ")[1] for line in means] == list(SCORERS)
    for family in FAMILIES:
        assert f"| default | {family} | " in printed
    assert "chosen: " in printed
    assert "size tiny" in printed and "seed 5" in printed and printed.rstrip().endswith(" s")
    rows = json.loads(out.read_text())["rows"]
    assert [(r["test"], r["scorer"]) for r in rows] == [
        (test, scorer) for test in ("default", "late-warning") for scorer in SCORERS
    ]
    for row in rows:
        assert row["test_patients"] == SIZES["tiny"][1]
        assert row["test_seed"] == seed_of_test_cohort(5, row["test"])
        # Each scorer's threshold keeps it within the budget on the test cohort.
        assert row["alerts_per_patient_month"] <= 1.0
        auroc = row["auroc"]["value"]
        assert 0.0 <= auroc <= 1.0
        low, high = row["auroc"]["ci95"]
        assert low <= auroc <= high
    by = {(r["test"], r["scorer"]): r for r in rows}
    # The booster variant is chosen on the training cohort once: the same for every test setting.
    choices = [r["model_choice"] for r in rows if r["scorer"] in CHOICE_SCORERS]
    assert choices and all(c == choices[0] for c in choices)
    assert choices[0]["chosen"] in BOOSTER_VARIANTS and set(choices[0]["cv_auroc"]) == {*BOOSTER_VARIANTS, "logistic"}
    # The true prodrome ranks days far better than chance on both settings.
    assert by[("default", "ceiling")]["auroc"]["value"] > 0.7
    assert by[("late-warning", "ceiling")]["auroc"]["value"] > 0.7


def test_test_cohorts_have_their_own_seed_per_setting():
    seeds = {seed_of_test_cohort(5, setting) for setting in SETTINGS}
    assert len(seeds) == len(SETTINGS) and 5 not in seeds


@pytest.mark.parametrize("bad", [["--bootstrap=2"], ["--budget=0"]])
def test_silly_options_are_refused(bad):
    with pytest.raises(CommandError):
        call_command("evaluate_across_cohorts", *bad, verbosity=0)


def test_subgroups_give_each_diagnosis_its_auroc_and_relapses(tmp_path, capsys):
    out = tmp_path / "grid.json"
    call_command(
        "evaluate_across_cohorts",
        "--size=tiny",
        "--train=default",
        "--test",
        "default",
        "--scorers",
        "model",
        "--bootstrap=10",
        "--seed=5",
        "--subgroups",
        f"--json={out}",
        verbosity=0,
    )
    printed = capsys.readouterr().out
    rows = json.loads(out.read_text())["rows"]
    model = next(r for r in rows if r["scorer"] == "model")
    groups = model["by_diagnosis"]
    assert len(groups) >= 2  # the tiny cohort holds several diagnosis groups
    # The groups' relapses add up to the cohort's, each group read at the cohort's threshold.
    assert (
        sum(g["events"]["value"] if isinstance(g["events"], dict) else g["events"] for g in groups.values())
        == (model["events"])
    )
    for name in groups:
        assert f"| default | model | diagnosis: {name} | " in printed
    assert "| default | model | sex: " in printed and "| default | ceiling | age band: " in printed
