"""Recompute a stored score from the data and the model version that produced it, and say
whether everything matches: the input window's hash, the score, the band, the explanation and
the feature values behind it (issue 17, traceability)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from patients.errors import DomainError
from patients.models import Patient

from . import selectors
from .features import LOOKBACK_DAYS
from .models import RiskScore
from .registry import model_load
from .scoring import score_rows

SCORE_TOLERANCE = 1e-6


@dataclass
class ScoreCheck:
    score_id: int
    version: str
    identical: bool
    differences: dict[str, dict[str, Any]] = field(default_factory=dict)


def risk_score_verify(*, patient: Patient, day: date) -> list[ScoreCheck]:
    """Every stored score of this patient-day (one per model version), recomputed from the
    summaries now in the database with its own model version's artifact (hash-checked)."""
    scores = list(RiskScore.objects.filter(patient=patient, date=day).select_related("model_version").order_by("pk"))
    if not scores:
        raise DomainError(f"No stored score for {patient.code} on {day.isoformat()}.")
    summaries = selectors.daily_summaries_frame(
        patient_ids=[patient.pk], start=day - timedelta(days=LOOKBACK_DAYS - 1), end=day
    )
    # Recomputed whatever the patient's status or consent now: the question is what was done.
    events = selectors.label_events_frame(patient_ids=[patient.pk], until=day)
    info = (patient.pk, min(patient.enrolled_on, day), patient.diagnosis, patient.care_team_id)
    checks = []
    for stored in scores:
        mv = stored.model_version
        rows = score_rows(
            model_version=mv, model=model_load(mv), patients=[info], days=[day], summaries=summaries, events=events
        )
        fresh = rows[0] if rows else {}
        diff: dict[str, dict[str, Any]] = {}
        if stored.input_sha256 != fresh.get("input_sha256"):
            diff["input_sha256"] = {"stored": stored.input_sha256, "recomputed": fresh.get("input_sha256")}
        if abs(float(stored.score) - float(fresh.get("score", float("nan")))) > SCORE_TOLERANCE or not rows:
            diff["score"] = {"stored": stored.score, "recomputed": fresh.get("score")}
        if stored.band != fresh.get("band"):
            diff["band"] = {"stored": stored.band, "recomputed": fresh.get("band")}
        stored_factors = [(f.get("feature"), f.get("direction"), f.get("weight")) for f in stored.explanation or []]
        fresh_factors = [(f["feature"], f["direction"], f["weight"]) for f in fresh.get("explanation", [])]
        if stored_factors != fresh_factors:
            diff["explanation"] = {"stored": stored_factors, "recomputed": fresh_factors}
        if (stored.feature_values or {}) != fresh.get("feature_values", {}):
            diff["feature_values"] = {"stored": stored.feature_values, "recomputed": fresh.get("feature_values")}
        checks.append(ScoreCheck(score_id=stored.pk, version=mv.version, identical=not diff, differences=diff))
    return checks
