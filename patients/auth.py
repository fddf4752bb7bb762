"""django-axes lockout responses: JSON for the API, a page for the dashboard login."""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

LOCKOUT_MESSAGE = "Too many failed sign-in attempts. Try again later or ask your care team."


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKOUT_MESSAGE}, status=429)
    return HttpResponse(render_to_string("registration/locked_out.html", request=request), status=429)
