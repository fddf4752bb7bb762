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
    # Four-eyes model change (issue 17): a new version is a candidate; a second person (a
    # psychiatrist or admin who did not train it) compares it with the active version and
    # activates it. `previous_version` is what was active before: rollback reactivates it.
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous_version = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comparison = models.JSONField(default=dict, blank=True)
    compared_at = models.DateTimeField(null=True, blank=True)
    compared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Pseudonymous ids of the patients the version was evaluated on (never in the API).
    held_out_patients = models.JSONField(default=list, blank=True)
    # Pseudonymous ids of the patients the deployed artifact was fitted on (every labelled
    # patient: the final fit comes after the evaluation); null when not recorded (versions
    # registered before this). The comparison of two versions reads only patients in neither.
    trained_patients = models.JSONField(null=True, blank=True, default=None)

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
    # Traceability: SHA-256 of the input window (ml.trace.input_hashes) and the model inputs of
    # the factors that explain the score; `verify_score` recomputes both and the score.
    input_sha256 = models.CharField(max_length=64, blank=True)
    feature_values = models.JSONField(default=dict, blank=True)
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


class ModelPerformance(models.Model):
    """A care team's live figures for one model version, computed after the night's scoring
    for the 90 days up to `day` (ml.performance). One row per team, version and day: the
    nightly task replaces it when run again."""

    care_team = models.ForeignKey("patients.CareTeam", on_delete=models.CASCADE, related_name="model_performance")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="performance")
    day = models.DateField()
    figures = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["care_team", "day"]
        constraints = [
            models.UniqueConstraint(fields=["care_team", "model_version", "day"], name="one_performance_per_team_day")
        ]


class ModelDrift(models.Model):
    """Drift of a model version's inputs and scores, last 30 days against its training window
    (ml.drift), computed nightly. `moved`: the checks that crossed their threshold."""

    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="drift")
    day = models.DateField()
    figures = models.JSONField(default=dict)
    moved = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model_version", "day"]
        constraints = [models.UniqueConstraint(fields=["model_version", "day"], name="one_drift_per_version_day")]
