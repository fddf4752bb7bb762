"""Thin API views: parse, authorise, call one service or selector, serialize."""

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenObtainSerializer
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from . import services
from .access import clinician_patient_or_404, request_patient, request_user
from .audit import audit_record, audit_record_patients
from .errors import DomainError
from .models import AuditAction, AuditEvent, ConsentScope, EnrollmentCode
from .permissions import IsAdmin, IsClinician, IsPatient
from .selectors import (
    access_log_for_patient,
    audit_events_search,
    clinical_events_for_patient,
    consents_for_patient,
    patient_for_user,
)
from .serializers import (
    AccessLogEntrySerializer,
    AuditEventSerializer,
    AuditSearchInputSerializer,
    ClinicalEventInputSerializer,
    ClinicalEventOutputSerializer,
    ConsentInputSerializer,
    ConsentStateSerializer,
    ConsentWithdrawInputSerializer,
    EnrollInputSerializer,
    EnrollmentCodeOutputSerializer,
    EnrollOutputSerializer,
    MeSerializer,
)
from .tokens import FamilyRefreshToken


class EnrollThrottle(AnonRateThrottle):
    scope = "enroll"


class TokenObtainView(TokenObtainPairView):
    """JWT login. django-axes locks a username + IP out after repeated failures. Each sign-in
    starts a refresh-token family (patients.tokens)."""

    _serializer_class = "patients.tokens.FamilyTokenObtainPairSerializer"

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        # axes marks the Django request it is given; hand it the real one, not DRF's proxy.
        context["request"] = self.request._request
        return context

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        audit_record(
            request=request._request,
            # get_serializer() is typed BaseSerializer; this view's is simplejwt's, which sets .user.
            actor=cast(TokenObtainSerializer, serializer).user,
            action=AuditAction.LOGIN,
            resource="token",
        )
        return Response(serializer.validated_data, status=status.HTTP_200_OK)

    def handle_exception(self, exc: Exception) -> Response:
        if getattr(self.request._request, "axes_locked_out", False):
            return Response(
                {"detail": "Too many failed sign-in attempts. Try again later or ask your care team."},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        return super().handle_exception(exc)


class TokenRefreshApi(TokenRefreshView):
    """Refresh-token rotation with reuse detection: a refresh token works once; presented again
    (a copy was kept), it revokes its family, every token rotated from the same sign-in
    (`services.refresh_token_reuse_end_family`), and the reuse is audited."""

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raw = request.data.get("refresh") if hasattr(request.data, "get") else None
            user_id = services.refresh_token_reuse_end_family(token=raw)
            if user_id is not None:
                audit_record(
                    request=request._request,
                    actor=services.User.objects.filter(pk=user_id).first(),
                    action=AuditAction.DENIED,
                    resource="token_reuse",
                    status_code=401,
                )
            raise InvalidToken(exc.args[0]) from exc
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


class EnrollApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [EnrollThrottle]

    @extend_schema(request=EnrollInputSerializer, responses={201: EnrollOutputSerializer}, tags=["auth"])
    def post(self, request: Request) -> Response:
        data = EnrollInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            patient = services.patient_enroll(
                code=data.validated_data["enrollment_code"],
                username=data.validated_data["username"],
                password=data.validated_data["password"],
            )
        except services.EnrollmentError as exc:
            raise ValidationError({"enrollment_code": [str(exc)]}) from exc
        except DomainError as exc:
            raise ValidationError({"username": [str(exc)]}) from exc
        except DjangoValidationError as exc:
            raise ValidationError({"password": list(exc.messages)}) from exc
        assert patient.user is not None  # patient_enroll has just linked the new account
        refresh = FamilyRefreshToken.for_user(patient.user)
        audit_record(
            request=request, actor=patient.user, action=AuditAction.CREATE, resource="enrolment", patient_id=patient.pk
        )
        return Response(
            {"access": str(refresh.access_token), "refresh": str(refresh), "patient_id": str(patient.pk)},
            status=status.HTTP_201_CREATED,
        )


class MeApi(APIView):
    @extend_schema(responses=MeSerializer, tags=["auth"])
    def get(self, request: Request) -> Response:
        user = request_user(request)
        patient = patient_for_user(user=user)
        teams = [patient.care_team] if patient is not None else list(user.care_teams.all())
        return Response(
            MeSerializer(
                {
                    "id": user.pk,
                    "username": user.get_username(),
                    "role": getattr(user, "role", ""),
                    "patient_id": patient.pk if patient else None,
                    "care_teams": teams,
                }
            ).data
        )


class EnrollmentCodeApi(APIView):
    """Issue a fresh enrolment code (the previous unused one stops working)."""

    permission_classes = [IsClinician]

    @extend_schema(request=None, responses={201: EnrollmentCodeOutputSerializer}, tags=["patients"])
    def post(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="enrollment_code", action="create")
        if patient.user_id is not None:
            raise ValidationError({"detail": ["This patient already has an account."]})
        code = services.enrollment_code_issue(patient=patient, created_by=request_user(request))
        entry = EnrollmentCode.objects.filter(patient=patient).order_by("-created_at").first()
        return Response(
            {"enrollment_code": code, "expires_at": entry.expires_at if entry else None}, status=status.HTTP_201_CREATED
        )


class ClinicalEventsApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(responses=ClinicalEventOutputSerializer(many=True), tags=["patients"])
    def get(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="clinical_events")
        events = clinical_events_for_patient(patient=patient)
        return Response(ClinicalEventOutputSerializer(events, many=True).data)

    @extend_schema(
        request=ClinicalEventInputSerializer,
        responses={
            201: ClinicalEventOutputSerializer,
            200: ClinicalEventOutputSerializer,
            409: OpenApiResponse(description="Another event of this kind is recorded that day"),
        },
        tags=["patients"],
    )
    def post(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="clinical_event", action="create")
        data = ClinicalEventInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["date"] > timezone.localdate(timezone=patient.tz):
            raise ValidationError({"date": ["An event cannot be recorded in the future."]})
        event, created = services.clinical_event_record(
            patient=patient,
            kind=v["kind"],
            on=v["date"],
            note=v.get("note", ""),
            recorded_by=request_user(request),
        )
        return Response(
            ClinicalEventOutputSerializer(event).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


def _consent_state(patient: Any) -> dict[str, Any]:
    history = list(consents_for_patient(patient=patient))
    return {
        "active_scopes": sorted(services.consent_active_scopes(patient=patient)),
        "available_scopes": list(ConsentScope.values),
        "history": history,
    }


class MyConsentsApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(responses=ConsentStateSerializer, tags=["consent"])
    def get(self, request: Request) -> Response:
        patient = request_patient(request, resource="consent")
        return Response(ConsentStateSerializer(_consent_state(patient)).data)

    @extend_schema(request=ConsentInputSerializer, responses={201: ConsentStateSerializer}, tags=["consent"])
    def post(self, request: Request) -> Response:
        patient = request_patient(request, resource="consent", action="create")
        data = ConsentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.consent_grant(
            patient=patient, version=data.validated_data["version"], scopes=data.validated_data["scopes"]
        )
        return Response(ConsentStateSerializer(_consent_state(patient)).data, status=status.HTTP_201_CREATED)


class MyConsentsWithdrawApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(request=ConsentWithdrawInputSerializer, responses=ConsentStateSerializer, tags=["consent"])
    def post(self, request: Request) -> Response:
        patient = request_patient(request, resource="consent", action="update")
        data = ConsentWithdrawInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.consent_withdraw(patient=patient, scopes=data.validated_data["scopes"])
        return Response(ConsentStateSerializer(_consent_state(patient)).data)


class MyAccessLogApi(generics.GenericAPIView):
    """Who has accessed my record: clinicians and administrators, with what and when."""

    permission_classes = [IsPatient]
    serializer_class = AccessLogEntrySerializer
    queryset = AuditEvent.objects.none()

    @extend_schema(responses=AccessLogEntrySerializer(many=True), tags=["privacy"])
    def get(self, request: Request) -> Response:
        patient = request_patient(request, resource="access_log")
        page = self.paginate_queryset(access_log_for_patient(patient=patient))
        return self.get_paginated_response(AccessLogEntrySerializer(page, many=True).data)


class AuditSearchApi(generics.GenericAPIView):
    """Administrators search the audit trail (?patient=&actor=&action=&since=&until=)."""

    permission_classes = [IsAdmin]
    serializer_class = AuditEventSerializer
    queryset = AuditEvent.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter("patient", str),
            OpenApiParameter("actor", str),
            OpenApiParameter("action", str),
            OpenApiParameter("since", OpenApiTypes.DATETIME),
            OpenApiParameter("until", OpenApiTypes.DATETIME),
        ],
        responses=AuditEventSerializer(many=True),
        tags=["privacy"],
    )
    def get(self, request: Request) -> Response:
        data = AuditSearchInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        qs = audit_events_search(
            patient_id=v.get("patient"),
            actor=v.get("actor"),
            action=v.get("action"),
            since=v.get("since"),
            until=v.get("until"),
        )
        page = self.paginate_queryset(qs)
        response = self.get_paginated_response(AuditEventSerializer(page, many=True).data)
        # Recorded after the search ran, so the search does not find itself: one row per
        # patient whose trail was shown (each one's access log shows the search).
        audit_record_patients(
            request=request,
            action=AuditAction.READ,
            resource="audit_trail",
            patient_ids=[v.get("patient"), *(event.patient_id for event in page or [])],
            detail={"search": {k: str(val) for k, val in v.items()}},
        )
        return response
