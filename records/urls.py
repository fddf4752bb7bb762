"""API routes of the clinicians' read side, mounted under /api/v1/."""

from django.urls import path

from . import apis, emergency_apis

urlpatterns = [
    path("patients/", apis.PatientListCreateApi.as_view(), name="patient_list"),
    path("patients/<uuid:patient_id>/", apis.PatientDetailApi.as_view(), name="patient_detail"),
    path("patients/<uuid:patient_id>/card/", apis.PatientCardApi.as_view(), name="patient_card"),
    path("patients/<uuid:patient_id>/crisis-plan/", apis.CrisisPlanApi.as_view(), name="patient_crisis_plan"),
    path("patients/<uuid:patient_id>/timeline/", apis.PatientTimelineApi.as_view(), name="patient_timeline"),
    path("patients/<uuid:patient_id>/risk-scores/", apis.RiskScoresApi.as_view(), name="patient_risk_scores"),
    path("patients/<uuid:patient_id>/risk-episodes/", apis.RiskEpisodesApi.as_view(), name="patient_risk_episodes"),
    path(
        "patients/<uuid:patient_id>/events/<uuid:event_id>/",
        apis.ClinicalEventDetailApi.as_view(),
        name="patient_event_detail",
    ),
    path("patients/<uuid:patient_id>/export/", apis.PatientExportApi.as_view(), name="patient_export"),
    path("patients/<uuid:patient_id>/summary/", apis.PatientSummaryApi.as_view(), name="patient_summary"),
    path("search/", apis.SearchApi.as_view(), name="search"),
    path("emergency/accesses/", emergency_apis.EmergencyAccessesApi.as_view(), name="emergency_accesses"),
    path("emergency/accesses/<uuid:access_id>/", emergency_apis.EmergencyViewApi.as_view(), name="emergency_view"),
    path(
        "emergency/accesses/<uuid:access_id>/timeline/",
        emergency_apis.EmergencyTimelineApi.as_view(),
        name="emergency_timeline",
    ),
    path(
        "emergency/accesses/<uuid:access_id>/risk-scores/",
        emergency_apis.EmergencyRiskScoresApi.as_view(),
        name="emergency_risk_scores",
    ),
    path(
        "emergency/accesses/<uuid:access_id>/risk-episodes/",
        emergency_apis.EmergencyRiskEpisodesApi.as_view(),
        name="emergency_risk_episodes",
    ),
    path(
        "emergency/accesses/<uuid:access_id>/events/",
        emergency_apis.EmergencyEventsApi.as_view(),
        name="emergency_events",
    ),
    path(
        "emergency/accesses/<uuid:access_id>/alerts/",
        emergency_apis.EmergencyAlertsApi.as_view(),
        name="emergency_alerts",
    ),
    path(
        "emergency/accesses/<uuid:access_id>/revoke/",
        emergency_apis.EmergencyRevokeApi.as_view(),
        name="emergency_revoke",
    ),
    path(
        "emergency/accesses/<uuid:access_id>/verdict/",
        emergency_apis.EmergencyVerdictApi.as_view(),
        name="emergency_verdict",
    ),
    path("emergency/reviews/", emergency_apis.EmergencyReviewsApi.as_view(), name="emergency_reviews"),
    path("me/timeline/", apis.MyTimelineApi.as_view(), name="my_timeline"),
    path("me/export/", apis.MyExportApi.as_view(), name="my_export"),
    path("me/erase/", apis.MyEraseApi.as_view(), name="my_erase"),
]
