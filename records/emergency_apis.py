"""`/api/v1/emergency/...`: emergency ("break-the-glass") access over the API.

- `accesses/` GET (the caller's own accesses) and POST (open one: INS + date of birth, exact
  match only; a reason and a text; throttled per clinician): the `emergency` role only.
- `accesses/{id}/` and its `timeline/`, `risk-scores/`, `risk-episodes/`, `events/`,
  `alerts/`: the emergency view, read-only, for the access's own clinician while it is in
  force (checked on every request: otherwise 404, like any patient outside one's reach).
- `accesses/{id}/revoke/` POST: its clinician, an administrator, or a clinician of the
  patient's team ends it early.
- `reviews/` GET and `accesses/{id}/verdict/` POST: the review list (administrators: all;
  psychiatrists: their teams' patients) and its verdicts (the patient's psychiatrist or an
  administrator)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from alerts.models import AlertStatus
from alerts.selectors import alerts_shaped
from alerts.serializers import AlertOutputSerializer, alert_data, alert_for_reader
from patients.access import request_user
from patients.audit import audit_denied, audit_record
from patients.emergency import (
    EmergencyExcluded,
    EmergencyNoMatch,
    EmergencyNotAllowed,
    emergency_access_active,
    emergency_access_revoke,
    emergency_access_verdict,
    emergency_access_visible_to,
    emergency_accesses_for_review,
    emergency_accesses_of,
    emergency_verdict_allowed,
    is_emergency_clinician,
)
from patients.models import AuditAction, EmergencyAccess, EmergencyReason, EmergencyVerdict, Patient
from patients.selectors import clinical_events_for_patient
from patients.serializers import ClinicalEventOutputSerializer

from .apis import _RANGE_PARAMS, PatientTimelineApi, RiskEpisodesApi, RiskScoresApi
from .emergency import EMERGENCY_DAYS, access_data, emergency_access_open, emergency_period, emergency_view_data
from .serializers import RiskEpisodeSerializer, RiskScoreOutputSerializer, TimelineSerializer

TAGS = ["emergency access"]


class IsEmergencyClinician(BasePermission):
    message = "This endpoint is for clinicians with the emergency role."

    def has_permission(self, request: Any, view: Any) -> bool:
        return is_emergency_clinician(request.user)


class EmergencySearchThrottle(UserRateThrottle):
    scope = "emergency_search"


class EmergencyOpenInputSerializer(serializers.Serializer):
    ins = serializers.CharField(max_length=32, help_text="The patient's INS (15 characters; spaces allowed).")
    birth_date = serializers.DateField(help_text="The patient's date of birth, YYYY-MM-DD.")
    reason = serializers.ChoiceField(choices=EmergencyReason.choices)
    reason_text = serializers.CharField(max_length=EmergencyAccess.REASON_TEXT_MAX, trim_whitespace=True)


class EmergencyAccessSerializer(serializers.Serializer):
    """For the schema: an emergency access (records.emergency.access_data)."""

    id = serializers.UUIDField()
    patient = serializers.UUIDField()
    patient_code = serializers.CharField()
    clinician = serializers.DictField()
    establishment = serializers.CharField(allow_null=True)
    reason = serializers.ChoiceField(choices=EmergencyReason.choices)
    reason_display = serializers.CharField()
    reason_text = serializers.CharField()
    started_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    end_kind = serializers.CharField(allow_null=True, help_text="expired, revoked or consent")
    active = serializers.BooleanField()
    seconds_left = serializers.IntegerField()
    verdict = serializers.CharField(allow_null=True)
    verdict_by = serializers.CharField(allow_null=True)
    verdict_at = serializers.DateTimeField(allow_null=True)
    verdict_note = serializers.CharField()


class EmergencyReviewSerializer(EmergencyAccessSerializer):
    clinician_recent = serializers.IntegerField(help_text="The clinician's accesses in the 30 days up to this one.")
    clinician_unjustified = serializers.IntegerField(help_text="The clinician's accesses judged not justified.")
    may_judge = serializers.BooleanField()


class EmergencyViewSerializer(serializers.Serializer):
    """For the schema: the emergency view (records.emergency.emergency_view_data)."""

    access = EmergencyAccessSerializer()
    period = serializers.DictField()
    patient = serializers.DictField()
    care_team = serializers.DictField()
    crisis_plan = serializers.DictField(allow_null=True)
    risk = serializers.DictField(allow_null=True)
    open_alerts = serializers.ListField(child=serializers.DictField())
    summary = serializers.ListField(child=serializers.DictField())


class VerdictInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=EmergencyVerdict.choices)
    note = serializers.CharField(max_length=EmergencyAccess.REASON_TEXT_MAX, required=False, allow_blank=True)


def active_access_or_404(request: Request, access_id: Any, *, resource: str) -> EmergencyAccess:
    """The caller's own access if in force now (else 404, audited), its read audited."""
    access = emergency_access_active(user=request.user, access_id=access_id)
    if access is None:
        audit_denied(request=request, resource=f"emergency:{resource}")
        raise NotFound("No such emergency access in force.")
    audit_record(
        request=request,
        action=AuditAction.READ,
        resource=f"emergency:{resource}",
        patient_id=access.patient_id,
        detail={"emergency_access": str(access.pk)},
    )
    return access


class EmergencyAccessesApi(APIView):
    permission_classes = [IsEmergencyClinician]

    def get_throttles(self) -> list[Any]:
        return [EmergencySearchThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=EmergencyAccessSerializer(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        now = timezone.now()
        accesses = list(emergency_accesses_of(user=request_user(request))[:100])
        return Response([access_data(a, now=now) for a in accesses])

    @extend_schema(
        request=EmergencyOpenInputSerializer,
        responses={
            201: EmergencyAccessSerializer,
            200: OpenApiResponse(
                EmergencyAccessSerializer, description="Already open for this patient: the same access."
            ),
            400: OpenApiResponse(description="Malformed INS, date, reason or text."),
            403: OpenApiResponse(description="The patient's consent settings exclude emergency access (explained)."),
            404: OpenApiResponse(description="No patient matches this INS and date of birth exactly."),
            429: OpenApiResponse(description="Too many look-ups (THROTTLE_EMERGENCY_SEARCH)."),
        },
        tags=TAGS,
        description="Open a read-only emergency access to one patient, found by INS and date of birth (exact "
        "match only), for EMERGENCY_ACCESS_HOURS (4 h by default). The patient's care team gets a live alert "
        "saying who, from which establishment and why; the start is audited (purpose of use BTG, reason ETREAT).",
    )
    def post(self, request: Request) -> Response:
        data = EmergencyOpenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            result = emergency_access_open(
                clinician=request_user(request),
                ins=v["ins"],
                birth_date=v["birth_date"],
                reason=v["reason"],
                reason_text=v["reason_text"],
                request=request._request,
            )
        except EmergencyNoMatch as exc:
            raise NotFound(str(exc)) from exc
        except EmergencyExcluded as exc:
            return Response({"detail": str(exc), "code": "excluded_by_consent"}, status=status.HTTP_403_FORBIDDEN)
        except EmergencyNotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(
            access_data(result.access, now=timezone.now()),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class EmergencyViewApi(APIView):
    permission_classes = [IsEmergencyClinician]

    @extend_schema(
        responses={200: EmergencyViewSerializer, 404: OpenApiResponse(description="Not yours, ended or expired.")},
        tags=TAGS,
    )
    def get(self, request: Request, access_id: str) -> Response:
        access = active_access_or_404(request, access_id, resource="view")
        return Response(emergency_view_data(access=access, now=timezone.now()))


class EmergencyPatientMixin:
    """The records reads, through an active emergency access: the patient of the access,
    scores explained, and never more than the last EMERGENCY_DAYS days."""

    def patient_for(self, request: Request, patient_id: str, *, resource: str) -> Patient:
        return active_access_or_404(request, patient_id, resource=resource).patient

    @staticmethod
    def clamp_period(request: Request, access_id: str) -> None:
        """Start no earlier than the emergency period (the reads parse the query after this)."""
        access = emergency_access_active(user=request.user, access_id=access_id)
        if access is None:
            return  # patient_for answers 404
        start, _end = emergency_period(patient=access.patient, now=timezone.now())
        query = request._request.GET.copy()
        if not query.get("start") or query.get("start", "") < start.isoformat():
            query["start"] = start.isoformat()
        request._request.GET = query  # type: ignore[assignment]  # why: a mutable copy, read as the original

    def explains(self, request: Request) -> bool:
        return True


class EmergencyTimelineApi(EmergencyPatientMixin, PatientTimelineApi):
    permission_classes = [IsEmergencyClinician]  # noqa: RUF012
    http_method_names = ["get", "head", "options"]  # noqa: RUF012

    @extend_schema(
        tags=TAGS,
        parameters=_RANGE_PARAMS,
        responses={200: TimelineSerializer, 404: OpenApiResponse(description="Not yours, ended or expired.")},
        description=f"The daily timeline of the access's patient, last {EMERGENCY_DAYS} days at most.",
    )
    def get(self, request: Request, access_id: str) -> Response:
        self.clamp_period(request, access_id)
        return super().get(request, access_id)


class EmergencyRiskScoresApi(EmergencyPatientMixin, RiskScoresApi):
    permission_classes = [IsEmergencyClinician]  # noqa: RUF012
    http_method_names = ["get", "head", "options"]  # noqa: RUF012

    @extend_schema(
        tags=TAGS,
        parameters=_RANGE_PARAMS,
        responses={200: RiskScoreOutputSerializer(many=True), 404: OpenApiResponse(description="Not in force.")},
        description=f"The daily risk scores with their explanation, last {EMERGENCY_DAYS} days at most.",
    )
    def get(self, request: Request, access_id: str) -> Response:
        self.clamp_period(request, access_id)
        return super().get(request, access_id)


class EmergencyRiskEpisodesApi(EmergencyPatientMixin, RiskEpisodesApi):
    permission_classes = [IsEmergencyClinician]  # noqa: RUF012
    http_method_names = ["get", "head", "options"]  # noqa: RUF012

    @extend_schema(
        tags=TAGS,
        parameters=_RANGE_PARAMS,
        responses={200: RiskEpisodeSerializer(many=True), 404: OpenApiResponse(description="Not in force.")},
        description=f"The episodes of risk, last {EMERGENCY_DAYS} days at most.",
    )
    def get(self, request: Request, access_id: str) -> Response:
        self.clamp_period(request, access_id)
        return super().get(request, access_id)


class EmergencyEventsApi(APIView):
    permission_classes = [IsEmergencyClinician]

    @extend_schema(responses=ClinicalEventOutputSerializer(many=True), tags=TAGS)
    def get(self, request: Request, access_id: str) -> Response:
        access = active_access_or_404(request, access_id, resource="clinical_events")
        start, _end = emergency_period(patient=access.patient, now=timezone.now())
        events = clinical_events_for_patient(patient=access.patient).filter(date__gte=start - timedelta(days=365))
        return Response(ClinicalEventOutputSerializer(events, many=True).data)


class EmergencyAlertsApi(APIView):
    permission_classes = [IsEmergencyClinician]

    @extend_schema(responses=AlertOutputSerializer(many=True), tags=TAGS)
    def get(self, request: Request, access_id: str) -> Response:
        access = active_access_or_404(request, access_id, resource="alerts")
        since = timezone.now() - timedelta(days=EMERGENCY_DAYS)
        alerts = alerts_shaped().filter(patient_id=access.patient_id).filter(
            created_at__gte=since
        ) | alerts_shaped().filter(
            patient_id=access.patient_id, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
        )
        rows = [alert_for_reader(alert_data(a), role="psychiatrist") for a in alerts.order_by("-created_at")[:100]]
        return Response({"results": rows})


class EmergencyRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: EmergencyAccessSerializer, 404: OpenApiResponse()}, tags=TAGS)
    def post(self, request: Request, access_id: str) -> Response:
        user = request_user(request)
        if not (is_emergency_clinician(user) or user.is_clinician or user.is_staff or user.role == "admin"):
            raise PermissionDenied("This endpoint is for clinicians and administrators.")
        access = emergency_access_visible_to(user=user, access_id=access_id)
        if access is None:
            audit_denied(request=request, resource="emergency:revoke")
            raise NotFound("No such emergency access.")
        emergency_access_revoke(access=access, user=user, request=request._request)
        access.refresh_from_db()
        return Response(access_data(access, now=timezone.now()))


def _is_reviewer(user: Any) -> bool:
    return bool(user.is_staff or user.role in ("admin", "psychiatrist"))


class EmergencyReviewsApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=EmergencyReviewSerializer(many=True), tags=TAGS)
    def get(self, request: Request) -> Response:
        user = request_user(request)
        if not _is_reviewer(user):
            raise PermissionDenied("The review list is for administrators and psychiatrists.")
        now = timezone.now()
        rows = list(emergency_accesses_for_review(user=user)[:500])
        audit_record(
            request=request,
            action=AuditAction.READ,
            resource="emergency_review",
            detail={"count": len(rows)},
        )
        return Response(
            [
                {
                    **access_data(a, now=now),
                    "clinician_recent": getattr(a, "clinician_recent", 0) or 0,
                    "clinician_unjustified": getattr(a, "clinician_unjustified", 0) or 0,
                    "may_judge": emergency_verdict_allowed(user=user, access=a),
                }
                for a in rows
            ]
        )


class EmergencyVerdictApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=VerdictInputSerializer, responses={200: EmergencyAccessSerializer}, tags=TAGS)
    def post(self, request: Request, access_id: str) -> Response:
        user = request_user(request)
        if not _is_reviewer(user):
            raise PermissionDenied("The verdict is given by the patient's psychiatrist or an administrator.")
        access = emergency_access_visible_to(user=user, access_id=access_id)
        if access is None or not emergency_verdict_allowed(user=user, access=access):
            audit_denied(request=request, resource="emergency_access_verdict")
            raise NotFound("No such emergency access.")
        data = VerdictInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        emergency_access_verdict(
            access=access,
            user=user,
            verdict=data.validated_data["verdict"],
            note=data.validated_data.get("note", ""),
            request=request._request,
        )
        return Response(access_data(access, now=timezone.now()))
