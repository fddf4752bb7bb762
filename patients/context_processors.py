"""Template context every clinician page shares."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import lazy

from .formatting import team_timezone


def time_zone(request: HttpRequest) -> dict[str, Any]:
    """`reader_time_zone`: the IANA name of the reader's care team's zone (the first of the
    user's teams by id; Europe/Paris by default), for `<body data-time-zone>` and the
    `local_datetime` filter. A lazy string: looked up once a request, only when a template
    reads it."""

    def zone() -> str:
        cached = getattr(request, "_reader_time_zone", None)
        if cached is None:
            cached = str(team_timezone(getattr(request, "user", None)))
            request._reader_time_zone = cached  # type: ignore[attr-defined]
        return cached

    return {"reader_time_zone": lazy(zone, str)()}
