"""The psychiatrist's review (issue 14): episodes of risk, the risk scores worded by the shared
vocabulary with their factors split, sleep episodes in the timeline, the range from enrolment,
and clinical events edited by their author, audited."""

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from alerts.models import Alert
from ml.models import ModelVersion, RiskScore
from monitoring.models import SignalKind
from patients.models import AuditEvent, ClinicalEvent
from records.episodes import risk_episodes_for_patient
from records.presentation import chart_range
from records.timeline import timeline_for_patient
from tests.conftest import auth_client
from tests.factories import ClinicalEventFactory, ClinicianFactory, PatientFactory, grant_consents
from tests.factories.monitoring import SignalRecordFactory

THRESHOLD = 0.3
UP = {"feature": "sleep_hours", "params": {"value": 4.1, "usual": 7.2}, "direction": "up", "weight": 0.2}
DOWN = {"feature": "steps", "params": {"value": 9000, "usual": 7000}, "direction": "down", "weight": -0.03}


@pytest.fixture
def model(db: Any) -> ModelVersion:
    return ModelVersion.objects.create(
        version="review-1", is_active=True, artifact_path="unused", artifact_sha256="0" * 64, threshold=THRESHOLD
    )


def _scores(patient: Any, model: ModelVersion, first: dt.date, values: list[float]) -> None:
    RiskScore.objects.bulk_create(
        RiskScore(
            patient=patient,
            date=first + dt.timedelta(days=i),
            model_version=model,
            score=v,
            band="high" if v >= THRESHOLD else "low",
            threshold=THRESHOLD,
            explanation=[UP, DOWN],
        )
        for i, v in enumerate(values)
    )


def _risk_alert(patient: Any, score_day: dt.date, status: str = "open") -> Alert:
    extra = {}
    if status != "open":
        extra = {"acknowledged_at": timezone.now(), "resolved_at": timezone.now()}
    return Alert.objects.create(
        patient=patient,
        care_team=patient.care_team,
        kind="risk",
        severity="high",
        status=status,
        title="Relapse risk above the team threshold",
        detail={"score_date": score_day.isoformat(), "band": "high"},
        **extra,
    )


# --- episodes of risk -----------------------------------------------------------------------------


def test_contiguous_days_above_the_threshold_make_one_episode_with_its_peak_and_alert(patient, model):
    first = timezone.localdate() - dt.timedelta(days=20)
    _scores(patient, model, first, [0.1, 0.35, 0.5, 0.42, 0.2, 0.1, 0.31, 0.33, 0.1])
    alert = _risk_alert(patient, first + dt.timedelta(days=1))

    episodes = risk_episodes_for_patient(patient=patient, start=first, end=first + dt.timedelta(days=8))

    assert [(e.start, e.end, e.days) for e in episodes] == [
        (first + dt.timedelta(days=1), first + dt.timedelta(days=3), 3),
        (first + dt.timedelta(days=6), first + dt.timedelta(days=7), 2),
    ]
    one, two = episodes
    assert (one.peak_date, one.peak_score) == (first + dt.timedelta(days=2), 0.5)
    assert one.alert is not None and one.alert["id"] == alert.pk and one.no_alert_reason is None
    # The first alert is still open when the second episode begins: no new one (hysteresis).
    assert two.alert is None and two.no_alert_reason == "already_open"
    assert not one.ongoing and not two.ongoing


def test_why_no_alert_quiet_period_paused_and_history_scored_without_alerts(patient, model):
    first = timezone.localdate() - dt.timedelta(days=30)
    _scores(patient, model, first, [0.4, 0.1, 0.1, 0.4, 0.1] + [0.1] * 10 + [0.5, 0.5])
    _risk_alert(patient, first, status="resolved")  # resolved the same day: the next gets a quiet period
    Alert.objects.filter(patient=patient).update(resolved_at=timezone.now() - dt.timedelta(days=40))

    episodes = risk_episodes_for_patient(patient=patient, start=first, end=first + dt.timedelta(days=16))

    assert [e.no_alert_reason for e in episodes] == [None, "quiet_period", "scored_without_alerts"]
    assert episodes[-1].ongoing
    patient.care_team.risk_alerts_paused = True
    patient.care_team.save()
    paused = risk_episodes_for_patient(patient=patient, start=first, end=first + dt.timedelta(days=16))
    assert [e.no_alert_reason for e in paused] == [None, "paused", "paused"]


def test_the_episodes_api_words_the_peak_and_gives_the_reasons_to_psychiatrists_only(
    patient, model, psychiatrist_client, nurse_client
):
    first = timezone.localdate() - dt.timedelta(days=10)
    _scores(patient, model, first, [0.1, 0.45, 0.6, 0.1])
    url = f"/api/v1/patients/{patient.pk}/risk-episodes/?start={first}&end={first + dt.timedelta(days=3)}"

    body = psychiatrist_client.get(url).json()
    nurse_body = nurse_client.get(url).json()
    french = psychiatrist_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").json()

    assert len(body) == 1
    ep = body[0]
    assert (ep["start"], ep["end"], ep["days"], ep["peak_date"]) == (
        str(first + dt.timedelta(days=1)),
        str(first + dt.timedelta(days=2)),
        2,
        str(first + dt.timedelta(days=2)),
    )
    assert ep["peak_display"]["text"] == "60.0%" and ep["peak_display"]["threshold_text"] == "30.0%"
    assert ep["no_alert_reason"] == "scored_without_alerts"
    assert "without the alert rules" in ep["no_alert_text"]
    assert [f["feature"] for f in ep["peak_raising"]] == ["sleep_hours"]
    assert "4.1" in ep["peak_raising"][0]["label"] and "7.2" in ep["peak_raising"][0]["label"]
    assert nurse_body[0]["peak_raising"] == []
    assert french[0]["peak_display"]["text"] == "60,0\u00a0%"


# --- risk scores: display, reasons apart ------------------------------------------------------------


def test_risk_scores_keep_their_fields_and_add_the_display_and_the_split_factors(patient, model, psychiatrist_client):
    day = timezone.localdate() - dt.timedelta(days=2)
    _scores(patient, model, day, [0.45])

    (entry,) = psychiatrist_client.get(f"/api/v1/patients/{patient.pk}/risk-scores/?start={day}&end={day}").json()

    assert {"date", "score", "band", "model_version", "threshold", "explanation"} <= set(entry)
    assert entry["score"] == 0.45 and len(entry["explanation"]) == 2
    assert entry["display"]["text"] == "45.0%" and entry["display"]["band"] == "high"
    assert [f["feature"] for f in entry["raising"]] == ["sleep_hours"]
    assert [f["feature"] for f in entry["lowering"]] == ["steps"]


# --- the timeline's sleep episodes -----------------------------------------------------------------


def test_a_nap_is_its_own_episode_with_its_own_start_and_end(make_patient):
    patient, _client = make_patient(tz="Europe/Paris")
    tz = patient.tz
    day = timezone.localdate(timezone=tz) - dt.timedelta(days=2)
    night_start = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(23, 10), tzinfo=tz)
    SignalRecordFactory(
        patient=patient, kind=SignalKind.SLEEP, start=night_start, end=night_start + dt.timedelta(hours=7, minutes=50)
    )
    nap_start = dt.datetime.combine(day, dt.time(15, 41), tzinfo=tz)
    SignalRecordFactory(
        patient=patient, kind=SignalKind.SLEEP, start=nap_start, end=nap_start + dt.timedelta(minutes=62)
    )

    (entry,) = timeline_for_patient(patient=patient, start=day, end=day, sleep_episodes=True)
    plain = timeline_for_patient(patient=patient, start=day, end=day)

    assert entry["sleep_episodes"] == [
        {"start": f"{day - dt.timedelta(days=1)}T23:10", "end": f"{day}T07:00", "hours": 7.83, "nap": False},
        {"start": f"{day}T15:41", "end": f"{day}T16:43", "hours": 1.03, "nap": True},
    ]
    assert "sleep_episodes" not in plain[0]  # the exports keep API.md's day shape


# --- the range starts no earlier than enrolment --------------------------------------------------


def test_presets_start_no_earlier_than_the_first_day():
    today = dt.date(2026, 12, 1)
    enrolled = dt.date(2026, 9, 1)
    assert chart_range({"days": "365"}, today=today, earliest=enrolled) == (enrolled, today, "365")
    assert chart_range({"days": "30"}, today=today, earliest=enrolled) == (dt.date(2026, 11, 2), today, "30")
    assert chart_range({}, today=today, earliest=dt.date(2026, 10, 1))[0] == dt.date(2026, 10, 1)
    # A custom range is as asked.
    custom = {"start": "2026-08-01", "end": "2026-09-30"}
    assert chart_range(custom, today=today, earliest=enrolled)[0] == dt.date(2026, 8, 1)


# --- clinical events: edited by their author, audited ---------------------------------------------


@pytest.fixture
def hospitalisation(patient, psychiatrist) -> ClinicalEvent:
    return ClinicalEventFactory(
        patient=patient,
        kind="hospitalization",
        date=timezone.localdate() - dt.timedelta(days=12),
        note="Admitted",
        recorded_by=psychiatrist,
    )


def test_the_author_edits_the_note_and_the_stay_and_the_audit_names_the_fields(
    patient, psychiatrist, psychiatrist_client, hospitalisation
):
    url = f"/api/v1/patients/{patient.pk}/events/{hospitalisation.pk}/"
    end = hospitalisation.date + dt.timedelta(days=9)

    response = psychiatrist_client.patch(url, {"note": "Admitted; discharged", "end_date": str(end)}, format="json")
    again = psychiatrist_client.patch(url, {"note": "Admitted; discharged"}, format="json")
    listed = psychiatrist_client.get(f"/api/v1/patients/{patient.pk}/events/").json()

    assert response.status_code == 200, response.content
    assert response.json()["end_date"] == str(end) and response.json()["edited_at"]
    hospitalisation.refresh_from_db()
    assert (hospitalisation.note, hospitalisation.end_date) == ("Admitted; discharged", end)
    audit = AuditEvent.objects.filter(resource="clinical_event", action="update", patient_id=patient.pk)
    assert [a.detail["changed"] for a in audit] == [["note", "end_date"]]  # the no-op edit writes nothing
    assert audit[0].actor_username == psychiatrist.username
    assert again.status_code == 200
    assert listed[0]["end_date"] == str(end)


def test_only_the_author_may_edit_and_a_stay_cannot_end_before_it_began(patient, team, hospitalisation):
    colleague = ClinicianFactory(role="nurse", teams=[team])
    url = f"/api/v1/patients/{patient.pk}/events/{hospitalisation.pk}/"

    refused = auth_client(colleague).patch(url, {"note": "changed"}, format="json")
    author = auth_client(hospitalisation.recorded_by)
    backwards = author.patch(url, {"end_date": str(hospitalisation.date - dt.timedelta(days=1))}, format="json")
    relapse = ClinicalEventFactory(patient=patient, recorded_by=hospitalisation.recorded_by)
    no_stay = author.patch(
        f"/api/v1/patients/{patient.pk}/events/{relapse.pk}/", {"end_date": str(relapse.date)}, format="json"
    )

    assert refused.status_code == 403
    assert AuditEvent.objects.filter(resource="clinical_event", action="denied", actor_username=colleague.username)
    assert backwards.status_code == 400 and no_stay.status_code == 400
    hospitalisation.refresh_from_db()
    assert (hospitalisation.note, hospitalisation.end_date) == ("Admitted", None)


def test_an_event_of_another_team_is_not_found(other_patient, psychiatrist_client, psychiatrist):
    event = ClinicalEventFactory(patient=other_patient, recorded_by=psychiatrist)
    response = psychiatrist_client.patch(
        f"/api/v1/patients/{other_patient.pk}/events/{event.pk}/", {"note": "x"}, format="json"
    )
    assert response.status_code == 404


def test_the_patient_page_shows_the_threshold_in_percent_and_the_new_cards(patient, model, psychiatrist, client):
    grant_consents(patient)
    _scores(patient, model, timezone.localdate(timezone=patient.tz) - dt.timedelta(days=1), [0.123])
    client.force_login(psychiatrist)
    html = client.get(f"/dashboard/patients/{patient.pk}/").content.decode()
    listing = client.get("/dashboard/patients/").content.decode()
    assert "12.3%" in html and "alert threshold 30.0%" in html
    assert 'id="risk-episodes"' in html and 'id="clinical-events"' in html
    assert 'data-episodes-url="/api/v1/patients/' in html
    assert "12.3%" in listing and "Alert threshold: 30.0%" in listing
    # The event form asks for earlier episodes too: the risk model reads them (relapse history).
    assert "even from before enrolment: the risk model reads them as a lasting risk" in html
    french = client.get(f"/dashboard/patients/{patient.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "inclusion : le modèle de risque les lit comme un risque durable" in french


def test_the_patient_list_sorts_every_column_both_ways(team, psychiatrist, client):
    for code, diagnosis in (("A-1", "F20"), ("B-2", "F33")):
        PatientFactory(code=code, care_team=team, diagnosis=diagnosis)
    client.force_login(psychiatrist)
    one_way = client.get("/dashboard/patients/?sort=diagnosis").content.decode()
    other_way = client.get("/dashboard/patients/?sort=-diagnosis").content.decode()
    assert one_way.index("A-1") < one_way.index("B-2")
    assert other_way.index("B-2") < other_way.index("A-1")
    assert 'aria-sort="descending"' in other_way
