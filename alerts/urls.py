"""API routes of this app, mounted under /api/v1/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("alerts/", apis.AlertListCreateApi.as_view(), name="alert_list"),
    path("alerts/events/", apis.AlertEventsApi.as_view(), name="alert_events"),
    path("alerts/handover/", apis.AlertHandoverApi.as_view(), name="alert_handover"),
    path("alerts/<uuid:alert_id>/", apis.AlertDetailApi.as_view(), name="alert_detail"),
    path("alerts/<uuid:alert_id>/acknowledge/", apis.AlertAcknowledgeApi.as_view(), name="alert_acknowledge"),
    path("alerts/<uuid:alert_id>/resolve/", apis.AlertResolveApi.as_view(), name="alert_resolve"),
    path("alerts/<uuid:alert_id>/outcome/", apis.AlertOutcomeApi.as_view(), name="alert_outcome"),
    path("alerts/<uuid:alert_id>/assign/", apis.AlertAssignApi.as_view(), name="alert_assign"),
    path("alerts/<uuid:alert_id>/notes/", apis.AlertNotesApi.as_view(), name="alert_notes"),
    path("care-teams/<int:team_id>/risk-alerts/", apis.CareTeamRiskAlertsApi.as_view(), name="care_team_risk_alerts"),
]
