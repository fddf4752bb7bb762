"""import_cohort: the cohort file of API.md through the ingestion code."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts.models import Alert
from monitoring.models import CheckIn, DailySummary, QuestionnaireResponse, SignalRecord
from patients.models import CareTeam, ClinicalEvent, ConsentRecord, Patient
from tests.monitoring.conftest import uid


def local(day, hour, tz="Europe/Paris"):
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo(tz)).isoformat()


@pytest.fixture
def cohort(tmp_path):
    today = timezone.localdate()
    enrolled = today - dt.timedelta(days=30)
    d1, d2 = today - dt.timedelta(days=5), today - dt.timedelta(days=4)
    sleep_id, checkin_id = uid(), uid()
    lines = [
        # 1: patient P1 (new team), 2: a check-in before P1's consent line, 3: consent
        {
            "type": "patient",
            "code": "IMP1",
            "care_team": "imported",
            "timezone": "Europe/Paris",
            "birth_year": 1980,
            "sex": "F",
            "diagnosis": "F31",
            "enrolled_on": enrolled.isoformat(),
        },
        {
            "type": "checkin",
            "patient": "IMP1",
            "id": checkin_id,
            "recorded_at": local(d1, 20),
            "mood": -1,
            "anxiety": 5,
            "note": "tired",
        },
        {
            "type": "consent",
            "patient": "IMP1",
            "version": "1",
            "scopes": ["self_report", "sleep", "activity"],
            "at": local(enrolled, 9),
        },
        # 4: a signal, 5: bad JSON, 6: out of range, 7: unknown patient, 8: speech without consent
        {
            "type": "signal",
            "patient": "IMP1",
            "record": {"id": sleep_id, "type": "sleep", "start": local(d1, 0), "end": local(d1, 7), "efficiency": 0.9},
        },
        "{not json",
        {
            "type": "signal",
            "patient": "IMP1",
            "record": {"id": uid(), "type": "steps", "start": local(d2, 8), "end": local(d2, 9), "count": 99999},
        },
        {"type": "checkin", "patient": "NOBODY", "id": uid(), "recorded_at": local(d1, 9), "mood": 0},
        {
            "type": "signal",
            "patient": "IMP1",
            "record": {
                "id": uid(),
                "type": "speech",
                "start": local(d2, 9),
                "end": local(d2, 10),
                "speech_rate_wpm": 100,
                "pause_ratio": 0.2,
                "pitch_mean_hz": 150,
                "pitch_sd_hz": 9,
            },
        },
        # 9: questionnaire with item 9 > 0, 10: event, 11: P2's data before P2's line is fine too
        {
            "type": "questionnaire",
            "patient": "IMP1",
            "id": uid(),
            "instrument": "PHQ-9",
            "answers": [1, 1, 1, 1, 1, 1, 1, 1, 1],
            "completed_at": local(d2, 18),
        },
        {"type": "event", "patient": "IMP1", "kind": "relapse", "date": d2.isoformat(), "note": ""},
        {
            "type": "signal",
            "patient": "IMP2",
            "record": {
                "id": uid(),
                "type": "steps",
                "start": local(d2, 0, "America/Los_Angeles"),
                "end": local(d2, 12, "America/Los_Angeles"),
                "count": 3000,
            },
        },
        # 12: P2, 13: P2's consent, 14: unknown line type, 15: same id as line 4, other content
        {
            "type": "patient",
            "code": "IMP2",
            "care_team": "imported",
            "timezone": "America/Los_Angeles",
            "birth_year": 1990,
            "sex": "X",
            "diagnosis": "F20",
            "enrolled_on": enrolled.isoformat(),
        },
        {"type": "consent", "patient": "IMP2", "version": "1", "scopes": ["activity"], "at": local(enrolled, 9)},
        {"type": "party", "patient": "IMP2"},
        {
            "type": "signal",
            "patient": "IMP1",
            "record": {"id": sleep_id, "type": "sleep", "start": local(d1, 0), "end": local(d1, 8)},
        },
    ]
    path = tmp_path / "cohort.jsonl"
    path.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return path, d1, d2


def run(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cohort", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_loads_and_reports_bad_lines(cohort):
    path, d1, d2 = cohort
    out, err = run(path)
    errors = err.splitlines()
    assert [line.split(":")[1] for line in errors] == ["5", "6", "7", "8", "14", "15"]
    assert "not valid JSON" in errors[0]
    assert "count: At most 100,000 steps per day" in errors[1]
    assert "no patient line for 'NOBODY'" in errors[2]
    assert "not consented to 'speech'" in errors[3]
    assert "unknown line type 'party'" in errors[4]
    assert "a different record with this id already exists" in errors[5]
    assert "6 lines rejected" in out
    assert "2 patients ready (2 created)" in out

    assert CareTeam.objects.filter(name="imported").exists()
    p1, p2 = Patient.objects.get(code="IMP1"), Patient.objects.get(code="IMP2")
    assert (p1.care_team.name, p1.timezone, p1.diagnosis, p2.sex) == ("imported", "Europe/Paris", "F31", "X")
    assert ConsentRecord.objects.filter(patient=p1, withdrawn_at__isnull=True).count() == 3
    assert CheckIn.objects.get(patient=p1).note == "tired"
    assert SignalRecord.objects.filter(patient=p1).count() == 1
    assert SignalRecord.objects.filter(patient=p2).count() == 1
    assert QuestionnaireResponse.objects.get(patient=p1).total == 9
    # History raises no live alert unless asked (--raise-alerts; tests/alerts/test_desk_imports.py).
    assert "safety_alert" in QuestionnaireResponse.objects.get(patient=p1).flags
    assert not Alert.objects.filter(patient=p1).exists()
    assert ClinicalEvent.objects.get(patient=p1).kind == "relapse"
    # Summaries are computed at the end, for every day that received data.
    s1 = DailySummary.objects.get(patient=p1, date=d1)
    assert (s1.checkins, s1.mood, s1.sleep_hours) == (1, -1.0, 7.0)
    assert DailySummary.objects.get(patient=p1, date=d2).phq9 == 9
    assert DailySummary.objects.get(patient=p2, date=d2).steps == 3000


def test_import_twice_stores_nothing_twice(cohort):
    path, _d1, _d2 = cohort
    run(path)
    counts = [
        m.objects.count()
        for m in (
            Patient,
            ConsentRecord,
            CheckIn,
            QuestionnaireResponse,
            SignalRecord,
            ClinicalEvent,
            Alert,
            DailySummary,
        )
    ]
    summaries = list(DailySummary.objects.order_by("patient", "date").values_list("updated_at", flat=True))
    out, err = run(path)
    assert [
        m.objects.count()
        for m in (
            Patient,
            ConsentRecord,
            CheckIn,
            QuestionnaireResponse,
            SignalRecord,
            ClinicalEvent,
            Alert,
            DailySummary,
        )
    ] == counts
    assert list(DailySummary.objects.order_by("patient", "date").values_list("updated_at", flat=True)) == summaries
    assert "0 created, 2 already there" in out
    assert "stored 0 check-ins, 0 questionnaires, 0 signal records, 0 events; 5 already stored" in out


def test_patient_in_another_team_is_refused(cohort, other_team):
    from tests.factories import PatientFactory

    PatientFactory(code="IMP2", care_team=other_team)
    path, _d1, _d2 = cohort
    _out, err = run(path)
    assert "patient IMP2 already exists in another care team" in err
    assert Patient.objects.get(code="IMP2").care_team == other_team


def test_fail_on_error_flag(cohort):
    from django.core.management.base import CommandError

    path, _d1, _d2 = cohort
    with pytest.raises(CommandError, match="6 lines rejected"):
        call_command("import_cohort", str(path), "--fail-on-error", stdout=io.StringIO(), stderr=io.StringIO())
    assert SignalRecord.objects.count() == 2  # the good lines are still loaded


def test_missing_file(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such file"):
        call_command("import_cohort", str(tmp_path / "nope.jsonl"))


def test_generated_cohort_imports_cleanly(tmp_path):
    """The ML issue's generator output goes through without a rejected line."""
    cohort_module = pytest.importorskip("ml.cohort")
    config = cohort_module.CohortConfig(patients=3, days=30, seed=11, team="gen")
    path = tmp_path / "gen.jsonl"
    with path.open("w") as handle:
        for truth in cohort_module.generate(config):
            for line in truth.lines:
                handle.write(json.dumps(line) + "\n")
    out, err = run(path)
    assert err == ""
    assert Patient.objects.filter(care_team__name="gen").count() == 3
    assert SignalRecord.objects.count() > 0 and DailySummary.objects.count() > 0
