"""Validation of what a patient's device sends: check-ins, questionnaires, signal records.

Shared by the API and `import_cohort`, so a record is accepted or refused by the same rules
wherever it comes from. Each function takes the decoded JSON object and the patient's
context (time zone, enrolment, now) and returns the normalised record, or per-field errors in
DRF's shape (`{"field": ["message", ...]}`). Written by hand rather than with DRF serializers
because a signal batch holds up to 1,000 records and the cohort import half a million."""

import hashlib
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

import numpy as np
from django.utils.translation import gettext as _

from .questionnaires import INSTRUMENTS, answer_errors
from .summaries import DAY_OF, local_day

MAX_FUTURE = timedelta(minutes=5)
MAX_SPAN = timedelta(hours=24)
MAX_SLEEP_SPAN = timedelta(hours=18)
MAX_NOTE_LENGTH = 2000
MAX_STEPS_PER_DAY = 100_000
# PostgreSQL keeps UTC offsets up to 15:59 either way (Python's up to 23:59).
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)
_DAY_SECONDS = 86_400.0


class Bound(NamedTuple):
    lo: float
    hi: float
    integer: bool


# Every number a device sends, in ONE table: the validation below, the input serializers
# (the OpenAPI schema) and tests/monitoring/test_bounds.py (against the columns) read it.
# Each maximum is clinically sane and fits its column: PostgreSQL `integer` holds 2^31 - 1,
# `smallint` 32,767, and a float column a finite value, so that a day's sum of any number
# of records (steps, unlocks, distance, minutes) stays finite and far below those limits.
# The record's span narrows some further (steps pro rata, time at home and screen minutes at
# most the span: see validate_signal).
BOUNDS: dict[str, Bound] = {
    # check-ins
    "mood": Bound(-3, 3, True),
    "anxiety": Bound(0, 10, True),
    "energy": Bound(0, 10, True),
    "irritability": Bound(0, 10, True),
    "sleep_quality": Bound(0, 10, True),
    # signal records
    "efficiency": Bound(0, 1, False),
    "awakenings": Bound(0, 200, True),
    "count": Bound(0, math.floor(MAX_STEPS_PER_DAY * 25 / 24), True),  # a 25-hour local day
    "time_at_home_min": Bound(0, 25 * 60, False),
    "distance_km": Bound(0, 20_000, False),  # half the Earth's circumference
    "places_visited": Bound(0, 1_000, True),
    "speech_rate_wpm": Bound(0, 400, False),
    "pause_ratio": Bound(0, 1, False),
    "pitch_mean_hz": Bound(50, 500, False),
    "pitch_sd_hz": Bound(0, 500, False),
    "energy_db": Bound(-200, 200, False),
    "screen_minutes": Bound(0, 25 * 60, False),
    "unlocks": Bound(0, 10_000, True),
}

Errors = dict[str, list[str]]

# The value columns of a signal record, in storage order (see SignalRecord).
SIGNAL_VALUE_FIELDS = (
    "efficiency",
    "awakenings",
    "count",
    "time_at_home_min",
    "distance_km",
    "places_visited",
    "speech_rate_wpm",
    "pause_ratio",
    "pitch_mean_hz",
    "pitch_sd_hz",
    "energy_db",
    "screen_minutes",
    "unlocks",
)
SIGNAL_KINDS = ("sleep", "steps", "mobility", "speech", "screen")
# Minute-level activity counts from a wrist actigraph or a watch (validate_activity_epochs).
ACTIVITY_EPOCHS = "activity_epochs"
EPOCH_SECONDS = (2, 5, 10, 15, 20, 30, 60)  # sub-minute epochs are summed into minutes
MAX_EPOCHS_SPAN = timedelta(hours=24)
# One epoch's count: far above any device's (an Actiwatch minute rarely passes 5,000, an
# ActiGraph Axis1 minute 20,000), and a day's sum of them stays finite in a float.
MAX_EPOCH_COUNT = 100_000
CHECKIN_SCALES = ("anxiety", "energy", "irritability", "sleep_quality")
# A check-in's answers, in the order every reader and writer lists them.
CHECKIN_VALUE_FIELDS = ("mood", *CHECKIN_SCALES, "medication_taken")


@dataclass(frozen=True, slots=True)
class Context:
    """What validation needs to know about the patient and the moment the data arrives."""

    tz: ZoneInfo
    enrolled_on: date
    earliest: datetime  # local midnight at the start of the enrolment day
    latest: datetime  # now + 5 minutes
    # Parsed timestamps by their text: records of one upload share boundaries (hourly steps
    # and screen records start where the previous ones end). Bounded, see _timestamp.
    parsed: dict[str, datetime] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, *, timezone_name: str, enrolled_on: date, now: datetime) -> "Context":
        tz = ZoneInfo(timezone_name)
        return cls(
            tz=tz,
            enrolled_on=enrolled_on,
            earliest=datetime.combine(enrolled_on, time(0), tzinfo=tz),
            latest=now + MAX_FUTURE,
        )


class SignalIn(NamedTuple):
    id: UUID
    kind: str
    start: datetime
    end: datetime
    day: date
    values: tuple  # SIGNAL_VALUE_FIELDS order; None where the type has no such value

    def content(self) -> tuple:
        return (self.kind, self.start, self.end, *self.values)


class CheckInIn(NamedTuple):
    id: UUID
    recorded_at: datetime
    day: date
    mood: int
    anxiety: int | None
    energy: int | None
    irritability: int | None
    sleep_quality: int | None
    medication_taken: bool | None
    note: str
    for_next_appointment: bool = False

    def content(self) -> tuple:
        return (
            self.recorded_at,
            self.mood,
            self.anxiety,
            self.energy,
            self.irritability,
            self.sleep_quality,
            self.medication_taken,
            self.note,
            self.for_next_appointment,
        )


class QuestionnaireIn(NamedTuple):
    id: UUID
    instrument: str
    answers: list[int | None]  # None: an item the patient skipped
    completed_at: datetime
    day: date

    def content(self) -> tuple:
        return (self.instrument, self.answers, self.completed_at)


# --- field parsers: each returns the value (or None) and adds to `errors` ----------------


def _required() -> list[str]:
    return [_("This field is required.")]


def _uuid(raw: dict, key: str, errors: Errors) -> UUID | None:
    value = raw.get(key)
    if value is None:
        errors[key] = _required()
        return None
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            pass
    errors[key] = [_("Must be a valid UUID.")]
    return None


def _timestamp(raw: dict, key: str, errors: Errors, ctx: Context) -> datetime | None:
    value = raw.get(key)
    known = ctx.parsed.get(value) if value.__class__ is str else None
    if known is not None:  # parsed and found valid for this context already
        return known
    if value is None:
        errors[key] = _required()
        return None
    parsed = None
    if isinstance(value, str) and len(value) >= 16:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
    if parsed is None:
        errors[key] = [_("Datetime has wrong format. Use ISO 8601 with a UTC offset, e.g. 2026-01-05T07:30:00+01:00.")]
        return None
    if parsed.tzinfo is None:  # fromisoformat gives a fixed offset whenever one is written
        errors[key] = [_("A UTC offset is required (e.g. 2026-01-05T07:30:00+01:00 or ...Z).")]
        return None
    offset = parsed.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        errors[key] = [_("The UTC offset must lie between -15:59 and +15:59.")]
        return None
    if parsed > ctx.latest:
        errors[key] = [_("Timestamps more than 5 minutes in the future are not accepted.")]
        return None
    if parsed < ctx.earliest:
        errors[key] = [
            _("Timestamps before the patient's enrolment (%(date)s) are not accepted.")
            % {"date": ctx.enrolled_on.isoformat()}
        ]
        return None
    if len(ctx.parsed) >= 20_000:
        ctx.parsed.clear()
    ctx.parsed[value] = parsed
    return parsed


def _range_errors(value: float, lo: float | None, hi: float | None) -> list[str] | None:
    if lo is not None and value < lo:
        return [_("Ensure this value is greater than or equal to %(limit)s.") % {"limit": _fmt(lo)}]
    if hi is not None and value > hi:
        return [_("Ensure this value is less than or equal to %(limit)s.") % {"limit": _fmt(hi)}]
    return None


def _fmt(limit: float) -> str:
    return str(int(limit)) if float(limit).is_integer() else f"{limit:g}"


def _int(
    raw: dict, key: str, errors: Errors, lo: float | None = None, hi: float | None = None, required: bool = False
) -> int | None:
    value = raw.get(key)
    if value is None:
        if required:
            errors[key] = _required()
        return None
    if type(value) is not int:
        if type(value) is float and value.is_integer():
            value = int(value)
    if type(value) is not int:
        errors[key] = [_("A valid integer is required.")]
        return None
    problem = _range_errors(value, lo, hi)
    if problem:
        errors[key] = problem
        return None
    return value


def _bounded(raw: dict, key: str, errors: Errors, *, hi: float | None = None, required: bool = False) -> Any:
    """A value of BOUNDS[key] (an integer or a number), `hi` narrowing its maximum."""
    bound = BOUNDS[key]
    top = bound.hi if hi is None else min(bound.hi, hi)
    parse = _int if bound.integer else _number
    return parse(raw, key, errors, bound.lo, top, required)


def _number(
    raw: dict, key: str, errors: Errors, lo: float | None = None, hi: float | None = None, required: bool = False
) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            errors[key] = _required()
        return None
    if type(value) not in (int, float) or not math.isfinite(value):
        errors[key] = [_("A valid number is required.")]
        return None
    problem = _range_errors(value, lo, hi)
    if problem:
        errors[key] = problem
        return None
    return float(value)


def _not_an_object(raw: Any) -> Errors:
    return {
        "non_field_errors": [_("Invalid data. Expected a dictionary, but got %(type)s.") % {"type": type(raw).__name__}]
    }


# --- signal records -------------------------------------------------------------------------


def _whole_local_day(start: datetime, end: datetime, tz: ZoneInfo) -> bool:
    """A record covering exactly one local calendar day (midnight to midnight), which lasts
    23 or 25 hours on a daylight-saving change."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    return (
        local_start.time() == time(0)
        and local_end.time() == time(0)
        and local_end.date() == local_start.date() + timedelta(days=1)
    )


def validate_signal(raw: Any, ctx: Context) -> tuple[SignalIn | None, Errors]:
    if not isinstance(raw, dict):
        return None, _not_an_object(raw)
    errors: Errors = {}
    record_id = _uuid(raw, "id", errors)
    kind = raw.get("type")
    if kind is None:
        errors["type"] = _required()
    elif kind not in SIGNAL_KINDS:
        errors["type"] = [_('"%(value)s" is not a valid choice.') % {"value": kind}]
    start = _timestamp(raw, "start", errors, ctx)
    end = _timestamp(raw, "end", errors, ctx)
    span_s = 0.0
    if start is not None and end is not None:
        span = end - start
        span_s = span.total_seconds()
        if span_s <= 0:
            errors["end"] = [_("Must be after start.")]
        elif kind == "sleep" and span > MAX_SLEEP_SPAN:
            errors["end"] = [_("A sleep episode spans at most 18 hours.")]
        elif span > MAX_SPAN and not _whole_local_day(start, end, ctx.tz):
            errors["end"] = [_("A record spans at most 24 hours (or exactly one local calendar day).")]
    if kind not in SIGNAL_KINDS:
        return None, errors
    span_ok = start is not None and end is not None and "end" not in errors
    values: list[Any] = [None] * len(SIGNAL_VALUE_FIELDS)
    span_min = span_s / 60.0 if span_ok else None
    if kind == "sleep":
        values[0] = _bounded(raw, "efficiency", errors)
        values[1] = _bounded(raw, "awakenings", errors)
    elif kind == "steps":
        most = math.floor(MAX_STEPS_PER_DAY * span_s / _DAY_SECONDS) if span_ok else None
        count = _bounded(raw, "count", errors, required=True)
        if count is not None and most is not None and count > most:
            errors["count"] = [
                _("At most 100,000 steps per day of the record's span: at most %(most)s here.") % {"most": most}
            ]
            count = None
        values[2] = count
    elif kind == "mobility":
        values[3] = _bounded(raw, "time_at_home_min", errors, hi=span_min, required=True)
        values[4] = _bounded(raw, "distance_km", errors, required=True)
        values[5] = _bounded(raw, "places_visited", errors)
    elif kind == "speech":
        values[6] = _bounded(raw, "speech_rate_wpm", errors, required=True)
        values[7] = _bounded(raw, "pause_ratio", errors, required=True)
        values[8] = _bounded(raw, "pitch_mean_hz", errors, required=True)
        values[9] = _bounded(raw, "pitch_sd_hz", errors, required=True)
        values[10] = _bounded(raw, "energy_db", errors)
    else:  # screen
        values[11] = _bounded(raw, "screen_minutes", errors, hi=span_min, required=True)
        values[12] = _bounded(raw, "unlocks", errors, required=True)
    if errors:
        return None, errors
    assert record_id is not None and start is not None and end is not None  # noqa: S101 - no errors above
    # The one rule of a record's day (summaries.DAY_OF): a sleep episode's end, any other start.
    day = local_day({"start": start, "end": end}[DAY_OF[kind]], ctx.tz)
    return SignalIn(record_id, kind, start, end, day, tuple(values)), errors


# --- activity epochs ------------------------------------------------------------------------------


class ActivityEpochsIn(NamedTuple):
    id: UUID
    start: datetime
    end: datetime
    day: date
    epoch_seconds: int
    epochs: int
    digest: str
    minutes: tuple  # one count per minute from `start` (epochs summed), None where not recorded

    def content(self) -> tuple:
        return (self.start, self.end, self.epoch_seconds, self.digest)


_COUNT_TYPES = frozenset({int, float, type(None)})


def _counts_problem(counts: list) -> str | None:
    """The first bad count, described; None if all are numbers 0 ... MAX_EPOCH_COUNT or null.
    Vectorised (a day of counts a record, a thousand records a batch); the item-by-item
    search runs only to name a bad one."""
    values: np.ndarray | None = None
    if set(map(type, counts)) <= _COUNT_TYPES:
        try:
            values = np.array(counts, dtype="float64")
        except OverflowError:  # an integer too large for a float: named below
            values = None
    if values is not None:
        given = values[~np.isnan(values)]
        if (
            len(given) == len(counts) - counts.count(None)
            and np.isfinite(given).all()
            and (given.size == 0 or (given.min() >= 0 and given.max() <= MAX_EPOCH_COUNT))
        ):
            return None
    for position, value in enumerate(counts):
        if value is None:
            continue
        if type(value) not in (int, float) or (type(value) is float and not math.isfinite(value)):
            return _("Item %(i)s: a number or null is required.") % {"i": position}
        if not 0 <= value <= MAX_EPOCH_COUNT:
            return _("Item %(i)s: a count lies between 0 and %(max)s.") % {"i": position, "max": MAX_EPOCH_COUNT}
    return None


def validate_activity_epochs(raw: Any, ctx: Context) -> tuple[ActivityEpochsIn | None, Errors]:
    """An `activity_epochs` record: `start` (on a whole minute), `epoch_seconds` (one of
    EPOCH_SECONDS) and `counts`, one per epoch from `start`, null for an epoch not recorded
    (non-wear), at most 24 hours of them, whole minutes only. Sub-minute epochs are summed
    into minutes; a minute missing one of its epochs is missing."""
    if not isinstance(raw, dict):
        return None, _not_an_object(raw)
    errors: Errors = {}
    record_id = _uuid(raw, "id", errors)
    start = _timestamp(raw, "start", errors, ctx)
    if start is not None and (start.second or start.microsecond):
        errors["start"] = [_("Must fall on a whole minute.")]
        start = None
    epoch = raw.get("epoch_seconds")
    if epoch is None:
        errors["epoch_seconds"] = _required()
    elif type(epoch) is not int or epoch not in EPOCH_SECONDS:
        errors["epoch_seconds"] = [
            _("Must be one of %(choices)s.") % {"choices": ", ".join(str(e) for e in EPOCH_SECONDS)}
        ]
        epoch = None
    counts = raw.get("counts")
    if counts is None:
        errors["counts"] = _required()
    elif not isinstance(counts, list) or not counts:
        errors["counts"] = [_("Expected a non-empty list of counts (numbers, or null where not recorded).")]
    elif epoch is not None:
        per_minute = 60 // epoch
        if len(counts) % per_minute:
            errors["counts"] = [
                _("Whole minutes only: a multiple of %(n)s counts of %(s)s seconds.") % {"n": per_minute, "s": epoch}
            ]
        elif len(counts) * epoch > MAX_EPOCHS_SPAN.total_seconds():
            errors["counts"] = [_("At most 24 hours of counts per record.")]
        else:
            problem = _counts_problem(counts)
            if problem:
                errors["counts"] = [problem]
    end = None
    if start is not None and epoch is not None and "counts" not in errors and isinstance(counts, list):
        end = start + timedelta(seconds=len(counts) * epoch)
        if end > ctx.latest:
            errors["counts"] = [_("The counts reach more than 5 minutes into the future.")]
    if errors:
        return None, errors
    assert record_id is not None and start is not None and end is not None and epoch is not None  # noqa: S101
    assert isinstance(counts, list)  # noqa: S101
    values = np.array(counts, dtype="float64")  # None -> NaN
    # A NaN sum: a minute missing one of its epochs is missing.
    per_minute = values.reshape(-1, 60 // epoch).sum(axis=1)
    minutes = tuple(None if v != v else v for v in per_minute.tolist())
    # The digest is of the values (3 and 3.0 are the same count), NaN where null.
    digest = hashlib.sha256(values.tobytes()).hexdigest()
    day = local_day(start, ctx.tz)
    return ActivityEpochsIn(record_id, start, end, day, epoch, len(counts), digest, minutes), errors


# --- check-ins and questionnaires ---------------------------------------------------------------


def validate_checkin(raw: Any, ctx: Context) -> tuple[CheckInIn | None, Errors]:
    if not isinstance(raw, dict):
        return None, _not_an_object(raw)
    errors: Errors = {}
    record_id = _uuid(raw, "id", errors)
    recorded_at = _timestamp(raw, "recorded_at", errors, ctx)
    mood = _bounded(raw, "mood", errors, required=True)
    scales = [_bounded(raw, key, errors) for key in CHECKIN_SCALES]
    medication = raw.get("medication_taken")
    if medication is not None and not isinstance(medication, bool):
        errors["medication_taken"] = [_("Must be a valid boolean.")]
        medication = None
    note = raw.get("note")
    if note is None:
        note = ""
    elif not isinstance(note, str):
        errors["note"] = [_("Not a valid string.")]
    elif len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [_("Ensure this field has no more than %(max)s characters.") % {"max": MAX_NOTE_LENGTH}]
    elif "\x00" in note:  # PostgreSQL text cannot hold it
        errors["note"] = [_("Null characters are not allowed.")]
    flagged = raw.get("for_next_appointment")
    if flagged is None:
        flagged = False
    elif not isinstance(flagged, bool):
        errors["for_next_appointment"] = [_("Must be a valid boolean.")]
    if errors:
        return None, errors
    assert record_id is not None and recorded_at is not None and mood is not None  # noqa: S101
    day = local_day(recorded_at, ctx.tz)
    anxiety, energy, irritability, sleep_quality = scales
    return (
        CheckInIn(
            record_id, recorded_at, day, mood, anxiety, energy, irritability, sleep_quality, medication, note, flagged
        ),
        errors,
    )


def validate_questionnaire(raw: Any, ctx: Context) -> tuple[QuestionnaireIn | None, Errors]:
    if not isinstance(raw, dict):
        return None, _not_an_object(raw)
    errors: Errors = {}
    record_id = _uuid(raw, "id", errors)
    instrument = raw.get("instrument")
    if instrument is None:
        errors["instrument"] = _required()
    elif not isinstance(instrument, str) or instrument not in INSTRUMENTS:
        errors["instrument"] = [_('"%(value)s" is not a valid choice.') % {"value": instrument}]
    answers = raw.get("answers")
    if answers is None:
        errors["answers"] = _required()
    elif isinstance(instrument, str) and "instrument" not in errors:
        problems = answer_errors(instrument, answers)
        if problems:
            errors["answers"] = problems
    completed_at = _timestamp(raw, "completed_at", errors, ctx)
    if errors:
        return None, errors
    assert record_id is not None and completed_at is not None  # noqa: S101
    assert isinstance(instrument, str) and isinstance(answers, list)  # noqa: S101
    day = local_day(completed_at, ctx.tz)
    return QuestionnaireIn(record_id, instrument, list(answers), completed_at, day), errors
