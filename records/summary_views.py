"""The pre-consultation summary as a page for clinicians, beside the patient's charts: the
same document as `GET /api/v1/patients/{id}/summary/` (records/summary_text.py), with a form
to pick the period and links to the PDF and the JSON."""

import json
from datetime import date
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from patients.audit import audit_denied, audit_record
from patients.models import AuditAction, Role
from patients.selectors import patient_get_for_clinician

from .summary import EARLIEST_DAY, LATEST_DAY, MAX_DAYS
from .summary_text import patient_summary


def _day(raw: str | None) -> date | None:
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST_DAY <= day <= LATEST_DAY else None


def _period(request: HttpRequest) -> tuple[date | None, date | None, bool]:
    """The period asked for, or none (the default) when it is malformed or out of bounds."""
    start, end = _day(request.GET.get("start")), _day(request.GET.get("end"))
    asked = bool(request.GET.get("start") or request.GET.get("end"))
    if start is not None and end is not None and (end < start or (end - start).days + 1 > MAX_DAYS):
        return None, None, True
    if asked and start is None and end is None:
        return None, None, True
    return start, end, False


@require_GET
@login_required
def patient_summary_page(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    user = request.user
    patient = None
    if getattr(user, "is_clinician", False) and user.is_active:
        patient = patient_get_for_clinician(user=user, patient_id=patient_id)
    if patient is None:
        # Outside one's teams the patient does not exist (404, never 403), but it is logged.
        audit_denied(request=request, resource="summary_page", patient_id=patient_id)
        raise Http404
    audit_record(request=request, action=AuditAction.READ, resource="summary_page", patient_id=patient.pk)
    start, end, invalid = _period(request)
    document = patient_summary(
        patient=patient,
        start=start,
        end=end,
        explain=getattr(user, "role", "") == Role.PSYCHIATRIST,
        now=timezone.now(),
    )
    query = urlencode({"start": document["start"], "end": document["end"]})
    api = reverse("patient_summary", kwargs={"patient_id": patient.pk})
    sections: list[dict[str, Any]] = [
        {
            **section,
            "sentences": [
                {**s, "facts_text": json.dumps(s["facts"], ensure_ascii=False, indent=1)} for s in section["sentences"]
            ],
        }
        for section in document["sections"]
    ]
    return render(
        request,
        "records/summary/page.html",
        {
            "patient": patient,
            "summary": document,
            "sections": sections,
            "start": document["start"],
            "end": document["end"],
            "invalid_period": invalid,
            "max_days": MAX_DAYS,
            "pdf_url": f"{api}?{query}&format=pdf",
            "json_url": f"{api}?{query}",
            "patient_url": reverse("dashboard_patient_detail", kwargs={"patient_id": patient.pk}),
            "list_url": reverse("dashboard_patient_list"),
            "team_time_zone": patient.care_team.timezone,
        },
    )
