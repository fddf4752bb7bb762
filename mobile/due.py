"""What a patient has due on a given local day: pure computation, no database.

A questionnaire is due on the local day its interval has run out since the last completed
one (or at once if it was never completed). Defaults by diagnosis apply while the care team
has set no schedule for the patient."""

from dataclasses import dataclass
from datetime import date, time, timedelta

PHQ9 = "PHQ-9"
GAD7 = "GAD-7"
ASRM = "ASRM"
INSTRUMENTS = (PHQ9, GAD7, ASRM)

MIN_EVERY_DAYS = 1
MAX_EVERY_DAYS = 365
DEFAULT_CHECKIN_TIME = time(20, 0)


@dataclass(frozen=True)
class Cadence:
    instrument: str
    every_days: int


# ICD-10 prefix → questionnaires. PHQ-9 and GAD-7 ask about the last 2 weeks, the ASRM about
# the last week, so their natural intervals are 14 and 7 days. First match wins.
DEFAULTS_BY_DIAGNOSIS: tuple[tuple[tuple[str, ...], tuple[Cadence, ...]], ...] = (
    (("F31",), (Cadence(PHQ9, 14), Cadence(ASRM, 7))),  # bipolar: depression and mania
    (("F32", "F33", "F34"), (Cadence(PHQ9, 14), Cadence(GAD7, 28))),  # depression
    (("F20", "F25"), (Cadence(PHQ9, 28),)),  # psychosis: depressive symptoms monthly
)
FALLBACK_DEFAULT: tuple[Cadence, ...] = (Cadence(PHQ9, 14),)


def default_cadences(diagnosis: str) -> tuple[Cadence, ...]:
    code = (diagnosis or "").strip().upper()
    for prefixes, cadences in DEFAULTS_BY_DIAGNOSIS:
        if code.startswith(prefixes):
            return cadences
    return FALLBACK_DEFAULT


@dataclass(frozen=True)
class QuestionnaireDue:
    instrument: str
    every_days: int
    last_completed: date | None
    next_due: date
    due: bool


def questionnaire_due(*, cadence: Cadence, last_completed: date | None, today: date) -> QuestionnaireDue:
    next_due = today if last_completed is None else last_completed + timedelta(days=cadence.every_days)
    return QuestionnaireDue(
        instrument=cadence.instrument,
        every_days=cadence.every_days,
        last_completed=last_completed,
        next_due=next_due,
        due=next_due <= today,
    )
