"""The nurse's alert desk and its handover page (HTML). The desk carries its alerts, their
patients' card context, the colleagues one can assign to and its words as JSON data blocks;
static ES modules render them and keep them live over /ws/alerts/ (session auth). No inline
script or style (CSP). Times are the care team's: every page names its zone."""

import datetime as dt
import zoneinfo
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from patients.audit import audit_denied, audit_record_patients
from patients.formatting import team_timezone
from patients.models import CLINICAL_ROLES, AuditAction, Role, User
from patients.selectors import patients_for_clinician

from . import factors, rules
from .context import cards_for_patients
from .models import AlertKind, AlertOutcome, AlertSeverity, AlertStatus, CallOutcome
from .selectors import (
    alert_ids_grouped,
    alert_last_seq,
    alerts_by_ids,
    alerts_filter,
    alerts_for_clinician,
    clinician_team_ids,
)
from .serializers import alert_data, language_labels

DASHBOARD_LIMIT = 200
STATUS_FILTERS = ("active", "open", "acknowledged", "resolved", "all")
# The handover looks back to the start of a shift by default, and at most a week (the API's limit).
HANDOVER_DEFAULT_HOURS = 12
HANDOVER_MAX_DAYS = 7


def _js_strings() -> dict[str, Any]:
    return {
        "kind": {value: str(label) for value, label in AlertKind.choices},
        "severity": {value: str(label) for value, label in AlertSeverity.choices},
        "status": {value: str(label) for value, label in AlertStatus.choices},
        "outcome": {value: str(label) for value, label in CallOutcome.choices},
        "titles": {title: _(title) for title in rules.RULE_TITLES},
        "language": language_labels(),
        "ui": {
            "acknowledge": _("Acknowledge"),
            "resolve": _("Resolve"),
            "save_resolution": _("Save resolution"),
            "cancel": _("Cancel"),
            "note_label": _("What was done (required)"),
            "note_required": _("A resolution note is required."),
            "note_text_required": _("Write the note first."),
            "open_patient": _("Open patient %(code)s"),
            "alerts_of": _("Alerts of patient %(code)s"),
            "age_answered": _("Answered %(age)s (%(when)s), received %(received)s (%(received_when)s)."),
            "age_answered_now": _("Answered %(age)s (%(when)s)."),
            "age_written": _("Written %(age)s (%(when)s), received %(received)s (%(received_when)s)."),
            "age_written_now": _("Written %(age)s (%(when)s)."),
            "age_scored": _("Risk of the day %(day)s, computed %(received)s (%(received_when)s)."),
            "age_raised": _("Raised %(age)s (%(when)s)."),
            "acknowledged_by": _("Acknowledged by %(user)s at %(when)s"),
            "resolved_by": _("Resolved by %(user)s at %(when)s: %(note)s"),
            "created_by": _("Raised by %(user)s"),
            "escalated_at": _("Escalated at %(when)s: not acknowledged in time"),
            "escalates_in": _("Escalates %(left)s (%(when)s) unless acknowledged."),
            "escalation_due": _("Escalation due since %(when)s."),
            "assigned_to": _("Assigned to %(user)s"),
            "unassigned": _("Not assigned"),
            "claim": _("Claim"),
            "release": _("Release"),
            "nobody": _("Nobody"),
            "notes_button": _("Notes and assignment (%(count)s)"),
            "note_call": _("%(user)s called: %(outcome)s"),
            "note_free": _("%(user)s wrote"),
            "conn_connecting": _("Connecting…"),
            "conn_live": _("Live"),
            "conn_reconnecting": _("Connection lost. Reconnecting in %(seconds)s s…"),
            "conn_offline": _("Offline: live updates stopped. Reload the page."),
            "conn_signed_out": _("Signed out: sign in again to receive alerts."),
            "conn_resync": _("Catching up…"),
            "sound_on": _("Sound: on"),
            "sound_off": _("Sound: off"),
            "notify_on": _("Desktop notifications: on"),
            "notify_off": _("Desktop notifications: off"),
            "notify_denied": _("This browser blocks notifications from this site: allow them in its site settings."),
            "notify_unsupported": _("This browser cannot show desktop notifications."),
            "banner_one": _("1 new critical alert not acknowledged"),
            "banner_many": _("%(count)s new critical alerts not acknowledged"),
            "announce_new": _("New %(severity)s alert for patient %(code)s: %(title)s"),
            "announce_escalated": _("Alert escalated for patient %(code)s: %(title)s"),
            "announce_ack": _("Alert for patient %(code)s acknowledged by %(user)s"),
            "announce_resolved": _("Alert for patient %(code)s resolved by %(user)s"),
            "announce_assigned": _("Alert for patient %(code)s assigned to %(to)s by %(user)s"),
            "announce_unassigned": _("Alert for patient %(code)s unassigned by %(user)s"),
            "announce_noted": _("New note by %(user)s on an alert for patient %(code)s"),
            "action_failed": _("The action failed: %(detail)s"),
            "network_error": _("network error, try again"),
            "detail_safety": _("PHQ-9 item 9 answered %(item9)s (0–3)."),
            "detail_risk": _("Relapse risk %(risk)s, %(band)s (alert threshold %(threshold)s)."),
            "late_upload": _("Late upload"),
            "old_data": _("Old data"),
            "detail_reasons": _("Raised by: %(reasons)s"),
            "detail_adherence": _("No check-in and no phone data since %(since)s (%(days)s days)."),
            "detail_note": _("Note: %(note)s"),
            "risk_now": _("Risk %(risk)s, %(band)s (threshold %(threshold)s)"),
            "risk_none": _("No risk score yet"),
            "sparkline_label": _("Risk over the last 30 days: from %(from)s to %(to)s"),
            "sparkline_none": _("No risk score in the last 30 days"),
            "call_patient": _("Call patient %(code)s: %(phone)s"),
            "key_worker": _("Key worker: %(user)s"),
            "no_key_worker": _("No key worker"),
            "never": _("never"),
            "ago_when": _("%(age)s (%(when)s)"),
            "context_summary": _("last check-in %(checkin)s · %(previous)s previous alerts in 90 days"),
            "plan_empty": _("Not written yet"),
            "plan_updated": _("Updated by %(user)s at %(when)s"),
            "previous_item": _("%(when)s · %(severity)s · %(title)s (%(status)s)"),
        },
    }


def _clinician_or_403(request: HttpRequest, resource: str) -> User:
    user = request.user
    if not (user.is_active and getattr(user, "is_clinician", False)):
        audit_denied(request=request, resource=resource)
        raise PermissionDenied
    return user


def _colleagues(user: User) -> list[dict[str, Any]]:
    """The clinicians of the reader's teams, whom an alert can be given to."""
    team_ids = clinician_team_ids(user=user)
    people = (
        User.objects.filter(care_teams__in=team_ids, role__in=CLINICAL_ROLES, is_active=True)
        .distinct()
        .order_by("username")
        .prefetch_related("care_teams")
    )
    return [
        {
            "id": person.pk,
            "username": person.get_username(),
            "name": person.get_full_name() or person.get_username(),
            "teams": sorted(t.pk for t in person.care_teams.all() if t.pk in team_ids),
        }
        for person in people
    ]


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


class _Filters:
    """The desk's filters from the query string; an unknown value is dropped (and said)."""

    def __init__(self, request: HttpRequest, user: User, tz: zoneinfo.ZoneInfo) -> None:
        get = request.GET
        self.error = ""
        self.status = get.get("status", "active")
        self.status = self.status if self.status in STATUS_FILTERS else "active"
        self.kind = get.get("kind", "")
        self.kind = self.kind if self.kind in AlertKind.values else ""
        self.severity = get.get("severity", "")
        self.severity = self.severity if self.severity in AlertSeverity.values else ""
        self.assignee = get.get("assignee", "")
        if self.assignee not in ("", "me", "none") and not self.assignee.isdigit():
            self.assignee = ""
        self.patient = get.get("patient", "")
        try:
            self.patient = str(UUID(self.patient)) if self.patient else ""
        except ValueError:
            self.patient = ""
        self.from_day = _day(get.get("from", ""))
        self.to_day = _day(get.get("to", ""))
        if self.from_day and self.to_day and self.to_day < self.from_day:
            self.error = _("The end date is before the start date: the dates were ignored.")
            self.from_day = self.to_day = None
        self.tz = tz
        self.user = user

    def start(self, day: dt.date | None, *, next_day: bool = False) -> dt.datetime | None:
        if day is None:
            return None
        return dt.datetime.combine(day + dt.timedelta(days=1 if next_day else 0), dt.time(), tzinfo=self.tz)

    def apply(self, qs: Any) -> Any:
        assignee: int | str | None = None
        if self.assignee == "me":
            assignee = self.user.pk
        elif self.assignee == "none":
            assignee = "none"
        elif self.assignee:
            assignee = int(self.assignee)
        return alerts_filter(
            qs,
            status=None if self.status == "all" else self.status,
            kind=self.kind or None,
            severity=self.severity or None,
            patient_id=self.patient or None,
            assignee=assignee,
            created_from=self.start(self.from_day),
            created_to=self.start(self.to_day, next_day=True),
        )

    def context(self) -> dict[str, str]:
        start, end = self.start(self.from_day), self.start(self.to_day, next_day=True)
        return {
            "status": self.status,
            "kind": self.kind,
            "severity": self.severity,
            "assignee": self.assignee,
            "patient": self.patient,
            "from": self.from_day.isoformat() if self.from_day else "",
            "to": self.to_day.isoformat() if self.to_day else "",
            "from_at": start.isoformat() if start else "",
            "to_at": end.isoformat() if end else "",
        }


@login_required
def alert_dashboard(request: HttpRequest) -> HttpResponse:
    if getattr(request.user, "role", "") == Role.EMERGENCY and request.user.is_active:
        # Where signing in lands: an emergency clinician has no desk, only the emergency page.
        return redirect("dashboard_emergency_home")
    user = _clinician_or_403(request, "alert_dashboard")
    tz_name = str(team_timezone(user))
    filters = _Filters(request, user, zoneinfo.ZoneInfo(tz_name))
    # Read the seq first: the page's alerts include everything up to it, and the script
    # resumes after it, so nothing falls between the two.
    last_seq = alert_last_seq()
    qs = filters.apply(alerts_for_clinician(user=user))
    if filters.status in ("resolved", "all"):
        alerts = list(qs.order_by("-updated_at", "pk")[:DASHBOARD_LIMIT])
    else:
        # Triage order, one card per patient: the cards ordered by their most urgent alert.
        alerts = alerts_by_ids(qs=qs, ids=alert_ids_grouped(qs)[:DASHBOARD_LIMIT])
    role = getattr(user, "role", None)
    patient_ids = sorted({a.patient_id for a in alerts}, key=str)
    contexts = cards_for_patients(patient_ids=patient_ids, user=user)
    audit_record_patients(
        request=request,
        action=AuditAction.READ,
        resource="alert_dashboard",
        patient_ids=patient_ids,
        detail={"count": len(alerts)},
    )
    colleagues = _colleagues(user)
    patients = patients_for_clinician(user=user).select_related(None).order_by("code").only("pk", "code")
    return render(
        request,
        "alerts/dashboard.html",
        {
            "alerts_json": [alert_data(a, role=role) for a in alerts],
            "contexts_json": {str(pid): card for pid, card in contexts.items()},
            "colleagues_json": colleagues,
            "strings": _js_strings(),
            "last_seq": last_seq,
            "time_zone": tz_name,
            "filters": filters.context(),
            "filter_error": filters.error,
            "bands_explained": factors.BANDS_EXPLAINED,
            "status_choices": [
                ("active", _("Open or acknowledged")),
                ("open", _("Open")),
                ("acknowledged", _("Acknowledged")),
                ("resolved", _("Resolved")),
                ("all", _("All")),
            ],
            "kind_choices": [("", _("All kinds")), *[(v, str(label)) for v, label in AlertKind.choices]],
            "severity_choices": [("", _("All severities")), *[(v, str(label)) for v, label in AlertSeverity.choices]],
            "assignee_choices": [
                ("", _("Anyone or nobody")),
                ("me", _("Me")),
                ("none", _("Nobody")),
                *[(str(c["id"]), c["name"]) for c in colleagues if c["id"] != user.pk],
            ],
            "patient_choices": [("", _("All patients")), *[(str(p.pk), p.code) for p in patients]],
            "outcome_choices": [(v, str(label)) for v, label in CallOutcome.choices],
            "alert_outcome_choices": [(v, str(label)) for v, label in AlertOutcome.choices],
            "truncated": len(alerts) >= DASHBOARD_LIMIT,
            "limit": DASHBOARD_LIMIT,
        },
    )


def _handover_since(text: str, tz: zoneinfo.ZoneInfo, now: dt.datetime) -> tuple[dt.datetime, str]:
    """The handover's start from the time picker (a local time of the care team's zone), or
    the start of the shift (12 h ago) when absent or unreadable; never more than 7 days back."""
    default = now - dt.timedelta(hours=HANDOVER_DEFAULT_HOURS)
    error = ""
    since = default
    if text:
        try:
            parsed = dt.datetime.fromisoformat(text)
            since = parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
        except ValueError:
            error = _("Give the start as a date and a time.")
    earliest = now - dt.timedelta(days=HANDOVER_MAX_DAYS)
    if since < earliest:
        since = earliest + dt.timedelta(minutes=1)
        error = _("A handover looks back 7 days at most.")
    if since > now:
        since = default
        error = _("The start is in the future: the start of the shift is shown.")
    return since.astimezone(tz).replace(second=0, microsecond=0), error


@login_required
def alert_handover(request: HttpRequest) -> HttpResponse:
    """What happened since a chosen time (new, acknowledged, resolved alerts, assignments,
    notes, who did what), printable. The page carries the period; handover.js reads the
    handover API (audited there) and renders it."""
    user = _clinician_or_403(request, "alert_handover")
    tz_name = str(team_timezone(user))
    tz = zoneinfo.ZoneInfo(tz_name)
    now = timezone.now()
    since, error = _handover_since(request.GET.get("since", ""), tz, now)
    strings = _js_strings()
    strings["handover"] = {
        "period": _("From %(since)s to %(until)s"),
        "created": _("New alerts"),
        "acknowledged": _("Acknowledged"),
        "resolved": _("Resolved"),
        "escalated": _("Escalated"),
        "assigned": _("Assignments"),
        "noted": _("Notes and call attempts"),
        "open": _("Still open or acknowledged"),
        "nothing": _("Nothing."),
        "counts": _(
            "%(created)s new, %(acknowledged)s acknowledged, %(resolved)s resolved, %(escalated)s escalated, "
            "%(assigned)s assignments, %(noted)s notes"
        ),
        "by": _("by %(user)s"),
        "system": _("by the system"),
        "assigned_to": _("assigned to %(user)s"),
        "unassigned": _("unassigned"),
        "failed": _("The handover could not be loaded: %(detail)s"),
        "late": _("late upload"),
        "recorded": _("data of %(when)s"),
        "recorded_risk": _("data up to %(when)s"),
    }
    return render(
        request,
        "alerts/handover.html",
        {
            "strings": strings,
            "time_zone": tz_name,
            "since_local": since.strftime("%Y-%m-%dT%H:%M"),
            "since_iso": since.isoformat(),
            "min_local": (now - dt.timedelta(days=HANDOVER_MAX_DAYS) + dt.timedelta(minutes=1))
            .astimezone(tz)
            .strftime("%Y-%m-%dT%H:%M"),
            "max_local": now.astimezone(tz).strftime("%Y-%m-%dT%H:%M"),
            "since_error": error,
        },
    )
