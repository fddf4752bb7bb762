"""Clinician pages: the patient overview list and one patient's trend charts.

Pages, not an API: the list is rendered on the server from bulk queries (a constant number of
SQL queries whatever the page size); the patient page is a shell whose script reads the
existing JSON endpoints (timeline, risk scores, alerts, clinical events) with the session."""

import datetime as dt
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import DateField, F, Max, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from alerts.rules import RULE_TITLES
from patients.audit import audit_denied, audit_record
from patients.models import AuditAction, CareTeam, ClinicalEventKind, Patient, PatientStatus, Role, User
from patients.selectors import patient_get_for_clinician, patients_with_overview

from .models import DailySummary

PAGE_SIZE = 50
SPARKLINE_SCORES = 30
RANGE_PRESETS = (30, 90, 365)
DEFAULT_RANGE_DAYS = 90
MAX_RANGE_DAYS = 1100  # the timeline API refuses longer ranges (API.md)

DIAGNOSIS_LABELS = {
    "F20": gettext_lazy("Schizophrenia"),
    "F25": gettext_lazy("Schizoaffective disorder"),
    "F31": gettext_lazy("Bipolar disorder"),
    "F32": gettext_lazy("Depressive episode"),
    "F33": gettext_lazy("Recurrent depressive disorder"),
}

# The page's own words for these choices, so the page reads in French whatever other
# catalogues hold.
EVENT_KIND_LABELS = {
    ClinicalEventKind.RELAPSE: gettext_lazy("Relapse"),
    ClinicalEventKind.HOSPITALIZATION: gettext_lazy("Hospitalisation"),
    ClinicalEventKind.CRISIS_VISIT: gettext_lazy("Crisis visit"),
    ClinicalEventKind.MEDICATION_CHANGE: gettext_lazy("Medication change"),
}
SEX_LABELS = {"F": gettext_lazy("Female"), "M": gettext_lazy("Male"), "X": gettext_lazy("Other / not stated")}

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
}
DEFAULT_SORT = "risk"
BANDS = ("high", "medium", "low")
GAP_CHOICES = (3, 7, 14)


# --- Reads ------------------------------------------------------------------------------


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


def risk_sparklines(*, patient_ids: list[UUID], per_patient: int = SPARKLINE_SCORES) -> dict[UUID, list[tuple]]:
    """The last `per_patient` scores of each patient, oldest first, in one query."""
    from ml.models import RiskScore

    if not patient_ids:
        return {}
    rows = (
        RiskScore.objects.filter(patient_id__in=patient_ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("patient_id")],
                order_by=[F("date").desc(), F("created_at").desc()],
            )
        )
        .filter(rank__lte=per_patient)
        .values_list("patient_id", "date", "score")
    )
    series: dict[UUID, dict[dt.date, float]] = defaultdict(dict)
    for patient_id, day, score in rows:
        # Two model versions may score the same day: the newest (ranked first) wins.
        series[patient_id].setdefault(day, score)
    return {pid: sorted(days.items()) for pid, days in series.items()}


def active_model_threshold() -> float | None:
    from ml.models import ModelVersion

    return ModelVersion.objects.filter(is_active=True).values_list("threshold", flat=True).first()


def alert_threshold(*, team: CareTeam, model_threshold: float | None) -> float | None:
    # A team's own threshold wins; null means "the active model's operating threshold".
    return team.risk_threshold if team.risk_threshold is not None else model_threshold


# --- Presentation helpers -----------------------------------------------------------------


@dataclass
class Sparkline:
    points: str
    count: int
    threshold_y: float | None
    trend: str  # "up", "down", "flat" or ""
    summary: str


SPARK_W, SPARK_H, SPARK_PAD = 120.0, 28.0, 2.0


def sparkline(series: list[tuple[dt.date, float]], threshold: float | None) -> Sparkline:
    """An inline-SVG trend of the last scores. The vertical scale runs from 0 to a little above
    the highest of the scores and the threshold, so a crossing is always visible."""
    if not series:
        return Sparkline(points="", count=0, threshold_y=None, trend="", summary=_("No risk scores yet"))
    top = max(max(s for _d, s in series), threshold or 0.0, 0.05) * 1.15

    def y(score: float) -> float:
        return round(SPARK_PAD + (1.0 - max(0.0, min(score, top)) / top) * (SPARK_H - 2 * SPARK_PAD), 1)

    first, last = series[0][0], series[-1][0]
    span = max((last - first).days, 1)
    coords = []
    for day, score in series:
        x = SPARK_PAD + (day - first).days / span * (SPARK_W - 2 * SPARK_PAD) if len(series) > 1 else SPARK_W / 2
        coords.append(f"{round(x, 1)},{y(score)}")
    trend = ""
    if len(series) >= 4:
        recent = [s for _d, s in series[-3:]]
        before = [s for _d, s in series[:-3]]
        delta = sum(recent) / len(recent) - sum(before) / len(before)
        trend = "up" if delta > 0.05 else "down" if delta < -0.05 else "flat"
    words = {"up": _("rising"), "down": _("falling"), "flat": _("stable"), "": ""}[trend]
    summary = _("%(n)d scores from %(first)s to %(last)s, %(low)d%%–%(high)d%%") % {
        "n": len(series),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "low": round(min(s for _d, s in series) * 100),
        "high": round(max(s for _d, s in series) * 100),
    }
    if words:
        summary = f"{summary}; {words}"
    return Sparkline(
        points=" ".join(coords),
        count=len(series),
        threshold_y=y(threshold) if threshold is not None else None,
        trend=trend,
        summary=summary,
    )


def _days_since(last: dt.date | None, today: dt.date) -> int | None:
    return None if last is None else max((today - last).days, 0)


def _percent(score: float | None) -> float | None:
    # Relapse probabilities are often a few per cent: keep one decimal.
    return None if score is None else round(score * 100, 1)


def diagnosis_label(code: str) -> str:
    label = DIAGNOSIS_LABELS.get((code or "")[:3].upper())
    return str(label) if label else ""


def _require_clinician(request: HttpRequest) -> User:
    user = request.user
    if not (user.is_authenticated and user.is_active and getattr(user, "is_clinician", False)):
        raise PermissionDenied
    return user  # type: ignore[return-value]


# --- The overview list -----------------------------------------------------------------------


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
        gap = params.get("gap", "")
        f.gap = int(gap) if gap.isdigit() and int(gap) in GAP_CHOICES else None
        status = params.get("status", PatientStatus.ACTIVE)
        f.status = status if status in (PatientStatus.ACTIVE, PatientStatus.DISCHARGED, "all") else "active"
        team = params.get("team", "")
        f.team = int(team) if team.isdigit() and int(team) in team_ids else None
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


# How each order reads in the column it sorts by (ARIA: the values shown, not the SQL).
_ARIA_SORT = {"code": "ascending", "-code": "descending", "risk": "descending", "-risk": "ascending"}


def _sort_header(filters: OverviewFilters, key: str) -> dict[str, str]:
    # A second click on the column sorted by reverses it, where a reverse order exists.
    current = filters.sort.lstrip("-") == key
    target = f"-{key}" if filters.sort == key and f"-{key}" in SORTS else key
    return {
        "url": "?" + filters.query(sort=target),
        "aria": _ARIA_SORT.get(filters.sort, "descending") if current else "",
    }


@require_GET
@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    user = _require_clinician(request)
    teams = list(user.care_teams.order_by("name"))
    filters = OverviewFilters.from_query(request.GET, {t.pk for t in teams})
    # "No data for N days" is counted on the (first) team's calendar, close enough for a filter;
    # each row's own figures use the patient's time zone.
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(teams[0].timezone)) if teams else timezone.localdate()
    qs = filters.apply(patients_for_overview(user=user), today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    patients = list(page.object_list)
    model_threshold = active_model_threshold()
    sparks = risk_sparklines(patient_ids=[p.pk for p in patients])
    rows = []
    for p in patients:
        local_today = timezone.localdate(timezone=p.tz)
        threshold = alert_threshold(team=p.care_team, model_threshold=model_threshold)
        rows.append(
            {
                "patient": p,
                "diagnosis_label": diagnosis_label(p.diagnosis),
                "spark": sparkline(sparks.get(p.pk, []), threshold),
                "checkin_days": _days_since(p.last_checkin_on, local_today),  # type: ignore[attr-defined]
                "passive_days": _days_since(p.last_passive_on, local_today),  # type: ignore[attr-defined]
                "gap_days": p.care_team.adherence_gap_days,
                "open_alerts": p.open_alert_count or 0,  # type: ignore[attr-defined]
                "risk_percent": _percent(p.latest_risk_score),  # type: ignore[attr-defined]
            }
        )
    audit_record(
        request=request,
        action=AuditAction.READ,
        resource="patient_overview_page",
        detail={"count": len(patients), "page": page.number},
    )
    sort_headers = {key: _sort_header(filters, key) for key in SORTS if not key.startswith("-")}
    return render(
        request,
        "monitoring/dashboard/patient_list.html",
        {
            "rows": rows,
            "page": page,
            "filters": filters,
            "teams": teams,
            "diagnoses": sorted(DIAGNOSIS_LABELS.items()),
            "bands": BANDS,
            "gap_choices": GAP_CHOICES,
            "sort_headers": sort_headers,
            "page_query": filters.query(),
            "total": page.paginator.count,
        },
    )


# --- One patient's charts -------------------------------------------------------------------


def _iso_date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def chart_range(params: Any, *, today: dt.date) -> tuple[dt.date, dt.date, str]:
    """The range asked for in the query: ?days=30|90|365 first, else ?start=&end=, else 90 days."""
    days_raw = params.get("days", "")
    if days_raw.isdigit() and int(days_raw) in RANGE_PRESETS:
        days = int(days_raw)
        return today - dt.timedelta(days=days - 1), today, str(days)
    start, end = _iso_date(params.get("start", "")), _iso_date(params.get("end", ""))
    if start is not None and end is not None and start <= end and (end - start).days < MAX_RANGE_DAYS:
        return start, end, "custom"
    return today - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1), today, str(DEFAULT_RANGE_DAYS)


def chart_strings() -> dict[str, Any]:
    """Every word the page's script shows, translated on the server."""
    return {
        "loading": _("Loading…"),
        "ready": _("Charts updated: %(start)s to %(end)s."),
        "load_error": _("The data could not be loaded (%(status)s). Try again or reload the page."),
        "range_error": _("Choose a start date on or before the end date, at most %(max)s days apart."),
        "no_data": _("No data in this range."),
        "date": _("Date"),
        "show_table": _("Show data as tables"),
        "show_chart": _("Show charts"),
        "mood": _("Mood (−3 to +3)"),
        "mood_axis": _("mood"),
        "anxiety": _("Anxiety (0–10)"),
        "energy": _("Energy (0–10)"),
        "irritability": _("Irritability (0–10)"),
        "sleep_hours": _("Sleep duration (h)"),
        "sleep_window": _("Asleep (onset → wake)"),
        "sleep_onset": _("Sleep onset"),
        "sleep_wake": _("Wake time"),
        "steps": _("Steps"),
        "time_at_home": _("Time at home (h)"),
        "distance_km": _("Distance travelled (km)"),
        "speech_rate": _("Speech rate (words/min)"),
        "pause_ratio": _("Pause ratio (0–1)"),
        "phq9": _("PHQ-9 total"),
        "gad7": _("GAD-7 total"),
        "asrm": _("ASRM total"),
        "risk_score": _("Relapse risk (next 14 days)"),
        "threshold": _("Alert threshold"),
        "alerts": _("Alerts"),
        "events": _("Clinical events"),
        "bands": {
            "minimal": _("minimal"),
            "mild": _("mild"),
            "moderate": _("moderate"),
            "moderately_severe": _("moderately severe"),
            "severe": _("severe"),
            "below": _("below 6"),
            "hypomania": _("≥ 6: possible (hypo)mania"),
        },
        "event_kinds": {str(k): str(v) for k, v in EVENT_KIND_LABELS.items()},
        "alert_kinds": {
            "risk": _("Relapse risk"),
            "safety": _("Safety"),
            "adherence": _("Adherence"),
            "manual": _("Manual"),
        },
        "alert_status": {"open": _("Open"), "acknowledged": _("Acknowledged"), "resolved": _("Resolved")},
        # Rule alerts store their title in English (the msgid); shown in the reader's language.
        "alert_titles": {title: _(title) for title in RULE_TITLES},
        "severity": {"critical": _("Critical"), "high": _("High"), "medium": _("Medium"), "low": _("Low")},
        "no_alerts": _("No alerts for this patient."),
        "score_of": _("Score of %(date)s"),
        "alerts_unavailable": _("The alert history could not be loaded."),
        "no_explanation": _("No explanation is available for the latest score."),
        "explanation_unavailable": _("The explanation could not be loaded."),
        "raises": _("raises the risk"),
        "lowers": _("lowers the risk"),
        "event_saved": _("Event recorded: %(kind)s on %(date)s."),
        "event_exists": _("This event was already recorded: %(kind)s on %(date)s."),
        "event_outside": _("It is outside the range shown."),
        "event_error": _("The event could not be recorded."),
        "chart_summary": _("%(title)s: %(n)s values over %(days)s days."),
    }


@require_GET
@login_required
def patient_detail(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    user = request.user
    patient = None
    if getattr(user, "is_clinician", False) and user.is_active:
        patient = patient_get_for_clinician(user=user, patient_id=patient_id)  # type: ignore[arg-type]
    if patient is None:
        # Outside one's teams the patient does not exist (404, never 403), but it is logged.
        audit_denied(request=request, resource="patient_dashboard", patient_id=patient_id)
        raise Http404
    overview = patients_with_overview(user=user).filter(pk=patient.pk).first()  # type: ignore[arg-type]
    audit_record(request=request, action=AuditAction.READ, resource="patient_dashboard", patient_id=patient.pk)

    today = timezone.localdate(timezone=patient.tz)
    start, end, preset = chart_range(request.GET, today=today)
    threshold = alert_threshold(team=patient.care_team, model_threshold=active_model_threshold())
    api = f"/api/v1/patients/{patient.pk}"
    is_psychiatrist = getattr(user, "role", "") == Role.PSYCHIATRIST
    return render(
        request,
        "monitoring/dashboard/patient_detail.html",
        {
            "patient": patient,
            "diagnosis_label": diagnosis_label(patient.diagnosis),
            "latest_risk_date": getattr(overview, "latest_risk_date", None),
            "latest_risk_score": getattr(overview, "latest_risk_score", None),
            "latest_risk_percent": _percent(getattr(overview, "latest_risk_score", None)),
            "latest_risk_band": getattr(overview, "latest_risk_band", None),
            "open_alerts": getattr(overview, "open_alert_count", None) or 0,
            "today": today,
            "start": start,
            "end": end,
            "preset": preset,
            "presets": RANGE_PRESETS,
            "max_range_days": MAX_RANGE_DAYS,
            "threshold": threshold,
            "is_psychiatrist": is_psychiatrist,
            "api": {
                "timeline": f"{api}/timeline/",
                "risk_scores": f"{api}/risk-scores/",
                "events": f"{api}/events/",
                "alerts": f"/api/v1/alerts/?patient={patient.pk}&limit=100",
                "export_csv": f"{api}/export/?format=csv",
                "export_fhir": f"{api}/export/?format=fhir",
            },
            "event_kinds": [(str(k), str(v)) for k, v in EVENT_KIND_LABELS.items()],
            "sex_label": str(SEX_LABELS.get(patient.sex, patient.sex)),
            "strings": chart_strings(),
            "list_url": reverse("dashboard_patient_list"),
        },
    )
