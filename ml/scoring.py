"""Scoring: the nightly run per care team, its chunks, and the scores they store
(idempotent per patient, day and model version); a fresh score's risk-alert decision is
enqueued after the commit."""

from __future__ import annotations

import functools
import logging
import zoneinfo
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import pandas as pd
from celery import group, signature
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from threadpoolctl import ThreadpoolController

from alerts.factors import band_for, english, factor_label
from monitoring.bulk import inserter
from monitoring.summaries import SUMMARY_COLUMNS
from patients.errors import DomainError
from patients.models import CareTeam

from . import selectors, trace
from .features import EPISODE_HISTORY, LOOKBACK_DAYS, build_features
from .models import ModelVersion, RiskScore, ScoringRun
from .registry import model_load
from .serving import DEFAULT_BUDGET, RiskModel

logger = logging.getLogger(__name__)

# Patients per scoring task: large enough that per-chunk costs (queries, commit, one call per
# boosted tree, pandas' per-frame overheads) are amortised, small enough that a chunk takes
# about two seconds and a killed worker redoes little. 2,000 (was 1,000): B5 1.65-2.12x its
# limit (mean 1.87x) against 1.84-2.23x, peak memory +15 MB (docs/model.md, "Benchmarks").
CHUNK_SIZE = 2000
NIGHTLY_LOCAL_TIME = time(2, 0)
REDISPATCH_AFTER = timedelta(minutes=30)
# Enqueued by name: ml.tasks imports this module (a task is a shell over a service).
SCORING_CHUNK_TASK = "ml.tasks.risk_scoring_chunk"
EVALUATE_RISK_TASK = "ml.tasks.evaluate_risk_scores"


@functools.cache
def _threadpools() -> ThreadpoolController:
    """Found once per process: inspecting the loaded native libraries costs ~10 ms a chunk."""
    return ThreadpoolController()


def one_openmp_thread() -> Any:
    """A context in which the booster predicts on one OpenMP thread: parallelism comes from
    the chunks spread over workers, and OpenMP thread teams on a busy machine cost more than
    they give (on a loaded 2-core machine, ten times the CPU time in wall time)."""
    return _threadpools().limit(limits=1, user_api="openmp")


def team_threshold(*, team: CareTeam, model: RiskModel) -> float:
    """The team's own threshold if set, else the model's threshold for the team's alert budget."""
    if team.risk_threshold is not None:
        return float(team.risk_threshold)
    if abs(team.alert_budget_per_patient_month - model.info.get("budget", DEFAULT_BUDGET)) < 1e-9:
        return float(model.threshold)
    return model.threshold_for_budget(team.alert_budget_per_patient_month)


def risk_scores_compute(
    *,
    patient_ids: Iterable[UUID | str],
    days: Iterable[date],
    model_version: ModelVersion | None = None,
    alerts: bool = True,
) -> list[int]:
    """Score the patients for the days and store the scores; returns the ids of the scores of
    these patients, days and model version (new or already there). Idempotent: a score that
    exists is kept as it is (unique per patient, day and model version), so a rerun, or a
    chunk redelivered after a worker was killed, changes nothing. Patients who are not active
    or have withdrawn `risk_scoring` consent are skipped, judged when this runs."""
    model_version = model_version or selectors.model_version_active()
    if model_version is None:
        raise DomainError("No active model version: train one with `train_model --activate`.")
    model = model_load(model_version)
    days = sorted(set(days))
    # Plain values, not model instances: building 500 Patient objects costs more than the query.
    patients = list(
        selectors.patients_scorable()
        .filter(pk__in=[UUID(str(p)) for p in patient_ids])
        .values_list("pk", "enrolled_on", "diagnosis", "care_team_id")
    )
    if not patients or not days:
        return []
    input_start = days[0] - timedelta(days=LOOKBACK_DAYS - 1)
    summaries = selectors.daily_summaries_frame(
        patient_ids=[pk for pk, *_rest in patients], start=input_start, end=days[-1]
    )
    # The relapse history: every recorded relapse or hospitalisation before the last day,
    # however old (before enrolment too), not only those in the input window.
    events = selectors.label_events_frame(patient_ids=[pk for pk, *_rest in patients], until=days[-1])
    rows = score_rows(
        model_version=model_version, model=model, patients=patients, days=days, summaries=summaries, events=events
    )
    if not rows:
        return []
    with transaction.atomic():
        ids = _scores_store(rows)
        if alerts and ids:
            # The risk rule runs after the commit, as its own task (ml.alerting through
            # ml.tasks.evaluate_risk_scores): a scoring chunk is never undone by an alert failure.
            transaction.on_commit(signature(EVALUATE_RISK_TASK, args=(ids,)).delay)
    return ids


_SCORE_COLUMNS = (
    "patient_id", "date", "model_version_id", "score", "band", "threshold",
    "explanation", "input_start", "input_end", "input_sha256", "feature_values",
)  # fmt: skip


# Rows written before traceability existed (and test rows) may lack these.
_SCORE_DEFAULTS: dict[str, Any] = {"input_sha256": "", "feature_values": {}}


def score_rows(
    *,
    model_version: ModelVersion,
    model: RiskModel,
    patients: list[tuple[Any, date, str, int]],
    days: list[date],
    summaries: pd.DataFrame,
    events: pd.DataFrame,
) -> list[dict[str, Any]]:
    """The score rows of these patients (pk, enrolled_on, diagnosis, care_team_id) and days
    from their summaries and recorded relapses and hospitalisations (`events`: `patient`,
    `date`, any date up to the last day): score, band, team threshold, explanation, and for
    traceability the hash of each input window and the values of the features that explain it.
    The one computation nightly scoring stores and `verify_score` repeats."""
    targets = pd.DataFrame(
        [(str(pk), pd.Timestamp(d)) for pk, enrolled_on, _dx, _team in patients for d in days if d >= enrolled_on],
        columns=["patient", "date"],
    )
    if targets.empty:
        return []
    meta = pd.DataFrame(
        {
            "patient": [str(p[0]) for p in patients],
            "diagnosis": [p[2] for p in patients],
            "enrolled_on": [p[1] for p in patients],
        }
    )
    features = _features_by_day(summaries, meta, targets, events)
    # One thread per worker process: parallelism comes from the chunks spread over workers,
    # and OpenMP thread teams on a busy machine cost more than they give on 500 rows.
    with one_openmp_thread():
        scores, explanations = model.score_and_explain(features)
    teams = CareTeam.objects.in_bulk({team_id for *_rest, team_id in patients})
    team_thresholds = {team_id: team_threshold(team=team, model=model) for team_id, team in teams.items()}
    by_id = {str(pk): pk for pk, *_rest in patients}
    thresholds = {str(pk): team_thresholds[team_id] for pk, _e, _d, team_id in patients}
    diagnosis = {str(pk): str(dx or "") for pk, _e, dx, _t in patients}
    keys = [(pid, day.date()) for pid, day in zip(features["patient"], features["date"], strict=True)]
    # The events are inputs of a model that reads the relapse history only: an older version's
    # hashes stay what they were when it scored.
    reads_history = any(name in EPISODE_HISTORY for name in model.feature_names)
    # And the enrolment date is one of a model that reads the episode rate.
    enrolled = {str(pk): e for pk, e, _dx, _t in patients} if "episode__rate" in model.feature_names else None
    hashes = trace.input_hashes(
        summaries, SUMMARY_COLUMNS, keys, diagnosis, events if reads_history else None, enrolled
    )
    names = [n for n in model.feature_names if n in features.columns]
    feature_values = trace.explained_values(features[names].to_numpy(dtype=float), explanations, names)
    medium_ratio = model.medium_ratio
    rows: list[dict[str, Any]] = []
    with english():
        for i, (pid, d) in enumerate(keys):
            threshold = thresholds[pid]
            score = float(scores[i])
            explanation = [
                {
                    "feature": f["feature"],
                    "label": factor_label(f["feature"], f["params"]),
                    "direction": f["direction"],
                    "weight": f["weight"],
                    "params": f["params"],
                }
                for f in explanations[i]
            ]
            rows.append(
                {
                    "patient_id": by_id[pid],
                    "date": d,
                    "model_version_id": model_version.pk,
                    "score": round(score, 6),
                    "band": band_for(score, threshold, medium_ratio),
                    "threshold": threshold,
                    "explanation": explanation,
                    "input_start": d - timedelta(days=LOOKBACK_DAYS - 1),
                    "input_end": d,
                    "input_sha256": hashes[i],
                    "feature_values": feature_values[i],
                }
            )
    return rows


def _features_by_day(
    summaries: pd.DataFrame, meta: pd.DataFrame, targets: pd.DataFrame, events: pd.DataFrame
) -> pd.DataFrame:
    """The features of each target day from that day's own input window (LOOKBACK_DAYS up to
    the day) and nothing older, and the relapse history from `events` (whatever their date:
    a standing input, the same for one day or a backfill). Some features (questionnaire baselines, days observed) read
    every loaded day before the scored one: a backfill of many days loads more history than
    one night does, and its scores would differ from the nightly score of the same day and
    from what `verify_score` recomputes. One day (the night, a check) is one pass; a backfill
    is one pass per day."""
    days = targets["date"].unique()
    if len(days) == 1:
        return build_features(summaries, patients=meta, targets=targets, events=events)
    dates = pd.to_datetime(summaries["date"])
    parts = []
    for day in sorted(days):
        day = pd.Timestamp(day)
        window = summaries[(dates >= day - pd.Timedelta(days=LOOKBACK_DAYS - 1)) & (dates <= day)]
        parts.append(build_features(window, patients=meta, targets=targets[targets["date"] == day], events=events))
    return pd.concat(parts, ignore_index=True)


def _scores_store(rows: list[dict[str, Any]]) -> list[int]:
    """Insert the scores, keeping any that already exist (unique per patient, day and model
    version), and return the ids of all of them (new or kept)."""
    now = timezone.now()
    return inserter(
        RiskScore, [*_SCORE_COLUMNS, "created_at"], keep_on=("patient", "date", "model_version")
    ).insert_or_keep([(*(row.get(name, _SCORE_DEFAULTS.get(name)) for name in _SCORE_COLUMNS), now) for row in rows])


def risk_scoring_dispatch(
    *,
    day: date,
    care_team_ids: Iterable[int] | None = None,
    patient_ids: Iterable[UUID | str] | None = None,
    alerts: bool = True,
    chunk_size: int = CHUNK_SIZE,
) -> int:
    """Split the scorable patients into chunks and enqueue one task per chunk (a Celery group,
    sent after commit) so the night spreads over the workers. Returns the number of chunks."""
    model_version = selectors.model_version_active()
    if model_version is None:
        raise DomainError("No active model version: train one with `train_model --activate`.")
    qs = selectors.patients_scorable(care_team_ids=care_team_ids)
    if patient_ids is not None:
        qs = qs.filter(pk__in=[UUID(str(p)) for p in patient_ids])
    ids = [str(pk) for pk in qs.values_list("pk", flat=True)]
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    if not chunks:
        return 0
    # One team's night: the last chunk to finish chains the team's monitoring (ml.monitoring).
    teams = list(care_team_ids) if care_team_ids is not None else []
    team_id = teams[0] if len(teams) == 1 and patient_ids is None else None
    job = group(
        signature(SCORING_CHUNK_TASK, args=(chunk, day.isoformat(), model_version.pk, alerts, team_id))
        for chunk in chunks
    )
    transaction.on_commit(job.apply_async)
    return len(chunks)


def risk_scoring_nightly(*, now: datetime | None = None) -> int:
    """For every care team whose local time has passed 02:00, score its previous local day once
    (a ScoringRun marks the dispatch). A run whose scores are still incomplete half an hour
    later is dispatched again for the missing patients only. Returns chunks dispatched."""
    now = now or timezone.now()
    model_version = selectors.model_version_active()
    if model_version is None:
        return 0
    dispatched = 0
    for team in CareTeam.objects.order_by("pk"):
        local = now.astimezone(team_tz(team))
        if local.time() < NIGHTLY_LOCAL_TIME:
            continue
        day = local.date() - timedelta(days=1)
        try:
            run, created = ScoringRun.objects.get_or_create(care_team=team, date=day, model_version=model_version)
        except IntegrityError:  # a concurrent beat created it
            continue
        if created:
            n = risk_scoring_dispatch(day=day, care_team_ids=[team.pk])
            ScoringRun.objects.filter(pk=run.pk).update(chunks=n)
            dispatched += n
            continue
        if now - run.created_at < REDISPATCH_AFTER:
            continue
        scored = RiskScore.objects.filter(patient=OuterRef("pk"), date=day, model_version=model_version)
        missing = list(
            selectors.patients_scorable(care_team_ids=[team.pk])
            .filter(enrolled_on__lte=day)
            .exclude(Exists(scored))
            .values_list("pk", flat=True)
        )
        if missing:
            dispatched += risk_scoring_dispatch(day=day, patient_ids=missing)
    return dispatched


def team_tz(team: CareTeam) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(team.timezone)


def risk_scores_backfill(
    *,
    start: date,
    end: date,
    alerts: bool = True,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Score every scorable patient for every day from `start` to `end`, in chunks of patients
    (all days of a chunk in one pass). Returns the number of scores of those days."""
    if end < start:
        raise DomainError("The end date is before the start date.")
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    ids = [str(pk) for pk in selectors.patients_scorable().values_list("pk", flat=True)]
    total = 0
    for i in range(0, len(ids), chunk_size):
        chunk = ids[i : i + chunk_size]
        total += len(risk_scores_compute(patient_ids=chunk, days=days, alerts=alerts))
        if progress:
            progress(len(chunk))
    return total
