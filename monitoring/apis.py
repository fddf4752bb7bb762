"""Thin API views of ingestion, timelines and exports: parse, authorise, call one service or
selector, serialize."""

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.access import request_patient, request_patient_audit_pending
from patients.audit import audit_append
from patients.models import AuditAction
from patients.permissions import IsPatient
from patients.throttling import RedisScopedRateThrottle

from . import services
from .models import SpeechRecording
from .risk_language import RISK_LANGUAGE
from .serializers import (
    CheckInInputSerializer,
    CheckInOutputSerializer,
    QuestionnaireInputSerializer,
    QuestionnaireOutputSerializer,
    SignalBatchInputSerializer,
    SignalBatchOutputSerializer,
    SpeechRecordingInputSerializer,
    SpeechRecordingOutputSerializer,
    checkin_output,
)
from .speech import MAX_BYTES, MAX_SECONDS, MIN_SECONDS, wav_info
from .validation import validate_checkin, validate_questionnaire

_CONFLICT = OpenApiResponse(description="The same id was sent before with different content.")
_NO_CONSENT = OpenApiResponse(description="The patient has not consented to this data scope.")


class PatientWriteApi(APIView):
    permission_classes = [IsPatient]
    parser_classes = [JSONParser]
    throttle_classes = [RedisScopedRateThrottle]
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
        description="A note that holds risk language (suicidal ideation, self-harm, intent or plan, hopelessness, "
        "danger to others; French or English) raises a `language` safety alert for the care team at once, "
        'and the response carries `flags: ["risk_language"]` and `crisis_line: true`: the app shows the '
        "crisis line. The same check-in sent again raises nothing twice and answers the same flags.",
    )
    def post(self, request: Request) -> Response:
        # The audit row is written with the check-in, in its transaction (one commit, not two).
        patient, audit = request_patient_audit_pending(request, resource="checkin", action=AuditAction.CREATE)
        try:
            checkin, errors = validate_checkin(_object(request.data), services.ingestion_context(patient=patient))
        except Exception:  # a body that is not JSON, or not an object: a 400 all the same
            audit_append(audit)
            raise
        if checkin is None:
            audit_append(audit)
            raise ValidationError(errors)
        recorded = services.checkin_record(patient=patient, checkin=checkin, audit=audit)
        flags = [RISK_LANGUAGE] if recorded.risk_language else []
        body = checkin_output(checkin, flags)
        return Response(body, status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK)


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
        "in the same transaction (flags `item9_positive`, `safety_alert`). An item may be `null` when the "
        "patient skipped it: stored as missing, the total prorated or absent (see `total`); a skipped item 9 "
        "raises no alert and is flagged `item9_not_answered`.",
    )
    def post(self, request: Request) -> Response:
        patient = request_patient(request, resource="questionnaire", action=AuditAction.CREATE)
        record, errors = validate_questionnaire(_object(request.data), services.ingestion_context(patient=patient))
        if record is None:
            raise ValidationError(errors)
        scored, created = services.questionnaire_record(patient=patient, record=record)
        body = {"id": str(record.id), "total": scored.total, "severity": scored.severity or None, "flags": scored.flags}
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
    throttle_classes = [RedisScopedRateThrottle]
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
