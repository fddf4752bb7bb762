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
from patients.models import Role, User

from . import selectors
from .modelcard import model_card
from .models import ModelVersion
from .registry import artifact_load, artifact_save
from .serving import DEFAULT_BUDGET, RiskModel

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
    Same data and seed give the same artifact. The version is a candidate; `activate` is the
    system path for the very first model only (model_activate_first), checked before training."""
    if activate:
        _first_model_check()
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
    # Training (and scikit-learn's ~2 s import) is loaded by the one command that trains, not by
    # every server process that imports this module.
    from .training import EXCLUDE_AFTER_EVENT, build_dataset, train_risk_model

    cutoff = pd.Timestamp(until) if until is not None else None
    data = build_dataset(summaries, patients, events, until=cutoff)
    if progress:
        progress(f"features: {len(data)} patient-days, {int(data['y'].sum())} positive")
    model, report = train_risk_model(
        data, events, seed=seed, budget=budget, latent=latent, n_boot=n_boot, progress=progress
    )
    report["exclude_after_event_days"] = EXCLUDE_AFTER_EVENT
    mv = model_register(model=model, report=report, seed=seed, trained_by=trained_by, data_end=until)
    return model_activate_first(model_version=mv) if activate else mv


def model_register(
    *,
    model: RiskModel,
    report: dict[str, Any],
    seed: int,
    trained_by: User | None = None,
    activate: bool = False,
    data_end: date | None = None,
) -> ModelVersion:
    report = dict(report)
    held_out = [str(p) for p in report.pop("held_out_patients", [])]
    trained_on = report.pop("trained_patients", None)
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
            held_out_patients=held_out,
            trained_patients=None if trained_on is None else [str(p) for p in trained_on],
        )
        if activate:
            model_activate(model_version=mv)
    return mv


@transaction.atomic
def model_activate(
    *, model_version: ModelVersion, user: User | None = None, keep_previous: bool = False
) -> ModelVersion:
    """Make this version the only active one (the database allows no second), remembering
    which was active before (for rollback). The low-level switch: people go through
    `model_activate_reviewed` (four eyes) or `model_rollback`; the system uses it directly only
    for the very first model (`model_activate_first`) and in tests."""
    artifact_load(model_version.artifact_path, model_version.artifact_sha256)  # refuse a tampered artifact
    current = list(ModelVersion.objects.select_for_update().filter(is_active=True).order_by("pk"))
    previous = next((mv for mv in current if mv.pk != model_version.pk), None)
    ModelVersion.objects.filter(is_active=True).exclude(pk=model_version.pk).update(is_active=False)
    changes: dict[str, Any] = {"is_active": True, "activated_at": timezone.now(), "activated_by": user}
    if previous is not None and not keep_previous:
        changes["previous_version"] = previous
    ModelVersion.objects.filter(pk=model_version.pk).update(**changes)
    model_version.refresh_from_db()
    return model_version


# --- four-eyes model change (issue 17) --------------------------------------------------

REVIEWER_ROLES = (Role.PSYCHIATRIST, Role.ADMIN)


class ModelChangeRefused(DomainError):
    """Not allowed for this person: not a psychiatrist or admin, or the version's trainer (403)."""


class ModelChangeConflict(DomainError):
    """Not in a state that allows it: no comparison with the current active version, nothing
    to roll back to, already active (409)."""


def _reviewer_check(user: User) -> None:
    if not (user and user.is_active and user.role in REVIEWER_ROLES):
        raise ModelChangeRefused("Only a psychiatrist or an admin can review a model change.")


def model_compare(*, model_version: ModelVersion, user: User) -> ModelVersion:
    """Compute and store the side-by-side comparison of this version and the active one (on
    the candidate's held-out patients and on each team's last 90 days). Anyone who may review
    can run it, the trainer included; activation then needs someone else."""
    from .comparison import model_comparison

    _reviewer_check(user)
    result = model_comparison(candidate=model_version)
    ModelVersion.objects.filter(pk=model_version.pk).update(
        comparison=_json_safe(result), compared_at=timezone.now(), compared_by=user
    )
    model_version.refresh_from_db()
    return model_version


def model_activate_reviewed(*, model_version: ModelVersion, user: User) -> ModelVersion:
    """Four eyes: activate a candidate when `user` is a psychiatrist or admin who did not train
    it, after a comparison against the version active now."""
    _reviewer_check(user)
    if model_version.trained_by_id is not None and model_version.trained_by_id == user.pk:
        raise ModelChangeRefused("A second person must activate a model: you trained this version.")
    if model_version.is_active:
        raise ModelChangeConflict("This version is already active.")
    active = selectors.model_version_active()
    compared = model_version.comparison or {}
    if not compared or compared.get("active") != (active.version if active is not None else None):
        raise ModelChangeConflict(
            "Compare this version with the active one first (the comparison is missing or was made against "
            "another active version)."
        )
    return model_activate(model_version=model_version, user=user)


def model_rollback(*, user: User) -> ModelVersion:
    """One action: reactivate the version that was active before the current one."""
    _reviewer_check(user)
    active = selectors.model_version_active()
    if active is None or active.previous_version_id is None:
        raise ModelChangeConflict("There is no previous version to roll back to.")
    previous = ModelVersion.objects.get(pk=active.previous_version_id)
    # Keep the previous version's own `previous_version`: rolling back twice walks further back.
    return model_activate(model_version=previous, user=user, keep_previous=True)


def model_activate_first(*, model_version: ModelVersion) -> ModelVersion:
    """The system path, for the very first model only (no version was ever active): there is
    nothing to compare with. Every later change needs four eyes."""
    _first_model_check(exclude_pk=model_version.pk)
    return model_activate(model_version=model_version)


def _first_model_check(exclude_pk: int | None = None) -> None:
    before = ModelVersion.objects.filter(activated_at__isnull=False)
    if exclude_pk is not None:
        before = before.exclude(pk=exclude_pk)
    if before.exists():
        raise ModelChangeConflict(
            "A model has been active before: a new version is a candidate, activated by a second person after "
            "a comparison (POST /api/v1/models/{version}/compare/ then /activate/, or the model page)."
        )


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
