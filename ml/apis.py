"""Thin API views of the ml app: a patient's risk scores, the model registry."""

from datetime import timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.access import clinician_patient_or_404
from patients.audit import audit_record
from patients.models import AuditAction, Role
from patients.permissions import IsAdmin, IsClinician, IsPsychiatrist

from . import selectors, services
from .labels import relabelled
from .models import ModelVersion
from .serializers import (
    ModelVersionDetailSerializer,
    ModelVersionListSerializer,
    RiskScoreOutputSerializer,
    RiskScoresQuerySerializer,
)

DEFAULT_RANGE_DAYS = 90


class RiskScoresApi(APIView):
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
        patient = clinician_patient_or_404(request, patient_id, resource="risk_scores")
        end = query.validated_data.get("end") or timezone.localdate(timezone=patient.tz)
        start = query.validated_data.get("start") or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        explain = request.user.role == Role.PSYCHIATRIST  # type: ignore[union-attr]
        scores = selectors.risk_scores_for_patient(patient=patient, start=start, end=end)
        data = [
            {
                "date": s.date,
                "score": s.score,
                "band": s.band,
                "model_version": s.model_version.version,
                "threshold": s.threshold,
                "explanation": relabelled(s.explanation) if explain else [],
            }
            for s in scores
        ]
        return Response(RiskScoreOutputSerializer(data, many=True).data)


class IsPsychiatristOrAdmin(IsPsychiatrist):
    def has_permission(self, request: Any, view: Any) -> bool:
        return super().has_permission(request, view) or IsAdmin().has_permission(request, view)


def _summary(mv: ModelVersion) -> dict[str, Any]:
    overall = (mv.metrics or {}).get("scorers", {}).get("model", {}).get("overall", {})
    return {
        "version": mv.version,
        "created_at": mv.created_at,
        "is_active": mv.is_active,
        "activated_at": mv.activated_at,
        "data_start": mv.data_start,
        "data_end": mv.data_end,
        "seed": mv.seed,
        "threshold": mv.threshold,
        "artifact_sha256": mv.artifact_sha256,
        "auroc": (overall.get("auroc") or {}).get("value"),
        "event_sensitivity": (overall.get("event_sensitivity") or {}).get("value"),
    }


class ModelVersionListApi(APIView):
    permission_classes = [IsPsychiatristOrAdmin]

    @extend_schema(responses=ModelVersionListSerializer(many=True), tags=["models"])
    def get(self, request: Request) -> Response:
        versions = list(selectors.model_versions())
        audit_record(request=request, action=AuditAction.READ, resource="model_versions")
        return Response(ModelVersionListSerializer([_summary(v) for v in versions], many=True).data)


class ModelVersionDetailApi(APIView):
    permission_classes = [IsPsychiatristOrAdmin]

    @extend_schema(responses=ModelVersionDetailSerializer, tags=["models"])
    def get(self, request: Request, version: str) -> Response:
        mv = selectors.model_version_get(version=version)
        if mv is None:
            raise NotFound("No such model version.")
        audit_record(request=request, action=AuditAction.READ, resource="model_version", detail={"version": version})
        data = {**_summary(mv), "feature_names": mv.feature_names, "metrics": mv.metrics, "model_card": mv.model_card}
        return Response(ModelVersionDetailSerializer(data).data)


class ModelVersionActivateApi(APIView):
    """Make a version the active one (admins). Its artifact is checked before it is activated."""

    permission_classes = [IsAdmin]

    @extend_schema(
        request=None,
        responses={
            200: ModelVersionDetailSerializer,
            400: OpenApiResponse(description="The artifact is missing or fails its SHA-256 check: not activated."),
            404: OpenApiResponse(description="No such model version."),
        },
        tags=["models"],
    )
    def post(self, request: Request, version: str) -> Response:
        mv = selectors.model_version_get(version=version)
        if mv is None:
            raise NotFound("No such model version.")
        mv = services.model_activate(model_version=mv)
        audit_record(
            request=request, action=AuditAction.UPDATE, resource="model_version", detail={"activated": version}
        )
        data = {**_summary(mv), "feature_names": mv.feature_names, "metrics": mv.metrics, "model_card": mv.model_card}
        return Response(ModelVersionDetailSerializer(data).data)
