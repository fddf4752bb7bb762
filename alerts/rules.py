"""The alert rules as pure functions: no database, no clock. Services gather the facts, these
decide, so every rule is tested on plain values and behaves the same from a task, a command
or a request."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_noop

# Stored titles are fixed English strings so the dashboard can show them in the reader's
# language (the catalogue has them); what varies lives in `detail`.
TITLE_SAFETY_PHQ9 = gettext_noop("PHQ-9 item 9: thoughts of death or self-harm")
TITLE_RISK = gettext_noop("Relapse risk above the team threshold")
TITLE_RISK_WORSE = gettext_noop("Relapse risk rising: higher band")
TITLE_ADHERENCE = gettext_noop("No check-in and no phone data for several days")
TITLE_LANGUAGE = gettext_noop("Risk language in a note written by the patient")
TITLE_LANGUAGE_PLAN = gettext_noop("Risk language in a note: intent or plan")
TITLE_EMERGENCY_ACCESS = gettext_noop("Emergency access to the record by another establishment")
TITLE_MODEL_DRIFT = gettext_noop("Model inputs drifted")
RULE_TITLES = (
    TITLE_SAFETY_PHQ9,
    TITLE_RISK,
    TITLE_RISK_WORSE,
    TITLE_ADHERENCE,
    TITLE_LANGUAGE,
    TITLE_LANGUAGE_PLAN,
    TITLE_EMERGENCY_ACCESS,
    TITLE_MODEL_DRIFT,
)


def emergency_dedupe_key(access_id: object) -> str:
    return f"emergency:{access_id}"


RISK_QUIET_DAYS = 7
BAND_RANK = {"low": 0, "medium": 1, "high": 2}
SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


# --- safety -------------------------------------------------------------------------------


def safety_alert_needed(*, item9: int | None) -> bool:
    """PHQ-9 item 9 (thoughts of death or self-harm) above 0, whatever any model says."""
    return item9 is not None and item9 > 0


def safety_dedupe_key(questionnaire_id: object) -> str:
    return f"safety:phq9:{questionnaire_id}"


# --- risk language -------------------------------------------------------------------------

LANGUAGE_SEVERITIES = ("critical", "high", "medium")


def language_dedupe_key(source: str, record_id: object) -> str:
    """One alert per written record (`checkin:<id>`): a replayed check-in raises nothing twice."""
    return f"language:{source}:{record_id}"


def language_alert_severity(severities: list[str]) -> str | None:
    """The alert's severity is the gravest expression found (plan or intent: critical)."""
    found = [s for s in severities if s in LANGUAGE_SEVERITIES]
    return min(found, key=SEVERITY_RANK.__getitem__) if found else None


# --- risk ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorRiskAlert:
    """A risk alert already raised for the patient: its score's date, band and whether it
    is still open or acknowledged."""

    score_date: date
    band: str
    unresolved: bool


@dataclass(frozen=True)
class RiskDecision:
    raise_alert: bool
    reason: str
    worse: bool = False


def band_worse(band: str, than: str) -> bool:
    return BAND_RANK.get(band, -1) > BAND_RANK.get(than, -1)


def risk_threshold(*, team_threshold: float | None, score_threshold: float) -> float:
    """The care team's own threshold when it set one, else the model's operating threshold."""
    return team_threshold if team_threshold is not None else score_threshold


def risk_alert_decision(
    *,
    score: float,
    band: str,
    score_date: date,
    threshold: float,
    paused: bool,
    prior: list[PriorRiskAlert],
) -> RiskDecision:
    """Hysteresis: no new risk alert while one is open or acknowledged, nor within 7 days of
    the last one, unless the band is worse than that alert's band.

    `prior` lists the patient's earlier risk alerts (any order); alerts anchored after
    `score_date` count too, so scores evaluated out of order behave like in order."""
    if paused:
        return RiskDecision(False, "paused")
    if score < threshold:
        return RiskDecision(False, "below_threshold")
    unresolved = [p for p in prior if p.unresolved]
    if unresolved:
        worst = max(unresolved, key=lambda p: BAND_RANK.get(p.band, -1))
        if not band_worse(band, worst.band):
            return RiskDecision(False, "alert_unresolved")
        return RiskDecision(True, "band_worse", worse=True)
    recent = [p for p in prior if abs((score_date - p.score_date).days) < RISK_QUIET_DAYS]
    if recent:
        worst = max(recent, key=lambda p: BAND_RANK.get(p.band, -1))
        if not band_worse(band, worst.band):
            return RiskDecision(False, "quiet_period")
        return RiskDecision(True, "band_worse", worse=True)
    return RiskDecision(True, "threshold")


def risk_severity(band: str) -> str:
    return "high" if band == "high" else "medium"


def risk_dedupe_key(score_id: int) -> str:
    return f"risk:score:{score_id}"


# --- adherence ----------------------------------------------------------------------------


def adherence_gap_start(*, last_data_day: date | None, enrolled_on: date, today: date, gap_days: int) -> date | None:
    """The first day of a data gap of at least `gap_days` complete local days, or None.

    Days count from the day after the last day with a check-in or passive data (or from
    enrolment when nothing came yet) up to yesterday: today is not over. A gap is keyed by
    its first day, so each gap raises one alert however often the check runs."""
    gap_days = max(1, gap_days)
    start = (last_data_day + timedelta(days=1)) if last_data_day is not None else enrolled_on
    start = max(start, enrolled_on)
    empty_days = (today - start).days
    return start if empty_days >= gap_days else None


def adherence_dedupe_key(patient_id: object, gap_start: date) -> str:
    return f"adherence:{patient_id}:{gap_start.isoformat()}"


# --- escalation ---------------------------------------------------------------------------


def escalation_due(
    *, severity: str, status: str, escalated: bool, created_at: datetime, minutes: int, now: datetime
) -> bool:
    """A critical alert nobody acknowledged within the team's delay."""
    return (
        severity == "critical"
        and status == "open"
        and not escalated
        and created_at + timedelta(minutes=max(1, minutes)) <= now
    )


def escalation_due_at(
    *, severity: str, status: str, escalated: bool, created_at: datetime, minutes: int
) -> datetime | None:
    """When an alert will escalate if nobody acknowledges it (the desk's countdown): open,
    critical and not yet escalated alerts only; else None. Same delay as `escalation_due`."""
    if severity != "critical" or status != "open" or escalated:
        return None
    return created_at + timedelta(minutes=max(1, minutes))


# --- the age of the data ------------------------------------------------------------------

LATE_AFTER_HOURS = 24


def alert_late(*, recorded_at: datetime | None, received_at: datetime | None, hours: float = LATE_AFTER_HOURS) -> bool:
    """The data behind an alert reached the server more than `hours` after it was recorded
    (a phone that was offline, a late upload, an imported history): it still alerts, marked."""
    if recorded_at is None or received_at is None:
        return False
    return received_at - recorded_at > timedelta(hours=hours)


# --- triage order -------------------------------------------------------------------------


def triage_key(*, severity: str, status: str, created_at: datetime) -> tuple[int, float, int, float]:
    """The desk's order: unacknowledged critical alerts first, newest first; then the others
    by severity, longest waiting first. Sorting ascending on this key gives that order."""
    stamp = created_at.timestamp()
    if severity == "critical" and status == "open":
        return (0, -stamp, 0, 0.0)
    return (1, 0.0, SEVERITY_RANK.get(severity, len(SEVERITY_RANK)), stamp)
