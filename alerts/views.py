"""The live nurse dashboard (HTML). The page carries the alerts as JSON and a static script
renders them and keeps them live over /ws/alerts/ (session auth); no inline script or style."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from patients.audit import audit_denied, audit_record_patients
from patients.models import AuditAction

from . import rules
from .models import AlertKind, AlertSeverity, AlertStatus
from .selectors import alert_last_seq, alerts_filter, alerts_for_clinician, alerts_triage_order
from .serializers import alert_data

DASHBOARD_LIMIT = 200
STATUS_FILTERS = ("active", "open", "acknowledged", "resolved", "all")


def _js_strings() -> dict[str, Any]:
    return {
        "kind": {value: str(label) for value, label in AlertKind.choices},
        "severity": {value: str(label) for value, label in AlertSeverity.choices},
        "status": {value: str(label) for value, label in AlertStatus.choices},
        "titles": {title: _(title) for title in rules.RULE_TITLES},
        "band": {"low": _("low"), "medium": _("medium"), "high": _("high")},
        "ui": {
            "acknowledge": _("Acknowledge"),
            "resolve": _("Resolve"),
            "save_resolution": _("Save resolution"),
            "cancel": _("Cancel"),
            "note_label": _("What was done (required)"),
            "note_required": _("A resolution note is required."),
            "escalated": _("Escalated"),
            "new": _("New"),
            "patient": _("Patient %(code)s"),
            "open_patient": _("Open patient %(code)s"),
            "raised": _("Raised %(when)s"),
            "acknowledged_by": _("Acknowledged by %(user)s %(when)s"),
            "resolved_by": _("Resolved by %(user)s %(when)s: %(note)s"),
            "created_by": _("Raised by %(user)s"),
            "escalated_at": _("Escalated %(when)s: not acknowledged in time"),
            "conn_connecting": _("Connecting…"),
            "conn_live": _("Live"),
            "conn_reconnecting": _("Connection lost. Reconnecting in %(seconds)s s…"),
            "conn_offline": _("Offline: live updates stopped. Reload the page."),
            "conn_signed_out": _("Signed out: sign in again to receive alerts."),
            "conn_resync": _("Catching up…"),
            "sound_on": _("Sound: on"),
            "sound_off": _("Sound: off"),
            "empty": _("No alerts match these filters."),
            "announce_new": _("New %(severity)s alert for patient %(code)s: %(title)s"),
            "announce_escalated": _("Alert escalated for patient %(code)s: %(title)s"),
            "announce_ack": _("Alert for patient %(code)s acknowledged by %(user)s"),
            "announce_resolved": _("Alert for patient %(code)s resolved by %(user)s"),
            "action_failed": _("The action failed: %(detail)s"),
            "network_error": _("network error, try again"),
            "detail_safety": _("PHQ-9 item 9 answered %(item9)s (0–3), completed %(when)s."),
            "detail_risk": _("Risk score %(score)s (band %(band)s, threshold %(threshold)s) on %(date)s."),
            "detail_factors": _("Factors: %(factors)s"),
            "detail_adherence": _("No check-in and no phone data since %(since)s (%(days)s days)."),
            "detail_note": _("Note: %(note)s"),
        },
    }


@login_required
def alert_dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (user.is_active and getattr(user, "is_clinician", False)):
        audit_denied(request=request, resource="alert_dashboard")
        raise PermissionDenied
    status = request.GET.get("status", "active")
    status = status if status in STATUS_FILTERS else "active"
    kind = request.GET.get("kind", "")
    kind = kind if kind in AlertKind.values else ""
    # Read the seq first: the page's alerts include everything up to it, and the script
    # resumes after it, so nothing falls between the two.
    last_seq = alert_last_seq()
    qs = alerts_filter(
        alerts_for_clinician(user=user),
        status=None if status == "all" else status,
        kind=kind or None,
    )
    if status in ("resolved", "all"):
        qs = qs.order_by("-updated_at", "pk")
    else:
        qs = alerts_triage_order(qs)
    alerts = list(qs[:DASHBOARD_LIMIT])
    audit_record_patients(
        request=request,
        action=AuditAction.READ,
        resource="alert_dashboard",
        patient_ids=[a.patient_id for a in alerts],
        detail={"count": len(alerts), "status": status, "kind": kind},
    )
    return render(
        request,
        "alerts/dashboard.html",
        {
            "alerts_json": [alert_data(a) for a in alerts],
            "strings": _js_strings(),
            "last_seq": last_seq,
            "status": status,
            "kind": kind,
            "status_choices": [
                ("active", _("Open or acknowledged")),
                ("open", _("Open")),
                ("acknowledged", _("Acknowledged")),
                ("resolved", _("Resolved")),
                ("all", _("All")),
            ],
            "kind_choices": [("", _("All kinds")), *[(v, str(label)) for v, label in AlertKind.choices]],
            "truncated": len(alerts) >= DASHBOARD_LIMIT,
        },
    )
