"""Thin API views of the ml app: a patient's risk scores, the model registry."""

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.access import request_user
from patients.audit import audit_denied, audit_record
from patients.models import AuditAction
from patients.permissions import IsAdmin, IsPsychiatrist

from . import selectors, services
from .models import ModelVersion
from .performance import in_service_card
from .selectors import monitoring_data
from .serializers import (
    ModelMonitoringSerializer,
    ModelVersionDetailSerializer,
    ModelVersionListSerializer,
)


class IsPsychiatristOrAdmin(IsPsychiatrist):
    def has_permission(self, request: Any, view: Any) -> bool:
        return super().has_permission(request, view) or IsAdmin().has_permission(request, view)


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _status(mv: ModelVersion) -> str:
    return "active" if mv.is_active else ("retired" if mv.activated_at is not None else "candidate")


def _summary(mv: ModelVersion) -> dict[str, Any]:
    overall = (mv.metrics or {}).get("scorers", {}).get("model", {}).get("overall", {})
    return {
        "status": _status(mv),
        "trained_by": _username(mv.trained_by),
        "activated_by": _username(mv.activated_by),
        "previous_version": mv.previous_version.version if mv.previous_version is not None else None,
        "compared_at": mv.compared_at,
        "compared_by": _username(mv.compared_by),
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
        return Response(_detail(mv))


def _detail(mv: ModelVersion) -> dict[str, Any]:
    data = {
        **_summary(mv),
        "feature_names": mv.feature_names,
        "metrics": mv.metrics,
        "model_card": mv.model_card + in_service_card(model_version=mv),
        "comparison": mv.comparison or {},
    }
    return dict(ModelVersionDetailSerializer(data).data)


def _version_or_404(version: str) -> ModelVersion:
    mv = selectors.model_version_get(version=_version_name(version))
    if mv is None:
        raise NotFound("No such model version.")
    return mv


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The model registry is not in a state that allows this."
    default_code = "conflict"


def _model_change(request: Request, action: str, version: str | None, run: Callable[[], ModelVersion]) -> Response:
    """Run a model change; refusals are audited as denied, changes as updates."""
    try:
        mv = run()
    except services.ModelChangeRefused as exc:
        audit_denied(request=request, resource="model_version")
        raise PermissionDenied(str(exc)) from exc
    except services.ModelChangeConflict as exc:
        raise Conflict(str(exc)) from exc
    audit_record(
        request=request,
        action=AuditAction.UPDATE,
        resource="model_version",
        detail={action: mv.version, **({"requested": version} if version else {})},
    )
    return Response(_detail(mv))


class ModelVersionCompareApi(APIView):
    """Compare a version with the active one, side by side (stored on the version)."""

    permission_classes = [IsPsychiatristOrAdmin]

    @extend_schema(
        request=None,
        responses={200: ModelVersionDetailSerializer, 404: OpenApiResponse(description="No such model version.")},
        tags=["models"],
        description="Score this version and the active one on the same rows: this version's held-out patients "
        "and each care team's last 90 days (alerts each would have raised, relapses and hospitalisations each "
        "would have caught). Stored in `comparison`; activation requires one made against the active version.",
    )
    def post(self, request: Request, version: str) -> Response:
        mv = _version_or_404(version)
        user = request_user(request)
        return _model_change(request, "compared", None, lambda: services.model_compare(model_version=mv, user=user))


class ModelRollbackApi(APIView):
    """One action: reactivate the version that was active before the current one."""

    permission_classes = [IsPsychiatristOrAdmin]

    @extend_schema(
        request=None,
        responses={
            200: ModelVersionDetailSerializer,
            409: OpenApiResponse(description="No previous version to roll back to."),
        },
        tags=["models"],
    )
    def post(self, request: Request) -> Response:
        user = request_user(request)
        return _model_change(request, "rolled_back_to", None, lambda: services.model_rollback(user=user))


class ModelMonitoringApi(APIView):
    """A version's live figures per care team, its latest drift and the model alerts."""

    permission_classes = [IsPsychiatristOrAdmin]

    @extend_schema(
        request=None,
        responses={200: ModelMonitoringSerializer, 404: OpenApiResponse(description="No such model version.")},
        tags=["models"],
        description="Live performance per care team (psychiatrists: their teams; admins: all), newest `day` "
        'last, with `figures` as docs/model.md "In service" describes; the latest drift check; the `model` '
        "alerts (drift) of the reader's teams.",
    )
    def get(self, request: Request, version: str) -> Response:
        mv = _version_or_404(version)
        user = request_user(request)
        audit_record(request=request, action=AuditAction.READ, resource="model_monitoring", detail={"version": version})
        return Response(monitoring_data(model_version=mv, user=user))


class ModelVersionActivateApi(APIView):
    """Four eyes: a psychiatrist or admin who did not train the version activates it, after a
    comparison with the active version. Its artifact is checked before it is activated."""

    permission_classes = [IsPsychiatristOrAdmin]

    @extend_schema(
        request=None,
        responses={
            200: ModelVersionDetailSerializer,
            400: OpenApiResponse(description="The artifact is missing or fails its SHA-256 check: not activated."),
            403: OpenApiResponse(description="Not a psychiatrist or admin, or the person who trained this version."),
            404: OpenApiResponse(description="No such model version."),
            409: OpenApiResponse(description="Already active, or not compared with the active version yet."),
        },
        tags=["models"],
    )
    def post(self, request: Request, version: str) -> Response:
        mv = _version_or_404(version)
        user = request_user(request)
        return _model_change(
            request, "activated", None, lambda: services.model_activate_reviewed(model_version=mv, user=user)
        )
