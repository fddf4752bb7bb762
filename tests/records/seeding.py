"""A patient who relapsed, with a visible depressive prodrome, for the dashboard tests.

~120 days of daily summaries: a stable baseline, then over the 4 weeks before the relapse
mood falls, sleep lengthens and gets irregular, steps and distance fall, time at home rises,
speech slows with longer pauses, PHQ-9 rises and check-ins thin out; sensor gaps throughout
(missing days stay NULL). Risk scores for the last 60 days cross the threshold before the
relapse, one risk alert, and the relapse as a clinical event."""

import datetime as dt
import random
from dataclasses import dataclass

from django.utils import timezone

from alerts.models import Alert
from ml.models import ModelVersion, RiskScore
from monitoring.models import DailySummary
from patients.models import ClinicalEvent, Patient

THRESHOLD = 0.3
# As ml stores factors: the numbers in `params`; the API renders the words (alerts/factors.py).
EXPLANATION = [
    {"feature": "sleep_hours", "params": {"value": 9.4, "usual": 7.3}, "direction": "up", "weight": 0.21},
    {"feature": "logging", "params": {"days_since": 4}, "direction": "up", "weight": 0.12},
    {"feature": "steps", "params": {"value": 7000, "usual": 7200}, "direction": "down", "weight": -0.01},
]


@dataclass
class Seeded:
    patient: Patient
    today: dt.date
    relapse_on: dt.date
    alert: Alert
    crossing_on: dt.date
    model: ModelVersion


def active_model(threshold: float = THRESHOLD) -> ModelVersion:
    model, _ = ModelVersion.objects.get_or_create(
        version="dash-test-1",
        defaults={
            "is_active": True,
            "artifact_path": "unused",
            "artifact_sha256": "0" * 64,
            "threshold": threshold,
        },
    )
    return model


def _ramp(day_index: int, onset: int, peak: int) -> float:
    """0 before onset, rising to 1 at peak, then decaying over 3 weeks."""
    if day_index < onset:
        return 0.0
    if day_index <= peak:
        return (day_index - onset) / max(peak - onset, 1)
    return max(0.0, 1.0 - (day_index - peak) / 21)


def seed_relapsing_patient(patient: Patient, *, days: int = 120, relapse_days_ago: int = 20, seed: int = 4) -> Seeded:
    rng = random.Random(seed)  # noqa: S311 - test data
    today = timezone.localdate(timezone=patient.tz)
    first = today - dt.timedelta(days=days - 1)
    relapse_on = today - dt.timedelta(days=relapse_days_ago)
    relapse_index = days - 1 - relapse_days_ago
    onset_index = relapse_index - 28
    rows = []
    for i in range(days):
        day = first + dt.timedelta(days=i)
        p = _ramp(i, onset_index, relapse_index)
        weekend = day.weekday() >= 5
        logged = rng.random() > 0.1 + 0.45 * p  # check-ins thin out before the relapse
        sensed = rng.random() > 0.08  # phone sensor gaps happen to everyone
        spoke = rng.random() > 0.3
        weekly = day.weekday() == 0  # questionnaires every Monday, whatever the check-ins
        onset_h = 23.0 + rng.gauss(0, 0.3 + 1.5 * p) + 0.8 * p
        sleep_h = 7.2 + 2.3 * p + rng.gauss(0, 0.4)
        wake_h = onset_h + sleep_h
        steps = max(0, int((7500 if not weekend else 6000) * (1 - 0.6 * p) + rng.gauss(0, 700)))
        rows.append(
            DailySummary(
                patient=patient,
                date=day,
                checkins=1 if logged else 0,
                mood=round(0.4 - 2.4 * p + rng.gauss(0, 0.4)) if logged else None,
                anxiety=min(10, max(0, round(3 + 3 * p + rng.gauss(0, 1)))) if logged else None,
                energy=min(10, max(0, round(6 - 3.5 * p + rng.gauss(0, 1)))) if logged else None,
                irritability=min(10, max(0, round(2 + 2 * p + rng.gauss(0, 1)))) if logged else None,
                sleep_quality=min(10, max(0, round(7 - 3 * p + rng.gauss(0, 1)))) if logged else None,
                medication_taken=(rng.random() > 0.1 + 0.3 * p) if logged else None,
                phq9=min(27, max(0, round(5 + 14 * p + rng.gauss(0, 1.5)))) if weekly else None,
                gad7=min(21, max(0, round(4 + 7 * p + rng.gauss(0, 1.5)))) if weekly else None,
                asrm=min(20, max(0, round(2 + rng.gauss(0, 1)))) if weekly else None,
                sleep_hours=round(sleep_h, 2) if sensed else None,
                sleep_onset=dt.time(int(onset_h % 24), int((onset_h % 1) * 60)) if sensed else None,
                sleep_wake=dt.time(int(wake_h % 24), int((wake_h % 1) * 60)) if sensed else None,
                sleep_efficiency=round(0.9 - 0.15 * p, 2) if sensed else None,
                steps=steps if sensed else None,
                time_at_home_min=round(min(1440, 780 + 480 * p + rng.gauss(0, 60)), 1) if sensed else None,
                distance_km=round(max(0.0, 9 * (1 - 0.7 * p) + rng.gauss(0, 1.5)), 2) if sensed else None,
                speech_rate_wpm=round(152 - 35 * p + rng.gauss(0, 5), 1) if spoke else None,
                pause_ratio=round(min(1.0, 0.24 + 0.16 * p + rng.gauss(0, 0.02)), 3) if spoke else None,
                pitch_sd_hz=round(28 - 10 * p + rng.gauss(0, 2), 1) if spoke else None,
                screen_minutes=round(200 + rng.gauss(0, 30), 1) if sensed else None,
                unlocks=max(0, int(60 + rng.gauss(0, 10))) if sensed else None,
                passive_records=3 if sensed else 0,
            )
        )
    DailySummary.objects.bulk_create(rows)

    model = active_model()
    scores = []
    for i in range(days - 60, days):
        day = first + dt.timedelta(days=i)
        # The score looks 14 days ahead, so it rises before the relapse, not after.
        ahead = (
            max(_ramp(i + 10, onset_index, relapse_index), 0.0)
            if i <= relapse_index
            else _ramp(i, onset_index, relapse_index) * 0.5
        )
        score = round(min(0.95, max(0.02, 0.08 + 0.45 * ahead + rng.gauss(0, 0.02))), 3)
        band = "high" if score >= THRESHOLD else "medium" if score >= THRESHOLD / 2 else "low"
        scores.append(
            RiskScore(
                patient=patient,
                date=day,
                model_version=model,
                score=score,
                band=band,
                threshold=THRESHOLD,
                explanation=EXPLANATION,
            )
        )
    RiskScore.objects.bulk_create(scores)
    crossing = next(s for s in RiskScore.objects.filter(patient=patient).order_by("date") if s.score >= THRESHOLD)
    # As nightly scoring raises it: now, about the day whose score crossed the threshold.
    alert = Alert.objects.create(
        patient=patient,
        care_team=patient.care_team,
        kind="risk",
        severity="high",
        title="Relapse risk above the team threshold",
        detail={"score": crossing.score, "threshold": THRESHOLD, "score_date": crossing.date.isoformat()},
        dedupe_key=f"dash-test:{patient.pk}:{crossing.date}",
    )
    ClinicalEvent.objects.create(patient=patient, kind="relapse", date=relapse_on, note="Seen in clinic")
    return Seeded(
        patient=patient, today=today, relapse_on=relapse_on, alert=alert, crossing_on=crossing.date, model=model
    )
