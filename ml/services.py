"""Writes of the ml app's registry: training and registering model versions, activating one,
loading the active one. Scoring is in `ml.scoring`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from patients.errors import DomainError
from patients.models import User

from . import selectors
from .modelcard import model_card
from .models import ModelVersion
from .registry import artifact_load, artifact_save
from .serving import DEFAULT_BUDGET, RiskModel
from .training import EXCLUDE_AFTER_EVENT, build_dataset, train_risk_model

logger = logging.getLogger(__name__)

MIN_TRAINING_EVENTS = 5


# --- training and registry -------------------------------------------------------------


def model_train(
    *,
    until: date | None = None,
    activate: bool = False,
    seed: int = 0,
    trained_by: User | None = None,
    budget: float = DEFAULT_BUDGET,
    latent: pd.DataFrame | None = None,
    n_boot: int = 200,
    progress: Callable[[str], None] | None = None,
) -> ModelVersion:
    """Train on every risk-scoring-consented patient's summaries and label events up to
    `until`, evaluate, and register the version (artifact + SHA-256, metrics, model card).
    Same data and seed give the same artifact."""
    patients = selectors.patients_frame(patient_ids=list(selectors.patients_scorable().values_list("pk", flat=True)))
    ids = patients["patient"].tolist()
    summaries = selectors.daily_summaries_frame(patient_ids=ids, end=until)
    events = selectors.label_events_frame(patient_ids=ids, until=until)
    if len(events) < MIN_TRAINING_EVENTS or summaries.empty:
        raise DomainError(
            f"Not enough data to train: {len(events)} relapse/hospitalisation events "
            f"(at least {MIN_TRAINING_EVENTS} needed) and {len(summaries)} daily summaries."
        )
    if latent is not None:
        code_to_id = dict(zip(patients["code"], patients["patient"], strict=True))
        latent = latent.assign(patient_code=latent["patient_code"].map(code_to_id)).dropna(subset=["patient_code"])
    cutoff = pd.Timestamp(until) if until is not None else None
    data = build_dataset(summaries, patients, events, until=cutoff)
    if progress:
        progress(f"features: {len(data)} patient-days, {int(data['y'].sum())} positive")
    model, report = train_risk_model(
        data, events, seed=seed, budget=budget, latent=latent, n_boot=n_boot, progress=progress
    )
    report["exclude_after_event_days"] = EXCLUDE_AFTER_EVENT
    return model_register(
        model=model, report=report, seed=seed, trained_by=trained_by, activate=activate, data_end=until
    )


def model_register(
    *,
    model: RiskModel,
    report: dict[str, Any],
    seed: int,
    trained_by: User | None = None,
    activate: bool = False,
    data_end: date | None = None,
) -> ModelVersion:
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    base = f"risk-{stamp}-s{seed}"
    version = base
    n = 1
    while ModelVersion.objects.filter(version=version).exists():
        n += 1
        version = f"{base}-{n}"
    path, sha = artifact_save(model, directory=settings.MODEL_ARTIFACT_DIR, version=version)
    training = report.get("training", {})
    with transaction.atomic():
        mv = ModelVersion.objects.create(
            version=version,
            trained_by=trained_by,
            artifact_path=path,
            artifact_sha256=sha,
            data_start=date.fromisoformat(training["data_start"]) if training.get("data_start") else None,
            data_end=data_end or (date.fromisoformat(training["data_end"]) if training.get("data_end") else None),
            seed=seed,
            feature_names=list(model.feature_names),
            threshold=model.threshold,
            metrics=_json_safe(report),
            model_card=model_card(version=version, report=report, seed=seed),
        )
        if activate:
            model_activate(model_version=mv)
    return mv


@transaction.atomic
def model_activate(*, model_version: ModelVersion) -> ModelVersion:
    """Make this version the only active one (the database allows no second)."""
    artifact_load(model_version.artifact_path, model_version.artifact_sha256)  # refuse a tampered artifact
    list(ModelVersion.objects.select_for_update().filter(is_active=True).order_by("pk"))
    ModelVersion.objects.filter(is_active=True).exclude(pk=model_version.pk).update(is_active=False)
    ModelVersion.objects.filter(pk=model_version.pk).update(is_active=True, activated_at=timezone.now())
    model_version.refresh_from_db()
    return model_version


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):
        return _json_safe(value.item())
    return value
