"""What is due: pure computation (mobile/due.py)."""

from datetime import date

import pytest

from mobile.due import FALLBACK_DEFAULT, Cadence, default_cadences, questionnaire_due


@pytest.mark.parametrize(
    ("diagnosis", "expected"),
    [
        ("F31", [("PHQ-9", 14), ("ASRM", 7)]),
        ("F31.4", [("PHQ-9", 14), ("ASRM", 7)]),
        ("F33", [("PHQ-9", 14), ("GAD-7", 28)]),
        ("f32.1", [("PHQ-9", 14), ("GAD-7", 28)]),
        ("F20", [("PHQ-9", 28)]),
        ("F25", [("PHQ-9", 28)]),
        ("F41", [("PHQ-9", 14)]),
        ("", [("PHQ-9", 14)]),
    ],
)
def test_defaults_by_diagnosis(diagnosis, expected):
    assert [(c.instrument, c.every_days) for c in default_cadences(diagnosis)] == expected


def test_fallback_default_is_phq9_every_two_weeks():
    assert FALLBACK_DEFAULT == (Cadence("PHQ-9", 14),)


def test_never_completed_is_due_today():
    status = questionnaire_due(cadence=Cadence("PHQ-9", 14), last_completed=None, today=date(2026, 3, 10))

    assert (status.due, status.next_due, status.last_completed) == (True, date(2026, 3, 10), None)


def test_not_due_before_the_interval_has_run():
    status = questionnaire_due(cadence=Cadence("PHQ-9", 14), last_completed=date(2026, 3, 1), today=date(2026, 3, 14))

    assert (status.due, status.next_due) == (False, date(2026, 3, 15))


def test_due_on_the_day_the_interval_runs_out_and_after():
    cadence = Cadence("ASRM", 7)

    assert questionnaire_due(cadence=cadence, last_completed=date(2026, 3, 1), today=date(2026, 3, 8)).due is True
    assert questionnaire_due(cadence=cadence, last_completed=date(2026, 3, 1), today=date(2026, 3, 30)).due is True


def test_completed_today_is_not_due():
    status = questionnaire_due(cadence=Cadence("GAD-7", 1), last_completed=date(2026, 3, 8), today=date(2026, 3, 8))

    assert (status.due, status.next_due) == (False, date(2026, 3, 9))
