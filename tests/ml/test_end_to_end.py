"""The full path: generate_cohort -> import_cohort -> train_model -> score_patients ->
export_scores -> evaluate_model, and nightly chunks on a real Celery worker."""

import csv
import json
import time

from django.core.management import call_command

from ml import scoring
from ml.models import ModelVersion, RiskScore
from tests.ml.helpers import load_patients_and_summaries, register, trained


def test_commands_from_cohort_file_to_exported_scores(db, tmp_path, capsys):
    cohort = tmp_path / "cohort.jsonl"
    call_command(
        "generate_cohort", patients=30, days=150, seed=11, out=str(cohort), team="e2e", end="2026-06-30", verbosity=0
    )
    call_command("import_cohort", str(cohort), verbosity=0)
    call_command("train_model", activate=True, seed=2, bootstrap=10, latent=f"{cohort}.latent.csv", verbosity=0)
    mv = ModelVersion.objects.get(is_active=True)
    assert "ceiling" in mv.metrics["scorers"] and mv.metrics["standing"] is not None
    # Trained from the database, the model reads the episode rate: the patients' enrolment
    # dates reach training (a column missing on every row would be dropped).
    assert "episode__rate" not in mv.metrics["training"]["features_dropped"]
    call_command("score_patients", **{"from": "2026-06-25", "to": "2026-06-30"}, verbosity=0)
    assert RiskScore.objects.filter(model_version=mv).count() == 30 * 6
    out = tmp_path / "scores.csv"
    call_command("export_scores", out=str(out))
    rows = list(csv.DictReader(out.open()))
    assert (
        len(rows) == 180 and rows[0]["model_version"] == mv.version and rows[0]["patient_code"].startswith("E2E-S11-")
    )
    # The served scores read as an independent evaluator reads them (only 6 scored days here).
    capsys.readouterr()
    call_command("evaluate_model", cohort=str(cohort), scores=str(out), bootstrap=5)
    served = json.loads(capsys.readouterr().out)["model"]
    assert served["overall"]["days"] > 0 and served["alert_budget_per_patient_month"] == 1.0
    report_dir = tmp_path / "report"
    call_command("evaluate_model", report=str(report_dir))
    printed = json.loads(capsys.readouterr().out)
    assert printed["version"] == mv.version and "model" in printed["scorers"]
    for name in ("roc.png", "calibration.png", "lead_time.png", "model_card.md"):
        assert (report_dir / name).stat().st_size > 0


def test_nightly_chunks_run_on_a_real_celery_worker(celery_worker_process, team):
    """With REDIS_URL set, the chunks go through Redis to a worker process; without, the
    same code runs eagerly in-process."""
    model, report = trained()
    mv = register(model, report, activate=True)
    patients = load_patients_and_summaries(team, n=4)
    import datetime as dt

    day = dt.date(2026, 6, 20)
    chunks = scoring.risk_scoring_dispatch(day=day, chunk_size=2, alerts=False)
    assert chunks == 2
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and RiskScore.objects.filter(date=day).count() < 4:
        time.sleep(0.5)
    assert set(RiskScore.objects.filter(date=day, model_version=mv).values_list("patient_id", flat=True)) == {
        p.pk for p in patients
    }


def test_nightly_chunks_raise_risk_alerts_through_the_worker(celery_worker_process, team):
    """Chunks scored on the worker enqueue the risk rule on commit (ml.tasks.evaluate_risk_scores);
    the worker runs it too, and the alerts reach the database. Nothing is mocked."""
    import datetime as dt

    from alerts.models import Alert
    from patients.models import CareTeam

    model, report = trained()
    register(model, report, activate=True)
    patients = load_patients_and_summaries(team, n=4)
    CareTeam.objects.filter(pk=team.pk).update(risk_threshold=0.0)  # every score is above it

    day = dt.date(2026, 6, 20)
    assert scoring.risk_scoring_dispatch(day=day, chunk_size=2) == 2
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and Alert.objects.filter(kind="risk").count() < 4:
        time.sleep(0.5)
    alerts = Alert.objects.filter(kind="risk")
    assert {a.patient_id for a in alerts} == {p.pk for p in patients}
    assert {a.detail["score_date"] for a in alerts} == {day.isoformat()}


def test_evaluate_model_reads_served_scores_against_the_cohort_s_events(tmp_path, capsys):
    """An oracle export (1 on the 14 days before each relapse, else 0) reads as perfect; a file
    that is not an export, or of other patients, is a clear error."""
    import pandas as pd
    import pytest
    from django.core.management.base import CommandError

    from monitoring.cohort_summaries import daily_summaries_from_lines, read_cohort_lines

    cohort = tmp_path / "cohort.jsonl"
    call_command("generate_cohort", patients=20, days=150, seed=5, out=str(cohort), team="ev", end="2026-06-30")
    summaries, _patients, events = daily_summaries_from_lines(read_cohort_lines(cohort))
    assert len(events)
    rows = summaries[["patient", "date"]].rename(columns={"patient": "patient_code"}).copy()
    rows["score"] = 0.0
    for ev in events.itertuples():
        before = (rows["patient_code"] == ev.patient) & (rows["date"] < ev.date)
        rows.loc[before & (rows["date"] >= ev.date - pd.Timedelta(days=14)), "score"] = 1.0
    out = tmp_path / "oracle.csv"
    rows.assign(band="low", model_version="oracle").to_csv(out, index=False)
    capsys.readouterr()
    call_command("evaluate_model", cohort=str(cohort), scores=str(out), bootstrap=5)
    overall = json.loads(capsys.readouterr().out)["model"]["overall"]
    assert overall["auroc"]["value"] == 1.0 and overall["event_sensitivity"]["value"] == 1.0

    bad = tmp_path / "bad.csv"
    bad.write_text("code,day,risk\nx,2026-01-01,0.1\n")
    with pytest.raises(CommandError, match="patient_code"):
        call_command("evaluate_model", cohort=str(cohort), scores=str(bad))
    others = tmp_path / "others.csv"
    rows.assign(patient_code="OTHER-1").to_csv(others, index=False)
    with pytest.raises(CommandError, match="None of the scores"):
        call_command("evaluate_model", cohort=str(cohort), scores=str(others))
    with pytest.raises(CommandError, match="needs --cohort"):
        call_command("evaluate_model", scores=str(out))
