"""Reads of the clinicians' patient list: each patient with the latest day's score, the open
alerts and the last days of data, filtered and sorted in the database (one query a page)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Count, DateField, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.http import urlencode

from alerts.models import Alert, AlertStatus
from monitoring.models import DailySummary
from patients.models import CareTeam, Patient, PatientStatus, User
from patients.query import int_param
from patients.selectors import patients_for_clinician

from .scores import latest_day_score

# A day counts as "self-report" or "passive" data when any of these is present.
_CHECKIN_DAY = Q(checkins__gt=0) | Q(mood__isnull=False)
_PASSIVE_DAY = (
    Q(passive_records__gt=0)
    | Q(sleep_hours__isnull=False)
    | Q(steps__isnull=False)
    | Q(time_at_home_min__isnull=False)
    | Q(speech_rate_wpm__isnull=False)
    | Q(screen_minutes__isnull=False)
)

SORTS: dict[str, tuple[Any, ...]] = {
    "code": (F("code").asc(),),
    "-code": (F("code").desc(),),
    "risk": (F("latest_risk_score").desc(nulls_last=True), F("code").asc()),
    "-risk": (F("latest_risk_score").asc(nulls_first=True), F("code").asc()),
    "alerts": (F("open_alert_count").desc(nulls_last=True), F("latest_risk_score").desc(nulls_last=True), "code"),
    # Longest silence first: no data at all, then the oldest last day.
    "checkin": (F("last_checkin_on").asc(nulls_first=True), F("code").asc()),
    "passive": (F("last_passive_on").asc(nulls_first=True), F("code").asc()),
    "diagnosis": (F("diagnosis").asc(), F("code").asc()),
    # The reverse of each order, for a second click on its column.
    "-diagnosis": (F("diagnosis").desc(), F("code").asc()),
    "-alerts": (F("open_alert_count").asc(nulls_first=True), F("latest_risk_score").asc(nulls_first=True), "code"),
    "-checkin": (F("last_checkin_on").desc(nulls_last=True), F("code").asc()),
    "-passive": (F("last_passive_on").desc(nulls_last=True), F("code").asc()),
}
DEFAULT_SORT = "risk"
BANDS = ("high", "medium", "low")
GAP_CHOICES = (3, 7, 14)


class PatientOverview(Protocol):
    """What `patients_with_overview` annotates on each patient (None: no score, no open alert).
    The type checker's view of those attributes, which the model class does not declare."""

    latest_risk_date: dt.date | None
    latest_risk_score: float | None
    latest_risk_band: str | None
    open_alert_count: int | None


def patients_with_overview(*, user: User) -> QuerySet[Patient]:
    """The clinician's patients annotated with their latest day's score (`records.scores`) and
    open-alert count, in one query."""
    latest = latest_day_score(OuterRef("pk"))
    open_alerts = (
        Alert.objects.filter(patient=OuterRef("pk"))
        .exclude(status=AlertStatus.RESOLVED)
        .order_by()
        .values("patient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return patients_for_clinician(user=user).annotate(
        latest_risk_date=Subquery(latest.values("date")),
        latest_risk_score=Subquery(latest.values("score")),
        latest_risk_band=Subquery(latest.values("band")),
        open_alert_count=Subquery(open_alerts, output_field=IntegerField()),
    )


def patients_for_overview(*, user: User) -> QuerySet[Patient]:
    """The clinician's patients with latest risk, open alerts and last days of data, one query."""
    last_checkin = (
        DailySummary.objects.filter(_CHECKIN_DAY, patient=OuterRef("pk"))
        .order_by()
        .values("patient")
        .annotate(last=Max("date"))
        .values("last")
    )
    last_passive = (
        DailySummary.objects.filter(_PASSIVE_DAY, patient=OuterRef("pk"))
        .order_by()
        .values("patient")
        .annotate(last=Max("date"))
        .values("last")
    )
    return patients_with_overview(user=user).annotate(
        last_checkin_on=Subquery(last_checkin, output_field=DateField()),
        last_passive_on=Subquery(last_passive, output_field=DateField()),
    )


def alert_threshold(*, team: CareTeam, model_threshold: float | None) -> float | None:
    # A team's own threshold wins; null means "the active model's operating threshold".
    return team.risk_threshold if team.risk_threshold is not None else model_threshold


@dataclass
class OverviewFilters:
    q: str = ""
    diagnosis: str = ""
    band: str = ""
    alerts: bool = False
    gap: int | None = None
    status: str = PatientStatus.ACTIVE
    team: int | None = None
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, params: Any, team_ids: set[int]) -> "OverviewFilters":
        f = cls()
        f.q = params.get("q", "").strip()[:64]
        diagnosis = params.get("diagnosis", "").strip().upper()
        f.diagnosis = diagnosis if diagnosis.isalnum() and len(diagnosis) <= 3 else ""
        band = params.get("band", "")
        f.band = band if band in (*BANDS, "none") else ""
        f.alerts = params.get("alerts") == "open"
        gap = int_param(params, "gap")
        f.gap = gap if gap in GAP_CHOICES else None
        status = params.get("status", PatientStatus.ACTIVE)
        f.status = status if status in (PatientStatus.ACTIVE, PatientStatus.DISCHARGED, "all") else "active"
        team = int_param(params, "team")
        f.team = team if team in team_ids else None
        sort = params.get("sort", DEFAULT_SORT)
        f.sort = sort if sort in SORTS else DEFAULT_SORT
        return f

    def apply(self, qs: QuerySet[Patient], *, today: dt.date) -> QuerySet[Patient]:
        if self.q:
            qs = qs.filter(Q(code__icontains=self.q) | Q(diagnosis__istartswith=self.q))
        if self.diagnosis:
            qs = qs.filter(diagnosis__istartswith=self.diagnosis)
        # Q() around the annotated names: the type checker only knows model fields.
        if self.band == "none":
            qs = qs.filter(Q(latest_risk_band__isnull=True))
        elif self.band:
            qs = qs.filter(Q(latest_risk_band=self.band))
        if self.alerts:
            qs = qs.filter(Q(open_alert_count__gt=0))
        if self.gap is not None:
            cutoff = today - dt.timedelta(days=self.gap)
            qs = qs.filter(
                Q(last_checkin_on__isnull=True)
                | Q(last_checkin_on__lte=cutoff)
                | Q(last_passive_on__isnull=True)
                | Q(last_passive_on__lte=cutoff)
            )
        if self.status != "all":
            qs = qs.filter(status=self.status)
        if self.team is not None:
            qs = qs.filter(care_team_id=self.team)
        return qs.order_by(*SORTS[self.sort])

    def query(self, **override: Any) -> str:
        values = {
            "q": self.q,
            "diagnosis": self.diagnosis,
            "band": self.band,
            "alerts": "open" if self.alerts else "",
            "gap": self.gap or "",
            "status": "" if self.status == PatientStatus.ACTIVE else self.status,
            "team": self.team or "",
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        values.update(override)
        return urlencode({k: v for k, v in values.items() if v not in ("", None)})
