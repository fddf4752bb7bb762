"""The one table of numeric bounds (monitoring.validation.BOUNDS) against the columns that
store the values and the daily sums made of them: every bound fits its column as PostgreSQL
types it, every number a device sends has a bound, and the input serializers (the OpenAPI
schema) say the same limits."""

import math

import pytest
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from monitoring import serializers
from monitoring.models import CheckIn, DailySummary, SignalRecord
from monitoring.summaries import SIGNAL_AGGREGATES
from monitoring.validation import BOUNDS, CHECKIN_SCALES, MAX_SPAN, SIGNAL_VALUE_FIELDS

# The portable ranges Django declares (PostgreSQL's): SQLite would store more, PostgreSQL not.
RANGES = BaseDatabaseOperations.integer_field_ranges
INTEGER_FIELDS = (models.IntegerField, models.SmallIntegerField, models.BigIntegerField)
# The most records of one kind one patient-day can hold, very generously: one record a
# second, all day long.
RECORDS_PER_DAY = 86_400


def _column(name: str) -> models.Field:
    for model in (SignalRecord, CheckIn):
        try:
            return model._meta.get_field(name)
        except Exception:  # noqa: BLE001, S112 - the next model may have it
            continue
    raise AssertionError(f"no column for {name}")


def test_every_number_a_device_sends_has_a_bound():
    assert set(BOUNDS) == {*SIGNAL_VALUE_FIELDS, "mood", *CHECKIN_SCALES}


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_each_bound_fits_its_column(name):
    bound, column = BOUNDS[name], _column(name)
    assert bound.lo < bound.hi and math.isfinite(bound.lo) and math.isfinite(bound.hi)
    if bound.integer:
        assert isinstance(column, INTEGER_FIELDS), f"{name}: integer bound on a {column.get_internal_type()}"
        lo, hi = RANGES[column.get_internal_type()]
        assert lo <= bound.lo and bound.hi <= hi, f"{name}: {bound} outside {column.get_internal_type()} {lo}..{hi}"
    else:
        assert isinstance(column, models.FloatField), name


def test_a_days_sums_fit_the_summary_columns():
    """Sums over a day's records (steps, unlocks, distance, minutes): even at one record a
    second all day, a float sum stays finite (two 1e308 distances overflowed to infinity).
    An integer sum's records each fit the column; tens of thousands of maximal records in one
    day could still pass 2^31 - 1 (docs/security.md says so)."""
    for aggregates in SIGNAL_AGGREGATES.values():
        for aggregate in aggregates:
            if aggregate.function != "sum":
                continue
            bound = BOUNDS[aggregate.source]
            column = DailySummary._meta.get_field(aggregate.column)
            worst = bound.hi * RECORDS_PER_DAY
            if isinstance(column, models.FloatField):
                assert math.isfinite(worst) and worst < 1e12, aggregate
            else:
                lo, hi = RANGES[column.get_internal_type()]
                assert 0 >= lo and bound.hi <= hi, aggregate


def test_span_limited_values_fit_a_25_hour_day():
    # Time at home and screen minutes are at most the record's span: a whole 25-hour local day.
    longest = (MAX_SPAN.total_seconds() + 3600) / 60
    assert BOUNDS["time_at_home_min"].hi == BOUNDS["screen_minutes"].hi == longest


def _input_fields() -> dict[str, object]:
    fields: dict[str, object] = {}
    for serializer in (
        serializers.CheckInInputSerializer,
        serializers.SleepRecordSerializer,
        serializers.StepsRecordSerializer,
        serializers.MobilityRecordSerializer,
        serializers.SpeechRecordSerializer,
        serializers.ScreenRecordSerializer,
    ):
        fields.update(serializer().get_fields())
    return fields


@pytest.mark.parametrize("name", sorted(BOUNDS))
def test_the_schema_says_the_same_limits(name):
    field = _input_fields()[name]
    bound = BOUNDS[name]
    assert (field.min_value, field.max_value) == (bound.lo, bound.hi)  # type: ignore[attr-defined]
