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
from django.utils.formats import localize
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy

from ml import selectors as ml_selectors
from ml import services as ml_services
from ml.drift import DEFAULTS as DRIFT_DEFAULTS
from ml.drift import threshold as drift_threshold
from ml.performance import MIN_SUBGROUP_COUNT
from patients.access import request_user
from patients.audit import audit_denied, audit_record
from patients.errors import DomainError
from patients.models import AuditAction, Role

PAGE_ROLES = (Role.PSYCHIATRIST, Role.ADMIN)


def _input(signal: str) -> Any:
    return pgettext_lazy("model input", signal)


# Model inputs in words for the drift list: the signal, then what of it (features.py names
# them `<signal>__<statistic>`).
_SIGNALS = {
    "mood": _input("mood"), "anxiety": _input("anxiety"), "energy": _input("energy"),
    "irritability": _input("irritability"), "sleep_quality": _input("sleep quality"),
    "sleep_hours": _input("sleep duration"), "sleep_mid": _input("sleep timing"),
    "sleep_efficiency": _input("sleep efficiency"), "steps": _input("steps"), "time_at_home": _input("time at home"),
    "distance": _input("distance travelled"), "speech_rate": _input("speech rate"), "pause": _input("pauses in speech"),
    "pitch_sd": _input("voice pitch variability"), "screen": _input("phone screen time"),
    "unlocks": _input("phone unlocks"), "phq9": "PHQ-9", "gad7": "GAD-7", "asrm": "ASRM",
}  # fmt: skip
_STATISTICS = {
    "z3": _lazy("3-day mean against the patient's usual"),
    "z7": _lazy("7-day mean against the patient's usual"),
    "z14": _lazy("14-day mean against the patient's usual"),
    "trend": _lazy("trend (last week against the two before)"),
    "vol7": _lazy("day-to-day variability"),
    "miss7": _lazy("days missing this week"),
}


def _input_words(name: str) -> str:
    """`mood__z7` → "mood: 7-day mean against the patient's usual"; other names as they are."""
    signal, _sep, statistic = name.partition("__")
    if signal in _SIGNALS and statistic in _STATISTICS:
        return f"{_SIGNALS[signal]}: {_STATISTICS[statistic]}"
    return str(_SIGNALS.get(signal, name.replace("_", " ")))


def _moved_words(moved: dict[str, Any], stored: dict[str, Any]) -> str:
    """One drift finding in words a clinician reads (numbers in the reader's locale; the
    thresholds the check used, else today's settings)."""
    check, value = moved.get("check"), localize(moved.get("value"))
    thresholds = {name: localize(stored.get(name, drift_threshold(name))) for name in DRIFT_DEFAULTS}
    if check == "psi":
        return _("%(input)s: its distribution moved (stability index %(value)s, alert above %(limit)s)") % {
            "input": _input_words(str(moved.get("feature"))),
            "value": value,
            "limit": thresholds["MODEL_DRIFT_PSI"],
        }
    if check == "missing":
        return _("%(input)s: missing on %(value)s of patient-days (training window %(reference)s)") % {
            "input": _input_words(str(moved.get("feature"))),
            "value": _share(value),
            "reference": _share(moved.get("reference")),
        }
    if check == "score_psi":
        return _("Risk scores: their distribution moved (stability index %(value)s, alert above %(limit)s)") % {
            "value": value,
            "limit": thresholds["MODEL_DRIFT_SCORE_PSI"],
        }
    if check == "no_passive":
        return _("Patient-days without phone sensor data: %(value)s (training window %(reference)s)") % {
            "value": _share(value),
            "reference": _share(moved.get("reference")),
        }
    return f"{moved.get('feature')}: {check} {value}"


def _share(value: Any) -> str:
    try:
        return f"{100 * float(value):.0f} %"
    except (TypeError, ValueError):
        return "—"


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
    drift = (data or {}).get("drift")
    moved = (drift or {}).get("moved") or []
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
            "drift": drift,
            "drift_moved": [_moved_words(m, (drift or {}).get("figures", {}).get("thresholds", {})) for m in moved],
            "charts_empty": _charts_empty(list(latest.values())),
            "model_alerts": [
                {**a, "inputs": [_input_words(str(n)) for n in (a.get("detail") or {}).get("features", [])]}
                for a in (data or {}).get("alerts", [])
            ],
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


def _charts_empty(latest: list[dict[str, Any]]) -> dict[str, bool]:
    """Which charts would be drawn without a single point (the page then says why)."""
    figures = [row.get("figures") or {} for row in latest]
    return {
        "alerts": all(f.get("alerts_per_patient_month") is None for f in figures),
        "calibration": all(not any(b.get("n") for b in (f.get("calibration") or {}).get("bins", [])) for f in figures),
    }


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
