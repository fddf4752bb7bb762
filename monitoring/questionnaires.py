"""Scoring of the self-report questionnaires (pure: no Django, no database).

PHQ-9: 9 items 0-3, total 0-27; bands minimal 0-4, mild 5-9, moderate 10-14,
moderately_severe 15-19, severe 20-27; item 9 (thoughts of death or self-harm) > 0 is flagged
`item9_positive` whatever the total. GAD-7: 7 items 0-3, total 0-21; bands minimal 0-4,
mild 5-9, moderate 10-14, severe 15-21. ASRM (Altman): 5 items 0-4, total 0-20; a total of 6
or more suggests hypomania or mania (`mania_screen_positive`).

Skipped items (CLINICAL.md, "Skipped questionnaire items"): an item may be `None`, stored as
missing, never as 0. With at most `MAX_MISSING` items skipped the total is prorated from the
answered items (their mean times the number of items, rounded half up: flag `prorated`);
with more, there is no total and no band (flag `not_scored`). PHQ-9 item 9 skipped never
raises the safety alert; it is flagged `item9_not_answered` for the clinicians."""

from dataclasses import dataclass, field

# instrument -> (number of items, highest item value)
INSTRUMENTS: dict[str, tuple[int, int]] = {"PHQ-9": (9, 3), "GAD-7": (7, 3), "ASRM": (5, 4)}
# instrument -> the most items that may be skipped and a total still be given (prorated)
MAX_MISSING: dict[str, int] = {"PHQ-9": 2, "GAD-7": 1, "ASRM": 1}

ITEM9_POSITIVE = "item9_positive"
MANIA_SCREEN_POSITIVE = "mania_screen_positive"
SAFETY_ALERT = "safety_alert"
ITEM9_NOT_ANSWERED = "item9_not_answered"
PRORATED = "prorated"
NOT_SCORED = "not_scored"

_BANDS: dict[str, list[tuple[int, str]]] = {
    # (lowest total of the band, band), highest band first
    "PHQ-9": [(20, "severe"), (15, "moderately_severe"), (10, "moderate"), (5, "mild"), (0, "minimal")],
    "GAD-7": [(15, "severe"), (10, "moderate"), (5, "mild"), (0, "minimal")],
    "ASRM": [(6, "likely_mania_or_hypomania"), (0, "below_threshold")],
}


@dataclass(frozen=True)
class Score:
    total: int | None  # None: too many items skipped to give one
    severity: str  # "" when there is no total
    flags: list[str] = field(default_factory=list)
    item9: int | None = 0  # None: PHQ-9 item 9 skipped


def answer_errors(instrument: str, answers: object) -> list[str]:
    """Why these answers cannot be scored, in words a developer of the phone app can act on."""
    if instrument not in INSTRUMENTS:
        return [f"Unknown instrument {instrument!r}."]
    n_items, top = INSTRUMENTS[instrument]
    if not isinstance(answers, list):
        return ["Expected a list of integers."]
    if len(answers) != n_items:
        return [f"{instrument} has {n_items} items; got {len(answers)}."]
    errors = []
    for position, value in enumerate(answers, start=1):
        if value is None:
            continue  # skipped: stored as missing
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            errors.append(f"Item {position} must be an integer from 0 to {top}; got {value!r}.")
    if not errors and all(value is None for value in answers):
        errors.append("At least one item must be answered.")
    return errors


def prorated_total(answers: list[int | None], n_items: int) -> int:
    """The answered items' mean times the number of items, rounded half up (integers only, so
    no floating-point tie is ever decided the wrong way)."""
    answered = [value for value in answers if value is not None]
    return (2 * sum(answered) * n_items + len(answered)) // (2 * len(answered))


def score(instrument: str, answers: list[int | None]) -> Score:
    """Total, severity band and flags. The caller has checked `answer_errors` is empty."""
    n_items, _top = INSTRUMENTS[instrument]
    missing = sum(value is None for value in answers)
    flags: list[str] = []
    total: int | None
    if missing == 0:
        total = sum(value for value in answers if value is not None)
    elif missing <= MAX_MISSING[instrument]:
        total = prorated_total(answers, n_items)
        flags.append(PRORATED)
    else:
        total = None
        flags.append(NOT_SCORED)
    severity = "" if total is None else next(band for lowest, band in _BANDS[instrument] if total >= lowest)
    item9: int | None = 0
    if instrument == "PHQ-9":
        item9 = answers[8]
        if item9 is None:
            flags.append(ITEM9_NOT_ANSWERED)
        elif item9 > 0:
            flags.append(ITEM9_POSITIVE)
    if instrument == "ASRM" and total is not None and total >= 6:
        flags.append(MANIA_SCREEN_POSITIVE)
    return Score(total=total, severity=severity, flags=flags, item9=item9)
