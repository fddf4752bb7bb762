"""The clinicians' read side of the API, and the patient's own copy and erasure: patients with
their overview, timelines, risk scores, CSV/FHIR exports, GDPR export and erasure. Thin views:
parse, authorise through `patients.access`, call one selector or service, serialize."""

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import rules
from alerts.factors import lowering, raising, relabelled, risk_display
from patients.access import clinician_patient_or_404, request_patient, request_user
from patients.audit import audit_denied, audit_record, audit_record_patients
from patients.errors import DomainError
from patients.models import AuditAction, ClinicalEvent, Patient, Role
from patients.permissions import IsClinician, IsPatient
from patients.query import date_in_range, date_range_message
from patients.selectors import crisis_plan_for_patient, patients_filter
from patients.serializers import ClinicalEventOutputSerializer, PatientCreateInputSerializer
from patients.services import crisis_plan_save, patient_contact_update, patient_create

from . import search
from .cards import crisis_plan_data, patient_cards
from .episodes import risk_episodes_for_patient
from .exports import fhir_bundle, timeline_csv
from .overview import patients_with_overview
from .portability import patient_data_export
from .scores import scores_for_patient
from .serializers import (
    ClinicalEventEditSerializer,
    CrisisPlanSerializer,
    EraseOutputSerializer,
    PatientCardSerializer,
    PatientCreatedSerializer,
    PatientListQuerySerializer,
    PatientOutputSerializer,
    PatientUpdateInputSerializer,
    RiskEpisodeSerializer,
    RiskScoreOutputSerializer,
    RiskScoresQuerySerializer,
    SearchPageSerializer,
    SearchQuerySerializer,
    TimelineSerializer,
    search_hits_data,
)
from .services import ERASURE_KEEPS, NotTheAuthor, clinical_event_edit, patient_erase
from .summary import EARLIEST_DAY as SUMMARY_EARLIEST_DAY
from .summary import LATEST_DAY as SUMMARY_LATEST_DAY
from .summary import MAX_DAYS as SUMMARY_MAX_DAYS
from .summary_pdf import summary_pdf
from .summary_serializers import SummaryOutputSerializer
from .summary_text import patient_summary
from .timeline import (
    MAX_EXPORT_DAYS,
    MAX_TIMELINE_DAYS,
    data_range_for_patient,
    questionnaires_for_patient,
    timeline_for_patient,
)

# --- patients ---------------------------------------------------------------------------------------


class PatientListCreateApi(generics.GenericAPIView):
    permission_classes = [IsClinician]
    serializer_class = PatientOutputSerializer

    def get_queryset(self) -> QuerySet[Patient]:
        return patients_with_overview(user=request_user(self.request))

    @extend_schema(
        parameters=[PatientListQuerySerializer],
        responses={
            200: PatientOutputSerializer(many=True),
            400: OpenApiResponse(description="A filter that cannot be used (NUL byte, not a number)."),
        },
        tags=["patients"],
    )
    def get(self, request: Request) -> Response:
        # Blank filters are no filters, as before.
        query = PatientListQuerySerializer(data={k: v for k, v in request.query_params.items() if v != ""})
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        care_team = filters.get("care_team")
        qs = patients_filter(
            self.get_queryset(),
            search=filters.get("search"),
            care_team=str(care_team) if care_team is not None else None,
            diagnosis=filters.get("diagnosis"),
            status=filters.get("status"),
        )
        page = self.paginate_queryset(qs) or []
        # One row per patient returned, so each one's access log shows the list or the search.
        audit_record_patients(
            request=request,
            action=AuditAction.READ,
            resource="patient_list",
            patient_ids=[p.pk for p in page],
            detail={"count": len(page), **{name: str(value) for name, value in filters.items()}},
        )
        return self.get_paginated_response(PatientOutputSerializer(page, many=True).data)

    @extend_schema(request=PatientCreateInputSerializer, responses={201: PatientCreatedSerializer}, tags=["patients"])
    def post(self, request: Request) -> Response:
        data = PatientCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        team = request_user(request).care_teams.filter(pk=v["care_team"]).first()
        if team is None:
            raise ValidationError({"care_team": ["Not one of your care teams."]})
        try:
            patient, code = patient_create(
                code=v["code"],
                care_team=team,
                timezone_name=v["timezone"],
                birth_year=v["birth_year"],
                sex=v["sex"],
                diagnosis=v["diagnosis"],
                enrolled_on=v.get("enrolled_on"),
                created_by=request_user(request),
            )
        except (DomainError, IntegrityError) as exc:
            raise ValidationError({"code": ["A patient with this code already exists."]}) from exc
        audit_record(request=request, action=AuditAction.CREATE, resource="patient", patient_id=patient.pk)
        # why: not a model field, a one-off attribute PatientCreatedSerializer reads (the code is never stored)
        patient.enrollment_code = code  # type: ignore[attr-defined]  # why: a one-off attribute PatientCreatedSerializer reads
        return Response(PatientCreatedSerializer(patient).data, status=status.HTTP_201_CREATED)


class PatientDetailApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(responses=PatientOutputSerializer, tags=["patients"])
    def get(self, request: Request, patient_id: str) -> Response:
        clinician_patient_or_404(request, patient_id, resource="patient")
        patient = patients_with_overview(user=request_user(request)).get(pk=patient_id)
        return Response(PatientOutputSerializer(patient).data)

    @extend_schema(
        request=PatientUpdateInputSerializer,
        responses={
            200: PatientOutputSerializer,
            400: OpenApiResponse(description="A phone not in international form; a key worker outside the team."),
            404: OpenApiResponse(description="No such patient in the caller's care teams."),
        },
        tags=["patients"],
        description="Change the patient's `phone` (normalised to E.164) and/or `key_worker` (a nurse or "
        "psychiatrist of the patient's team, or null). Audited with the changed fields.",
    )
    def patch(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="patient", action=AuditAction.UPDATE)
        data = PatientUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        changes: dict[str, Any] = {}
        if "phone" in v:
            changes["phone"] = v["phone"]
        if "key_worker" in v:
            changes["key_worker_id"] = v["key_worker"]
        try:
            changed = patient_contact_update(patient=patient, **changes)
        except DomainError as exc:
            field = "key_worker" if "key_worker_id" in changes and "key worker" in str(exc) else "phone"
            raise ValidationError({field: [str(exc)]}) from exc
        audit_record(
            request=request,
            action=AuditAction.UPDATE,
            resource="patient_contact",
            patient_id=patient.pk,
            detail={"changed": changed},
        )
        patient = patients_with_overview(user=request_user(request)).get(pk=patient_id)
        return Response(PatientOutputSerializer(patient).data)


class PatientCardApi(APIView):
    """The context of an alert card for one patient (the desk embeds the same with
    `GET /api/v1/alerts/?context=1`)."""

    permission_classes = [IsClinician]

    @extend_schema(
        responses={200: PatientCardSerializer, 404: OpenApiResponse(description="No such patient in your teams.")},
        tags=["patients"],
        description="Diagnosis, current risk (percent, threshold, band) with a 30-day sparkline, last check-in and "
        "passive data, phone, key worker, crisis plan, and the alerts of the last 90 days. Audited.",
    )
    def get(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="patient_card")
        return Response(patient_cards(patient_ids=[patient.pk])[patient.pk])


class CrisisPlanApi(APIView):
    """A patient's crisis plan: warning signs, who to call, what helped before. Nurses and
    psychiatrists of the patient's team read and edit it; every read and change is audited."""

    permission_classes = [IsClinician]

    @extend_schema(
        responses={200: CrisisPlanSerializer, 404: OpenApiResponse(description="No such patient in your teams.")},
        tags=["patients"],
        description="The crisis plan (empty texts and null `updated_at` when none was written yet).",
    )
    def get(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="crisis_plan")
        return Response(crisis_plan_data(crisis_plan_for_patient(patient=patient)))

    @extend_schema(
        request=CrisisPlanSerializer,
        responses={
            200: CrisisPlanSerializer,
            400: OpenApiResponse(description="A text over 2000 characters, or a field missing."),
            404: OpenApiResponse(description="No such patient in your teams."),
        },
        tags=["patients"],
        description="Replace the three texts. Audited with the fields that changed.",
    )
    def put(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="crisis_plan", action=AuditAction.UPDATE)
        data = CrisisPlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        plan, changed = crisis_plan_save(
            patient=patient,
            user=request_user(request),
            warning_signs=v["warning_signs"],
            who_to_call=v["who_to_call"],
            what_helped=v["what_helped"],
        )
        audit_record(
            request=request,
            action=AuditAction.UPDATE,
            resource="crisis_plan",
            patient_id=patient.pk,
            detail={"changed": changed},
        )
        return Response(crisis_plan_data(crisis_plan_for_patient(patient=patient)))


# --- risk scores -------------------------------------------------------------------------------------


RISK_DEFAULT_RANGE_DAYS = 90


class ClinicianPatientMixin:
    """How a per-patient read finds its patient and whether it explains scores: a care-team
    clinician, psychiatrists seeing explanations. The emergency view (records.emergency_apis)
    reuses the same reads through an active emergency access instead."""

    def patient_for(self, request: Request, patient_id: str, *, resource: str) -> Patient:
        return clinician_patient_or_404(request, patient_id, resource=resource)

    def explains(self, request: Request) -> bool:
        return request_user(request).role == Role.PSYCHIATRIST


class RiskScoresApi(ClinicianPatientMixin, APIView):
    """A patient's daily risk scores. Psychiatrists get the explanation of each score; for
    nurses `explanation` is an empty list (API.md roles: explanations are for psychiatrists)."""

    permission_classes = [IsClinician]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, description="YYYY-MM-DD (default: 90 days before end)"),
            OpenApiParameter("end", str, description="YYYY-MM-DD (default: today)"),
        ],
        responses={
            200: RiskScoreOutputSerializer(many=True),
            400: OpenApiResponse(description="Bad dates: end before start, or more than 1,100 days."),
            404: OpenApiResponse(description="No such patient in the caller's care teams."),
        },
        tags=["risk"],
    )
    def get(self, request: Request, patient_id: str) -> Response:
        query = RiskScoresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        patient = self.patient_for(request, patient_id, resource="risk_scores")
        end = query.validated_data.get("end") or timezone.localdate(timezone=patient.tz)
        start = query.validated_data.get("start") or end - timedelta(days=RISK_DEFAULT_RANGE_DAYS - 1)
        explain = self.explains(request)
        scores = scores_for_patient(patient_id=patient.pk, start=start, end=end)
        team_threshold = patient.care_team.risk_threshold
        data = []
        for s in scores:
            factors = relabelled(s.explanation) if explain else []
            threshold = rules.risk_threshold(team_threshold=team_threshold, score_threshold=s.threshold)
            data.append(
                {
                    "date": s.date,
                    "score": s.score,
                    "band": s.band,
                    "model_version": s.model_version.version,
                    "threshold": s.threshold,
                    "explanation": factors,
                    "display": risk_display(s.score, threshold, band=s.band),
                    "raising": raising(factors),
                    "lowering": lowering(factors),
                }
            )
        return Response(RiskScoreOutputSerializer(data, many=True).data)


def _no_alert_text(reason: str | None) -> str:
    return {
        None: "",
        "paused": _("No alert: risk alerts are paused for this care team."),
        "already_open": _("No alert: a risk alert raised earlier was still open."),
        "quiet_period": _("No alert: a risk alert was raised less than 7 days before."),
        "scored_without_alerts": _(
            "No alert: these days were scored afterwards without the alert rules (history scored without alerts)."
        ),
    }[reason]


class RiskEpisodesApi(ClinicianPatientMixin, APIView):
    """A patient's episodes of risk: runs of consecutive days at or above the alert threshold,
    each with its peak and the risk alert it raised, or why none was."""

    permission_classes = [IsClinician]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, description="YYYY-MM-DD (default: 90 days before end)"),
            OpenApiParameter("end", str, description="YYYY-MM-DD (default: today)"),
        ],
        responses={
            200: RiskEpisodeSerializer(many=True),
            400: OpenApiResponse(description="Bad dates: end before start, or more than 1,100 days."),
            404: OpenApiResponse(description="No such patient in the caller's care teams."),
        },
        tags=["risk"],
        description="Episodes overlapping the range, oldest first, cut at its edges. The threshold of a day "
        "is the risk rule's: the care team's own, else the one stored with the score. `peak_raising` "
        "(what raised the risk on the peak day) is empty for nurses.",
    )
    def get(self, request: Request, patient_id: str) -> Response:
        query = RiskScoresQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        patient = self.patient_for(request, patient_id, resource="risk_episodes")
        end = query.validated_data.get("end") or timezone.localdate(timezone=patient.tz)
        start = query.validated_data.get("start") or end - timedelta(days=RISK_DEFAULT_RANGE_DAYS - 1)
        explain = self.explains(request)
        data = [
            {
                "start": e.start,
                "end": e.end,
                "days": e.days,
                "ongoing": e.ongoing,
                "peak_date": e.peak_date,
                "peak_score": e.peak_score,
                "threshold": e.threshold,
                "peak_display": risk_display(e.peak_score, e.threshold),
                "peak_raising": raising(relabelled(e.peak_explanation)) if explain else [],
                "alert": {**e.alert, "title": _(e.alert["title"])} if e.alert else None,
                "no_alert_reason": e.no_alert_reason,
                "no_alert_text": _no_alert_text(e.no_alert_reason),
            }
            for e in risk_episodes_for_patient(patient=patient, start=start, end=end)
        ]
        return Response(RiskEpisodeSerializer(data, many=True).data)


# --- clinical events: edits by their author ------------------------------------------------------


class ClinicalEventDetailApi(APIView):
    """One clinical event; its note, or a hospitalisation's last day, edited by its author only."""

    permission_classes = [IsClinician]

    @staticmethod
    def _event(patient: Patient, event_id: str) -> ClinicalEvent:
        event = ClinicalEvent.objects.select_related("recorded_by").filter(patient=patient, pk=event_id).first()
        if event is None:
            raise NotFound
        return event

    @extend_schema(responses={200: ClinicalEventOutputSerializer}, tags=["patients"])
    def get(self, request: Request, patient_id: str, event_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="clinical_event")
        return Response(ClinicalEventOutputSerializer(self._event(patient, event_id)).data)

    @extend_schema(
        request=ClinicalEventEditSerializer,
        responses={
            200: ClinicalEventOutputSerializer,
            400: OpenApiResponse(description="A last day before the event, or on an event that is no stay."),
            403: OpenApiResponse(description="Only the clinician who recorded the event may edit it."),
            404: OpenApiResponse(description="No such event for a patient of the caller's care teams."),
        },
        tags=["patients"],
        description="Every edit is written to the audit trail with the names of the fields it changed.",
    )
    def patch(self, request: Request, patient_id: str, event_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="clinical_event")
        event = self._event(patient, event_id)
        data = ClinicalEventEditSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            changed = clinical_event_edit(event=event, editor=request_user(request), changes=dict(data.validated_data))
        except NotTheAuthor as exc:
            audit_denied(request=request, resource="clinical_event", patient_id=patient.pk)
            raise PermissionDenied("Only the clinician who recorded this event may edit it.") from exc
        except DomainError as exc:
            raise ValidationError({"end_date": [str(exc)]}) from exc
        if changed:
            audit_record(
                request=request,
                action=AuditAction.UPDATE,
                resource="clinical_event",
                patient_id=patient.pk,
                detail={"event": str(event.pk), "kind": event.kind, "changed": changed},
            )
        return Response(ClinicalEventOutputSerializer(event).data)


# --- timelines ----------------------------------------------------------------------------------------

_RANGE_PARAMS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First local day (default: 29 days before end)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last local day (default: the patient's today)."),
]


def _date_param(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({name: ["Date has wrong format. Use YYYY-MM-DD."]}) from exc
    if not date_in_range(value):
        raise ValidationError({name: [date_range_message()]})
    return value


def _range(
    request: Request,
    patient: Patient,
    *,
    default_start: date | None = None,
    max_days: int = MAX_TIMELINE_DAYS,
) -> tuple[date, date]:
    start, end = _date_param(request, "start"), _date_param(request, "end")
    end = end or timezone.localdate(timezone=patient.tz)
    start = start or default_start or end - timedelta(days=29)
    if end < start:
        raise ValidationError({"end": ["The end date is before the start date."]})
    if (end - start).days + 1 > max_days:
        raise ValidationError({"end": [f"A timeline covers at most {max_days} days."]})
    return start, end


def _timeline_body(patient: Patient, start: date, end: date) -> dict:
    days = timeline_for_patient(patient=patient, start=start, end=end, sleep_episodes=True)
    return {"patient": str(patient.pk), "start": start.isoformat(), "end": end.isoformat(), "days": days}


class PatientTimelineApi(ClinicianPatientMixin, APIView):
    permission_classes = [IsClinician]

    @extend_schema(parameters=_RANGE_PARAMS, responses={200: TimelineSerializer}, tags=["patients"])
    def get(self, request: Request, patient_id: str) -> Response:
        patient = self.patient_for(request, patient_id, resource="timeline")
        start, end = _range(request, patient)
        return Response(_timeline_body(patient, start, end))


class MyTimelineApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(parameters=_RANGE_PARAMS, responses={200: TimelineSerializer}, tags=["patient data"])
    def get(self, request: Request) -> Response:
        patient = request_patient(request, resource="timeline")
        start, end = _range(request, patient)
        return Response(_timeline_body(patient, start, end))


# --- exports and erasure ----------------------------------------------------------------------------


class _FormatIsAParameter(DefaultContentNegotiation):
    """`?format=csv|fhir` names the export format, not a DRF renderer; errors stay JSON."""

    def select_renderer(self, request: Any, renderers: Any, format_suffix: str | None = None) -> Any:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class PatientExportApi(APIView):
    permission_classes = [IsClinician]
    content_negotiation_class = _FormatIsAParameter

    @extend_schema(
        parameters=[
            OpenApiParameter("format", str, enum=["fhir", "csv"], description="Default fhir."),
            *_RANGE_PARAMS,
        ],
        responses={
            (200, "application/fhir+json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="FHIR R4 Bundle (collection)."
            ),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The timeline, one row per day."),
        },
        tags=["patients"],
        description="Without start/end: from enrolment to today. Every export is written to the audit trail.",
    )
    def get(self, request: Request, patient_id: str) -> HttpResponse:
        export_format = request.query_params.get("format", "fhir")
        if export_format not in ("fhir", "csv"):
            raise ValidationError({"format": ["Choose fhir or csv."]})
        patient = clinician_patient_or_404(
            request, patient_id, resource=f"export_{export_format}", action=AuditAction.EXPORT
        )
        first, _last = data_range_for_patient(patient=patient, today=timezone.localdate(timezone=patient.tz))
        start, end = _range(request, patient, default_start=first, max_days=MAX_EXPORT_DAYS)
        days = timeline_for_patient(patient=patient, start=start, end=end)
        if export_format == "csv":
            response = HttpResponse(timeline_csv(days), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="timeline-{patient.code}-{start}-{end}.csv"'
            return response
        questionnaires = [q for q in questionnaires_for_patient(patient=patient) if start <= q["day"] <= end]
        # The pre-consultation summary of the export's last days (Composition + DocumentReference).
        summary = patient_summary(
            patient=patient,
            start=None,
            end=end,
            explain=request_user(request).role == Role.PSYCHIATRIST,
            now=timezone.now(),
        )
        bundle = fhir_bundle(patient=patient, days=days, questionnaires=questionnaires, summary=summary)
        return HttpResponse(bundle.model_dump_json(), content_type="application/fhir+json")


class MyExportApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="All of the patient's data, as JSON.")},
        tags=["patient data"],
        description="GDPR portability: profile, consents, check-ins with notes, questionnaires, raw signals, "
        "voice-diary status, daily summaries, risk scores, alerts and clinical events.",
    )
    def get(self, request: Request) -> JsonResponse:
        patient = request_patient(request, resource="export_gdpr", action=AuditAction.EXPORT)
        response = JsonResponse(patient_data_export(patient=patient))
        response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.localdate()}.json"'
        return response


class MyEraseApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        request=None,
        responses={200: EraseOutputSerializer},
        tags=["patient data"],
        description="Erasure, carried out at once: consents withdrawn, collection and scoring stopped, the "
        "account, its tokens and its sign-in records (django-axes) deleted, and the patient's data removed "
        "(schedule and reminder devices included). Kept as the law requires, each with its reason in "
        "`kept_why`: the consent history, the audit trail, the care team's clinical record (alerts and their "
        "handling, clinical events), the pseudonymous patient code and the erased login's token ids.",
    )
    def post(self, request: Request) -> Response:
        patient = request_patient(request, resource="erasure", action=AuditAction.ERASE)
        removed = patient_erase(patient=patient)
        return Response(
            {"status": "erased", "removed": removed, "kept": list(ERASURE_KEEPS), "kept_why": ERASURE_KEEPS}
        )


# --- pre-consultation summary (records/summary.py, records/summary_text.py) ----------------------


class PatientSummaryApi(APIView):
    """The pre-consultation summary: sentences built from templates over computed facts, each
    with the facts behind it; `?format=pdf` for the same as an A4 PDF. Psychiatrists get the
    factors that raised the risk; for nurses they are left out (explanations are for
    psychiatrists, API.md roles). Every generation is written to the audit trail."""

    permission_classes = [IsClinician]
    content_negotiation_class = _FormatIsAParameter

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start",
                OpenApiTypes.DATE,
                description="First local day (default: the latest consultation in the last year, else 29 days "
                "before end).",
            ),
            OpenApiParameter("end", OpenApiTypes.DATE, description="Last local day (default: the patient's today)."),
            OpenApiParameter("format", str, enum=["json", "pdf"], description="Default json."),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                SummaryOutputSerializer, description="The summary: its sections' sentences, each with its facts."
            ),
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The summary, A4."),
            400: OpenApiResponse(
                description="Bad parameters: a malformed date or one outside 2000-2200, end before start, more than "
                "366 days, a format other than json or pdf."
            ),
            404: OpenApiResponse(description="No such patient in the caller's care teams."),
        },
        tags=["patients"],
    )
    def get(self, request: Request, patient_id: str) -> HttpResponse:
        output = request.query_params.get("format", "json")
        if output not in ("json", "pdf"):
            raise ValidationError({"format": ["Choose json or pdf."]})
        start, end = _date_param(request, "start"), _date_param(request, "end")
        for name, day in (("start", start), ("end", end)):
            if day is not None and not SUMMARY_EARLIEST_DAY <= day <= SUMMARY_LATEST_DAY:
                raise ValidationError({name: [f"Choose a day from {SUMMARY_EARLIEST_DAY} to {SUMMARY_LATEST_DAY}."]})
        if start is not None and end is not None and end < start:
            raise ValidationError({"end": ["The end date is before the start date."]})
        if start is not None and end is not None and (end - start).days + 1 > SUMMARY_MAX_DAYS:
            raise ValidationError({"end": [f"A summary covers at most {SUMMARY_MAX_DAYS} days."]})
        patient = clinician_patient_or_404(
            request,
            patient_id,
            resource=f"summary_{output}",
            action=AuditAction.EXPORT if output == "pdf" else AuditAction.READ,
        )
        if start is not None and end is None:
            end = max(start, timezone.localdate(timezone=patient.tz))
            if (end - start).days + 1 > SUMMARY_MAX_DAYS:
                raise ValidationError({"start": [f"A summary covers at most {SUMMARY_MAX_DAYS} days."]})
        document = patient_summary(
            patient=patient,
            start=start,
            end=end,
            explain=request_user(request).role == Role.PSYCHIATRIST,
            now=timezone.now(),
        )
        if output == "pdf":
            response = HttpResponse(
                summary_pdf(document, patient_code=patient.code, language=translation.get_language()),
                content_type="application/pdf",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="summary-{patient.code}-{document["start"]}-{document["end"]}.pdf"'
            )
            return response
        return JsonResponse(document)


# --- search -----------------------------------------------------------------------------------------


class SearchApi(APIView):
    """Full-text search over the free text of the caller's patients (records/search.py)."""

    permission_classes = [IsClinician]
    pagination_class = LimitOffsetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True, description=str(SearchQuerySerializer().fields["q"].help_text)),
            OpenApiParameter(
                "patient", OpenApiTypes.UUID, description="One patient of your care teams (404 otherwise)."
            ),
            OpenApiParameter(
                "kind", str, enum=list(search.KINDS), description="Only this kind of text (default: all)."
            ),
            OpenApiParameter("from", OpenApiTypes.DATE, description="From this day."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="To this day, included."),
            OpenApiParameter("limit", int, description="Results per page (default 50)."),
            OpenApiParameter("offset", int, description="Results to skip."),
        ],
        responses={
            200: SearchPageSerializer,
            400: OpenApiResponse(description="No word to look for, a bad date or kind."),
            404: OpenApiResponse(description="`patient` is not one of your care teams' patients."),
        },
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data={k: v for k, v in request.query_params.items() if v != ""})
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        patient_id = filters.get("patient")
        if patient_id is not None:
            clinician_patient_or_404(request, patient_id, resource="search")
        paginator = self.pagination_class()
        limit = paginator.get_limit(request) or 50
        offset = paginator.get_offset(request)
        try:
            page = search.notes_search_audited(
                request=request,
                query=filters["q"],
                patient_id=patient_id,
                kind=filters.get("kind"),
                start=filters.get("start"),
                end=filters.get("end"),
                limit=limit,
                offset=offset,
            )
        except search.EmptyQuery as exc:
            raise ValidationError({"q": [_("There is no word to look for in this query.")]}) from exc
        # The pages stop at the ranked matches (at most the newest search.RANK_CAP); `count`
        # is every match.
        paginator.request, paginator.limit, paginator.offset, paginator.count = request, limit, offset, page.ranked
        response = paginator.get_paginated_response(search_hits_data(page.hits))
        response.data["count"] = page.total
        response.data["ranked"] = page.ranked
        return response
