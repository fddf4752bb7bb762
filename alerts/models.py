import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from patients.models import CareTeam, Patient


class AlertKind(models.TextChoices):
    RISK = "risk", _("Relapse risk")
    SAFETY = "safety", _("Safety")
    ADHERENCE = "adherence", _("Adherence")
    MANUAL = "manual", _("Manual")


class AlertSeverity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class Alert(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="alerts")
    care_team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    severity = models.CharField(max_length=16, choices=AlertSeverity.choices)
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    title = models.CharField(max_length=200)
    detail = models.JSONField(default=dict, blank=True)
    # Rules set this so a retried task or a replayed request raises the alert once.
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["care_team", "status"]),
            models.Index(fields=["patient", "status"]),
            models.Index(fields=["patient", "kind", "created_at"]),
            models.Index(fields=["severity", "status", "escalated_at"]),
        ]
        constraints = [
            # The lifecycle invariants the services and the dashboard rely on.
            models.CheckConstraint(
                condition=~models.Q(status="resolved") | models.Q(resolved_at__isnull=False),
                name="alert_resolved_has_time",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open") | models.Q(acknowledged_at__isnull=False),
                name="alert_acknowledged_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.severity} alert {self.pk}"


class AlertEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")


class AlertEvent(models.Model):
    """The alert event log. `seq` increases over all teams; dashboards replay after a seq.

    Invariant (see services._event_append): events become visible in `seq` order, so a
    dashboard that has seen seq N has seen every event before it."""

    seq = models.BigAutoField(primary_key=True)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    care_team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="+")
    event = models.CharField(max_length=16, choices=AlertEventKind.choices)
    at = models.DateTimeField(auto_now_add=True)
    detail = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["care_team", "seq"])]
