"""`manage.py validate_actigraphy` on a few depresjon subjects: every subject goes in through
the import path and the table is computed from what the platform stored."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from monitoring.models import ActivityDay, DailySummary, SignalRecord

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "depresjon"
SUBJECTS = "condition_1,condition_2,control_1,control_2"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not (DATA / "scores.csv").is_file(), reason="the depresjon data set is not here"),
]


def test_validate_actigraphy_reads_back_stored_features_of_imported_subjects():
    out = io.StringIO()
    call_command("validate_actigraphy", str(DATA), "--only", SUBJECTS, stdout=out)
    text = out.getvalue()
    # 11 + 18 + 8 + 20 valid days (scores.csv)
    assert "4 subjects (2 patients, 2 controls), 57 subject-days" in text
    assert "| subject | C: daily 7-day-window rhythm (mean) + sleep | 4 |" in text
    assert "| day | D: day model (activity + night + 7-day rhythm) | 57 |" in text
    assert "| | Jakobsen et al. 2020 (published) | | 0.82 | 0.84 | 0.65 |  |" in text
    for name in SUBJECTS.split(","):
        code = f"depresjon-{name}"
        assert ActivityDay.objects.filter(patient__code=code).count() >= 8
        assert DailySummary.objects.filter(patient__code=code, rhythm_is__isnull=False).exists()
        assert SignalRecord.objects.filter(patient__code=code, source="actigraph").exists()
    # A second run imports nothing again and reads the same stored features.
    again = io.StringIO()
    call_command("validate_actigraphy", str(DATA), "--only", SUBJECTS, stdout=again)
    assert "(0 records newly stored)" in again.getvalue()
    assert again.getvalue().split("\n", 1)[1] == text.split("\n", 1)[1]
