"""Dashboard (HTML) routes of this app, mounted under /dashboard/."""

from django.urls import path

from . import dashboard_views

urlpatterns = [
    path("patients/", dashboard_views.patient_list, name="dashboard_patient_list"),
    path("patients/<uuid:patient_id>/", dashboard_views.patient_detail, name="dashboard_patient_detail"),
]
