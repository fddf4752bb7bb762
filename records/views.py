"""Clinician pages: the patient overview list and one patient's trend charts.

Pages, not an API: the list is rendered on the server from bulk queries (a constant number of
SQL queries whatever the page size); the patient page is a shell whose script reads the
existing JSON endpoints (timeline, risk scores, alerts, clinical events) with the session."""

import zoneinfo
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alerts.factors import BANDS_EXPLAINED, risk_display
from patients.access import request_user
from patients.audit import audit_denied, audit_record, audit_record_patients
from patients.models import AuditAction, Role, User
from patients.query import int_param, nul_free, query_errors_as_400
from patients.selectors import patient_get_for_clinician

from .actogram import actogram_for_patient
from .overview import (
    BANDS,
    GAP_CHOICES,
    SORTS,
    OverviewFilters,
    alert_threshold,
    patients_for_overview,
    patients_with_overview,
)
from .presentation import (
    DIAGNOSIS_LABELS,
    EVENT_KIND_LABELS,
    MAX_RANGE_DAYS,
    PAGE_SIZE,
    RANGE_PRESETS,
    SEX_LABELS,
    SPARKLINE_SCORES,
    chart_grid,
    chart_range,
    chart_strings,
    days_since,
    diagnosis_label,
    percent,
    sparkline,
)
from .scores import active_model_threshold, score_sparklines
from .search import EmptyQuery, notes_search_audited
from .serializers import SearchQuerySerializer
from .timeline import data_range_for_patient


def _require_clinician(request: HttpRequest) -> User:
    user = request.user
    if not (user.is_authenticated and user.is_active and getattr(user, "is_clinician", False)):
        raise PermissionDenied
    return user


# How each order reads in the column it sorts by (ARIA: the values shown, not the SQL).
_ARIA_SORT = {
    "code": "ascending",
    "-code": "descending",
    "risk": "descending",
    "-risk": "ascending",
    "diagnosis": "ascending",
    "-diagnosis": "descending",
    "alerts": "descending",
    "-alerts": "ascending",
    # Longest silence first: the last days in ascending order.
    "checkin": "ascending",
    "-checkin": "descending",
    "passive": "ascending",
    "-passive": "descending",
}


def _sort_header(filters: OverviewFilters, key: str) -> dict[str, str]:
    # A second click on the column sorted by reverses it, where a reverse order exists.
    current = filters.sort.lstrip("-") == key
    target = f"-{key}" if filters.sort == key and f"-{key}" in SORTS else key
    return {
        "url": "?" + filters.query(sort=target),
        "aria": _ARIA_SORT.get(filters.sort, "descending") if current else "",
    }


@require_GET
@login_required
@query_errors_as_400
def patient_list(request: HttpRequest) -> HttpResponse:
    user = _require_clinician(request)
    nul_free(request.GET)
    teams = list(user.care_teams.order_by("name"))
    filters = OverviewFilters.from_query(request.GET, {t.pk for t in teams})
    # "No data for N days" is counted on the (first) team's calendar, close enough for a filter;
    # each row's own figures use the patient's time zone.
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(teams[0].timezone)) if teams else timezone.localdate()
    qs = filters.apply(patients_for_overview(user=user), today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    patients = list(page.object_list)
    model_threshold = active_model_threshold()
    sparks = score_sparklines(patient_ids=[p.pk for p in patients], per_patient=SPARKLINE_SCORES)
    rows = []
    for p in patients:
        local_today = timezone.localdate(timezone=p.tz)
        threshold = alert_threshold(team=p.care_team, model_threshold=model_threshold)
        rows.append(
            {
                "patient": p,
                "diagnosis_label": diagnosis_label(p.diagnosis),
                "spark": sparkline(sparks.get(p.pk, []), threshold),
                "checkin_days": days_since(p.last_checkin_on, local_today),
                "passive_days": days_since(p.last_passive_on, local_today),
                "gap_days": p.care_team.adherence_gap_days,
                "open_alerts": p.open_alert_count or 0,
                "risk_percent": percent(p.latest_risk_score),
                "risk": risk_display(p.latest_risk_score, threshold, band=p.latest_risk_band),
            }
        )
    audit_record_patients(
        request=request,
        action=AuditAction.READ,
        resource="patient_overview_page",
        patient_ids=[p.pk for p in patients],
        detail={"count": len(patients), "page": page.number, "q": filters.q},
    )
    sort_headers = {key: _sort_header(filters, key) for key in SORTS if not key.startswith("-")}
    team_thresholds = sorted(
        {t for t in (alert_threshold(team=team, model_threshold=model_threshold) for team in teams) if t is not None}
    )
    return render(
        request,
        "records/dashboard/patient_list.html",
        {
            "rows": rows,
            "page": page,
            "filters": filters,
            "teams": teams,
            "diagnoses": sorted(DIAGNOSIS_LABELS.items()),
            "bands": BANDS,
            "gap_choices": GAP_CHOICES,
            "sort_headers": sort_headers,
            "page_query": filters.query(),
            "total": page.paginator.count,
            "bands_explained": BANDS_EXPLAINED,
            "thresholds_text": ", ".join(risk_display(None, t)["threshold_text"] for t in team_thresholds),
        },
    )


@require_GET
@login_required
@query_errors_as_400
def patient_detail(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    user = request.user
    nul_free(request.GET)
    patient = None
    if getattr(user, "is_clinician", False) and user.is_active:
        patient = patient_get_for_clinician(user=user, patient_id=patient_id)
    if patient is None:
        # Outside one's teams the patient does not exist (404, never 403), but it is logged.
        audit_denied(request=request, resource="patient_dashboard", patient_id=patient_id)
        raise Http404
    overview = patients_with_overview(user=request_user(request)).filter(pk=patient.pk).first()
    audit_record(request=request, action=AuditAction.READ, resource="patient_dashboard", patient_id=patient.pk)

    today = timezone.localdate(timezone=patient.tz)
    first_day, _last = data_range_for_patient(patient=patient, today=today)
    start, end, preset = chart_range(request.GET, today=today, earliest=first_day)
    threshold = alert_threshold(team=patient.care_team, model_threshold=active_model_threshold())
    latest_score = getattr(overview, "latest_risk_score", None)
    api = f"/api/v1/patients/{patient.pk}"
    is_psychiatrist = getattr(user, "role", "") == Role.PSYCHIATRIST
    return render(
        request,
        "records/dashboard/patient_detail.html",
        {
            "patient": patient,
            "diagnosis_label": diagnosis_label(patient.diagnosis),
            "latest_risk_date": getattr(overview, "latest_risk_date", None),
            "latest_risk_score": getattr(overview, "latest_risk_score", None),
            "latest_risk_percent": percent(latest_score),
            "latest_risk": risk_display(latest_score, threshold, band=getattr(overview, "latest_risk_band", None)),
            "threshold_display": risk_display(None, threshold),
            "bands_explained": BANDS_EXPLAINED,
            "first_day": first_day,
            "latest_risk_band": getattr(overview, "latest_risk_band", None),
            "open_alerts": getattr(overview, "open_alert_count", None) or 0,
            "today": today,
            "start": start,
            "end": end,
            "preset": preset,
            "presets": RANGE_PRESETS,
            "max_range_days": MAX_RANGE_DAYS,
            "threshold": threshold,
            "is_psychiatrist": is_psychiatrist,
            "grid": chart_grid(
                patient_id=patient.pk,
                start=start,
                end=end,
                time_zone=patient.care_team.timezone,
                role="psychiatrist" if is_psychiatrist else "nurse",
                first_day=first_day,
                today=today,
                username=user.get_username(),
                preset=preset,
                threshold=threshold,
                latest_risk_date=getattr(overview, "latest_risk_date", None),
            ),
            "api": {
                "timeline": f"{api}/timeline/",
                "risk_scores": f"{api}/risk-scores/",
                "risk_episodes": f"{api}/risk-episodes/",
                "events": f"{api}/events/",
                "alerts": f"/api/v1/alerts/?patient={patient.pk}&limit=100",
                "export_csv": f"{api}/export/?format=csv",
                "export_fhir": f"{api}/export/?format=fhir",
            },
            "event_kinds": [(str(k), str(v)) for k, v in EVENT_KIND_LABELS.items()],
            "sex_label": str(SEX_LABELS.get(patient.sex, patient.sex)),
            "strings": chart_strings(),
            "actogram": actogram_for_patient(patient=patient, end=end),
            "list_url": reverse("dashboard_patient_list"),
        },
    )


SEARCH_PAGE_SIZE = 20


def search_kind_labels() -> dict[str, str]:
    return {
        "checkin": _("Check-in note"),
        "clinical_event": _("Clinical event"),
        "alert_note": _("Alert note"),
        "alert_resolution": _("Alert resolution"),
        "crisis_plan": _("Crisis plan"),
    }


@require_GET
@login_required
@query_errors_as_400
def search_page(request: HttpRequest) -> HttpResponse:
    """The results of the header's search box: the same search and audit as GET /api/v1/search/."""
    _require_clinician(request)
    nul_free(request.GET)
    form = SearchQuerySerializer(data={k: v for k, v in request.GET.items() if v != "" and k != "page"})
    page_number = int_param(request.GET, "page") or 1
    context: dict[str, Any] = {
        "q": request.GET.get("q", ""),
        "kind": request.GET.get("kind", ""),
        "start": request.GET.get("from", ""),
        "end": request.GET.get("to", ""),
        "kinds": search_kind_labels(),
        "errors": [],
    }
    if context["q"] and form.is_valid():
        filters = form.validated_data
        patient_id = filters.get("patient")
        if (
            patient_id is not None
            and patient_get_for_clinician(user=request_user(request), patient_id=patient_id) is None
        ):
            audit_denied(request=request, resource="search", patient_id=patient_id)
            raise Http404
        try:
            page = notes_search_audited(
                request=request,
                query=filters["q"],
                patient_id=patient_id,
                kind=filters.get("kind"),
                start=filters.get("start"),
                end=filters.get("end"),
                limit=SEARCH_PAGE_SIZE,
                offset=(page_number - 1) * SEARCH_PAGE_SIZE,
            )
        except EmptyQuery:
            context["errors"].append(_("There is no word to look for in this query."))
        else:
            labels = search_kind_labels()
            for hit in page.hits:
                hit.kind_label = labels[hit.kind]  # type: ignore[attr-defined]  # why: the template's label
            base = request.GET.copy()
            base.pop("page", None)
            context.update(
                page=page,
                page_number=page_number,
                previous_url=f"?{base.urlencode()}&page={page_number - 1}" if page_number > 1 else "",
                next_url=f"?{base.urlencode()}&page={page_number + 1}"
                if page_number * SEARCH_PAGE_SIZE < page.ranked
                else "",
            )
    elif context["q"]:
        context["errors"] = [f"{name}: {' '.join(map(str, msgs))}" for name, msgs in form.errors.items()]
    return render(request, "records/search.html", context)
