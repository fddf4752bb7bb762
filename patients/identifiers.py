"""French health identifiers, as pure functions: the patient's INS (the NIR-based national
health identifier, "matricule INS") and an establishment's FINESS number.

An INS is 13 characters plus a 2-digit key: sex (1, 2; 3, 4, 7, 8 for provisional numbers),
year and month of birth, department of birth (digits, or 2A / 2B for Corsica), commune, order
number. The key is 97 - (number mod 97), where a Corsican number is read with 2A as 19 and
2B as 18. It is stored normalised (15 characters, no spaces, upper case) and is found by exact
equality only. An INS is identifying: it never goes into a log (config/observability.py masks
anything shaped like one) nor into a URL (searches take it in a POST body)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INS_LENGTH = 15
# FHIR identifier system of the NIR-based INS (the OID of the ANS's INS-NIR).
INS_NIR_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
INS_RE = re.compile(r"^[1-478](\d{2})(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2[AB])(\d{3})(\d{3})(\d{2})$")
# Anything that looks like an INS, spaced or not, inside free text (log redaction).
INS_IN_TEXT_RE = re.compile(
    r"(?<![0-9A-Za-z])[1-478][\s.]?\d{2}[\s.]?\d{2}[\s.]?(?:\d{2}|2[ABab])[\s.]?\d{3}[\s.]?\d{3}(?:[\s.]?\d{2})?(?![0-9A-Za-z])"
)
_SEPARATORS = re.compile(r"[\s.\-]")


def ins_key(body: str) -> int:
    """The 2-digit key of a 13-character INS body (97 - number mod 97; Corsica 2A = 19, 2B = 18)."""
    number = body.upper().replace("2A", "19", 1) if body[5:7].upper() == "2A" else body
    number = number.upper().replace("2B", "18", 1) if body[5:7].upper() == "2B" else number
    return 97 - int(number) % 97


def ins_with_key(body: str) -> str:
    """A 13-character INS body completed with its key (the demo and tests build fiction INS)."""
    return f"{body.upper()}{ins_key(body):02d}"


def ins_normalized(value: str) -> str:
    """The stored form of an INS: 15 characters, spaces, dots and dashes dropped, upper case.
    Blank stays blank. Raises ValidationError for a wrong format or key (the message never
    repeats the value)."""
    text = _SEPARATORS.sub("", value or "").upper()
    if not text:
        return ""
    match = INS_RE.match(text)
    if match is None:
        raise ValidationError(
            _("An INS is 15 characters: 13 digits (2A or 2B for Corsica) and a 2-digit key."), code="invalid_ins"
        )
    if ins_key(text[:13]) != int(text[13:]):
        raise ValidationError(_("This INS has a wrong key: check the number."), code="invalid_ins_key")
    return text


def validate_ins(value: str) -> None:
    """The stored form: normalised exactly (forms and services normalise first)."""
    if value and ins_normalized(value) != value:
        raise ValidationError(_("Store the INS normalised: 15 characters without spaces."), code="invalid_ins")


def ins_display(value: str) -> str:
    """An INS grouped as printed on a card: 2 85 05 2A 004 012 42."""
    if len(value) != INS_LENGTH:
        return value
    return " ".join((value[0], value[1:3], value[3:5], value[5:7], value[7:10], value[10:13], value[13:]))


def ins_redact(text: str) -> str:
    """Free text with every INS-shaped number replaced (log records)."""
    return INS_IN_TEXT_RE.sub("[INS]", text)


# --- FINESS ------------------------------------------------------------------------------------

FINESS_RE = re.compile(r"^(\d{2}|2[AB])\d{7}$")


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def finess_normalized(value: str) -> str:
    """An establishment's FINESS number: 9 characters, the department (2A / 2B in Corsica),
    6 digits and a Luhn check digit. Spaces dropped, upper case. Corsican numbers are checked
    for their format only (their key is not computed on the letters)."""
    text = _SEPARATORS.sub("", value or "").upper()
    if not FINESS_RE.match(text):
        raise ValidationError(
            _("A FINESS number is 9 characters: the department (2A or 2B in Corsica) and 7 digits."),
            code="invalid_finess",
        )
    if text[:2] not in ("2A", "2B") and not _luhn_ok(text):
        raise ValidationError(_("This FINESS number has a wrong check digit."), code="invalid_finess_key")
    return text


def finess_with_key(body: str) -> str:
    """An 8-digit FINESS body completed with its Luhn check digit (demo, tests)."""
    for key in range(10):
        if _luhn_ok(body + str(key)):
            return body + str(key)
    raise ValueError(body)  # pragma: no cover - one of ten always fits


def validate_finess(value: str) -> None:
    if value and finess_normalized(value) != value:
        raise ValidationError(_("Store the FINESS number normalised: 9 characters without spaces."))
