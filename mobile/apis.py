"""Thin API views of the phone app: schedules, sign-out, public app configuration."""

from dataclasses import asdict
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from patients.access import clinician_patient_or_404, request_patient, request_user
from patients.permissions import IsClinician, IsPatient

from . import push, services
from .due import Cadence
from .selectors import (
    ScheduleStatus,
    care_team_contact,
    easy_read_chosen,
    my_crisis_plan,
    push_status,
    schedule_status,
)
from .serializers import (
    AppConfigSerializer,
    AppPreferenceSerializer,
    CareTeamContactSerializer,
    LogoutInputSerializer,
    MyCrisisPlanSerializer,
    MyScheduleSerializer,
    PatientScheduleSerializer,
    PushStatusQuerySerializer,
    PushStatusSerializer,
    PushSubscriptionDeleteSerializer,
    PushSubscriptionInputSerializer,
    ScheduleInputSerializer,
)


def app_config() -> dict[str, Any]:
    return {
        "crisis_line": settings.CRISIS_LINE,
        "emergency_number": getattr(settings, "EMERGENCY_NUMBER", "112"),
        "consent_version": getattr(settings, "MOBILE_CONSENT_VERSION", "1"),
        "languages": [code for code, _name in settings.LANGUAGES],
    }


def _questionnaires(state: ScheduleStatus) -> list[dict[str, Any]]:
    return [asdict(q) for q in state.questionnaires]


class MyScheduleApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        responses=MyScheduleSerializer,
        tags=["schedule"],
        summary="What is due today for the signed-in patient",
        description=(
            "Computed on the patient's own local day from their care team's schedule (or the defaults for "
            "their diagnosis) and the questionnaires they last completed."
        ),
    )
    def get(self, request: Request) -> Response:
        patient = request_patient(request, resource="schedule")
        state = schedule_status(patient=patient)
        return Response(
            MyScheduleSerializer(
                {
                    "date": state.today,
                    "timezone": state.timezone,
                    "enrolled_on": patient.enrolled_on,
                    "source": state.schedule.source,
                    "checkin": {
                        "time": state.schedule.checkin_time,
                        "done_today": state.checkin_done_today,
                        "due": not state.checkin_done_today,
                    },
                    "questionnaires": _questionnaires(state),
                    "due_today": state.due_today,
                    "easy_read": easy_read_chosen(patient=patient),
                }
            ).data
        )


class MyCareTeamApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        responses=CareTeamContactSerializer,
        tags=["app"],
        summary="How the signed-in patient reaches their care team",
        description="The team's phone number, opening days and hours (in the team's time zone) and its "
        "out-of-hours line, as its admin set them; the app keeps a copy for offline use.",
    )
    def get(self, request: Request) -> Response:
        patient = request_patient(request, resource="care_team_contact")
        return Response(CareTeamContactSerializer(care_team_contact(patient=patient)).data)


class MyCrisisPlanApi(APIView):
    permission_classes = [IsPatient]

    @extend_schema(
        responses=MyCrisisPlanSerializer,
        tags=["app"],
        summary="The signed-in patient's crisis plan",
        description="Warning signs, what helped before and whom to call, as the care team wrote them with the "
        "patient (clinicians edit it at `/api/v1/patients/{id}/crisis-plan/`). While there is none: `written` "
        "false, blank texts, null `updated_at` (a 200, as for clinicians). Audited; the app keeps a copy for "
        "offline use.",
    )
    def get(self, request: Request) -> Response:
        patient = request_patient(request, resource="crisis_plan")
        return Response(MyCrisisPlanSerializer(my_crisis_plan(patient=patient)).data)


def _patient_schedule(patient: Any) -> dict[str, Any]:
    state = schedule_status(patient=patient)
    return PatientScheduleSerializer(
        {
            "patient": patient.pk,
            "date": state.today,
            "timezone": state.timezone,
            "source": state.schedule.source,
            "checkin_time": state.schedule.checkin_time,
            "checkin_done_today": state.checkin_done_today,
            "questionnaires": _questionnaires(state),
            "updated_at": state.schedule.updated_at,
            "updated_by": state.schedule.updated_by,
        }
    ).data


class PatientScheduleApi(APIView):
    permission_classes = [IsClinician]

    @extend_schema(responses=PatientScheduleSerializer, tags=["schedule"], summary="A patient's schedule")
    def get(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="schedule")
        return Response(_patient_schedule(patient))

    @extend_schema(
        request=ScheduleInputSerializer,
        responses={200: PatientScheduleSerializer},
        tags=["schedule"],
        summary="Replace a patient's schedule",
        description="The whole schedule: check-in time (patient's local time) and the questionnaires with "
        "their interval in days. An empty list means no questionnaire is scheduled.",
    )
    def put(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="schedule", action="update")
        data = ScheduleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.schedule_set(
            patient=patient,
            checkin_time=data.validated_data["checkin_time"],
            cadences=[Cadence(q["instrument"], q["every_days"]) for q in data.validated_data["questionnaires"]],
            updated_by=request_user(request),
        )
        return Response(_patient_schedule(patient))

    @extend_schema(
        request=None,
        responses={200: PatientScheduleSerializer},
        tags=["schedule"],
        summary="Reset a patient's schedule to the defaults for their diagnosis",
    )
    def delete(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="schedule", action="delete")
        services.schedule_reset(patient=patient)
        return Response(_patient_schedule(patient))


class PatientAppPreferenceApi(APIView):
    """How the patient's app is shown, chosen by the care team (e.g. at enrolment)."""

    permission_classes = [IsClinician]

    @extend_schema(responses=AppPreferenceSerializer, tags=["schedule"], summary="A patient's app display mode")
    def get(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="app_preference")
        return Response(AppPreferenceSerializer({"easy_read": easy_read_chosen(patient=patient)}).data)

    @extend_schema(
        request=AppPreferenceSerializer,
        responses=AppPreferenceSerializer,
        tags=["schedule"],
        summary="Choose a patient's app display mode (easy-read)",
        description="The patient's phone follows it unless the patient chose otherwise in the app's settings.",
    )
    def put(self, request: Request, patient_id: str) -> Response:
        patient = clinician_patient_or_404(request, patient_id, resource="app_preference", action="update")
        data = AppPreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.app_preference_set(
            patient=patient, easy_read=data.validated_data["easy_read"], updated_by=request_user(request)
        )
        return Response(AppPreferenceSerializer({"easy_read": easy_read_chosen(patient=patient)}).data)


class LogoutApi(APIView):
    """Sign a device out: its refresh token stops working at once."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        request=LogoutInputSerializer,
        responses={204: OpenApiResponse(description="The refresh token no longer works (idempotent).")},
        tags=["auth"],
        summary="Sign out (blacklist the refresh token)",
    )
    def post(self, request: Request) -> Response:
        data = LogoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.refresh_token_revoke(token=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class AppConfigApi(APIView):
    """Public settings the phone app needs before anyone signs in (e.g. the crisis line)."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(responses=AppConfigSerializer, tags=["app"], summary="Phone app configuration")
    def get(self, request: Request) -> Response:
        return Response(AppConfigSerializer(app_config()).data)


class MyPushApi(APIView):
    """Check-in reminders by Web Push, even when the app is closed (mobile/push.py)."""

    permission_classes = [IsPatient]

    @extend_schema(
        parameters=[PushStatusQuerySerializer],
        responses=PushStatusSerializer,
        tags=["app"],
        summary="Web Push reminders: the server's key and this patient's devices",
    )
    def get(self, request: Request) -> Response:
        patient = request_patient(request, resource="push_subscription")
        query = PushStatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        status_ = push_status(patient=patient, endpoint=query.validated_data.get("endpoint"))
        return Response(PushStatusSerializer(status_).data)

    @extend_schema(
        request=PushSubscriptionInputSerializer,
        responses={
            201: PushStatusSerializer,
            200: OpenApiResponse(PushStatusSerializer, description="Already subscribed (refreshed)."),
            400: OpenApiResponse(description="Not a browser push service's https address, or bad keys."),
            409: OpenApiResponse(description="Web Push is not configured on this server."),
        },
        tags=["app"],
        summary="Turn reminders on for this device (its PushSubscription)",
        description="The daily check-in reminder goes to every subscribed device of the patient at their "
        "check-in time, in their time zone, unless they have checked in that day. The message carries no "
        "health data.",
    )
    def post(self, request: Request) -> Response:
        patient = request_patient(request, resource="push_subscription", action="create")
        if push.vapid() is None:
            return Response({"detail": "Web Push is not configured on this server."}, status=status.HTTP_409_CONFLICT)
        data = PushSubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        subscription, created = push.push_subscription_save(
            patient=patient,
            endpoint=data.validated_data["endpoint"],
            keys=data.validated_data["keys"],
            language=data.validated_data.get("language", ""),
        )
        body = PushStatusSerializer(push_status(patient=patient, endpoint=subscription.endpoint)).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        request=PushSubscriptionDeleteSerializer,
        responses={200: PushStatusSerializer},
        tags=["app"],
        summary="Turn reminders off for this device (idempotent)",
    )
    def delete(self, request: Request) -> Response:
        patient = request_patient(request, resource="push_subscription", action="delete")
        data = PushSubscriptionDeleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        push.push_subscription_delete(patient=patient, endpoint=data.validated_data["endpoint"])
        return Response(PushStatusSerializer(push_status(patient=patient)).data)
