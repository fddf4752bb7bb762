"""Relapse history (issue 20): a relapse or hospitalisation recorded before a day, however long
before (before enrolment too), is a standing input of the served model. The feature, scoring
reading it from the recorded events, the explanation in a nurse's words (EN/FR), and the trace
(`verify_score`) covering the events."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command
from django.utils import translation

from alerts.factors import factor_label, raising
from ml import scoring
from ml.features import EPISODE_HISTORY, FEATURES, MODEL_FEATURES, build_features, relapse_history
from ml.models import RiskScore
from ml.serving import RiskModel
from ml.trace import input_hashes
from ml.training import _groups, build_dataset, fit_pipeline, usable_features
from monitoring.summaries import SUMMARY_COLUMNS
from patients.models import ClinicalEvent
from tests.ml.helpers import cohort, load_patients_and_summaries, register, trained

DAY = dt.date(2026, 6, 20)


def _frame(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({"patient": [p for p, _d in rows], "date": pd.to_datetime([d for _p, d in rows])})


def test_the_history_counts_episodes_before_the_day_however_old():
    targets = _frame(
        [("a", "2026-03-01"), ("a", "2026-03-10"), ("a", "2026-03-11"), ("a", "2026-06-01"), ("b", "2026-06-01")]
    )
    events = _frame(
        [
            ("a", "2024-01-15"),  # long before any data (before enrolment)
            ("a", "2026-03-10"),  # a relapse on a scored day: not known on that day
            ("a", "2026-03-20"),  # a hospitalisation 10 days later: the same episode
        ]
    )
    h = relapse_history(targets, events)
    assert h["episode__before"].tolist() == [1.0, 1.0, 1.0, 1.0, 0.0]
    assert h["ref__history__episodes"].tolist() == [1.0, 1.0, 2.0, 2.0, 0.0]
    since = h["ref__history__days_since"]
    assert since[0] == (pd.Timestamp("2026-03-01") - pd.Timestamp("2024-01-15")).days
    assert since[1] == (pd.Timestamp("2026-03-10") - pd.Timestamp("2024-01-15")).days
    assert since[2] == 1 and since[3] == (pd.Timestamp("2026-06-01") - pd.Timestamp("2026-03-10")).days
    assert np.isnan(since[4])


def test_the_episode_rate_counts_episodes_per_year_observed_without_looking_ahead():
    targets = _frame([("a", "2026-03-01"), ("a", "2026-09-01"), ("b", "2026-09-01"), ("c", "2026-09-01")])
    events = _frame([("a", "2025-03-01"), ("a", "2026-06-01"), ("b", "2026-10-01")])
    patients = pd.DataFrame(
        {
            "patient": ["a", "b", "c"],
            "enrolled_on": [dt.date(2026, 1, 1), dt.date(2026, 3, 1), dt.date(2026, 8, 1)],
        }
    )
    h = relapse_history(targets, events, patients)
    # a: observed from its first episode (before enrolment); one episode on 1 March, two on 1 September.
    years = np.array([365, 549]) / 365.25
    assert np.allclose(h["ref__history__years"][:2], years)
    assert np.allclose(h["episode__rate"][:2], (np.array([1, 2]) + 0.5) / (years + 0.5))
    # b: its episode comes after the day: observed from enrolment, no episode yet.
    assert h["ref__history__episodes"][2] == 0 and np.isclose(h["ref__history__years"][2], 184 / 365.25)
    assert np.isclose(h["episode__rate"][2], 0.5 / (184 / 365.25 + 0.5))
    # Followed longer without an episode: a lower rate than c, enrolled a month ago.
    assert h["episode__rate"][2] < h["episode__rate"][3]
    # The rate of day 1 March does not move when later episodes are recorded.
    later = relapse_history(targets, pd.concat([events, _frame([("a", "2026-12-01")])]), patients)
    assert later["episode__rate"][0] == h["episode__rate"][0]
    # No enrolment date known: no rate (the binary history stays).
    unknown = relapse_history(targets, events)
    assert np.isnan(unknown["episode__rate"]).all() and unknown["episode__before"].tolist() == [1, 1, 0, 0]


def test_build_features_adds_the_history_only_when_given_the_events():
    _lines, _latent, summaries, patients, events = cohort()
    without = build_features(summaries, patients=patients)
    assert "episode__before" not in without.columns
    with_events = build_features(summaries, patients=patients, events=events)
    assert set(EPISODE_HISTORY) <= set(with_events.columns)
    # Everything else is unchanged by the events.
    pd.testing.assert_frame_equal(with_events[without.columns], without)
    # The same as the history the episode-direction family computed before (cross_cohort).
    first = events.sort_values("date").groupby("patient")["date"].first()
    for code, start in first.items():
        rows = with_events[with_events["patient"] == code]
        assert (rows.loc[rows["date"] <= start, "episode__before"] == 0).all()
        assert (rows.loc[rows["date"] > start, "episode__before"] == 1).all()


def test_the_served_model_reads_the_history():
    model, report = trained()
    assert model.feature_names[-2:] == EPISODE_HISTORY == ["episode__before", "episode__rate"]
    assert model.feature_names == [n for n in MODEL_FEATURES if n in model.feature_names]
    assert not set(EPISODE_HISTORY) & set(report["training"]["features_dropped"])


def test_the_history_reads_in_a_nurse_s_words_in_english_and_french():
    one = {"episodes": 1, "days_since": 400}
    two = {"episodes": 2, "days_since": 20}
    with translation.override("en"):
        assert factor_label("history", one) == (
            "has relapsed before (1 episode recorded, 13 months ago): a lasting risk, not a new sign"
        )
        assert factor_label("history", two) == (
            "has relapsed before (2 episodes recorded, the last 20 days ago): a lasting risk, not a new sign"
        )
        assert "3 years ago" in factor_label("history", {"episodes": 1, "days_since": 1100})
    with translation.override("fr"):
        assert factor_label("history", one) == (
            "a déjà rechuté (1 épisode enregistré, il y a 13 mois) : un risque durable, pas un signe nouveau"
        )
        assert factor_label("history", two) == (
            "a déjà rechuté (2 épisodes enregistrés, le dernier il y a 20 jours) : "
            "un risque durable, pas un signe nouveau"
        )
        assert "il y a 3 ans" in factor_label("history", {"episodes": 1, "days_since": 1100})


def _model_that_weighs_history(columns_from: list[str] | None = None) -> tuple[RiskModel, dict]:
    """A model that has learnt that an earlier episode raises the risk: the logistic baseline
    fitted on the test cohort's days, every day after an episode labelled positive besides the
    real labels (a fixture: the toy cohort is too small for the booster to learn it). With
    `columns_from`, only those columns (a model from before the history)."""
    _lines, _latent, summaries, patients, events = cohort()
    data = build_dataset(summaries, patients, events)
    rows = data[data["y"].notna()].reset_index(drop=True)
    y = np.maximum(rows["y"].to_numpy(), rows["episode__before"].to_numpy())
    columns = usable_features(rows, _groups(rows), columns_from)
    pipeline = fit_pipeline("logistic", rows, y, _groups(rows), 1, columns)
    base, report = trained()
    model = RiskModel(
        pipeline=pipeline,
        feature_names=columns,
        threshold=base.threshold,
        budget_curve=base.budget_curve,
        seed=1,
        info=base.info,
    )
    return model, report


def _rescore(patient) -> RiskScore:  # type: ignore[no-untyped-def]
    RiskScore.objects.filter(patient=patient, date=DAY).delete()
    scoring.risk_scores_compute(patient_ids=[patient.pk], days=[DAY], alerts=False)
    return RiskScore.objects.get(patient=patient, date=DAY)


@pytest.mark.django_db
def test_a_relapse_recorded_before_enrolment_is_scored_explained_and_traced(
    team, nurse_client, psychiatrist_client, capsys
):
    model, report = _model_that_weighs_history()
    register(model, report, activate=True)
    patient = load_patients_and_summaries(team, n=1)[0]
    ClinicalEvent.objects.filter(patient=patient).delete()
    before = _rescore(patient)
    assert all(f["feature"] != "history" for f in before.explanation)

    # The nurse records the relapse the patient had a year before enrolment.
    past = patient.enrolled_on - dt.timedelta(days=365)
    response = nurse_client.post(
        f"/api/v1/patients/{patient.pk}/events/", {"kind": "relapse", "date": past.isoformat(), "note": "admitted"}
    )
    assert response.status_code == 201, response.content
    after = _rescore(patient)
    assert after.score > before.score
    history = [f for f in after.explanation if f["feature"] == "history"]
    assert history and history[0]["direction"] == "up" and history[0] in raising(after.explanation)
    months = round((DAY - past).days / 30.44)
    assert history[0]["label"] == (
        f"has relapsed before (1 episode recorded, {months} months ago): a lasting risk, not a new sign"
    )
    assert after.feature_values["episode__before"] == 1.0
    # Observed since that episode: one episode in (DAY - past) days, with the prior.
    years = (DAY - past).days / 365.25
    assert after.feature_values["episode__rate"] == pytest.approx(1.5 / (years + 0.5), abs=1e-4)
    assert after.input_sha256 != before.input_sha256

    # The psychiatrist reading in French sees it in French (labels rendered per language).
    listed = psychiatrist_client.get(
        f"/api/v1/patients/{patient.pk}/risk-scores/?start={DAY}&end={DAY}", HTTP_ACCEPT_LANGUAGE="fr"
    ).json()
    labels = [f["label"] for row in listed for f in row["explanation"] if f["feature"] == "history"]
    assert labels == [
        f"a déjà rechuté (1 épisode enregistré, il y a {months} mois) : un risque durable, pas un signe nouveau"
    ]

    call_command("verify_score", "--patient", patient.code, "--date", DAY.isoformat())
    assert "identical" in capsys.readouterr().out
    # An episode recorded afterwards, dated before the day, changes the inputs of that score.
    ClinicalEvent.objects.create(patient=patient, kind="hospitalization", date=DAY - dt.timedelta(days=90))
    with pytest.raises(SystemExit):
        call_command("verify_score", "--patient", patient.code, "--date", DAY.isoformat())
    assert "input_sha256" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_model_without_the_history_keeps_its_hashes_whatever_the_events(team, capsys):
    model, report = _model_that_weighs_history(columns_from=FEATURES)
    assert "episode__before" not in model.feature_names
    register(model, report, activate=True)
    patient = load_patients_and_summaries(team, n=1)[0]
    stored = _rescore(patient)
    ClinicalEvent.objects.create(patient=patient, kind="relapse", date=DAY - dt.timedelta(days=200))
    call_command("verify_score", "--patient", patient.code, "--date", DAY.isoformat())
    assert "identical" in capsys.readouterr().out
    assert _rescore(patient).input_sha256 == stored.input_sha256


def test_the_hash_covers_the_events_before_the_day_only():
    _lines, _latent, summaries, _patients, _events = cohort()
    code = summaries["patient"].iloc[0]
    rows = summaries[summaries["patient"] == code]
    targets = [(code, DAY)]
    dx = {code: "F32"}
    none = input_hashes(rows, SUMMARY_COLUMNS, targets, dx, _frame([]))
    old = input_hashes(rows, SUMMARY_COLUMNS, targets, dx, _frame([(code, "2020-05-01")]))
    same_day = input_hashes(
        rows, SUMMARY_COLUMNS, targets, dx, _frame([(code, DAY.isoformat()), ("other", "2020-05-01")])
    )
    assert old != none
    assert same_day == none  # an event on the day itself, or another patient's, is not an input
    assert input_hashes(rows, SUMMARY_COLUMNS, targets, dx) != none  # a model without the history
    # A model reading the episode rate: its enrolment date is an input too.
    enrolled = input_hashes(rows, SUMMARY_COLUMNS, targets, dx, _frame([]), {code: dt.date(2026, 1, 5)})
    assert enrolled != none
    assert enrolled != input_hashes(rows, SUMMARY_COLUMNS, targets, dx, _frame([]), {code: dt.date(2026, 1, 6)})
