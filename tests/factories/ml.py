"""Factories: ml."""

import datetime as dt
import hashlib
import zoneinfo
from typing import Any

import factory
from django.conf import settings
from django.utils import timezone

from alerts.factors import band_for, english, factor_label
from ml.features import FEATURES, LOOKBACK_DAYS
from ml.models import ModelVersion, RiskScore, ScoringRun

from .base import _local_today
from .patients import CareTeamFactory, PatientFactory

# --- ml ------------------------------------------------------------------------------------


class ModelVersionFactory(factory.django.DjangoModelFactory):
    """A registered model version with its registry data. There is no artifact file behind it
    (use ml.services.model_register with a trained model for one). `is_active=True` makes it
    the only active version, as `model_activate` does."""

    class Meta:
        model = ModelVersion

    version = factory.Sequence(lambda n: f"risk-test-{n:04d}")
    trained_by = None
    is_active = False
    activated_at = factory.LazyAttribute(lambda o: timezone.now() if o.is_active else None)
    artifact_path = factory.LazyAttribute(lambda o: f"{settings.MODEL_ARTIFACT_DIR}/{o.version}.joblib")
    artifact_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.version.encode()).hexdigest())
    data_start = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=366))
    data_end = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=1))
    seed = 0
    feature_names = factory.LazyFunction(lambda: list(FEATURES))
    threshold = 0.3
    metrics = factory.LazyAttribute(
        lambda o: {
            "budget": 1.0,
            "training": {"data_start": o.data_start.isoformat(), "data_end": o.data_end.isoformat()},
            "scorers": {"model": {"overall": {"auroc": {"value": 0.74}, "event_sensitivity": {"value": 0.62}}}},
        }
    )
    model_card = factory.LazyAttribute(lambda o: f"# Relapse-risk model {o.version}\n\nA test model version.\n")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> ModelVersion:
        if kwargs.get("is_active"):
            ModelVersion.objects.filter(is_active=True).update(is_active=False)
        return super()._create(model_class, *args, **kwargs)


def _sleep_factor() -> dict[str, Any]:
    """One explanation factor as scoring stores it: short sleep raising the risk, labelled in
    English by the one labelling rule."""
    params = {"value": 5.9, "usual": 7.5, "z7": -1.8, "vol7": 0.2, "days_since": 0}
    with english():
        label = factor_label("sleep_hours", params)
    return {"feature": "sleep_hours", "label": label, "direction": "up", "weight": 0.04, "params": params}


class RiskScoreFactory(factory.django.DjangoModelFactory):
    """A nightly score of the patient's local yesterday by a model version, as scoring stores
    it: the team's threshold (its own, else the model's), the band of the score against it,
    the 90-day input window, one explanation factor."""

    class Meta:
        model = RiskScore

    patient = factory.SubFactory(PatientFactory)
    date = factory.LazyAttribute(lambda o: _local_today(o.patient) - dt.timedelta(days=1))
    model_version = factory.SubFactory(ModelVersionFactory)
    score = 0.12
    threshold = factory.LazyAttribute(
        lambda o: (
            o.patient.care_team.risk_threshold
            if o.patient.care_team.risk_threshold is not None
            else o.model_version.threshold
        )
    )
    band = factory.LazyAttribute(lambda o: band_for(o.score, o.threshold))
    explanation = factory.LazyFunction(lambda: [_sleep_factor()])
    input_start = factory.LazyAttribute(lambda o: o.date - dt.timedelta(days=LOOKBACK_DAYS - 1))
    input_end = factory.SelfAttribute("date")


class ScoringRunFactory(factory.django.DjangoModelFactory):
    """The nightly run of a care team's local yesterday. The default team has no patients, so
    the run dispatched no chunk."""

    class Meta:
        model = ScoringRun

    care_team = factory.SubFactory(CareTeamFactory)
    date = factory.LazyAttribute(
        lambda o: timezone.localdate(timezone=zoneinfo.ZoneInfo(o.care_team.timezone)) - dt.timedelta(days=1)
    )
    model_version = factory.SubFactory(ModelVersionFactory)
    chunks = 0
