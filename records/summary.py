"""The pre-consultation summary's facts: what a psychiatrist needs before seeing a patient,
computed from the data of a period (numbers only, no wording; `records.summary_text` turns
each group of facts into sentences that carry them).

A constant number of queries whatever the period's length: one each for the daily summaries
(period and usual), the questionnaires, the day scores, the episodes (`records.episodes`: two),
the alerts, the clinical events and the notes the patient flagged, plus the default period's
consultation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alerts import rules
from alerts.models import Alert
from monitoring.models import CheckIn, DailySummary, QuestionnaireResponse
from monitoring.questionnaires import ITEM9_NOT_ANSWERED, PRORATED
from patients.models import ClinicalEvent, Patient

from .episodes import risk_episodes_for_patient
from .scores import day_scores

DEFAULT_DAYS = 30
MAX_DAYS = 366
# The days a summary may name (outside, a period's bounds would overflow the calendar).
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2200, 12, 31)
# Clinical-event kinds that mean the team saw the patient: the default period starts at the
# latest one. The kernel has no "consultation" kind yet; a crisis visit is a consultation.
CONSULTATION_KINDS = ("consultation", "crisis_visit")
# "Usual" is the patient's own mean over the days before the period.
USUAL_DAYS = 60
MIN_USUAL_DAYS = 7
MAX_FACTORS = 3
MAX_EPISODES = 5

# Daily measures compared with the patient's usual: (field, decimals)
SIGNALS: tuple[tuple[str, int], ...] = (
    ("mood", 1),
    ("sleep_hours", 1),
    ("steps", 0),
    ("speech_rate_wpm", 0),
)
# A mean differing from the usual by less than this share of the usual day-to-day spread
# (standard deviation) reads "close to usual".
CLOSE_SD = 0.5


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    basis: str  # "requested", "since_consultation" or "default"
    consultation: date | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class SignalFacts:
    measure: str
    decimals: int
    days_with_data: int
    mean: float | None
    low: float | None
    high: float | None
    usual: float | None
    usual_sd: float | None
    usual_days: int
    direction: str | None  # "above", "below", "close" (None without a usual or data)


@dataclass(frozen=True)
class QuestionnaireFacts:
    instrument: str
    responses: list[dict[str, Any]]  # the scored ones {id, day, total, severity}, oldest first
    first: dict[str, Any] | None  # None when no response of the period has a total
    last: dict[str, Any] | None
    highest: dict[str, Any] | None
    trend: str  # "up", "down", "same", "single", or "unscored" (no total in the period)
    # Skipped items (monitoring/questionnaires.py): responses with too many for a total, how
    # many totals were prorated, and the days PHQ-9 item 9 was skipped (no safety alert then).
    unscored_days: list[date] = field(default_factory=list)
    prorated: int = 0
    item9_not_answered_days: list[date] = field(default_factory=list)


@dataclass(frozen=True)
class AdherenceFacts:
    period_days: int
    checkin_days: int
    medication_logged_days: int
    medication_missed_days: int
    sensor_days: int
    questionnaires: int


@dataclass(frozen=True)
class EpisodeFacts:
    start: date
    end: date
    days: int
    peak_date: date
    peak_score: float
    threshold: float
    factors: list[dict[str, Any]]  # the stored factors of the peak day (numbers in params)
    alert: str | None  # the risk alert it raised
    alert_created_at: datetime | None
    no_alert_reason: str | None  # records.episodes.NO_ALERT_REASONS
    ongoing: bool


@dataclass(frozen=True)
class RiskFacts:
    scored_days: int
    threshold: float | None
    latest_date: date | None
    latest_score: float | None
    highest_date: date | None
    highest_score: float | None
    days_above: int
    episodes: list[EpisodeFacts]


@dataclass
class SummaryFacts:
    patient: Patient
    period: Period
    tz: ZoneInfo  # the care team's zone, for times of day
    generated_at: datetime
    signals: list[SignalFacts] = field(default_factory=list)
    questionnaires: list[QuestionnaireFacts] = field(default_factory=list)
    adherence: AdherenceFacts | None = None
    risk: RiskFacts | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def has_data(self) -> bool:
        """Whether the period holds anything to summarise: a measured day, a questionnaire, a
        check-in or sensor day, a risk score, an alert, a clinical event or a note."""
        adherence = self.adherence
        return bool(
            any(signal.days_with_data for signal in self.signals)
            or self.questionnaires
            or (adherence and (adherence.checkin_days or adherence.sensor_days or adherence.medication_logged_days))
            or (self.risk and self.risk.scored_days)
            or self.alerts
            or self.events
            or self.notes
        )


def summary_period(*, patient: Patient, start: date | None, end: date | None, today: date) -> Period:
    """The period asked for; by default from the latest consultation (within a year) to today,
    or the last 30 days."""
    end = end or max(today, start or today)
    if start is not None:
        return Period(start=start, end=end, basis="requested")
    consultation = (
        ClinicalEvent.objects.filter(
            patient=patient, kind__in=CONSULTATION_KINDS, date__lt=end, date__gt=end - timedelta(days=MAX_DAYS)
        )
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if consultation is not None:
        return Period(start=consultation, end=end, basis="since_consultation", consultation=consultation)
    return Period(start=end - timedelta(days=DEFAULT_DAYS - 1), end=end, basis="default")


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _sd(values: list[float]) -> float | None:
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def _signal(measure: str, decimals: int, period: list[float], usual: list[float]) -> SignalFacts:
    mean = _mean(period)
    usual_mean = _mean(usual) if len(usual) >= MIN_USUAL_DAYS else None
    usual_sd = _sd(usual) if usual_mean is not None else None
    direction = None
    if mean is not None and usual_mean is not None:
        # Rounded as shown, so "close to usual" never sits beside two different figures' gap of 0.
        delta = round(mean, decimals) - round(usual_mean, decimals)
        spread = max(usual_sd or 0.0, abs(usual_mean) * 0.05, 10**-decimals)
        direction = "close" if abs(delta) < CLOSE_SD * spread else ("above" if delta > 0 else "below")
    return SignalFacts(
        measure=measure,
        decimals=decimals,
        days_with_data=len(period),
        mean=mean,
        low=min(period) if period else None,
        high=max(period) if period else None,
        usual=usual_mean,
        usual_sd=usual_sd,
        usual_days=len(usual),
        direction=direction,
    )


def _daily(facts: SummaryFacts) -> None:
    period = facts.period
    usual_start = period.start - timedelta(days=USUAL_DAYS)
    names = [name for name, _d in SIGNALS]
    rows = DailySummary.objects.filter(patient=facts.patient, date__range=(usual_start, period.end)).values_list(
        "date", "checkins", "medication_taken", "passive_records", *names
    )
    in_period: dict[str, list[float]] = {name: [] for name in names}
    before: dict[str, list[float]] = {name: [] for name in names}
    checkin_days = medication_logged = medication_missed = sensor_days = 0
    for day, checkins, medication, passive, *values in rows:
        target = in_period if day >= period.start else before
        for name, value in zip(names, values, strict=True):
            if value is not None:
                target[name].append(float(value))
        if day >= period.start:
            checkin_days += checkins > 0
            sensor_days += passive > 0
            if medication is not None:
                medication_logged += 1
                medication_missed += medication is False
    facts.signals = [_signal(name, digits, in_period[name], before[name]) for name, digits in SIGNALS]
    facts.adherence = AdherenceFacts(
        period_days=period.days,
        checkin_days=checkin_days,
        medication_logged_days=medication_logged,
        medication_missed_days=medication_missed,
        sensor_days=sensor_days,
        questionnaires=0,
    )


def _questionnaires(facts: SummaryFacts) -> None:
    rows = (
        QuestionnaireResponse.objects.filter(patient=facts.patient, day__range=(facts.period.start, facts.period.end))
        .order_by("completed_at", "pk")
        .values("id", "instrument", "total", "severity", "day", "flags")
    )
    by_instrument: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_instrument.setdefault(row["instrument"], []).append(
            {"id": str(row["id"]), "day": row["day"], "total": row["total"], "severity": row["severity"]}
        )
    flags = {str(row["id"]): row["flags"] or [] for row in rows}
    for instrument in ("PHQ-9", "GAD-7", "ASRM"):
        answered = by_instrument.get(instrument)
        if not answered:
            continue
        # A response without a total is missing from the trend, never a 0 in it.
        responses = [r for r in answered if r["total"] is not None]
        skipped: dict[str, Any] = {
            "unscored_days": [r["day"] for r in answered if r["total"] is None],
            "prorated": sum(PRORATED in flags[r["id"]] for r in answered),
            "item9_not_answered_days": [r["day"] for r in answered if ITEM9_NOT_ANSWERED in flags[r["id"]]],
        }
        if not responses:
            facts.questionnaires.append(QuestionnaireFacts(instrument, [], None, None, None, "unscored", **skipped))
            continue
        first, last = responses[0], responses[-1]
        trend = (
            "single"
            if len(responses) == 1
            else "up"
            if last["total"] > first["total"]
            else "down"
            if last["total"] < first["total"]
            else "same"
        )
        highest = max(responses, key=lambda r: (r["total"], r["day"]))
        facts.questionnaires.append(
            QuestionnaireFacts(instrument, responses, first=first, last=last, highest=highest, trend=trend, **skipped)
        )
    if facts.adherence is not None:
        facts.adherence = AdherenceFacts(
            **{**facts.adherence.__dict__, "questionnaires": sum(len(r) for r in by_instrument.values())}
        )


def _risk(facts: SummaryFacts) -> None:
    """The period's scores, and its episodes as the charts draw them (`records.episodes`)."""
    team = facts.patient.care_team
    rows = list(
        day_scores()
        .filter(patient=facts.patient, date__range=(facts.period.start, facts.period.end))
        .order_by("date")
        .values_list("date", "score", "threshold")
    )
    threshold = rules.risk_threshold(team_threshold=team.risk_threshold, score_threshold=rows[-1][2]) if rows else None
    episodes = [
        EpisodeFacts(
            start=e.start,
            end=e.end,
            days=e.days,
            peak_date=e.peak_date,
            peak_score=e.peak_score,
            threshold=e.threshold,
            factors=e.peak_explanation,
            alert=str(e.alert["id"]) if e.alert else None,
            alert_created_at=e.alert["created_at"] if e.alert else None,
            no_alert_reason=e.no_alert_reason,
            ongoing=e.ongoing,
        )
        for e in (
            risk_episodes_for_patient(patient=facts.patient, start=facts.period.start, end=facts.period.end)
            if rows
            else []
        )
    ]
    highest = max(rows, key=lambda r: (r[1], r[0])) if rows else None
    facts.risk = RiskFacts(
        scored_days=len(rows),
        threshold=threshold,
        latest_date=rows[-1][0] if rows else None,
        latest_score=rows[-1][1] if rows else None,
        highest_date=highest[0] if highest else None,
        highest_score=highest[1] if highest else None,
        days_above=sum(e.days for e in episodes),
        episodes=episodes[-MAX_EPISODES:],
    )


def _local_bounds(facts: SummaryFacts) -> tuple[datetime, datetime]:
    tz = facts.patient.tz
    return (
        datetime.combine(facts.period.start, time(0), tzinfo=tz),
        datetime.combine(facts.period.end + timedelta(days=1), time(0), tzinfo=tz),
    )


def _alerts(facts: SummaryFacts) -> None:
    lo, hi = _local_bounds(facts)
    rows = (
        Alert.objects.filter(patient=facts.patient, created_at__gte=lo, created_at__lt=hi)
        .order_by("created_at", "pk")
        .values(
            "id",
            "kind",
            "severity",
            "status",
            "title",
            "created_at",
            "acknowledged_at",
            "acknowledged_by__username",
            "resolved_at",
            "resolved_by__username",
            "resolution_note",
        )
    )
    for row in rows:
        alert = {
            "id": str(row["id"]),
            "kind": row["kind"],
            "severity": row["severity"],
            "status": row["status"],
            "title": row["title"],
            "created_at": row["created_at"],
            "acknowledged_at": row["acknowledged_at"],
            "acknowledged_by": row["acknowledged_by__username"] or "",
            "resolved_at": row["resolved_at"],
            "resolved_by": row["resolved_by__username"] or "",
            "resolution_note": row["resolution_note"],
        }
        facts.alerts.append(alert)


def _events(facts: SummaryFacts) -> None:
    facts.events = [
        {
            "id": str(row["id"]),
            "kind": row["kind"],
            "date": row["date"],
            "end_date": row["end_date"],
            "note": row["note"],
        }
        for row in ClinicalEvent.objects.filter(
            patient=facts.patient, date__range=(facts.period.start, facts.period.end)
        )
        .order_by("date", "kind")
        .values("id", "kind", "date", "end_date", "note")
    ]


def _notes(facts: SummaryFacts) -> None:
    facts.notes = [
        {"id": str(row["id"]), "recorded_at": row["recorded_at"], "day": row["day"], "note": row["note"]}
        for row in CheckIn.objects.filter(
            patient=facts.patient,
            for_next_appointment=True,
            day__range=(facts.period.start, facts.period.end),
        )
        .exclude(note="")
        .order_by("recorded_at", "pk")
        .values("id", "recorded_at", "day", "note")
    ]


def summary_facts(*, patient: Patient, period: Period, now: datetime) -> SummaryFacts:
    """Every fact of the summary for the period. `patient.care_team` should be loaded with it
    (select_related), or it costs one more query."""
    facts = SummaryFacts(patient=patient, period=period, tz=ZoneInfo(patient.care_team.timezone), generated_at=now)
    _daily(facts)
    _questionnaires(facts)
    _risk(facts)
    _alerts(facts)
    _events(facts)
    _notes(facts)
    return facts
