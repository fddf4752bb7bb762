"""The phone app's pages, mounted at /app/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.app_shell, name="app_shell"),
    path("sw.js", views.service_worker, name="app_service_worker"),
    path("manifest.webmanifest", views.manifest, name="app_manifest"),
    path("i18n/<str:lang>.json", views.catalog, name="app_catalog"),
]
