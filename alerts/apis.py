"""Thin alert API views: parse, authorise (clinicians, own care teams; other teams' alerts
do not exist: 404), call one service or selector, serialize. Every read or write of a
patient's alert is in the audit trail."""

from collections.abc import Callable
from typing import Any, TypeVar

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.access import clinician_patient_or_404, request_user
from patients.audit import audit_denied, audit_record, audit_record_patients
from patients.formatting import team_timezone
from patients.models import AuditAction, CareTeam, Role
from patients.permissions import IsClinician

from . import services
from .context import cards_for_patients
from .models import Alert, AlertEventKind, AlertNote
from .selectors import (
    alert_events_after,
    alert_events_between,
    alert_get_for_clinician,
    alert_ids_grouped,
    alert_notes,
    alerts_by_ids,
    alerts_filter,
    alerts_for_clinician,
    alerts_triage_order,
    clinician_team_ids,
)
from .serializers import (
    HANDOVER_MAX_EVENTS,
    AlertEventsPageSerializer,
    AlertEventsQuerySerializer,
    AlertListQuerySerializer,
    AlertNoteOutputSerializer,
    AlertOutputSerializer,
    AssignInputSerializer,
    HandoverQuerySerializer,
    HandoverSerializer,
    ManualAlertInputSerializer,
    NoteInputSerializer,
    OutcomeInputSerializer,
    ResolveInputSerializer,
    RiskAlertsSwitchInputSerializer,
    RiskAlertsSwitchOutputSerializer,
    event_message,
    note_data,
)

TAGS = ["alerts"]
T = TypeVar("T")
NOT_IN_YOUR_TEAMS = OpenApiResponse(description="No such alert in your teams.")


def _alert_responses(**errors: str) -> dict[int, Any]:
    """The documented answers of a change to one alert: the alert (200), 404 outside the caller's
    teams, and the change's own refusals (`errors`: status code as `e400`, `e409`... -> why)."""
    return {
        200: AlertOutputSerializer,
        404: NOT_IN_YOUR_TEAMS,
        **{int(code[1:]): OpenApiResponse(description=why) for code, why in errors.items()},
    }


def _role(request: Request) -> str:
    """The reader's role: what the alert shape may show them (serializers.alert_for_reader)."""
    return str(getattr(request.user, "role", ""))


def _alert_out(request: Request, alert: Alert) -> dict[str, Any]:
    return dict(AlertOutputSerializer(alert, context={"role": _role(request)}).data)


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


def _alert_change(
    request: Request,
    alert_id: str,
    body: type[serializers.Serializer],
    change: Callable[[Alert, dict[str, Any]], T],
    *,
    action: str,
) -> T:
    """The steps the alert changes with a body share (resolve, outcome): the alert of the
    caller's teams (404 otherwise, audited with `action`), the validated body, then `change` with
    the services' refusals answered as 400 on `note` or `outcome`, or 409."""
    alert = _alert_or_404(request, alert_id, action=action)
    data = body(data=request.data)
    data.is_valid(raise_exception=True)
    try:
        return change(alert, data.validated_data)
    except services.AlertNoteRequired as exc:
        raise ValidationError({"note": [str(exc)]}) from exc
    except services.AlertOutcomeInvalid as exc:
        raise ValidationError({"outcome": [str(exc)]}) from exc
    except services.AlertTransitionError as exc:
        raise Conflict(str(exc)) from exc


class AlertListCreateApi(generics.GenericAPIView):
    permission_classes = [IsClinician]
    serializer_class = AlertOutputSerializer
    queryset = Alert.objects.none()  # for the schema; get() reads through the selectors

    @extend_schema(
        parameters=[AlertListQuerySerializer],
        responses={
            200: AlertOutputSerializer(many=True),
            400: OpenApiResponse(description='A bad filter value, named: e.g. `{"severity": ["Unknown severity…"]}`.'),
            404: OpenApiResponse(description="`patient` is not a patient of the caller's care teams."),
        },
        tags=TAGS,
        description=(
            "Alerts of the caller's care teams (scoped by the patient's current team), newest first. "
            "`ordering=triage`: unacknowledged critical alerts first, newest first; then by severity, oldest "
            "first. `group=patient`: contiguous per patient, groups ordered by their most urgent alert. "
            "`status=active` means open or acknowledged. Filters: `patient`, `severity` (comma list), `kind`, "
            "`assignee` (`me`, `none`, a user id), `from`/`to` (on created_at). `context=1` embeds each "
            "alert's card `context` (docs/alerts.md)."
        ),
    )
    def get(self, request: Request) -> Response:
        # A bare date is a day of the care team's calendar (its zone, as the desk shows times).
        query = AlertListQuerySerializer(
            data=request.query_params, context={"tz": team_timezone(request_user(request))}
        )
        query.is_valid(raise_exception=True)
        q = query.validated_data
        patient_id = q.get("patient")
        if patient_id is not None:
            clinician_patient_or_404(request, patient_id, resource="alert_list")
        user = request_user(request)
        assignee = q.get("assignee")
        base = alerts_for_clinician(user=user)
        qs = alerts_filter(
            base,
            status=q.get("status"),
            kind=q.get("kind"),
            severity=q.get("severity"),
            patient_id=patient_id,
            assignee=user.pk if assignee == "me" else assignee,
            created_from=q.get("created_from"),
            created_to=q.get("created_to"),
        )
        page: list[Alert]
        if q.get("group") == "patient":
            ids: list[Any] = list(self.paginate_queryset(alert_ids_grouped(qs)) or [])
            page = alerts_by_ids(qs=base, ids=ids)
        else:
            ordering = q.get("ordering", "-created_at")
            qs = alerts_triage_order(qs) if ordering == "triage" else qs.order_by(ordering, "pk")
            page = list(self.paginate_queryset(qs) or [])
        if patient_id is None:
            audit_record_patients(
                request=request,
                action=AuditAction.READ,
                resource="alert_list",
                patient_ids=[a.patient_id for a in page],
                detail={"count": len(page)},
            )
        data: list[dict[str, Any]] = list(AlertOutputSerializer(page, many=True, context={"role": _role(request)}).data)
        if q.get("context"):
            cards = cards_for_patients(patient_ids=[a.patient_id for a in page if a.patient_id is not None], user=user)
            data = [
                {**item, "context": cards.get(alert.patient_id) if alert.patient_id is not None else None}
                for item, alert in zip(data, page, strict=True)
            ]
        return self.get_paginated_response(data)

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
        return Response(_alert_out(request, alert), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AlertDetailApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(responses=AlertOutputSerializer, tags=TAGS)
    def get(self, request: Request, alert_id: str) -> Response:
        return Response(_alert_out(request, _alert_or_404(request, alert_id, action=AuditAction.READ)))


class AlertAcknowledgeApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(
        request=None,
        responses=_alert_responses(e409="Already resolved."),
        tags=TAGS,
        description="open → acknowledged. Acknowledging an acknowledged alert changes nothing (200).",
    )
    def post(self, request: Request, alert_id: str) -> Response:
        alert = _alert_or_404(request, alert_id, action=AuditAction.UPDATE)
        try:
            alert, _changed = services.alert_acknowledge(alert=alert, user=request_user(request))
        except services.AlertTransitionError as exc:
            raise Conflict(str(exc)) from exc
        return Response(_alert_out(request, alert))


class AlertResolveApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(
        request=ResolveInputSerializer,
        responses=_alert_responses(e409="Already resolved (with another note or by someone else)."),
        tags=TAGS,
        description="open or acknowledged → resolved, with a note saying what was done. Resolving acknowledges too. "
        "Risk alerts take an optional `outcome` (useful, already_known, false_alarm, no_contact): 400 on another kind.",
    )
    def post(self, request: Request, alert_id: str) -> Response:
        user = request_user(request)

        def resolve(alert: Alert, v: dict[str, Any]) -> tuple[Alert, bool]:
            return services.alert_resolve(alert=alert, user=user, note=v["note"], outcome=v.get("outcome", ""))

        alert, _changed = _alert_change(request, alert_id, ResolveInputSerializer, resolve, action=AuditAction.UPDATE)
        return Response(_alert_out(request, alert))


class AlertOutcomeApi(APIView):
    """A psychiatrist sets or corrects a risk alert's outcome after the fact; audited."""

    permission_classes = [IsClinician]

    @extend_schema(
        request=OutcomeInputSerializer,
        responses=_alert_responses(e400="Unknown outcome, or not a risk alert.", e403="Psychiatrists only."),
        tags=TAGS,
        description="Set or correct the outcome of a risk alert (psychiatrists of the patient's team). Audited with "
        "the previous and the new outcome.",
    )
    def post(self, request: Request, alert_id: str) -> Response:
        if _role(request) != Role.PSYCHIATRIST:
            audit_denied(request=request, resource="alert_outcome")
            raise PermissionDenied("Only a psychiatrist can change an alert's outcome.")
        user = request_user(request)
        alert, previous = _alert_change(
            request,
            alert_id,
            OutcomeInputSerializer,
            lambda alert, v: services.alert_outcome_set(alert=alert, user=user, outcome=v["outcome"]),
            action=AuditAction.READ,
        )
        audit_record(
            request=request,
            action=AuditAction.UPDATE,
            resource="alert_outcome",
            patient_id=alert.patient_id,
            detail={"alert": str(alert.pk), "from": previous, "to": alert.outcome},
        )
        return Response(_alert_out(request, alert))


class AlertEventsApi(APIView):
    """REST twin of the WebSocket `resume` (extension): the event log after a seq."""

    permission_classes = [IsClinician]

    @extend_schema(
        parameters=[AlertEventsQuerySerializer],
        responses=AlertEventsPageSerializer,
        tags=TAGS,
        description=(
            "Alert events of the caller's care teams with `seq > after`, oldest first, each exactly as the "
            "WebSocket `/ws/alerts/` sends it (`event` is `created`, `acknowledged`, `resolved`, `escalated`, "
            "`assigned` or `noted`; `alert` is the alert's current state). Page with `after=last_seq` while "
            "`more` is true."
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
                "results": [event_message(e, e.alert, role=_role(request)) for e in events],
                "last_seq": events[-1].seq if events else after,
                "more": len(events) == limit,
            }
        )


class AlertAssignApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(
        request=AssignInputSerializer,
        responses=_alert_responses(
            e400="The assignee is not a nurse or psychiatrist of the patient's team.", e409="The alert is resolved."
        ),
        tags=TAGS,
        description='Claim (`{"assignee": "me"}`), give to a colleague of the patient\'s team (a user id) or '
        "unassign (`null`). Audited; an `assigned` event is pushed to the team.",
    )
    def post(self, request: Request, alert_id: str) -> Response:
        alert = _alert_or_404(request, alert_id, action=AuditAction.READ)
        data = AssignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request_user(request)
        wanted = data.validated_data["assignee"]
        assignee_id = user.pk if wanted == "me" else wanted
        previous = alert.assigned_to_id
        try:
            alert, changed = services.alert_assign(alert=alert, user=user, assignee_id=assignee_id)
        except services.AlertAssigneeInvalid as exc:
            raise ValidationError({"assignee": [str(exc)]}) from exc
        except services.AlertTransitionError as exc:
            raise Conflict(str(exc)) from exc
        audit_record(
            request=request,
            action=AuditAction.UPDATE,
            resource="alert_assignment",
            patient_id=alert.patient_id,
            detail={"alert": str(alert.pk), "from": previous, "to": assignee_id, "changed": changed},
        )
        return Response(_alert_out(request, alert))


class AlertNotesApi(generics.GenericAPIView):
    permission_classes = [IsClinician]
    serializer_class = AlertNoteOutputSerializer
    queryset = AlertNote.objects.none()  # for the schema

    @extend_schema(
        responses={200: AlertNoteOutputSerializer(many=True), 404: OpenApiResponse(description="No such alert.")},
        tags=TAGS,
        description="The alert's thread (call attempts and notes), oldest first. Audited.",
    )
    def get(self, request: Request, alert_id: str) -> Response:
        alert = _alert_or_404(request, alert_id, action=AuditAction.READ)
        page = self.paginate_queryset(alert_notes(alert=alert)) or []
        return self.get_paginated_response([note_data(n) for n in page])

    @extend_schema(
        request=NoteInputSerializer,
        responses={
            201: AlertNoteOutputSerializer,
            400: OpenApiResponse(description="A call without outcome, a note without text, text over 2000 characters."),
            404: NOT_IN_YOUR_TEAMS,
        },
        tags=TAGS,
        description="Add a call attempt (`kind=call` with `outcome` reached / no_answer / message_left) or a free "
        "note (`kind=note`, `text`). Audited; a `noted` event is pushed to the team.",
    )
    def post(self, request: Request, alert_id: str) -> Response:
        alert = _alert_or_404(request, alert_id, action=AuditAction.READ)
        data = NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            note = services.alert_note_add(
                alert=alert, user=request_user(request), kind=v["kind"], outcome=v["outcome"], text=v["text"]
            )
        except services.AlertNoteInvalid as exc:
            raise ValidationError({"text": [str(exc)]}) from exc
        audit_record(
            request=request,
            action=AuditAction.CREATE,
            resource="alert_note",
            patient_id=alert.patient_id,
            detail={"alert": str(alert.pk), "note": str(note.pk), "kind": note.kind, "outcome": note.outcome},
        )
        return Response(note_data(note), status=status.HTTP_201_CREATED)


def _handover_line(event: Any, request: Request) -> dict[str, Any]:
    message = event_message(event, event.alert, role=_role(request))
    alert = message["alert"]
    return {
        "seq": event.seq,
        "at": message["at"],
        "event": event.event,
        "actor": message["actor"],
        "alert": {
            key: alert.get(key)
            for key in (
                "id",
                "patient",
                "patient_code",
                "kind",
                "severity",
                "status",
                "title_display",
                "recorded_at",
                "late",
            )
        },
        "note": message.get("note"),
        "assignee": message.get("assignee"),
    }


class AlertHandoverApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(
        parameters=[HandoverQuerySerializer],
        responses={200: HandoverSerializer, 400: OpenApiResponse(description="`since` missing, bad or > 7 days.")},
        tags=TAGS,
        description="What happened in the caller's teams since `since` (until `until`, default now): new, "
        "acknowledged, resolved, escalated, assigned alerts and notes, who did what (oldest first), and the "
        "alerts still open or acknowledged in triage order. Audited.",
    )
    def get(self, request: Request) -> Response:
        query = HandoverQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        since, until = query.validated_data["since"], query.validated_data["until"]
        user = request_user(request)
        team_ids = clinician_team_ids(user=user)
        events = alert_events_between(team_ids=team_ids, since=since, until=until, limit=HANDOVER_MAX_EVENTS)
        lines = [_handover_line(e, request) for e in events]
        counts = {kind: 0 for kind in AlertEventKind.values}
        for line in lines:
            counts[line["event"]] = counts.get(line["event"], 0) + 1
        still_open = list(alerts_triage_order(alerts_filter(alerts_for_clinician(user=user), status="active")))
        audit_record(
            request=request,
            action=AuditAction.READ,
            resource="alert_handover",
            detail={
                "since": since.isoformat(),
                "until": until.isoformat(),
                "count": len(lines),
                "patients": sorted({str(e.alert.patient_id) for e in events} | {str(a.patient_id) for a in still_open}),
            },
        )
        return Response(
            {
                "since": since.isoformat(),
                "until": until.isoformat(),
                "counts": counts,
                "events": lines,
                "open": AlertOutputSerializer(still_open, many=True, context={"role": _role(request)}).data,
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
