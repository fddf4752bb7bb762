"""Dashboard (HTML) routes of this app, mounted under /dashboard/."""

from django.urls import path

from . import emergency_views, model_views, summary_views, views

urlpatterns = [
    path("search/", views.search_page, name="dashboard_search"),
    path("model/", model_views.model_page, name="dashboard_model"),
    path("patients/", views.patient_list, name="dashboard_patient_list"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="dashboard_patient_detail"),
    path(
        "patients/<uuid:patient_id>/summary/",
        summary_views.patient_summary_page,
        name="dashboard_patient_summary",
    ),
    path("emergency/", emergency_views.emergency_home, name="dashboard_emergency_home"),
    path("emergency/review/", emergency_views.emergency_review, name="dashboard_emergency_review"),
    path("emergency/<uuid:access_id>/", emergency_views.emergency_view, name="dashboard_emergency_view"),
    path("emergency/<uuid:access_id>/end/", emergency_views.emergency_end, name="dashboard_emergency_end"),
]
