"""Query-string values, checked before they reach a query: what PostgreSQL cannot hold (a NUL
byte in text, an integer past its column, a date past the calendar's end) is a 400 naming the
parameter, never a 500 (docs/security.md, "Crafted input").

- Text: no NUL byte (DRF's CharField refuses it too).
- Integers: ASCII digits only. Python's `int()` and `str.isdigit()` accept other digits
  (`"²".isdigit()` is true and `int("²")` fails; `int("٣")` is 3): a number written with
  them is refused. At most 2^31 - 1, PostgreSQL's `integer`.
- Dates: between 1900-01-01 and 2100-12-31, so that a day before or after (time-zone bounds,
  `end + 1 day`) is always a valid datetime.

The pages (HTML) keep ignoring a well-formed value they do not offer (an old link keeps
working); a malformed one is a 400 there too (`query_errors_as_400`)."""

import functools
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from rest_framework import serializers

MAX_INT = 2**31 - 1
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


class InvalidQuery(ValueError):
    """A query-string value no query may be run with; `name` is the parameter."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = message
        super().__init__(f"{name}: {message}")


def ascii_digits(raw: str) -> bool:
    return raw.isascii() and raw.isdigit()


def nul_free(params: Mapping[str, Any]) -> None:
    """Every value (and name) of a query string is free of NUL bytes."""
    for name in params:
        values = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        if "\x00" in name or any("\x00" in str(value) for value in values):
            raise InvalidQuery(name.replace("\x00", ""), _("Null characters are not allowed."))


def int_param(params: Mapping[str, Any], name: str) -> int | None:
    """An optional integer filter of a page: None when absent or not a number at all (the page
    ignores it, as before), the value when written with ASCII digits, InvalidQuery when it is
    written with other digits or is past 2^31 - 1."""
    raw = params.get(name, "")
    if not raw:
        return None
    if ascii_digits(raw):
        value = int(raw)
        if value > MAX_INT:
            raise InvalidQuery(name, _("Ensure this value is less than or equal to %(limit)s.") % {"limit": MAX_INT})
        return value
    if any(ch.isdigit() or ch.isnumeric() for ch in raw):
        raise InvalidQuery(name, _("Write numbers with the digits 0-9."))
    return None


def date_in_range(value: date) -> bool:
    return EARLIEST_DATE <= value <= LATEST_DATE


def date_range_message() -> str:
    return _("Dates from %(first)s to %(last)s are accepted.") % {
        "first": EARLIEST_DATE.isoformat(),
        "last": LATEST_DATE.isoformat(),
    }


def query_errors_as_400(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page view whose InvalidQuery becomes a plain-text 400 saying which parameter is wrong."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except InvalidQuery as exc:
            text = _("The query parameter “%(name)s” is not valid: %(message)s") % {
                "name": exc.name,
                "message": exc.message,
            }
            return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")

    return wrapper


# --- DRF fields for query serializers ---------------------------------------------------------------


class AsciiIntegerField(serializers.IntegerField):
    """An integer written with ASCII digits (and an optional sign), within PostgreSQL's
    `integer` unless a narrower max_value is given."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_value", MAX_INT)
        kwargs.setdefault("min_value", -MAX_INT - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, str):
            text = data.strip()
            digits = text[1:] if text[:1] in "+-" else text
            if not ascii_digits(digits):
                self.fail("invalid")
        return super().to_internal_value(data)


class BoundedDateField(serializers.DateField):
    """A date between EARLIEST_DATE and LATEST_DATE."""

    def to_internal_value(self, value: Any) -> date:
        parsed = super().to_internal_value(value)
        if not date_in_range(parsed):
            raise serializers.ValidationError(date_range_message())
        return parsed
