"""django-axes lockout responses: JSON for the API, a page for the dashboard login; the client
address the lockout counts by."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

LOCKOUT_MESSAGE = "Too many failed sign-in attempts. Try again later or ask your care team."


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKOUT_MESSAGE}, status=429)
    return HttpResponse(render_to_string("registration/locked_out.html", request=request), status=429)


def client_ip(request: HttpRequest) -> str | None:
    """The address a request comes from, as DRF's throttles read it with `NUM_PROXIES`: the
    socket peer, or behind `TRUSTED_PROXY_COUNT` proxies of ours the address that many entries
    from the right of X-Forwarded-For. Entries further left were written by the client."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if count <= 0 or not forwarded:
        return remote
    addresses = [a.strip() for a in forwarded.split(",")]
    return addresses[-min(count, len(addresses))] or remote
