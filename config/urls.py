from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import health

api_v1 = [
    path("", include("patients.urls")),
    path("", include("monitoring.urls")),
    path("", include("ml.urls")),
    path("", include("alerts.urls")),
    path("", include("mobile.urls")),
    path("", include("records.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    # The FHIR R4 API for other establishments' record systems (interop/, docs/fhir.md).
    path("fhir/", include("interop.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("accounts/", include("patients.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("dashboard/", include("alerts.dashboard_urls")),
    path("dashboard/", include("records.dashboard_urls")),
    path("app/", include("mobile.app_urls")),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/dashboard/", permanent=False)),
]
