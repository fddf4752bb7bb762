"""The summary rule set's own pieces (monitoring/summaries.py), without a database: the
aggregate functions, the rounding, and that ingestion has a database form of every function
the table uses."""

from datetime import date
from fractions import Fraction

import pytest

from monitoring import summaries
from monitoring.services import daily_summaries


@pytest.mark.parametrize(
    ("function", "values", "expected"),
    [
        ("count", [None, 1, None], 3),
        ("sum", [None, 2, 3], 5),
        ("sum", [None, None], None),
        ("sum", [0], 0),
        ("max", [3, None, 5, 4], 5),
        ("max", [], None),
        ("mean", [4, None, 5], 4.5),
        ("mean", [1, 0, 0], Fraction(1, 3)),
        ("mean", [0.123, 0.456], (0.123 + 0.456) / 2),
        ("mean", [None], None),
        ("any", [False, None, True], True),
        ("any", [False, None], False),
        ("any", [None, None], None),
    ],
)
def test_aggregate_functions_ignore_nulls_and_give_null_for_nothing(function, values, expected):
    assert summaries.REDUCERS[function](values) == expected


def test_stored_rounds_exact_means_half_away_from_zero_as_sql_round_does():
    assert summaries.stored(Fraction(1, 16)) == 0.063  # round(0.0625, 3) would give 0.062
    assert summaries.stored(Fraction(-1, 16)) == -0.063
    assert summaries.stored(Fraction(3, 80)) == 0.038
    assert summaries.stored(Fraction(1, 3)) == 0.333
    assert summaries.stored(Fraction(-1, 3000)) == 0.0
    assert summaries.stored(2.3456789) == 2.346
    assert summaries.stored(7) == 7 and summaries.stored(None) is None and summaries.stored(True) is True


def test_ingestion_has_a_database_form_of_every_function_in_the_table():
    for aggregate in summaries.CHECKIN_AGGREGATES:
        assert aggregate.function in daily_summaries._CHECKIN_SQL
    names = [f"agg_{name}" for name in summaries.KIND_ROW[2:]]
    assert list(daily_summaries._KIND_AGGREGATES) == names


def test_a_kind_row_holds_only_its_own_kind_and_the_signal_part_reads_it():
    day = date(2026, 3, 1)
    mobility = summaries.kind_aggregates(day, "mobility", [(10.0, 1.5, 2), (20.5, 0.25, None)])
    screen = summaries.kind_aggregates(day, "screen", [(30.0, 4)])
    assert mobility[:3] == (day, "mobility", 2)
    assert sum(value is not None for value in mobility[3:]) == 3
    part = summaries.signal_part([], [mobility, screen], tz=None)  # type: ignore[arg-type]
    assert (part["time_at_home_min"], part["distance_km"], part["places_visited"]) == (30.5, 1.75, 2)
    assert (part["screen_minutes"], part["unlocks"], part["passive_records"]) == (30.0, 4, 3)
    assert part["steps"] is None and part["sleep_hours"] is None
