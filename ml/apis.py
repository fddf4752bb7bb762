"""Thin API views of the ml app: a patient's risk scores, the model registry."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.audit import audit_record
from patients.models import AuditAction
from patients.permissions import IsAdmin, IsPsychiatrist

from . import selectors, services
from .models import ModelVersion
from .serializers import (
    ModelVersionDetailSerializer,
    ModelVersionListSerializer,
)


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


def _version_name(version: str) -> str:
    """A version name from the path: printable text only (a NUL byte would reach the query)."""
    if not version.isprintable():
        raise ValidationError({"version": ["Not a valid model version name."]})
    return version


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
        mv = selectors.model_version_get(version=_version_name(version))
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
        mv = selectors.model_version_get(version=_version_name(version))
        if mv is None:
            raise NotFound("No such model version.")
        mv = services.model_activate(model_version=mv)
        audit_record(
            request=request, action=AuditAction.UPDATE, resource="model_version", detail={"activated": version}
        )
        data = {**_summary(mv), "feature_names": mv.feature_names, "metrics": mv.metrics, "model_card": mv.model_card}
        return Response(ModelVersionDetailSerializer(data).data)
