"""Thin alert API views: parse, authorise (clinicians, own care teams; other teams' alerts
do not exist: 404), call one service or selector, serialize. Every read or write of a
patient's alert is in the audit trail."""

from typing import Any

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.access import clinician_patient_or_404, request_user
from patients.audit import audit_denied, audit_record, audit_record_patients
from patients.models import AuditAction, CareTeam, Role
from patients.permissions import IsClinician

from . import services
from .models import Alert
from .selectors import (
    alert_events_after,
    alert_get_for_clinician,
    alerts_filter,
    alerts_for_clinician,
    alerts_triage_order,
    clinician_team_ids,
)
from .serializers import (
    AlertEventsPageSerializer,
    AlertEventsQuerySerializer,
    AlertListQuerySerializer,
    AlertOutputSerializer,
    ManualAlertInputSerializer,
    ResolveInputSerializer,
    RiskAlertsSwitchInputSerializer,
    RiskAlertsSwitchOutputSerializer,
    event_message,
)

TAGS = ["alerts"]


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The alert is not in a state that allows this."
    default_code = "conflict"


def _alert_or_404(request: Request, alert_id: Any, *, action: str) -> Alert:
    alert = alert_get_for_clinician(user=request_user(request), alert_id=alert_id)
    if alert is None:
        audit_denied(request=request, resource="alert")
        raise NotFound("No such alert.")
    audit_record(request=request, action=action, resource="alert", patient_id=alert.patient_id)
    return alert


class AlertListCreateApi(generics.GenericAPIView):
    permission_classes = [IsClinician]
    serializer_class = AlertOutputSerializer
    queryset = Alert.objects.none()  # for the schema; get() reads through the selectors

    @extend_schema(
        parameters=[AlertListQuerySerializer],
        responses=AlertOutputSerializer(many=True),
        tags=TAGS,
        description=(
            "Alerts of the caller's care teams, newest first (`ordering=triage`: most severe first, then the "
            "longest waiting). `status=active` means open or acknowledged."
        ),
    )
    def get(self, request: Request) -> Response:
        query = AlertListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        q = query.validated_data
        patient_id = q.get("patient")
        if patient_id is not None:
            clinician_patient_or_404(request, patient_id, resource="alert_list")
        qs = alerts_filter(
            alerts_for_clinician(user=request_user(request)),
            status=q.get("status"),
            kind=q.get("kind"),
            severity=q.get("severity"),
            patient_id=patient_id,
        )
        ordering = q.get("ordering", "-created_at")
        qs = alerts_triage_order(qs) if ordering == "triage" else qs.order_by(ordering, "pk")
        page = self.paginate_queryset(qs) or []
        if patient_id is None:
            audit_record_patients(
                request=request,
                action=AuditAction.READ,
                resource="alert_list",
                patient_ids=[a.patient_id for a in page],
                detail={"count": len(page)},
            )
        return self.get_paginated_response(AlertOutputSerializer(page, many=True).data)

    @extend_schema(
        request=ManualAlertInputSerializer,
        responses={
            201: AlertOutputSerializer,
            200: OpenApiResponse(AlertOutputSerializer, description="The same `id` sent again: nothing created."),
            404: OpenApiResponse(description="Not a patient of the caller's care teams."),
            409: OpenApiResponse(description="The same `id` was sent before with different content."),
        },
        tags=TAGS,
        description="A clinician raises an alert by hand (kind `manual`); it is pushed to the team's dashboards.",
    )
    def post(self, request: Request) -> Response:
        data = ManualAlertInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        patient = clinician_patient_or_404(request, v["patient"], resource="alert", action=AuditAction.CREATE)
        alert, created = services.alert_raise_manual(
            patient=patient,
            title=v["title"],
            note=v["note"],
            severity=v["severity"],
            created_by=request_user(request),
            client_id=v.get("id"),
        )
        alert = alert_get_for_clinician(user=request_user(request), alert_id=alert.pk) or alert
        return Response(
            AlertOutputSerializer(alert).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class AlertDetailApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(responses=AlertOutputSerializer, tags=TAGS)
    def get(self, request: Request, alert_id: str) -> Response:
        return Response(AlertOutputSerializer(_alert_or_404(request, alert_id, action=AuditAction.READ)).data)


class AlertAcknowledgeApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(
        request=None,
        responses={
            200: AlertOutputSerializer,
            404: OpenApiResponse(description="No such alert in your teams."),
            409: OpenApiResponse(description="Already resolved."),
        },
        tags=TAGS,
        description="open → acknowledged. Acknowledging an acknowledged alert changes nothing (200).",
    )
    def post(self, request: Request, alert_id: str) -> Response:
        alert = _alert_or_404(request, alert_id, action=AuditAction.UPDATE)
        try:
            alert, _changed = services.alert_acknowledge(alert=alert, user=request_user(request))
        except services.AlertTransitionError as exc:
            raise Conflict(str(exc)) from exc
        return Response(AlertOutputSerializer(alert).data)


class AlertResolveApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(
        request=ResolveInputSerializer,
        responses={
            200: AlertOutputSerializer,
            404: OpenApiResponse(description="No such alert in your teams."),
            409: OpenApiResponse(description="Already resolved (with another note or by someone else)."),
        },
        tags=TAGS,
        description="open or acknowledged → resolved, with a note saying what was done. Resolving acknowledges too.",
    )
    def post(self, request: Request, alert_id: str) -> Response:
        alert = _alert_or_404(request, alert_id, action=AuditAction.UPDATE)
        data = ResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            alert, _changed = services.alert_resolve(
                alert=alert,
                user=request_user(request),
                note=data.validated_data["note"],
            )
        except services.AlertNoteRequired as exc:
            raise ValidationError({"note": [str(exc)]}) from exc
        except services.AlertTransitionError as exc:
            raise Conflict(str(exc)) from exc
        return Response(AlertOutputSerializer(alert).data)


class AlertEventsApi(APIView):
    """REST twin of the WebSocket `resume` (extension): the event log after a seq."""

    permission_classes = [IsClinician]

    @extend_schema(
        parameters=[AlertEventsQuerySerializer],
        responses=AlertEventsPageSerializer,
        tags=TAGS,
        description=(
            "Alert events of the caller's care teams with `seq > after`, oldest first, each exactly as the "
            "WebSocket `/ws/alerts/` sends it (`event` is `created`, `acknowledged`, `resolved` or `escalated`; "
            "`alert` is the alert's current state). Page with `after=last_seq` while `more` is true."
        ),
    )
    def get(self, request: Request) -> Response:
        query = AlertEventsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after, limit = query.validated_data["after"], query.validated_data["limit"]
        events = alert_events_after(team_ids=clinician_team_ids(user=request.user), after=after, limit=limit)
        audit_record_patients(
            request=request,
            action=AuditAction.READ,
            resource="alert_events",
            patient_ids=[e.alert.patient_id for e in events],
            detail={"after": after, "count": len(events)},
        )
        return Response(
            {
                "results": [event_message(e, e.alert) for e in events],
                "last_seq": events[-1].seq if events else after,
                "more": len(events) == limit,
            }
        )


class CareTeamRiskAlertsApi(APIView):
    """Pause or resume a care team's risk alerts (e.g. while a model is reviewed). Safety,
    adherence and manual alerts never pause."""

    permission_classes = [IsClinician]

    def _team(self, request: Request, team_id: int) -> CareTeam:
        team = request_user(request).care_teams.filter(pk=team_id).first()
        if team is None:
            audit_denied(request=request, resource="care_team_risk_alerts")
            raise NotFound("No such care team.")
        return team

    @extend_schema(responses=RiskAlertsSwitchOutputSerializer, tags=TAGS)
    def get(self, request: Request, team_id: int) -> Response:
        team = self._team(request, team_id)
        return Response({"care_team": team.pk, "risk_alerts_paused": team.risk_alerts_paused})

    @extend_schema(
        request=RiskAlertsSwitchInputSerializer,
        responses={
            200: RiskAlertsSwitchOutputSerializer,
            403: OpenApiResponse(description="Only the team's psychiatrists may pause or resume risk alerts."),
            404: OpenApiResponse(description="Not one of your care teams."),
        },
        tags=TAGS,
        description="`{paused: true, reason}` pauses the team's risk alerts (a reason is required); "
        "`{paused: false}` resumes them. Logged in the audit trail.",
    )
    def post(self, request: Request, team_id: int) -> Response:
        team = self._team(request, team_id)
        if request_user(request).role != Role.PSYCHIATRIST:
            audit_denied(request=request, resource="care_team_risk_alerts")
            raise PermissionDenied("Only the team's psychiatrists may pause or resume risk alerts.")
        data = RiskAlertsSwitchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        paused = data.validated_data["paused"]
        changed = services.care_team_risk_alerts_set(team=team, paused=paused)
        audit_record(
            request=request,
            action=AuditAction.UPDATE,
            resource="care_team_risk_alerts",
            detail={
                "care_team": team.pk,
                "paused": paused,
                "changed": changed,
                "reason": data.validated_data["reason"],
            },
        )
        return Response({"care_team": team.pk, "risk_alerts_paused": team.risk_alerts_paused})
