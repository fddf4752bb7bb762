"""The one phone rule: numbers are read with Google's libphonenumber (`phonenumbers`), a number
typed without a country code is read as French (`PHONE_DEFAULT_REGION`), stored as E.164 beside
what was typed, shown in its country's national format, and dialled (tel: links) as E.164."""

import re
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_DEFAULT_REGION = "FR"
# Short numbers (3114, 112, 116 117...) have no E.164 form: they are dialled as they are.
_SHORT_RE = re.compile(r"(?<![0-9+])([0-9]{3,6})(?![0-9])")


def _parse(value: str, region: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None


def phone_e164(value: str, *, region: str = PHONE_DEFAULT_REGION) -> str:
    """`value` as E.164 (`+33612345678`), or the digits of a valid short number of `region`
    (`3114`). Blank stays blank. Raises ValidationError when it is not a dialable number."""
    text = (value or "").strip()
    if not text:
        return ""
    number = _parse(text, region)
    if number is not None and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.isdigit() and number is not None and phonenumbers.is_valid_short_number_for_region(number, region):
        return digits
    raise ValidationError(
        _("This is not a valid phone number (e.g. 01 23 45 67 89 or +33 1 23 45 67 89)."), code="invalid_phone"
    )


def phone_national(e164: str, *, region: str = PHONE_DEFAULT_REGION) -> str:
    """How a stored number is shown: its own country's national format (`06 12 34 56 78`);
    a foreign number keeps its international form. Blank or unreadable: returned unchanged."""
    if not e164:
        return ""
    number = _parse(e164, region)
    if number is None or not phonenumbers.is_valid_number(number):
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_phone_number(value: str) -> None:
    """Model and form validator: anything `phone_e164` can read."""
    phone_e164(value)


@dataclass(frozen=True)
class TextPart:
    text: str
    tel: str | None = None  # E.164 (or a short number) when this part is a phone number


def phones_in_text(text: str, *, region: str = PHONE_DEFAULT_REGION) -> list[TextPart]:
    """A free text (e.g. a crisis plan's "who to call") cut into parts, each phone number in it
    a part of its own with the number to dial; joining the parts' texts gives `text` back."""
    found: list[tuple[int, int, str]] = []
    for match in phonenumbers.PhoneNumberMatcher(text, region):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        found.append((match.start, match.end, e164))
    for short in _SHORT_RE.finditer(text):
        start, end = short.span(1)
        if any(s < end and start < e for s, e, _n in found):
            continue
        number = _parse(short.group(1), region)
        if number is not None and phonenumbers.is_valid_short_number_for_region(number, region):
            found.append((start, end, short.group(1)))
    parts: list[TextPart] = []
    position = 0
    for start, end, tel in sorted(found):
        if start > position:
            parts.append(TextPart(text[position:start]))
        parts.append(TextPart(text[start:end], tel))
        position = end
    if position < len(text):
        parts.append(TextPart(text[position:]))
    return parts
