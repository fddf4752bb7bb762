"""The project's URLs plus the bare view the benchmarks measure themselves against."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def empty(request: HttpRequest) -> JsonResponse:
    """A bare Django view returning {} through the same middleware stack."""
    return JsonResponse({})


urlpatterns = [
    path("bench/empty/", empty, name="bench_empty"),
    path("", include("config.urls")),
]
