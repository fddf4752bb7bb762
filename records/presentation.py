"""How the clinician pages word and draw what they show: labels in the reader's language,
the risk sparkline, percentages, day counts, the chart page's strings and ranges."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from alerts.models import AlertKind
from alerts.rules import RULE_TITLES
from alerts.serializers import language_labels
from patients.models import ClinicalEventKind
from patients.query import date_in_range, int_param

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


def days_since(last: dt.date | None, today: dt.date) -> int | None:
    return None if last is None else max((today - last).days, 0)


def percent(score: float | None) -> float | None:
    # Relapse probabilities are often a few per cent: keep one decimal.
    return None if score is None else round(score * 100, 1)


def diagnosis_label(code: str) -> str:
    label = DIAGNOSIS_LABELS.get((code or "")[:3].upper())
    return str(label) if label else ""


def _iso_date(raw: str) -> dt.date | None:
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        return None
    return value if date_in_range(value) else None


def preset_start(days: int, *, today: dt.date, earliest: dt.date | None) -> dt.date:
    """The first day of a preset range: `days` days up to today, but no earlier than the
    patient's first day (enrolment), so a long view is not half empty."""
    start = today - dt.timedelta(days=days - 1)
    return max(start, min(earliest, today)) if earliest is not None else start


def chart_range(params: Any, *, today: dt.date, earliest: dt.date | None = None) -> tuple[dt.date, dt.date, str]:
    """The range asked for in the query: ?days=30|90|365 first, else ?start=&end=, else 90 days.
    Presets start no earlier than `earliest` (the enrolment day); a custom range is as asked."""
    days = int_param(params, "days")
    if days in RANGE_PRESETS:
        return preset_start(days, today=today, earliest=earliest), today, str(days)
    start, end = _iso_date(params.get("start", "")), _iso_date(params.get("end", ""))
    if start is not None and end is not None and start <= end and (end - start).days < MAX_RANGE_DAYS:
        return start, end, "custom"
    return preset_start(DEFAULT_RANGE_DAYS, today=today, earliest=earliest), today, str(DEFAULT_RANGE_DAYS)


def chart_grid(
    *,
    patient_id: object,
    start: dt.date | str,
    end: dt.date | str,
    time_zone: str,
    role: str,
    first_day: dt.date | str | None = None,
    today: dt.date | str | None = None,
    username: str = "",
    preset: str = "",
    max_days: int = MAX_RANGE_DAYS,
    threshold: float | None = None,
    latest_risk_date: dt.date | None = None,
) -> dict[str, str]:
    """The data-* values of the chart grid (records/dashboard/_patient_grid.html) that the chart
    modules read, as strings: dates in ISO form, numbers unlocalised, blanks where unknown."""

    def day(value: dt.date | str | None) -> str:
        return value.isoformat() if isinstance(value, dt.date) else (value or "")

    return {
        "patient_id": str(patient_id),
        "first_day": day(first_day if first_day is not None else start),
        "username": username,
        "today": day(today if today is not None else end),
        "time_zone": time_zone,
        "start": day(start),
        "end": day(end),
        "preset": preset,
        "max_days": str(max_days),
        "threshold": "" if threshold is None else repr(float(threshold)),
        "latest_risk_date": day(latest_risk_date),
        "role": role,
    }


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
        "mood_axis": pgettext("chart axis", "mood"),
        "anxiety": _("Anxiety (0–10)"),
        "energy": _("Energy (0–10)"),
        "irritability": _("Irritability (0–10)"),
        "sleep_hours": _("Sleep duration (h)"),
        "sleep_window": _("Night sleep (start → end)"),
        "naps": _("Naps"),
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
        "alert_kinds": {value: str(label) for value, label in AlertKind.choices},
        "language": language_labels(),
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
        # The day explained, the episodes of risk and the events list.
        "day_selected": _("%(date)s selected: risk %(risk)s."),
        "day_strip": _("Day explained: %(date)s, risk %(risk)s"),
        "explain_title": _("Explain a day: %(date)s"),
        "day_no_score": _("No risk score on this day."),
        "threshold_is": _("alert threshold %(threshold)s"),
        "reasons_title": _("What raised the risk"),
        "no_reasons": _("No factor raised the risk on this day."),
        "lowering_title": _("What lowered it (not reasons for concern)"),
        "model_version": _("Model %(version)s"),
        "factors_for_psychiatrists": _("The factors behind a score are shown to psychiatrists."),
        "in_episode": _("Episode of risk:"),
        "stay": _("hospital stay"),
        "episode_span": _("%(start)s → %(end)s (%(days)s days), peak %(peak)s on %(peak_date)s."),
        "episode_ongoing": _(
            "From %(start)s, still above the threshold (%(days)s days), peak %(peak)s on %(peak_date)s."
        ),
        "episode_one_day": _("%(start)s only (one day), at %(peak)s."),
        "episode_alert": _("Alert raised for the score of %(date)s (%(status)s)."),
        "no_episodes": _("No episode of risk in this range."),
        "explain_peak": _("Explain the peak day"),
        "episode_label_alert": _("alert raised"),
        "episode_label_none": _("no alert"),
        "note_label": _("Note"),
        "stay_end_label": _("Last day of the stay"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "event_updated": _("Event updated: %(kind)s on %(date)s."),
        "no_events": _("No clinical events recorded."),
        "stay_span": _("%(start)s → %(end)s"),
        "stay_open": _("from %(start)s (last day not recorded)"),
        "recorded_by": _("recorded by %(user)s"),
        "edited": _("edited"),
        "edit": _("Edit"),
        "edit_event": _("Edit the %(kind)s of %(date)s"),
    }
