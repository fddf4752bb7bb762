"""The model page (issue 17, human oversight of the model in service): for psychiatrists and
admins, the versions (candidate, active, retired), the four-eyes change (compare, activate,
roll back), the live figures per care team with their charts, drift and model alerts.

Server-rendered; the two charts (Chart.js, vendored) read the figures from a json_script
block; every chart has a table twin. Actions are plain forms posting to this page, which calls
the ml services (the same as the API) and writes the audit trail."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from ml import selectors as ml_selectors
from ml import services as ml_services
from ml.performance import MIN_SUBGROUP_COUNT
from patients.access import request_user
from patients.audit import audit_denied, audit_record
from patients.errors import DomainError
from patients.models import AuditAction, Role

PAGE_ROLES = (Role.PSYCHIATRIST, Role.ADMIN)


def _status(mv: Any) -> str:
    if mv.is_active:
        return _("Active")
    return _("Retired") if mv.activated_at is not None else _("Candidate")


@login_required
def model_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if getattr(user, "role", "") not in PAGE_ROLES:
        audit_denied(request=request, resource="model_page")
        raise PermissionDenied
    if request.method == "POST":
        return _act(request, user)
    versions = list(ml_selectors.model_versions()[:20])
    active = next((v for v in versions if v.is_active), None)
    shown = active or (versions[0] if versions else None)
    data = ml_selectors.monitoring_data(model_version=shown, user=user) if shown is not None else None
    audit_record(request=request, action=AuditAction.READ, resource="model_page")
    latest: dict[int, dict[str, Any]] = {}
    for row in (data or {}).get("performance", []):
        latest[row["team_id"]] = row
    return render(
        request,
        "records/models/model_page.html",
        {
            "versions": [{"mv": v, "status": _status(v)} for v in versions],
            "active": active,
            "shown": shown,
            "candidates": [v for v in versions if not v.is_active and v.activated_at is None],
            "latest": list(latest.values()),
            "drift": (data or {}).get("drift"),
            "model_alerts": (data or {}).get("alerts", []),
            "chart_data": {
                "performance": (data or {}).get("performance", []),
                "strings": {
                    "alerts_pm": _("Alerts per patient-month"),
                    "budget": _("Budget"),
                    "mean_score": _("Mean score"),
                    "observed": _("Observed 14-day event rate"),
                    "perfect": _("Perfect calibration"),
                },
            },
            "min_subgroup_count": MIN_SUBGROUP_COUNT,
            "axes": [("sex", _("Sex")), ("age_band", _("Age band")), ("diagnosis", _("Diagnosis"))],
        },
    )


def _act(request: HttpRequest, user: Any) -> HttpResponse:
    action = request.POST.get("action", "")
    version = request.POST.get("version", "")
    try:
        if action == "rollback":
            mv = ml_services.model_rollback(user=user)
            message = _("Rolled back to %(version)s.") % {"version": mv.version}
        else:
            target = ml_selectors.model_version_get(version=version) if version.isprintable() else None
            if target is None:
                raise DomainError(_("No such model version."))
            if action == "compare":
                mv = ml_services.model_compare(model_version=target, user=user)
                message = _("Compared %(version)s with the active version.") % {"version": mv.version}
            elif action == "activate":
                mv = ml_services.model_activate_reviewed(model_version=target, user=user)
                message = _("%(version)s is now active.") % {"version": mv.version}
            else:
                raise DomainError(_("Unknown action."))
    except ml_services.ModelChangeRefused:
        audit_denied(request=request, resource="model_version")
        messages.error(request, _("Refused: a second person must activate a model, never the one who trained it."))
    except ml_services.ModelChangeConflict:
        messages.error(
            request,
            _("Not possible now: compare the version with the active one first, or there is no previous version."),
        )
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        audit_record(request=request, action=AuditAction.UPDATE, resource="model_version", detail={action: mv.version})
        messages.success(request, message)
    return HttpResponseRedirect(request.path)
