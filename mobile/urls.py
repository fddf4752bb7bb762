"""API routes of the phone app, mounted under /api/v1/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("me/schedule/", apis.MyScheduleApi.as_view(), name="my_schedule"),
    path("me/care-team/", apis.MyCareTeamApi.as_view(), name="my_care_team"),
    path("me/crisis-plan/", apis.MyCrisisPlanApi.as_view(), name="my_crisis_plan"),
    path("me/push/", apis.MyPushApi.as_view(), name="my_push"),
    path("patients/<uuid:patient_id>/schedule/", apis.PatientScheduleApi.as_view(), name="patient_schedule"),
    path(
        "patients/<uuid:patient_id>/app-preferences/",
        apis.PatientAppPreferenceApi.as_view(),
        name="patient_app_preference",
    ),
    path("auth/logout/", apis.LogoutApi.as_view(), name="logout_device"),
    path("app/config/", apis.AppConfigApi.as_view(), name="app_config"),
]
