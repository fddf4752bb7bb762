"""Alert shapes, shared by the REST API, the WebSocket messages and the dashboard's data."""

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .factors import relabelled
from .models import Alert, AlertEvent, AlertKind, AlertSeverity, AlertStatus
from .rules import RULE_TITLES


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


class AlertOutputSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient_id", read_only=True)
    patient_code = serializers.CharField(source="patient.code", read_only=True)
    care_team = serializers.IntegerField(source="care_team_id", read_only=True)
    created_by = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()
    escalated = serializers.SerializerMethodField()
    dashboard_url = serializers.SerializerMethodField()
    # Filled in by `localized` (to_representation), in the active language.
    title_display = serializers.CharField(
        source="title",
        read_only=True,
        help_text="The title in the reader's language (Accept-Language, or the socket's language): a rule "
        "alert's `title` is its English wording, stored as such; a manual alert's title is the clinician's own.",
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "patient",
            "patient_code",
            "care_team",
            "kind",
            "severity",
            "status",
            "title",
            "title_display",
            "detail",
            "created_at",
            "updated_at",
            "created_by",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "resolution_note",
            "escalated",
            "escalated_at",
            "dashboard_url",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Alert) -> dict[str, Any]:
        return localized(dict(super().to_representation(instance)))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, obj: Alert) -> str | None:
        return _username(obj.created_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_acknowledged_by(self, obj: Alert) -> str | None:
        return _username(obj.acknowledged_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_resolved_by(self, obj: Alert) -> str | None:
        return _username(obj.resolved_by)

    def get_escalated(self, obj: Alert) -> bool:
        return obj.escalated_at is not None

    def get_dashboard_url(self, obj: Alert) -> str:
        return f"/dashboard/patients/{obj.patient_id}/"


def title_display(title: str) -> str:
    """A rule alert's title in the active language; any other title as written."""
    return gettext(title) if title in RULE_TITLES else title


def localized(alert: dict[str, Any]) -> dict[str, Any]:
    """The alert in the active language: its `title_display`, and the factor labels of a risk
    alert's explanation rendered from their stored numbers (the stored labels are English)."""
    if isinstance(alert.get("title"), str):
        alert = {**alert, "title_display": title_display(alert["title"])}
    detail = alert.get("detail")
    if not isinstance(detail, dict) or not detail.get("explanation"):
        return alert
    return {**alert, "detail": {**detail, "explanation": relabelled(detail["explanation"])}}


def localized_message(message: dict[str, Any]) -> dict[str, Any]:
    """A WebSocket/replay message with its alert `localized`."""
    if isinstance(message.get("alert"), dict):
        return {**message, "alert": localized(message["alert"])}
    return message


def alert_data(alert: Alert) -> dict[str, Any]:
    """The JSON-ready alert (the `alert` of a WebSocket message). The caller has selected
    patient and the three users (see selectors.ALERT_RELATED)."""
    return dict(AlertOutputSerializer(alert).data)


def event_message(event: AlertEvent, alert: Alert) -> dict[str, Any]:
    """`{"type": "alert", "event", "seq", "alert"}`: the message pushed live and replayed."""
    return {
        "type": "alert",
        "event": event.event,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "alert": alert_data(alert),
    }


class AlertEventMessageSerializer(serializers.Serializer):
    """For the schema only: one event as the WebSocket and the replay API send it."""

    type = serializers.ChoiceField(choices=["alert"])
    event = serializers.ChoiceField(choices=["created", "acknowledged", "resolved", "escalated"])
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    alert = AlertOutputSerializer()


class AlertEventsPageSerializer(serializers.Serializer):
    results = AlertEventMessageSerializer(many=True)
    last_seq = serializers.IntegerField(help_text="The highest seq in `results`, or `after` when empty.")
    more = serializers.BooleanField(help_text="True when more events follow: ask again with after=last_seq.")


class AlertListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[*AlertStatus.values, "active"], required=False)
    kind = serializers.ChoiceField(choices=AlertKind.values, required=False)
    severity = serializers.ChoiceField(choices=AlertSeverity.values, required=False)
    patient = serializers.UUIDField(required=False)
    ordering = serializers.ChoiceField(choices=["-created_at", "created_at", "triage"], required=False)


class AlertEventsQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, default=0)
    limit = serializers.IntegerField(min_value=1, max_value=500, default=200)


class ManualAlertInputSerializer(serializers.Serializer):
    id = serializers.UUIDField(
        required=False, help_text="Optional client-made UUID: sending the same alert again creates nothing."
    )
    patient = serializers.UUIDField()
    title = serializers.CharField(max_length=200, trim_whitespace=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=AlertSeverity.values, default=AlertSeverity.MEDIUM)


class ResolveInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=2000, trim_whitespace=True, help_text="What was done (required: resolving records the action)."
    )


class RiskAlertsSwitchInputSerializer(serializers.Serializer):
    paused = serializers.BooleanField()
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["paused"] and not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": ["Say why risk alerts are paused."]})
        return attrs


class RiskAlertsSwitchOutputSerializer(serializers.Serializer):
    care_team = serializers.IntegerField()
    risk_alerts_paused = serializers.BooleanField()
