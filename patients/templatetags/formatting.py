"""{% load formatting %}: the template side of patients.formatting.

    {{ alert.created_at|local_datetime:zone }}   10/08/2026 14:05 CEST
    {{ alert.created_at|local_time:zone }}       14:05
    {{ day|local_date }}                         10/08/2026
    {{ alert.created_at|local_date:zone }}       the day in the zone

`zone` is a ZoneInfo or an IANA name; pages get the reader's as `reader_time_zone` (the
patients.context_processors.time_zone context processor)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from patients.formatting import format_date, format_datetime, format_time

register = template.Library()


@register.filter
def local_datetime(value: Any, tz: Any = None) -> str:
    if not isinstance(value, dt.datetime):
        return "" if value in (None, "") else str(value)
    return format_datetime(value, tz)


@register.filter
def local_datetime_no_zone(value: Any, tz: Any = None) -> str:
    if not isinstance(value, dt.datetime):
        return "" if value in (None, "") else str(value)
    return format_datetime(value, tz, with_zone=False)


@register.filter
def local_time(value: Any, tz: Any = None) -> str:
    if not isinstance(value, dt.datetime):
        return "" if value in (None, "") else str(value)
    return format_time(value, tz)


@register.filter
def local_date(value: Any, tz: Any = None) -> str:
    if not isinstance(value, dt.date):
        return "" if value in (None, "") else str(value)
    return format_date(value, tz)
