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
    # Risk language in a note the patient wrote (monitoring.risk_language): a safety alert of
    # its own kind, raised at ingestion like PHQ-9 item 9.
    LANGUAGE = "language", _("Risk language")
    # Someone outside the team opened the patient's record in an emergency (patients.emergency).
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access")
    MODEL = "model", _("Model monitoring")


class AlertOutcome(models.TextChoices):
    """What a risk alert was worth, asked at resolution (one tap), editable by a psychiatrist."""

    USEFUL = "useful", _("Useful: led to contact or action")
    ALREADY_KNOWN = "already_known", _("Already known")
    FALSE_ALARM = "false_alarm", _("False alarm")
    NO_CONTACT = "no_contact", _("No contact possible")


# A risk alert is "followed by an event" when a relapse or hospitalisation is dated within
# this many days after its scored day (the model's horizon).
OUTCOME_HORIZON_DAYS = 14


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
    # Null only for `model` alerts (drift of the risk model: about a team's model, no patient);
    # those never reach the desk, whose reads all go through the patient's team (and every
    # other read is of a patient's alerts), so code reading alerts may take the patient as set.
    patient: "models.ForeignKey[Patient, Patient]" = models.ForeignKey(  # type: ignore[misc]
        Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
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
    # The age of the data: when the answer or signal behind the alert was recorded, and when
    # it reached the server (`late` when far apart, see rules.alert_late). Null on rows older
    # than these fields: read as created_at.
    recorded_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    # Team work: who claimed the alert or was given it.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    # Human oversight of the model (risk alerts): the outcome judged by the team, and the
    # window in which a relapse or hospitalisation counts as following the alert: after the
    # scored day (`risk_date`) up to and including `risk_horizon` (+14 days). Whether one
    # followed is computed from patients.ClinicalEvent when read, never typed.
    outcome = models.CharField(max_length=16, choices=AlertOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    risk_date = models.DateField(null=True, blank=True)
    risk_horizon = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["care_team", "status"]),
            models.Index(fields=["patient", "status"]),
            models.Index(fields=["patient", "kind", "created_at"]),
            models.Index(fields=["severity", "status", "escalated_at"]),
            models.Index(fields=["assigned_to", "status"]),
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
            models.CheckConstraint(
                condition=models.Q(patient__isnull=False) | models.Q(kind="model"),
                name="alert_patient_unless_model",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.severity} alert {self.pk}"


class AlertEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated")
    ASSIGNED = "assigned", _("Assigned")
    NOTED = "noted", _("Note added")


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


class AlertNoteKind(models.TextChoices):
    CALL = "call", _("Call attempt")
    NOTE = "note", _("Note")


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    MESSAGE_LEFT = "message_left", _("Message left")


class AlertNote(models.Model):
    """The thread of an alert: call attempts with their outcome and free notes, before (or
    after) it is resolved. Append-only."""

    TEXT_MAX = 2000

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=8, choices=AlertNoteKind.choices)
    outcome = models.CharField(max_length=16, choices=CallOutcome.choices, blank=True)
    text = models.TextField(blank=True, max_length=TEXT_MAX)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["alert", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="call") & ~models.Q(outcome=""))
                | (models.Q(kind="note") & models.Q(outcome="") & ~models.Q(text="")),
                name="alert_note_call_has_outcome_note_has_text",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} on alert {self.alert_id}"
