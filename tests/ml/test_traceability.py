"""Traceability: every stored score keeps its input window's hash, its model version and the
feature values behind its explanation; `verify_score` recomputes a past score and says
identical, or names what differs once the input changed."""

import datetime as dt

import pandas as pd
import pytest
from django.core.management import call_command

from ml import scoring
from ml.models import RiskScore
from monitoring.models import DailySummary
from tests.ml.helpers import load_patients_and_summaries, register, trained

DAY = dt.date(2026, 6, 20)


@pytest.fixture
def scored(team):  # type: ignore[no-untyped-def]
    model, report = trained()
    mv = register(model, report, activate=True)
    patients = load_patients_and_summaries(team, n=3)
    scoring.risk_scores_compute(patient_ids=[p.pk for p in patients], days=[DAY], alerts=False)
    return mv, patients


@pytest.mark.django_db
def test_every_score_keeps_its_trace(scored):
    mv, patients = scored
    scores = list(RiskScore.objects.filter(date=DAY))
    assert len(scores) == len(patients)
    for s in scores:
        assert len(s.input_sha256) == 64 and s.model_version_id == mv.pk
        explained = {name for f in s.explanation for name in _group(f["feature"])}
        assert set(s.feature_values) <= explained
        assert bool(s.feature_values) == bool(s.explanation)
    # Different patients read different windows.
    assert len({s.input_sha256 for s in scores}) == len(scores)


def _group(name):  # type: ignore[no-untyped-def]
    from ml.features import GROUPS

    return GROUPS.get(name, [])


@pytest.mark.django_db
def test_verify_score_recomputes_identically_then_sees_a_changed_input(scored, capsys):
    _mv, patients = scored
    patient = patients[0]
    call_command("verify_score", "--patient", patient.code, "--date", DAY.isoformat())
    assert "identical" in capsys.readouterr().out

    # One day inside the window is changed after the fact: the hash no longer matches.
    row = DailySummary.objects.filter(patient=patient, date__lte=DAY).order_by("-date").first()
    row.mood = (row.mood or 0) + 3
    row.save(update_fields=["mood"])
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_score", "--patient", patient.code, "--date", DAY.isoformat())
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "DIFFERENT" in out and "input_sha256" in out


@pytest.mark.django_db
def test_a_batch_and_a_single_patient_give_the_same_hash(scored):
    """The hash does not depend on which other patients were in the chunk."""
    _mv, patients = scored
    stored = RiskScore.objects.get(patient=patients[1], date=DAY).input_sha256
    RiskScore.objects.filter(patient=patients[1]).delete()
    scoring.risk_scores_compute(patient_ids=[patients[1].pk], days=[DAY], alerts=False)
    assert RiskScore.objects.get(patient=patients[1], date=DAY).input_sha256 == stored


def test_the_hash_does_not_depend_on_row_order_or_how_values_came():
    """COPY gives sorted rows of numbers (times of day in hours); the ORM gives booleans as
    objects and times as "HH:MM" text, and a caller may pass rows in any order: the same
    window gives the same hash."""
    from ml.trace import input_hashes
    from monitoring.summaries import SUMMARY_COLUMNS
    from tests.ml.helpers import cohort

    _lines, _latent, summaries, pats, _events = cohort()
    codes = list(pats["patient"][:3])
    frame = summaries[summaries["patient"].isin(codes)].sort_values(["patient", "date"]).reset_index(drop=True)
    numeric = frame.copy()
    for col in ("sleep_onset", "sleep_wake"):
        if not pd.api.types.is_numeric_dtype(numeric[col]):
            text = numeric[col].astype("string")
            hours = pd.to_numeric(text.str.slice(0, 2), errors="coerce") + pd.to_numeric(text.str.slice(3, 5)) / 60
            numeric[col] = hours.to_numpy(dtype=float, na_value=float("nan"))
    numeric["medication_taken"] = pd.to_numeric(numeric["medication_taken"], errors="coerce").astype(float)
    texts = numeric.sample(frac=1.0, random_state=3).reset_index(drop=True)
    texts["medication_taken"] = texts["medication_taken"].map({1.0: True, 0.0: False}).astype(object)
    texts["sleep_onset"] = [
        None if v != v else f"{int(v):02d}:{round((v - int(v)) * 60):02d}" for v in texts["sleep_onset"]
    ]
    targets = [(code, DAY) for code in codes] + [(codes[0], DAY - dt.timedelta(days=30))]
    dx = dict.fromkeys(codes, "F33")
    expected = input_hashes(numeric, SUMMARY_COLUMNS, targets, dx)
    assert input_hashes(texts, SUMMARY_COLUMNS, targets, dx) == expected
    assert len(set(expected)) == len(targets)


@pytest.mark.django_db
def test_a_backfill_stores_the_scores_a_night_would_and_verify_score_agrees(team, capsys):
    """A backfill of many days (`score_patients --from --to`, as the demo's history) gives each
    day the score of that day scored alone, from its own 90-day window: the questionnaire
    baselines and the days observed must not read the older days the backfill loaded."""
    model, report = trained()
    register(model, report, activate=True)
    patients = load_patients_and_summaries(team, n=3)
    days = [DAY - dt.timedelta(days=i) for i in range(120, -1, -1)]
    scoring.risk_scores_compute(patient_ids=[p.pk for p in patients], days=days, alerts=False)
    backfilled = {(s.patient_id, s.date): s.score for s in RiskScore.objects.all()}
    assert len(backfilled) >= 3 * 100
    RiskScore.objects.all().delete()
    for day in (DAY, DAY - dt.timedelta(days=45)):
        scoring.risk_scores_compute(patient_ids=[p.pk for p in patients], days=[day], alerts=False)
        for score in RiskScore.objects.filter(date=day):
            assert score.score == backfilled[(score.patient_id, day)], (score.patient.code, day)
    # And the other way round: a stored backfilled day checks out as identical.
    RiskScore.objects.all().delete()
    scoring.risk_scores_compute(patient_ids=[p.pk for p in patients], days=days, alerts=False)
    for patient in patients:
        call_command("verify_score", "--patient", patient.code, "--date", DAY.isoformat())
        assert "DIFFERENT" not in capsys.readouterr().out
