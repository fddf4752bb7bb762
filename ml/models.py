from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patients.models import Patient


class ModelVersion(models.Model):
    """A trained relapse-risk model: its data window, features, evaluation, model card and
    artifact (checked against its SHA-256 when loaded). Exactly one version is active."""

    version = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    artifact_path = models.CharField(max_length=500)
    artifact_sha256 = models.CharField(max_length=64)
    data_start = models.DateField(null=True, blank=True)
    data_end = models.DateField(null=True, blank=True)
    seed = models.IntegerField(default=0)
    feature_names = models.JSONField(default=list)
    threshold = models.FloatField(help_text=_("Operating threshold chosen to meet the alert budget"))
    metrics = models.JSONField(default=dict)
    model_card = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True), name="one_active_model")
        ]

    def __str__(self) -> str:
        return self.version


class RiskBand(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RiskScore(models.Model):
    """A patient's probability of relapse in the 14 days after `date`, from data up to and
    including `date`, with the factors that moved it."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="risk_scores")
    date = models.DateField()
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="scores")
    score = models.FloatField()
    band = models.CharField(max_length=8, choices=RiskBand.choices)
    threshold = models.FloatField()
    explanation = models.JSONField(default=list)
    input_start = models.DateField(null=True, blank=True)
    input_end = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["patient", "date"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "date", "model_version"], name="one_score_per_day_and_model")
        ]
        indexes = [models.Index(fields=["patient", "-date"])]


class ScoringRun(models.Model):
    """One nightly scoring of one care team's previous local day by one model version. Created
    with get_or_create by the beat task, so a team's night is dispatched once however often the
    beat fires; the scores themselves are idempotent anyway."""

    care_team = models.ForeignKey("patients.CareTeam", on_delete=models.CASCADE, related_name="scoring_runs")
    date = models.DateField()
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="runs")
    chunks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "care_team"]
        constraints = [
            models.UniqueConstraint(fields=["care_team", "date", "model_version"], name="one_scoring_run_per_team_day")
        ]

    def __str__(self) -> str:
        return f"{self.care_team_id}:{self.date}"
