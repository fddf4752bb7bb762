"""Emergency access pages (EN/FR), beside the API of records.emergency_apis:

- `/dashboard/emergency/`: the emergency clinician's form (INS, date of birth, reason, text)
  and her accesses; a refusal (no match, consent exclusion) is explained on the page.
- `/dashboard/emergency/<access>/`: the emergency view, read-only, with a countdown to the
  expiry; every load checks the access again (ended or expired: 404).
- `/dashboard/emergency/review/`: every emergency access for administrators (their teams'
  patients for psychiatrists), with its reason, repeated use, and the verdict form."""

import datetime as dt
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.exceptions import NotFound

from alerts.factors import BANDS_EXPLAINED
from patients.audit import audit_denied, audit_record
from patients.emergency import (
    EmergencyExcluded,
    EmergencyNoMatch,
    emergency_access_revoke,
    emergency_access_verdict,
    emergency_access_visible_to,
    emergency_accesses_for_review,
    emergency_accesses_of,
    emergency_verdict_allowed,
    is_emergency_clinician,
)
from patients.errors import DomainError
from patients.models import AuditAction, EmergencyAccess, EmergencyReason, EmergencyVerdict, Role

from .emergency import access_data, emergency_access_open, emergency_view_data
from .emergency_apis import EmergencySearchThrottle, active_access_or_404
from .presentation import EVENT_KIND_LABELS, chart_grid, chart_strings


def _require_emergency(request: HttpRequest) -> Any:
    if not is_emergency_clinician(request.user):
        raise PermissionDenied
    return request.user


@require_http_methods(["GET", "POST"])
@login_required
def emergency_home(request: HttpRequest) -> HttpResponse:
    user = _require_emergency(request)
    form = {"ins": "", "birth_date": "", "reason": "", "reason_text": ""}
    error, refusal, status = "", "", 200
    if request.method == "POST":
        form = {k: (request.POST.get(k) or "").strip()[:600] for k in form}
        throttle = EmergencySearchThrottle()
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]  # why: reads user and address only
            error, status = _("Too many look-ups. Try again later, or call the patient's usual service."), 429
        else:
            try:
                born = dt.date.fromisoformat(form["birth_date"])
            except ValueError:
                born = None
            if born is None:
                error, status = _("Give the date of birth."), 400
            else:
                try:
                    result = emergency_access_open(
                        clinician=user,
                        ins=form["ins"],
                        birth_date=born,
                        reason=form["reason"],
                        reason_text=form["reason_text"],
                        request=request,
                    )
                except EmergencyNoMatch:
                    error, status = _("No patient matches this INS and this date of birth exactly."), 404
                except EmergencyExcluded:
                    refusal, status = (
                        _(
                            "This patient has excluded emergency access in their consent settings: no data can be "
                            "shown. Their refusal is on record; follow your establishment's usual emergency procedure."
                        ),
                        403,
                    )
                except DomainError as exc:
                    error, status = str(exc), 400
                else:
                    return redirect("dashboard_emergency_view", access_id=result.access.pk)
    now = timezone.now()
    accesses = [access_data(a, now=now) for a in emergency_accesses_of(user=user)[:50]]
    response = render(
        request,
        "records/emergency/home.html",
        {
            "form": form,
            "reasons": EmergencyReason.choices,
            "error": error,
            "refusal": refusal,
            "accesses": accesses,
            "text_max": EmergencyAccess.REASON_TEXT_MAX,
        },
    )
    response.status_code = status
    return response


@require_GET
@login_required
def emergency_view(request: HttpRequest, access_id: UUID) -> HttpResponse:
    _require_emergency(request)
    try:
        access = active_access_or_404(request, access_id, resource="view_page")  # type: ignore[arg-type]
    except NotFound as exc:  # not hers, ended or expired: a page answers Http404
        raise Http404 from exc
    now = timezone.now()
    data = emergency_view_data(access=access, now=now)
    api = reverse("emergency_view", kwargs={"access_id": access.pk})
    return render(
        request,
        "records/emergency/view.html",
        {
            "data": data,
            "access": data["access"],
            "patient": data["patient"],
            "team": data["care_team"],
            "api": {
                "timeline": f"{api}timeline/",
                "risk_scores": f"{api}risk-scores/",
                "risk_episodes": f"{api}risk-episodes/",
                "events": f"{api}events/",
                "alerts": f"{api}alerts/",
            },
            "grid": chart_grid(
                patient_id=data["patient"]["id"],
                start=data["period"]["start"],
                end=data["period"]["end"],
                time_zone=data["patient"]["time_zone"],
                role="psychiatrist",  # the explanations of the scores, as for the patient's psychiatrist
                preset="30",
                max_days=30,
            ),
            "bands_explained": BANDS_EXPLAINED,
            "strings": chart_strings(),
            "event_kinds": [(str(k), str(v)) for k, v in EVENT_KIND_LABELS.items()],
            "home_url": reverse("dashboard_emergency_home"),
            # How often the open page asks whether the access is still in force.
            "watch_seconds": _watch_seconds(request.GET.get("watch")),
        },
    )


def _watch_seconds(raw: str | None) -> int:
    """The open page's polling interval: 30 s, or `?watch=` between 1 and 300 (tests, kiosks)."""
    return max(1, min(300, int(raw))) if raw and raw.isascii() and raw.isdigit() else 30


@require_POST
@login_required
def emergency_end(request: HttpRequest, access_id: UUID) -> HttpResponse:
    """End an access early (its clinician, the patient's team, an administrator)."""
    access = emergency_access_visible_to(user=request.user, access_id=access_id)
    if access is None:
        audit_denied(request=request, resource="emergency:revoke")
        raise Http404
    emergency_access_revoke(access=access, user=request.user, request=request)  # type: ignore[arg-type]
    if is_emergency_clinician(request.user):
        return redirect("dashboard_emergency_home")
    return redirect("dashboard_emergency_review")


def _reviewer(request: HttpRequest) -> Any:
    user = request.user
    if not (
        user.is_authenticated and user.is_active and (user.is_staff or user.role in (Role.ADMIN, Role.PSYCHIATRIST))
    ):
        raise PermissionDenied
    return user


@require_http_methods(["GET", "POST"])
@login_required
def emergency_review(request: HttpRequest) -> HttpResponse:
    user = _reviewer(request)
    error = ""
    if request.method == "POST":
        access = emergency_access_visible_to(user=user, access_id=request.POST.get("access") or "")
        if access is None or not emergency_verdict_allowed(user=user, access=access):
            audit_denied(request=request, resource="emergency_access_verdict")
            raise Http404
        try:
            emergency_access_verdict(
                access=access,
                user=user,
                verdict=request.POST.get("verdict") or "",
                note=request.POST.get("note") or "",
                request=request,
            )
        except DomainError as exc:
            error = str(exc)
        else:
            return redirect(f"{reverse('dashboard_emergency_review')}#access-{access.pk}")
    now = timezone.now()
    accesses = list(emergency_accesses_for_review(user=user)[:500])
    audit_record(
        request=request, action=AuditAction.READ, resource="emergency_review_page", detail={"count": len(accesses)}
    )
    rows = [
        {
            **access_data(a, now=now),
            "care_team": a.patient.care_team.name,
            "clinician_recent": getattr(a, "clinician_recent", 0) or 0,
            "clinician_unjustified": getattr(a, "clinician_unjustified", 0) or 0,
            "may_judge": emergency_verdict_allowed(user=user, access=a),
            "verdict_display": a.get_verdict_display() if a.verdict else "",
            "end_display": a.get_end_kind_display() if a.end_kind else "",
        }
        for a in accesses
    ]
    return render(
        request,
        "records/emergency/review.html",
        {"rows": rows, "verdicts": EmergencyVerdict.choices, "error": error, "repeat_window": 30},
    )
