"""API routes of this app, mounted under /api/v1/."""

from django.urls import path

from . import apis

urlpatterns = [
    path("models/", apis.ModelVersionListApi.as_view(), name="model_versions"),
    path("models/rollback/", apis.ModelRollbackApi.as_view(), name="model_rollback"),
    path("models/<str:version>/", apis.ModelVersionDetailApi.as_view(), name="model_version"),
    path("models/<str:version>/monitoring/", apis.ModelMonitoringApi.as_view(), name="model_version_monitoring"),
    path("models/<str:version>/compare/", apis.ModelVersionCompareApi.as_view(), name="model_version_compare"),
    path("models/<str:version>/activate/", apis.ModelVersionActivateApi.as_view(), name="model_version_activate"),
]
