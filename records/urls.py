"""API routes of the clinicians' read side, mounted under /api/v1/."""

from django.urls import path

from . import apis

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
    path("me/timeline/", apis.MyTimelineApi.as_view(), name="my_timeline"),
    path("me/export/", apis.MyExportApi.as_view(), name="my_export"),
    path("me/erase/", apis.MyEraseApi.as_view(), name="my_erase"),
]
