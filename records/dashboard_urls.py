"""Dashboard (HTML) routes of this app, mounted under /dashboard/."""

from django.urls import path

from . import model_views, summary_views, views

urlpatterns = [
    path("model/", model_views.model_page, name="dashboard_model"),
    path("patients/", views.patient_list, name="dashboard_patient_list"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="dashboard_patient_detail"),
    path(
        "patients/<uuid:patient_id>/summary/",
        summary_views.patient_summary_page,
        name="dashboard_patient_summary",
    ),
]
