"""API routes of this app, mounted under /api/v1/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("models/", apis.ModelVersionListApi.as_view(), name="model_versions"),
    path("models/<str:version>/", apis.ModelVersionDetailApi.as_view(), name="model_version"),
    path("models/<str:version>/activate/", apis.ModelVersionActivateApi.as_view(), name="model_version_activate"),
]
