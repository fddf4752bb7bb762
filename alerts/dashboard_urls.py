"""Dashboard (HTML) routes of this app, mounted under /dashboard/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.alert_dashboard, name="alert_dashboard"),
    path("handover/", views.alert_handover, name="alert_handover"),
]
