"""The one way Python writes times and dates for a reader (the browser's twin is
patients/static/patients/js/format.js).

Every timestamp is absolute, in the care team's time zone, on a 24-hour clock, with the zone's
abbreviation where a reader could doubt it ("10/08/2026 14:05 CEST"). Dates follow the reader's
language through Django's formats: day/month/year in English (en-GB conventions, see
config/formats/en) and in French."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.utils import formats, timezone

DEFAULT_TIMEZONE = "Europe/Paris"


def _zone(tz: zoneinfo.ZoneInfo | dt.tzinfo | str | None) -> dt.tzinfo:
    if tz is None or str(tz) == "":
        return zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)
    if isinstance(tz, dt.tzinfo):
        return tz
    return zoneinfo.ZoneInfo(str(tz))  # an IANA name (or a lazy one, as templates get it)


def _local(value: dt.datetime, tz: zoneinfo.ZoneInfo | dt.tzinfo | str | None) -> dt.datetime:
    if timezone.is_naive(value):
        # A naive datetime is UTC, as Django stores them (USE_TZ).
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(_zone(tz))


def zone_name(value: dt.datetime, tz: zoneinfo.ZoneInfo | dt.tzinfo | str | None) -> str:
    """The zone's abbreviation at that instant ("CET" in winter, "CEST" in summer; "+03" for a
    zone that has no letters)."""
    return _local(value, tz).tzname() or ""


def format_time(value: dt.datetime, tz: zoneinfo.ZoneInfo | dt.tzinfo | str | None, *, with_zone: bool = False) -> str:
    """ "14:05" (24-hour clock) in the zone; "14:05 CEST" with_zone."""
    local = _local(value, tz)
    text = local.strftime("%H:%M")
    return f"{text} {local.tzname()}" if with_zone and local.tzname() else text


def format_date(value: dt.date | dt.datetime, tz: zoneinfo.ZoneInfo | dt.tzinfo | str | None = None) -> str:
    """A calendar day in the reader's language: "10/08/2026" (day/month/year in English and
    in French). A datetime is first put in `tz` (the care team's zone)."""
    if isinstance(value, dt.datetime):
        value = _local(value, tz).date()
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def format_datetime(
    value: dt.datetime, tz: zoneinfo.ZoneInfo | dt.tzinfo | str | None, *, with_zone: bool = True
) -> str:
    """An absolute timestamp in the zone: "10/08/2026 14:05 CEST" (English and French alike);
    without the zone, "10/08/2026 14:05"."""
    local = _local(value, tz)
    day = formats.date_format(local.date(), "SHORT_DATE_FORMAT")
    return f"{day} {format_time(local, local.tzinfo, with_zone=with_zone)}"


def team_timezone(obj: Any) -> zoneinfo.ZoneInfo:
    """The care team's zone (CareTeam.timezone) for a care team, a patient (their care team's),
    or a clinician (the first of their care teams, by id); Europe/Paris when there is none.

    A patient's own `timezone` is where the patient lives (their local days); readers in the
    care team read times in the team's zone."""
    name = None
    if obj is not None:
        if hasattr(obj, "members") and hasattr(obj, "timezone"):  # a CareTeam
            name = obj.timezone
        elif hasattr(obj, "care_team_id"):  # a Patient
            name = obj.care_team.timezone if obj.care_team_id else None
        elif hasattr(obj, "care_teams"):  # a User
            if getattr(obj, "is_authenticated", False):
                name = obj.care_teams.order_by("id").values_list("timezone", flat=True).first()
    try:
        return zoneinfo.ZoneInfo(name or DEFAULT_TIMEZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_TIMEZONE)
