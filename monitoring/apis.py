"""Thin API views of ingestion, timelines and exports: parse, authorise, call one service or
selector, serialize."""

from datetime import date, timedelta
from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from patients.access import clinician_patient_or_404, request_patient
from patients.models import AuditAction, Patient
from patients.permissions import IsClinician, IsPatient

from . import selectors, services
from .exports import fhir_bundle, timeline_csv
from .models import SpeechRecording
from .serializers import (
    CheckInInputSerializer,
    CheckInOutputSerializer,
    EraseOutputSerializer,
    QuestionnaireInputSerializer,
    QuestionnaireOutputSerializer,
    SignalBatchInputSerializer,
    SignalBatchOutputSerializer,
    SpeechRecordingInputSerializer,
    SpeechRecordingOutputSerializer,
    TimelineSerializer,
)
from .speech import MAX_BYTES, MAX_SECONDS, MIN_SECONDS, wav_info
from .validation import validate_checkin, validate_questionnaire

_CONFLICT = OpenApiResponse(description="The same id was sent before with different content.")
_NO_CONSENT = OpenApiResponse(description="The patient has not consented to this data scope.")


class PatientWriteApi(APIView):
    permission_classes = [IsPatient]
    parser_classes = [JSONParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "patient_write"


def _object(data: Any) -> dict:
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["Invalid data. Expected a JSON object."]})
    return data


class CheckInApi(PatientWriteApi):
    @extend_schema(
        request=CheckInInputSerializer,
        responses={
            201: CheckInOutputSerializer,
            200: OpenApiResponse(CheckInOutputSerializer, description="Already stored (same id, same content)."),
            403: _NO_CONSENT,
            409: _CONFLICT,
        },
        tags=["patient data"],
    )
    def post(self, request: Request) -> Response:
        patient = request_patient(request, resource="checkin", action=AuditAction.CREATE)
        checkin, errors = validate_checkin(_object(request.data), services.ingestion_context(patient=patient))
        if checkin is None:
            raise ValidationError(errors)
        created = services.checkin_record(patient=patient, checkin=checkin)
        body = CheckInOutputSerializer(checkin._asdict()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class QuestionnaireApi(PatientWriteApi):
    @extend_schema(
        request=QuestionnaireInputSerializer,
        responses={
            201: QuestionnaireOutputSerializer,
            200: OpenApiResponse(QuestionnaireOutputSerializer, description="Already stored (same id and content)."),
            403: _NO_CONSENT,
            409: _CONFLICT,
        },
        tags=["patient data"],
        description="Scored on arrival. A PHQ-9 with item 9 above 0 raises a safety alert for the care team "
        "in the same transaction (flags `item9_positive`, `safety_alert`).",
    )
    def post(self, request: Request) -> Response:
        patient = request_patient(request, resource="questionnaire", action=AuditAction.CREATE)
        record, errors = validate_questionnaire(_object(request.data), services.ingestion_context(patient=patient))
        if record is None:
            raise ValidationError(errors)
        scored, created = services.questionnaire_record(patient=patient, record=record)
        body = {"id": str(record.id), "total": scored.total, "severity": scored.severity, "flags": scored.flags}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SignalBatchApi(PatientWriteApi):
    @extend_schema(
        request=SignalBatchInputSerializer,
        responses={200: SignalBatchOutputSerializer},
        tags=["patient data"],
        description="1 to 1,000 records. Every valid record is stored even when others are rejected; "
        "a record already stored with the same id and content counts as a duplicate; the same id with "
        "other content, invalid values or a scope without consent are rejected by index.",
        examples=[
            OpenApiExample(
                "Two records",
                value={
                    "records": [
                        {
                            "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
                            "type": "sleep",
                            "start": "2026-03-01T23:10:00+01:00",
                            "end": "2026-03-02T07:05:00+01:00",
                            "efficiency": 0.91,
                        },
                        {
                            "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
                            "type": "steps",
                            "start": "2026-03-02T00:00:00+01:00",
                            "end": "2026-03-03T00:00:00+01:00",
                            "count": 6400,
                        },
                    ]
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        patient = request_patient(request, resource="signals", action=AuditAction.CREATE)
        records = _object(request.data).get("records")
        if not isinstance(records, list):
            raise ValidationError({"records": ["Expected a list of records."]})
        if not 1 <= len(records) <= services.MAX_BATCH:
            raise ValidationError({"records": [f"Send 1 to {services.MAX_BATCH} records; got {len(records)}."]})
        result = services.signal_batch_record(patient=patient, records=records)
        return Response({"accepted": result.accepted, "duplicates": result.duplicates, "rejected": result.rejected})


def _recording_body(recording: SpeechRecording) -> dict:
    return SpeechRecordingOutputSerializer(recording).data


class SpeechRecordingApi(APIView):
    permission_classes = [IsPatient]
    parser_classes = [MultiPartParser]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "patient_write"

    @extend_schema(
        request={"multipart/form-data": SpeechRecordingInputSerializer},
        responses={
            202: SpeechRecordingOutputSerializer,
            200: OpenApiResponse(SpeechRecordingOutputSerializer, description="Already received (same id and audio)."),
            403: _NO_CONSENT,
            409: _CONFLICT,
        },
        tags=["patient data"],
        description=f"A voice diary as PCM WAV, {MIN_SECONDS:g}-{MAX_SECONDS:g} s, at most "
        f"{MAX_BYTES // (1024 * 1024)} MiB. Features are extracted in the background into a `speech` "
        "record whose id is the recording's; the audio is then deleted.",
    )
    def post(self, request: Request) -> Response:
        patient = request_patient(request, resource="speech_recording", action=AuditAction.CREATE)
        data = SpeechRecordingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError({"file": [f"The file is larger than {MAX_BYTES // (1024 * 1024)} MiB."]})
        try:
            info = wav_info(upload)
        except ValueError as exc:
            raise ValidationError({"file": [str(exc)]}) from exc
        if info.duration_s < MIN_SECONDS or info.duration_s > MAX_SECONDS:
            message = f"The recording must last {MIN_SECONDS:g} to {MAX_SECONDS:g} seconds; got {info.duration_s:.1f}."
            raise ValidationError({"file": [message]})
        ctx = services.ingestion_context(patient=patient)
        recorded_at = data.validated_data["recorded_at"]
        if recorded_at > ctx.latest:
            raise ValidationError({"recorded_at": ["Timestamps more than 5 minutes in the future are not accepted."]})
        if recorded_at < ctx.earliest:
            raise ValidationError(
                {
                    "recorded_at": [
                        f"Timestamps before the patient's enrolment ({patient.enrolled_on}) are not accepted."
                    ]
                }
            )
        recording, created = services.speech_recording_receive(
            patient=patient,
            recording_id=data.validated_data["id"],
            recorded_at=recorded_at,
            upload=services.AudioUpload(
                file=upload, sha256=services.audio_digest(upload), size_bytes=upload.size, duration_s=info.duration_s
            ),
        )
        return Response(_recording_body(recording), status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


class SpeechRecordingDetailApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses={200: SpeechRecordingOutputSerializer}, tags=["patient data"])
    def get(self, request: Request, recording_id: str) -> Response:
        patient = request_patient(request, resource="speech_recording")
        recording = SpeechRecording.objects.filter(pk=recording_id, patient=patient).first()
        if recording is None:
            raise NotFound("No such recording.")
        return Response(_recording_body(recording))


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
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError({name: ["Date has wrong format. Use YYYY-MM-DD."]}) from exc


def _range(
    request: Request,
    patient: Patient,
    *,
    default_start: date | None = None,
    max_days: int = selectors.MAX_TIMELINE_DAYS,
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
    days = selectors.timeline_for_patient(patient=patient, start=start, end=end)
    return {"patient": str(patient.pk), "start": start.isoformat(), "end": end.isoformat(), "days": days}


class PatientTimelineApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(parameters=_RANGE_PARAMS, responses={200: TimelineSerializer}, tags=["patients"])
    def get(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="timeline")
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
        first, _last = selectors.data_range_for_patient(patient=patient, today=timezone.localdate(timezone=patient.tz))
        start, end = _range(request, patient, default_start=first, max_days=selectors.MAX_EXPORT_DAYS)
        days = selectors.timeline_for_patient(patient=patient, start=start, end=end)
        if export_format == "csv":
            response = HttpResponse(timeline_csv(days), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="timeline-{patient.code}-{start}-{end}.csv"'
            return response
        questionnaires = [q for q in selectors.questionnaires_for_patient(patient=patient) if start <= q["day"] <= end]
        bundle = fhir_bundle(patient=patient, days=days, questionnaires=questionnaires)
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
        response = JsonResponse(selectors.patient_data_export(patient=patient))
        response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.localdate()}.json"'
        return response


class MyEraseApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        request=None,
        responses={200: EraseOutputSerializer},
        tags=["patient data"],
        description="Erasure, carried out at once: consents withdrawn, collection and scoring stopped, the "
        "account deleted and the patient's data removed. Kept as the law requires: the consent history, the "
        "audit trail and the care team's clinical record (alerts and their handling, clinical events).",
    )
    def post(self, request: Request) -> Response:
        patient = request_patient(request, resource="erasure", action=AuditAction.ERASE)
        removed = services.patient_erase(patient=patient)
        return Response(
            {
                "status": "erased",
                "removed": removed,
                "kept": ["consent_history", "audit_trail", "alerts", "clinical_events", "patient_code"],
            }
        )
