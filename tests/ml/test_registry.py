"""Model registry: SHA-256 checked at load, exactly one active version."""

import pytest
from django.db import IntegrityError, transaction

from ml.models import ModelVersion
from ml.registry import ArtifactIntegrityError, artifact_load, model_load
from ml.services import model_activate
from tests.ml.helpers import register, trained


def test_a_tampered_artifact_is_refused(db):
    model, report = trained()
    mv = register(model, report)
    assert model_load(mv).threshold == model.threshold
    with open(mv.artifact_path, "ab") as handle:
        handle.write(b"\x00tampered")
    with pytest.raises(ArtifactIntegrityError):
        artifact_load(mv.artifact_path, mv.artifact_sha256)
    with pytest.raises(ArtifactIntegrityError):
        model_activate(model_version=mv)


def test_exactly_one_active_version(db):
    model, report = trained()
    first = register(model, report, activate=True)
    second = register(model, report, activate=True)
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert ModelVersion.objects.filter(is_active=True).count() == 1
    assert first.artifact_sha256 == second.artifact_sha256  # same model, same bytes
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.filter(pk=first.pk).update(is_active=True)


def test_registered_version_has_card_metrics_and_features(db):
    model, report = trained()
    mv = register(model, report)
    assert "## Intended use" in mv.model_card and "## Limits" in mv.model_card and "By subgroup" in mv.model_card
    assert mv.metrics["scorers"]["model"]["overall"]["auroc"]["value"] is not None
    assert mv.feature_names == model.feature_names and mv.data_start is not None
