"""Drift: per model input, PSI and share missing of the last 30 days against the training
window; the score distribution; the share without passive data. Fires on a shifted input, not
on an unshifted one; a crossing raises one `model` alert per team, naming what moved."""

import numpy as np
import pandas as pd
import pytest
from django.test import override_settings

from alerts.models import Alert
from alerts.selectors import model_alerts_for
from alerts.services import alert_raise_model
from ml.drift import compare, distribution
from tests.factories import ClinicianFactory, UserFactory

FEATURES = ["mood__z7", "sleep_hours__z7", "passive_days7"]


def _frame(seed: int, *, shift: float = 0.0, missing: float = 0.0, n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mood = rng.normal(shift, 1.0, n)
    if missing:
        mood[rng.random(n) < missing] = np.nan
    return pd.DataFrame(
        {
            "mood__z7": mood,
            "sleep_hours__z7": rng.normal(0.0, 1.0, n),
            "passive_days7": rng.integers(3, 8, n).astype(float),
        }
    )


def _scores(seed: int, n: int = 3000) -> np.ndarray:
    return np.random.default_rng(seed).beta(1, 20, n)


def test_an_unshifted_input_does_not_fire():
    reference = distribution(_frame(1), FEATURES, _scores(1))
    result = compare(reference, _frame(2), _scores(2))
    assert result["moved"] == []
    assert result["features"]["mood__z7"]["psi"] < 0.05


def test_a_shifted_input_fires_and_is_named():
    reference = distribution(_frame(1), FEATURES, _scores(1))
    result = compare(reference, _frame(2, shift=1.5), _scores(2))
    moved = {(m["check"], m["feature"]) for m in result["moved"]}
    assert moved == {("psi", "mood__z7")}


def test_missing_data_and_lost_passive_data_fire():
    reference = distribution(_frame(1), FEATURES, _scores(1))
    recent = _frame(2, missing=0.4)
    recent["passive_days7"] = 0.0
    moved = {(m["check"], m["feature"]) for m in compare(reference, recent, _scores(2))["moved"]}
    assert ("missing", "mood__z7") in moved and ("no_passive", "passive data") in moved


@override_settings(MODEL_DRIFT_PSI=5.0)
def test_thresholds_come_from_settings():
    reference = distribution(_frame(1), FEATURES, _scores(1))
    assert compare(reference, _frame(2, shift=1.5), _scores(2))["moved"] == []


@pytest.mark.django_db
def test_model_alerts_reach_psychiatrists_of_the_team_and_admins_once(team, psychiatrist, nurse, other_team):
    for _ in range(2):
        alert_raise_model(
            care_team=team, title="Model inputs drifted", detail={"features": ["mood__z7"]}, dedupe_key="d:1"
        )
    assert Alert.objects.filter(kind="model").count() == 1
    admin = UserFactory(username="admin-drift", role="admin", is_staff=True)
    assert model_alerts_for(user=psychiatrist).count() == 1
    assert model_alerts_for(user=admin).count() == 1
    assert model_alerts_for(user=nurse).count() == 0
    elsewhere = ClinicianFactory(username="psy-elsewhere", role="psychiatrist", teams=[other_team])
    assert model_alerts_for(user=elsewhere).count() == 0


@pytest.mark.django_db
def test_drift_reads_the_episode_rate_from_the_enrolment_dates(team):
    """The drift check compares the model's inputs; the episode rate is one of them only if
    the patients' enrolment dates reach the features."""
    import datetime as dt

    from ml.drift import _features
    from patients.models import Patient
    from tests.ml.helpers import load_patients_and_summaries

    load_patients_and_summaries(team, n=3)
    rows = list(Patient.objects.values_list("pk", "diagnosis", "enrolled_on"))
    frame = _features(rows, dt.date(2026, 6, 10), dt.date(2026, 6, 20))
    assert len(frame) == 3 * 11 and frame["episode__rate"].notna().all()
