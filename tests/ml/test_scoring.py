"""Nightly scoring: idempotent, consent-gated, chunk rerun safe, beat once per team night."""

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from alerts import rules
from alerts.models import Alert, AlertEvent
from ml import scoring
from ml.models import RiskScore, ScoringRun
from patients.models import CareTeam, ConsentRecord
from tests.ml.helpers import load_patients_and_summaries, register, trained

DAY = dt.date(2026, 6, 20)


@pytest.fixture
def scored_setup(team):  # type: ignore[no-untyped-def]
    model, report = trained()
    mv = register(model, report, activate=True)
    patients = load_patients_and_summaries(team, n=5)
    return mv, patients


def _rows():  # type: ignore[no-untyped-def]
    return sorted(
        RiskScore.objects.values_list(
            "patient_id", "date", "model_version_id", "score", "band", "threshold", "explanation"
        )
    )


def test_scoring_twice_changes_nothing(scored_setup, django_capture_on_commit_callbacks):
    mv, patients = scored_setup
    ids = [p.pk for p in patients]
    with django_capture_on_commit_callbacks(execute=True):
        first = scoring.risk_scores_compute(patient_ids=ids, days=[DAY, DAY - dt.timedelta(days=1)])
    before = _rows()
    with django_capture_on_commit_callbacks(execute=True):
        second = scoring.risk_scores_compute(patient_ids=ids, days=[DAY, DAY - dt.timedelta(days=1)])
    assert sorted(first) == sorted(second) and len(first) == 10
    assert _rows() == before
    score = RiskScore.objects.filter(date=DAY).first()
    assert score.model_version == mv and score.band in ("low", "medium", "high")
    assert score.input_start == DAY - dt.timedelta(days=89) and score.input_end == DAY
    assert score.threshold == pytest.approx(mv.threshold)
    for factor in score.explanation:
        assert set(factor) >= {"feature", "label", "direction", "weight"} and factor["label"]


def _score_row(patient, mv, day, *, score=0.5, explanation=None):  # type: ignore[no-untyped-def]
    return {
        "patient_id": patient.pk,
        "date": day,
        "model_version_id": mv.pk,
        "score": score,
        "band": "medium",
        "threshold": 0.4,
        "explanation": explanation if explanation is not None else [{"feature": "mood_mean_7d", "weight": 0.25}],
        "input_start": day - dt.timedelta(days=89),
        "input_end": day,
    }


def test_score_writer_rerun_returns_the_same_ids_and_stores_nothing_twice(scored_setup):
    """A redelivered chunk overlapping a stored one (other values, new keys, a key twice):
    stored scores are kept as they are, new ones go in once, and the ids of all come back."""
    mv, patients = scored_setup
    with transaction.atomic():
        first = scoring._scores_store([_score_row(p, mv, DAY) for p in patients[:3]])
    stored = {s.pk: (s.patient_id, s.score, s.explanation, s.created_at) for s in RiskScore.objects.all()}
    redelivered = [
        _score_row(p, mv, DAY, score=0.9, explanation=[{"feature": "steps", "weight": -1.5}]) for p in patients
    ]
    with transaction.atomic():
        second = scoring._scores_store([*redelivered, redelivered[4]])
        again = scoring._scores_store(redelivered[:1])  # same transaction: nothing left from the call before
    ids = dict(RiskScore.objects.values_list("patient_id", "pk"))
    assert sorted(first) == sorted(ids[p.pk] for p in patients[:3])
    assert sorted(second) == sorted(ids.values()) and len(second) == 5
    assert again == [ids[patients[0].pk]]
    assert RiskScore.objects.count() == 5
    assert {
        s.pk: (s.patient_id, s.score, s.explanation, s.created_at) for s in RiskScore.objects.filter(pk__in=first)
    } == stored
    fresh = RiskScore.objects.get(patient=patients[4])
    assert (fresh.score, fresh.explanation, fresh.input_start) == (
        0.9,
        [{"feature": "steps", "weight": -1.5}],
        DAY - dt.timedelta(days=89),
    )
    assert fresh.created_at is not None and fresh.created_at >= max(created for *_rest, created in stored.values())
    assert scoring._scores_store([]) == []


def test_score_writer_refuses_an_explanation_that_is_not_json(scored_setup):
    mv, patients = scored_setup
    with pytest.raises(ValueError, match="JSON compliant"), transaction.atomic():
        scoring._scores_store([_score_row(patients[0], mv, DAY, explanation=[{"weight": float("nan")}])])
    assert not RiskScore.objects.exists()


def test_scoring_raises_risk_alerts_after_its_commit_end_to_end(scored_setup, team, django_capture_on_commit_callbacks):
    """Scoring -> (commit) -> ml.tasks.evaluate_risk_scores -> ml.alerting -> alerts.services:
    nothing mocked. Every score is above a zero team threshold, so each patient gets one alert."""
    _mv, patients = scored_setup
    CareTeam.objects.filter(pk=team.pk).update(risk_threshold=0.0)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ids = scoring.risk_scores_compute(patient_ids=[p.pk for p in patients], days=[DAY])
    assert len(ids) == len(patients)
    assert not Alert.objects.exists()  # nothing before the commit
    for callback in callbacks:
        callback()  # the commit: the task runs (in-process here, on a worker in production)
    alerts = list(Alert.objects.filter(kind="risk").order_by("patient__code"))
    assert [a.patient_id for a in alerts] == [p.pk for p in sorted(patients, key=lambda p: p.code)]
    scores = {s.pk: s for s in RiskScore.objects.filter(pk__in=ids)}
    for alert in alerts:
        (score,) = [s for s in scores.values() if s.patient_id == alert.patient_id]
        assert alert.dedupe_key == rules.risk_dedupe_key(score.pk)
        assert alert.detail["score"] == score.score  # unrounded: displays round once
        assert alert.detail["score_date"] == DAY.isoformat()
        assert alert.detail["explanation"] == score.explanation[:5]
    assert [e.event for e in AlertEvent.objects.filter(alert__in=alerts)] == ["created"] * len(alerts)

    # Scoring the same day again raises nothing more; `alerts=False` enqueues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        scoring.risk_scores_compute(patient_ids=[p.pk for p in patients], days=[DAY])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        scoring.risk_scores_compute(patient_ids=[p.pk for p in patients], days=[DAY], alerts=False)
    assert callbacks == []
    assert Alert.objects.count() == len(patients)


def test_withdrawn_consent_or_discharge_means_not_scored(scored_setup):
    _mv, patients = scored_setup
    withdrawn, discharged = patients[0], patients[1]
    ConsentRecord.objects.filter(patient=withdrawn, scope="risk_scoring").update(withdrawn_at=timezone.now())
    discharged.status = "discharged"
    discharged.save(update_fields=["status"])
    scoring.risk_scores_compute(patient_ids=[p.pk for p in patients], days=[DAY], alerts=False)
    scored = set(RiskScore.objects.values_list("patient_id", flat=True))
    assert scored == {p.pk for p in patients[2:]}


def test_a_chunk_killed_mid_write_can_be_rerun(scored_setup):
    """A worker dying inside the chunk's transaction leaves nothing; the redelivered chunk
    (acks_late) then stores every score exactly once."""
    mv, patients = scored_setup
    ids = [str(p.pk) for p in patients]
    real = scoring._scores_store

    def dying(rows):  # type: ignore[no-untyped-def]
        real(rows[:2])  # two rows written (COPY on PostgreSQL) ...
        assert RiskScore.objects.count() == 2
        raise SystemExit("worker killed")  # ... then the process dies inside the transaction

    with mock.patch.object(scoring, "_scores_store", side_effect=dying), pytest.raises(SystemExit):
        scoring.risk_scores_compute(patient_ids=ids, days=[DAY], alerts=False)
    assert RiskScore.objects.count() == 0
    # Also a chunk that died after committing part of its work (e.g. a previous partial run).
    scoring.risk_scores_compute(patient_ids=ids[:2], days=[DAY], alerts=False)
    from ml.tasks import risk_scoring_chunk

    assert risk_scoring_chunk.apply(args=(ids, DAY.isoformat(), mv.pk, False)).get() == 5
    assert RiskScore.objects.filter(date=DAY).count() == 5


def test_nightly_beat_scores_each_team_once_after_two_local_time(
    scored_setup, other_team, django_capture_on_commit_callbacks
):
    _mv, patients = scored_setup
    team = patients[0].care_team
    team.timezone = "Europe/Paris"
    team.save(update_fields=["timezone"])
    other_team.timezone = "America/Montreal"
    other_team.save(update_fields=["timezone"])
    load_patients_and_summaries(other_team, n=2)
    # 00:30 UTC on 21 June = 02:30 in Paris (summer time): Paris scores 20 June. It is 20:30 on
    # 20 June in Montreal: Montreal's last complete night is 19 June's.
    now = dt.datetime(2026, 6, 21, 0, 30, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        scoring.risk_scoring_nightly(now=now)
    assert set(RiskScore.objects.filter(patient__care_team=team).values_list("date", flat=True)) == {DAY}
    assert RiskScore.objects.filter(patient__care_team=team).count() == 5
    assert set(RiskScore.objects.filter(patient__care_team=other_team).values_list("date", flat=True)) == {
        DAY - dt.timedelta(days=1)
    }
    with django_capture_on_commit_callbacks(execute=True):
        scoring.risk_scoring_nightly(now=now + dt.timedelta(minutes=15))
    assert ScoringRun.objects.filter(care_team=team).count() == 1 and RiskScore.objects.count() == 7
    # Montreal passes 02:00 local at 06:00 UTC: it scores its own previous day.
    with django_capture_on_commit_callbacks(execute=True):
        scoring.risk_scoring_nightly(now=dt.datetime(2026, 6, 21, 6, 15, tzinfo=dt.UTC))
    assert RiskScore.objects.filter(patient__care_team=other_team, date=DAY).count() == 2


def test_score_patients_command_backfills_and_export(scored_setup, tmp_path):
    from django.core.management import call_command

    _mv, patients = scored_setup
    call_command("score_patients", **{"from": "2026-06-10", "to": "2026-06-12"}, no_alerts=True, verbosity=0)
    assert RiskScore.objects.count() == 15
    call_command("score_patients", **{"from": "2026-06-10", "to": "2026-06-12"}, no_alerts=True, verbosity=0)
    assert RiskScore.objects.count() == 15
    out = tmp_path / "scores.csv"
    call_command("export_scores", out=str(out), **{"from": "2026-06-11", "to": "2026-06-12"})
    lines = out.read_text().splitlines()
    assert lines[0] == "patient_code,date,score,band,model_version" and len(lines) == 11
