"""Alert shapes, shared by the REST API, the WebSocket messages and the dashboard's data."""

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from patients.models import LABEL_EVENT_KINDS, ClinicalEvent, EmergencyReason

from .factors import raising, relabelled, risk_display
from .models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertNote,
    AlertNoteKind,
    AlertOutcome,
    AlertSeverity,
    AlertStatus,
    CallOutcome,
)
from .rules import LATE_AFTER_HOURS, RULE_TITLES, alert_late, escalation_due_at

# API.md roles: model explanations are for psychiatrists. Every alert a reader receives (REST,
# socket push, socket replay, handover, the desk page) passes `alert_for_reader` with the
# reader's role: the one place this is decided (security 21.5).
EXPLANATION_ROLES = frozenset({"psychiatrist"})
# The widest view, for messages serialized once and redacted per reader on delivery.
FULL_VIEW = "psychiatrist"


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def user_ref(user: Any) -> dict[str, Any] | None:
    """`{id, username, name}` of a user, or None."""
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "name": user.get_full_name() or user.get_username()}


class UserRefSerializer(serializers.Serializer):
    """For the schema: a clinician as the desk shows them."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


def late_after_hours() -> float:
    return float(getattr(settings, "ALERT_LATE_AFTER_HOURS", LATE_AFTER_HOURS))


class EventFollowedSerializer(serializers.Serializer):
    followed = serializers.BooleanField(allow_null=True)
    date = serializers.DateField(allow_null=True, help_text="The first relapse or hospitalisation in the window.")
    kind = serializers.CharField(allow_null=True)
    window_from = serializers.DateField(help_text="The scored day (events after it count).")
    window_to = serializers.DateField(help_text="The horizon, included (scored day + 14).")


def event_followed(obj: Alert, *, today: date | None = None) -> dict[str, Any] | None:
    """Did a relapse or hospitalisation follow this risk alert within its horizon? Reads the
    `followed_event_*` annotations of selectors.alerts_shaped, else queries."""
    if obj.risk_date is None or obj.risk_horizon is None or obj.patient_id is None:
        return None
    if hasattr(obj, "followed_event_date"):
        day, kind = obj.followed_event_date, getattr(obj, "followed_event_kind", None)
    else:
        first = (
            ClinicalEvent.objects.filter(
                patient_id=obj.patient_id,
                kind__in=LABEL_EVENT_KINDS,
                date__gt=obj.risk_date,
                date__lte=obj.risk_horizon,
            )
            .order_by("date", "kind")
            .values_list("date", "kind")
            .first()
        )
        day, kind = first if first else (None, None)
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    today = today or timezone.localdate()
    followed: bool | None = True if day is not None else (False if today > obj.risk_horizon else None)
    return {
        "followed": followed,
        "date": day.isoformat() if day else None,
        "kind": kind,
        "window_from": obj.risk_date.isoformat(),
        "window_to": obj.risk_horizon.isoformat(),
    }


class AlertOutputSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient_id", read_only=True)
    patient_code = serializers.CharField(source="patient.code", read_only=True)
    care_team = serializers.IntegerField(
        source="patient.care_team_id", read_only=True, help_text="The patient's current care team."
    )
    created_by = serializers.SerializerMethodField()
    acknowledged_by = serializers.SerializerMethodField()
    resolved_by = serializers.SerializerMethodField()
    escalated = serializers.SerializerMethodField()
    dashboard_url = serializers.SerializerMethodField()
    recorded_at = serializers.SerializerMethodField(
        help_text="When the answer or signal behind the alert was recorded (PHQ-9: completed_at; risk: the end "
        "of the scored local day; others: when raised)."
    )
    received_at = serializers.SerializerMethodField(help_text="When the data reached the server.")
    late = serializers.SerializerMethodField(
        help_text="True when received_at is more than ALERT_LATE_AFTER_HOURS (24 h) after recorded_at."
    )
    group = serializers.UUIDField(source="patient_id", read_only=True, help_text="The key cards are grouped by.")
    assigned_to = serializers.SerializerMethodField()
    escalates_at = serializers.SerializerMethodField(
        help_text="Open, not yet escalated critical alerts: when they escalate if nobody acknowledges (else null)."
    )
    notes_count = serializers.SerializerMethodField()
    outcome = serializers.CharField(
        read_only=True,
        help_text="Risk alerts: the team's judgement (useful, already_known, false_alarm, no_contact), asked at "
        "resolution and editable by a psychiatrist (POST .../outcome/); empty when not given.",
    )
    outcome_by = serializers.SerializerMethodField()
    event_followed = serializers.SerializerMethodField(
        help_text="Risk alerts: whether a relapse or hospitalisation (clinical event) is dated in the 14 days after "
        "the scored day: `followed` true, false once the horizon has passed without one, null while it is open; "
        "computed from the clinical events, never typed. Null for other kinds."
    )
    # Filled in by `alert_for_reader` (to_representation), in the active language.
    message = serializers.CharField(
        source="title",
        read_only=True,
        help_text="One line in the reader's language; for risk alerts the risk and threshold in percent, the "
        "band, and (psychiatrists only) the factors that raised it.",
    )
    risk = serializers.SerializerMethodField(
        help_text="Risk alerts: alerts.factors.risk_display(score, threshold) (percent, text, threshold_percent, "
        "threshold_text, band, band_label, band_meaning); null otherwise."
    )
    reasons = serializers.SerializerMethodField(
        help_text="Risk alerts, psychiatrists only: labels (with units) of the factors that raised the risk."
    )
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
            "recorded_at",
            "received_at",
            "late",
            "group",
            "assigned_to",
            "assigned_at",
            "escalates_at",
            "notes_count",
            "outcome",
            "outcome_at",
            "outcome_by",
            "event_followed",
            "message",
            "risk",
            "reasons",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Alert) -> dict[str, Any]:
        # No role in the context is the narrowest view: nothing is shown by default.
        return alert_for_reader(dict(super().to_representation(instance)), role=self.context.get("role"))

    @extend_schema_field(serializers.DateTimeField())
    def get_recorded_at(self, obj: Alert) -> str:
        return (obj.recorded_at or obj.created_at).isoformat()

    @extend_schema_field(serializers.DateTimeField())
    def get_received_at(self, obj: Alert) -> str:
        return (obj.received_at or obj.created_at).isoformat()

    def get_late(self, obj: Alert) -> bool:
        return alert_late(
            recorded_at=obj.recorded_at or obj.created_at,
            received_at=obj.received_at or obj.created_at,
            hours=late_after_hours(),
        )

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_assigned_to(self, obj: Alert) -> dict[str, Any] | None:
        return user_ref(obj.assigned_to)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_escalates_at(self, obj: Alert) -> str | None:
        due = escalation_due_at(
            severity=obj.severity,
            status=obj.status,
            escalated=obj.escalated_at is not None,
            created_at=obj.created_at,
            minutes=obj.patient.care_team.escalation_minutes,
        )
        return due.isoformat() if due is not None else None

    def get_notes_count(self, obj: Alert) -> int:
        counted = getattr(obj, "notes_total", None)
        return int(counted) if counted is not None else obj.notes.count()

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_risk(self, obj: Alert) -> dict[str, Any] | None:
        return None  # filled in by alert_for_reader, in the reader's language

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reasons(self, obj: Alert) -> list[str]:
        return []  # filled in by alert_for_reader, for the readers allowed explanations

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, obj: Alert) -> str | None:
        return _username(obj.created_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_acknowledged_by(self, obj: Alert) -> str | None:
        return _username(obj.acknowledged_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_resolved_by(self, obj: Alert) -> str | None:
        return _username(obj.resolved_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_outcome_by(self, obj: Alert) -> str | None:
        return _username(obj.outcome_by)

    @extend_schema_field(EventFollowedSerializer(allow_null=True))
    def get_event_followed(self, obj: Alert) -> dict[str, Any] | None:
        return event_followed(obj)

    def get_escalated(self, obj: Alert) -> bool:
        return obj.escalated_at is not None

    def get_dashboard_url(self, obj: Alert) -> str:
        return f"/dashboard/patients/{obj.patient_id}/"


def language_labels() -> dict[str, Any]:
    """The words a page needs to show a risk-language alert's quote (the desk and the patient
    page): the kinds of expression, the quote's caption and the card's line."""
    return {
        "kinds": {
            "ideation": gettext("suicidal ideation"),
            "plan": gettext("intent or plan"),
            "plan_sign": gettext("warning sign of a plan (a farewell, belongings given away)"),
            "self_harm": gettext("self-harm"),
            "hopelessness": gettext("hopelessness"),
            "danger_others": gettext("danger to others"),
        },
        "quote_label": gettext("The patient wrote (the words that raised the alert are highlighted):"),
        "detail": gettext("Found in a check-in note: %(kinds)s. A prompt to look, not a diagnosis."),
    }


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


def localized_message(message: dict[str, Any], *, role: str | None) -> dict[str, Any]:
    """A pushed message (built with FULL_VIEW) for one socket: its alert in the socket's
    language, redacted for the socket user's role."""
    if isinstance(message.get("alert"), dict):
        return {**message, "alert": alert_for_reader(message["alert"], role=role)}
    return message


def alert_for_reader(alert: dict[str, Any], *, role: str | None) -> dict[str, Any]:
    """THE per-role decision (security 21.5), applied to every alert a reader receives, in the
    active language: psychiatrists get the model's explanation (`detail.explanation`) and the
    factors that raised the risk (`reasons`); every other reader (nurses; no role) gets neither.
    Also renders `title_display`, the risk in the shared vocabulary and `message`."""
    alert = localized(alert)
    explained = role in EXPLANATION_ROLES
    detail = alert.get("detail")
    if isinstance(detail, dict) and "explanation" in detail and not explained:
        detail = {k: v for k, v in detail.items() if k != "explanation"}
        alert = {**alert, "detail": detail}
    return {**alert, **risk_presentation(alert, explained=explained)}


def emergency_message(detail: dict[str, Any]) -> str:
    """An emergency access alert in the active language: who opened the record, from which
    establishment, why, until when."""
    reason = str(dict(EmergencyReason.choices).get(detail.get("reason", ""), detail.get("reason", "")))
    expires = detail.get("expires_at") or ""
    try:
        zone = ZoneInfo(str(detail.get("time_zone") or settings.TIME_ZONE))
        expires = datetime.fromisoformat(expires).astimezone(zone).strftime("%H:%M %Z") if expires else ""
    except (ValueError, KeyError):
        expires = ""
    return gettext("Emergency access by %(who)s (%(where)s): %(reason)s. “%(text)s” Read-only until %(until)s.") % {
        "who": detail.get("clinician") or "?",
        "where": detail.get("establishment") or gettext("establishment unknown"),
        "reason": reason,
        "text": detail.get("reason_text") or "",
        "until": expires,
    }


def risk_presentation(alert: dict[str, Any], *, explained: bool) -> dict[str, Any]:
    """`risk`, `reasons` and `message` of an alert in the active language."""
    title = alert.get("title_display") or alert.get("title") or ""
    detail = alert.get("detail") if isinstance(alert.get("detail"), dict) else {}
    if alert.get("kind") == AlertKind.EMERGENCY_ACCESS and isinstance(detail, dict):
        return {"risk": None, "reasons": [], "message": emergency_message(detail)}
    if alert.get("kind") != AlertKind.RISK or not isinstance(detail, dict) or detail.get("score") is None:
        return {"risk": None, "reasons": [], "message": title}
    threshold = detail.get("threshold")
    risk = risk_display(
        float(detail["score"]), float(threshold) if threshold is not None else None, band=detail.get("band")
    )
    reasons = [str(f.get("label", "")) for f in raising(detail.get("explanation") or [])] if explained else []
    message = gettext("Relapse risk %(risk)s (alert threshold %(threshold)s): %(band)s") % {
        "risk": risk["text"],
        "threshold": risk["threshold_text"],
        "band": risk["band_label"],
    }
    if reasons:
        message = gettext("%(message)s. Raised by: %(reasons)s") % {"message": message, "reasons": "; ".join(reasons)}
    return {"risk": risk, "reasons": reasons, "message": message}


def alert_data(alert: Alert, *, role: str | None = None) -> dict[str, Any]:
    """The JSON-ready alert for a reader of this role (no role: the narrowest view). The caller
    has selected the related rows (see selectors.ALERT_RELATED)."""
    return dict(AlertOutputSerializer(alert, context={"role": role}).data)


def note_data(note: AlertNote) -> dict[str, Any]:
    return {
        "id": str(note.pk),
        "alert": str(note.alert_id),
        "kind": note.kind,
        "outcome": note.outcome or None,
        "text": note.text,
        "author": user_ref(note.author),
        "created_at": note.created_at.isoformat(),
    }


def event_message(event: AlertEvent, alert: Alert, *, role: str | None) -> dict[str, Any]:
    """`{"type": "alert", "event", "seq", "at", "actor", "alert"}` (+ `assignee` for
    `assigned`, `note` for `noted`): the message pushed live and replayed, for a reader of
    this role (pushes are built with FULL_VIEW and redacted per socket on delivery)."""
    message: dict[str, Any] = {
        "type": "alert",
        "event": event.event,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": user_ref(event.actor) if event.actor_id is not None else None,
        "alert": alert_data(alert, role=role),
    }
    detail = event.detail if isinstance(event.detail, dict) else {}
    if event.event == "assigned":
        message["assignee"] = detail.get("assignee")
    elif event.event == "noted":
        message["note"] = detail.get("note")
    return message


class AlertNoteOutputSerializer(serializers.Serializer):
    """For the schema: one note of an alert's thread (`note_data`)."""

    id = serializers.UUIDField()
    alert = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=AlertNoteKind.choices)
    outcome = serializers.ChoiceField(choices=CallOutcome.choices, allow_null=True)
    text = serializers.CharField(allow_blank=True)
    author = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()


class AlertEventMessageSerializer(serializers.Serializer):
    """For the schema only: one event as the WebSocket and the replay API send it."""

    type = serializers.ChoiceField(choices=["alert"])
    event = serializers.ChoiceField(choices=["created", "acknowledged", "resolved", "escalated", "assigned", "noted"])
    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = UserRefSerializer(allow_null=True)
    alert = AlertOutputSerializer()
    assignee = UserRefSerializer(allow_null=True, required=False, help_text="`assigned` events: the new assignee.")
    note = AlertNoteOutputSerializer(required=False, help_text="`noted` events: the note.")


class AlertEventsPageSerializer(serializers.Serializer):
    results = AlertEventMessageSerializer(many=True)
    last_seq = serializers.IntegerField(help_text="The highest seq in `results`, or `after` when empty.")
    more = serializers.BooleanField(help_text="True when more events follow: ask again with after=last_seq.")


def _date_or_datetime(value: str, *, end: bool, tz: Any = None) -> datetime:
    """`YYYY-MM-DD` (the start of that day, or of the next one for an inclusive end, in `tz`:
    the caller's care team's zone) or an ISO datetime with offset."""
    text = (value or "").strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if end:
                day += timedelta(days=1)
            return datetime.combine(day, time.min, tzinfo=tz or timezone.get_current_timezone())
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise serializers.ValidationError(
            "Give a date (YYYY-MM-DD) or a date and time with its offset (ISO 8601)."
        ) from exc
    if timezone.is_naive(parsed):
        raise serializers.ValidationError("Give the time with its offset, e.g. 2026-08-10T08:00:00+02:00.")
    return parsed


class AlertListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[*AlertStatus.values, "active"], required=False)
    kind = serializers.ChoiceField(choices=AlertKind.values, required=False)
    severity = serializers.CharField(
        required=False,
        help_text="One severity or a comma list: critical, high, medium, low (e.g. `critical,high`).",
    )
    patient = serializers.UUIDField(required=False)
    assignee = serializers.CharField(required=False, help_text="`me`, `none` (unassigned) or a user id.")
    created_from = serializers.CharField(
        required=False,
        help_text="`from`: created at or after (ISO datetime with offset, or YYYY-MM-DD: that day's midnight "
        "in the care team's time zone).",
    )
    created_to = serializers.CharField(
        required=False,
        help_text="`to`: created before this time (ISO datetime with offset), or up to the end of this day "
        "(YYYY-MM-DD, in the care team's time zone).",
    )
    ordering = serializers.ChoiceField(
        choices=["-created_at", "created_at", "triage"],
        required=False,
        help_text="`triage`: unacknowledged critical first, newest first; then by severity, oldest first.",
    )
    group = serializers.ChoiceField(
        choices=["patient"],
        required=False,
        help_text="`patient`: contiguous per patient, groups ordered by their most urgent alert (implies triage).",
    )
    # why: a field named like Serializer.context (the query parameter's name); DRF moves declared fields
    # off the class, so the serializer's own `context` is untouched.
    context = serializers.BooleanField(  # type: ignore[assignment]
        required=False, default=False, help_text="`1`: embed each alert's card `context` (see /patients/{id}/card/)."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # The query parameters are `from` and `to` (Python keywords: declared under other names).
        fields = super().get_fields()
        fields["from"] = fields.pop("created_from")
        fields["to"] = fields.pop("created_to")
        return fields

    def validate_severity(self, value: str) -> list[str]:
        wanted = [v.strip() for v in value.split(",") if v.strip()]
        unknown = [v for v in wanted if v not in AlertSeverity.values]
        if not wanted or unknown:
            raise serializers.ValidationError(
                f"Unknown severity {', '.join(unknown) or '(empty)'}: use {', '.join(AlertSeverity.values)}."
            )
        return wanted

    def validate_assignee(self, value: str) -> str | int:
        text = value.strip().lower()
        if text in ("me", "none"):
            return text
        if text.isdigit():
            return int(text)
        raise serializers.ValidationError("Use `me`, `none` or a user id.")

    def _team_tz(self) -> Any:
        # The serializer's own context (the `context` field above shadows the name for the type checker).
        return getattr(self, "_context", {}).get("tz")

    def validate_from(self, value: str) -> datetime:
        return _date_or_datetime(value, end=False, tz=self._team_tz())

    def validate_to(self, value: str) -> datetime:
        return _date_or_datetime(value, end=True, tz=self._team_tz())

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.pop("from", None), attrs.pop("to", None)
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError({"to": ["`to` must be after `from`."]})
        return {**attrs, "created_from": start, "created_to": end}


HANDOVER_MAX_DAYS = 7
HANDOVER_MAX_EVENTS = 2000


class HandoverQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="ISO datetime with offset; at most 7 days ago.")
    until = serializers.DateTimeField(required=False, help_text="Default: now.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        now = timezone.now()
        since, until = attrs["since"], attrs.get("until") or now
        if since > now:
            raise serializers.ValidationError({"since": ["`since` is in the future."]})
        if now - since > timedelta(days=HANDOVER_MAX_DAYS):
            raise serializers.ValidationError({"since": [f"At most {HANDOVER_MAX_DAYS} days back."]})
        if until <= since:
            raise serializers.ValidationError({"until": ["`until` must be after `since`."]})
        return {"since": since, "until": until}


class AssignInputSerializer(serializers.Serializer):
    assignee = serializers.JSONField(
        allow_null=True,
        help_text='`"me"`, a user id (a nurse or psychiatrist of the patient\'s team), or null to unassign.',
    )

    def validate_assignee(self, value: Any) -> Any:
        if value is None or value == "me":
            return value
        if isinstance(value, bool):
            raise serializers.ValidationError('Give "me", a user id or null.')
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            return int(value)
        raise serializers.ValidationError('Give "me", a user id or null.')


class NoteInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AlertNoteKind.choices)
    outcome = serializers.ChoiceField(
        choices=CallOutcome.choices,
        required=False,
        allow_null=True,
        help_text="Required for a call, refused for a note.",
    )
    text = serializers.CharField(
        max_length=AlertNote.TEXT_MAX, required=False, allow_blank=True, default="", trim_whitespace=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        outcome = attrs.get("outcome") or ""
        if attrs["kind"] == AlertNoteKind.CALL and not outcome:
            raise serializers.ValidationError({"outcome": ["A call attempt needs its outcome."]})
        if attrs["kind"] == AlertNoteKind.NOTE:
            if outcome:
                raise serializers.ValidationError({"outcome": ["Only a call attempt has an outcome."]})
            if not attrs["text"]:
                raise serializers.ValidationError({"text": ["A note needs its text."]})
        return {**attrs, "outcome": outcome}


class HandoverEventSerializer(serializers.Serializer):
    """For the schema: one line of the handover."""

    seq = serializers.IntegerField()
    at = serializers.DateTimeField()
    event = serializers.CharField()
    actor = UserRefSerializer(allow_null=True)
    alert = serializers.DictField(
        help_text="{id, patient, patient_code, kind, severity, status, title_display, recorded_at, late}"
    )
    note = AlertNoteOutputSerializer(allow_null=True)
    assignee = UserRefSerializer(allow_null=True)


class HandoverSerializer(serializers.Serializer):
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    counts = serializers.DictField(child=serializers.IntegerField())
    events = HandoverEventSerializer(many=True)
    open = AlertOutputSerializer(many=True)


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
    outcome = serializers.ChoiceField(
        choices=AlertOutcome.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional, risk alerts only: was the alert useful (led to contact or action), already known, a "
        "false alarm, or was no contact possible.",
    )


class OutcomeInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AlertOutcome.choices)


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
