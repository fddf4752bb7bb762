"""Dashboard (HTML) routes of this app, mounted under /dashboard/."""

from django.urls import path

from . import summary_views, views

urlpatterns = [
    path("search/", views.search_page, name="dashboard_search"),
    path("patients/", views.patient_list, name="dashboard_patient_list"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="dashboard_patient_detail"),
    path(
        "patients/<uuid:patient_id>/summary/",
        summary_views.patient_summary_page,
        name="dashboard_patient_summary",
    ),
]
