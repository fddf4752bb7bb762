"""The pre-consultation summary in words: one template per kind of fact, filled with the
numbers of `records.summary` in the active language. Nothing is written that is not in the
facts: every sentence carries the facts it was built from (`facts`, JSON-ready), so a reader
or another system can trace each figure to the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from alerts.factors import raising, relabelled, risk_display
from alerts.models import AlertKind, AlertSeverity, AlertStatus
from patients.formatting import format_date, format_datetime
from patients.models import ClinicalEventKind, Patient

from .summary import (
    MAX_FACTORS,
    MIN_USUAL_DAYS,
    USUAL_DAYS,
    AdherenceFacts,
    EpisodeFacts,
    QuestionnaireFacts,
    RiskFacts,
    SignalFacts,
    SummaryFacts,
    summary_facts,
    summary_period,
)


@dataclass(frozen=True)
class Sentence:
    section: str
    key: str
    text: str
    facts: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"section": self.section, "key": self.key, "text": self.text, "facts": self.facts}


SECTIONS = ("period", "signals", "questionnaires", "adherence", "risk", "alerts", "events", "notes")


def section_titles() -> dict[str, str]:
    return {
        "period": _("Period"),
        "signals": _("Mood, sleep, activity and speech against the patient's usual"),
        "questionnaires": _("Questionnaires"),
        "adherence": _("Adherence"),
        "risk": _("Relapse risk"),
        "alerts": _("Alerts and what was done"),
        "events": _("Clinical events"),
        "notes": _("The patient's notes for this appointment"),
    }


def _day_count(n: int) -> str:
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


def _number(value: float, decimals: int, *, signed: bool = False) -> str:
    text = formats.number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return f"+{text}" if signed and round(value, decimals) > 0 else text


def _iso(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


def _facts(**values: Any) -> dict[str, Any]:
    return {key: _iso(value) for key, value in values.items()}


# --- period -------------------------------------------------------------------------------------


def _period(facts: SummaryFacts) -> list[Sentence]:
    p = facts.period
    values = {"start": format_date(p.start), "end": format_date(p.end), "days": _day_count(p.days)}
    if p.consultation is not None:
        text = _("From %(start)s to %(end)s (%(days)s), since the last consultation on %(consultation)s.") % {
            **values,
            "consultation": format_date(p.consultation),
        }
    else:
        text = _("From %(start)s to %(end)s (%(days)s).") % values
    return [
        Sentence(
            "period",
            "period",
            text,
            _facts(start=p.start, end=p.end, days=p.days, basis=p.basis, consultation=p.consultation),
        )
    ]


# --- signals ------------------------------------------------------------------------------------


def _signal_names() -> dict[str, str]:
    return {
        "mood": _("Mood"),
        "sleep_hours": _("Sleep"),
        "steps": _("Activity"),
        "speech_rate_wpm": _("Speech rate"),
    }


def _with_unit(measure: str, text: str) -> str:
    if measure == "sleep_hours":
        return _("%(value)s h") % {"value": text}
    if measure == "steps":
        return _("%(value)s steps") % {"value": text}
    if measure == "speech_rate_wpm":
        return _("%(value)s words/min") % {"value": text}
    return text


def _comparison(s: SignalFacts) -> str:
    if s.usual is None:
        return _("no usual value yet (fewer than %(n)s days of data in the %(days)s days before)") % {
            "n": MIN_USUAL_DAYS,
            "days": USUAL_DAYS,
        }
    values = {
        "usual": _with_unit(s.measure, _number(s.usual, s.decimals, signed=s.measure == "mood")),
        "days": USUAL_DAYS,
    }
    if s.direction == "above":
        return _("above the patient's usual %(usual)s (the %(days)s days before)") % values
    if s.direction == "below":
        return _("below the patient's usual %(usual)s (the %(days)s days before)") % values
    return _("close to the patient's usual %(usual)s (the %(days)s days before)") % values


def _signal(s: SignalFacts) -> Sentence:
    facts = _facts(
        measure=s.measure,
        days_with_data=s.days_with_data,
        mean=s.mean,
        low=s.low,
        high=s.high,
        usual=s.usual,
        usual_sd=s.usual_sd,
        usual_days=s.usual_days,
        direction=s.direction,
        source="daily_summaries",
    )
    if s.mean is None or s.low is None or s.high is None:
        text = _("%(measure)s: no data in this period.") % {"measure": _signal_names()[s.measure]}
        return Sentence("signals", s.measure, text, facts)
    signed = s.measure == "mood"
    values = {
        "mean": _number(s.mean, s.decimals, signed=signed),
        "low": _number(s.low, s.decimals, signed=signed),
        "high": _number(s.high, s.decimals, signed=signed),
        "days": s.days_with_data,
        "comparison": _comparison(s),
    }
    templates = {
        "mood": _(
            "Mood: mean %(mean)s (scale −3 to +3) over %(days)s days with a check-in, range %(low)s to "
            "%(high)s; %(comparison)s."
        ),
        "sleep_hours": _(
            "Sleep: %(mean)s h a night on average over %(days)s nights measured, range %(low)s to "
            "%(high)s h; %(comparison)s."
        ),
        "steps": _("Activity: %(mean)s steps a day on average over %(days)s days measured; %(comparison)s."),
        "speech_rate_wpm": _(
            "Speech rate: %(mean)s words/min on average over %(days)s days with a voice diary; %(comparison)s."
        ),
    }
    return Sentence("signals", s.measure, templates[s.measure] % values, facts)


# --- questionnaires ------------------------------------------------------------------------------


def band_label(severity: str) -> str:
    return {
        "minimal": pgettext("questionnaire band", "minimal"),
        "mild": pgettext("questionnaire band", "mild"),
        "moderate": pgettext("questionnaire band", "moderate"),
        "moderately_severe": pgettext("questionnaire band", "moderately severe"),
        "severe": pgettext("questionnaire band", "severe"),
        "below_threshold": pgettext("questionnaire band", "below the mania threshold of 6"),
        "likely_mania_or_hypomania": pgettext("questionnaire band", "6 or more: hypomania or mania likely"),
    }.get(severity, severity)


def _skipped_text(q: QuestionnaireFacts) -> str:
    """What the patient skipped, added to the instrument's sentence (blank when nothing was)."""
    parts = []
    if q.prorated:
        parts.append(
            ngettext(
                "%(n)s score was prorated over skipped questions.",
                "%(n)s scores were prorated over skipped questions.",
                q.prorated,
            )
            % {"n": q.prorated}
        )
    if q.unscored_days:
        parts.append(
            ngettext(
                "%(n)s response had too many questions skipped to be scored (%(dates)s).",
                "%(n)s responses had too many questions skipped to be scored (%(dates)s).",
                len(q.unscored_days),
            )
            % {"n": len(q.unscored_days), "dates": ", ".join(format_date(d) for d in q.unscored_days)}
        )
    return " ".join(parts)


def _item9_not_answered(q: QuestionnaireFacts) -> Sentence:
    days = q.item9_not_answered_days
    text = _(
        "PHQ-9 item 9 (thoughts of death or of self-harm) not answered on %(dates)s: no safety alert could be "
        "raised; ask about it."
    ) % {"dates": ", ".join(format_date(d) for d in days)}
    return Sentence("questionnaires", "item9_not_answered", text, _facts(days=days, source="questionnaire_responses"))


def _questionnaire_sentences(q: QuestionnaireFacts) -> list[Sentence]:
    sentences = [_questionnaire(q)]
    if q.item9_not_answered_days:
        sentences.append(_item9_not_answered(q))
    return sentences


def _questionnaire(q: QuestionnaireFacts) -> Sentence:
    sentence = _questionnaire_scored(q)
    skipped = _skipped_text(q)
    if not (q.unscored_days or q.prorated):
        return sentence
    facts = {**sentence.facts, "unscored_days": [_iso(d) for d in q.unscored_days], "prorated": q.prorated}
    text = f"{sentence.text} {skipped}" if sentence.text else skipped
    return Sentence(sentence.section, sentence.key, text, facts)


def _questionnaire_scored(q: QuestionnaireFacts) -> Sentence:
    facts = _facts(instrument=q.instrument, trend=q.trend, count=len(q.responses), source="questionnaire_responses")
    facts["responses"] = [{k: _iso(v) for k, v in r.items()} for r in q.responses]
    first, last, high = q.first, q.last, q.highest
    if first is None or last is None or high is None:
        return Sentence("questionnaires", q.instrument, _("%(name)s:") % {"name": q.instrument}, facts)
    values = {
        "name": q.instrument,
        "n": len(q.responses),
        "first": first["total"],
        "first_band": band_label(first["severity"]),
        "first_date": format_date(first["day"]),
        "last": last["total"],
        "last_band": band_label(last["severity"]),
        "last_date": format_date(last["day"]),
        "high": high["total"],
        "high_band": band_label(high["severity"]),
        "high_date": format_date(high["day"]),
    }
    if q.trend == "single":
        text = _("%(name)s: one response, %(last)s (%(last_band)s) on %(last_date)s.") % values
    elif q.trend == "up":
        text = (
            _(
                "%(name)s rose from %(first)s (%(first_band)s) on %(first_date)s to %(last)s (%(last_band)s) on "
                "%(last_date)s over %(n)s responses; highest %(high)s (%(high_band)s) on %(high_date)s."
            )
            % values
        )
    elif q.trend == "down":
        text = (
            _(
                "%(name)s fell from %(first)s (%(first_band)s) on %(first_date)s to %(last)s (%(last_band)s) on "
                "%(last_date)s over %(n)s responses; highest %(high)s (%(high_band)s) on %(high_date)s."
            )
            % values
        )
    else:
        text = (
            _(
                "%(name)s was %(last)s (%(last_band)s) on %(first_date)s and on %(last_date)s, over %(n)s responses; "
                "highest %(high)s (%(high_band)s) on %(high_date)s."
            )
            % values
        )
    return Sentence("questionnaires", q.instrument, text, facts)


# --- adherence ----------------------------------------------------------------------------------


def _adherence(a: AdherenceFacts) -> list[Sentence]:
    logging = Sentence(
        "adherence",
        "logging",
        _(
            "Check-ins on %(checkins)s of %(days)s days; phone sensor data on %(sensors)s of %(days)s days; "
            "%(questionnaires)s."
        )
        % {
            "checkins": a.checkin_days,
            "sensors": a.sensor_days,
            "days": a.period_days,
            "questionnaires": ngettext(
                "%(n)s questionnaire completed", "%(n)s questionnaires completed", a.questionnaires
            )
            % {"n": a.questionnaires},
        },
        _facts(
            period_days=a.period_days,
            checkin_days=a.checkin_days,
            sensor_days=a.sensor_days,
            questionnaires=a.questionnaires,
            source="daily_summaries",
        ),
    )
    if a.medication_logged_days:
        text = _("Medication reported as not taken on %(missed)s of the %(logged)s days it was logged.") % {
            "missed": a.medication_missed_days,
            "logged": a.medication_logged_days,
        }
    else:
        text = _("Medication intake was not logged in this period.")
    medication = Sentence(
        "adherence",
        "medication",
        text,
        _facts(
            medication_logged_days=a.medication_logged_days,
            medication_missed_days=a.medication_missed_days,
            source="daily_summaries",
        ),
    )
    return [logging, medication]


# --- risk -----------------------------------------------------------------------------------------


def _risk_text(score: float, threshold: float | None) -> dict[str, Any]:
    return risk_display(score, threshold)


def _risk(r: RiskFacts, *, explain: bool, tz: Any) -> list[Sentence]:
    base = _facts(
        scored_days=r.scored_days,
        threshold=r.threshold,
        days_above=r.days_above,
        latest_date=r.latest_date,
        latest_score=r.latest_score,
        highest_date=r.highest_date,
        highest_score=r.highest_score,
        source="risk_scores",
    )
    if r.latest_score is None or r.highest_score is None or r.latest_date is None or r.highest_date is None:
        return [Sentence("risk", "risk", _("No relapse-risk score in this period."), base)]
    latest = _risk_text(r.latest_score, r.threshold)
    highest = _risk_text(r.highest_score, r.threshold)
    threshold_text = latest.get("threshold_text") or "?"
    values = {
        "threshold": threshold_text,
        "n": r.scored_days,
        "above": r.days_above,
        "latest": latest["text"],
        "band": latest["band_label"],
        "latest_date": format_date(r.latest_date),
        "high": highest["text"],
        "high_date": format_date(r.highest_date),
    }
    if not r.episodes:
        text = (
            _(
                "The relapse risk stayed below the alert threshold (%(threshold)s) on all %(n)s scored days; highest "
                "%(high)s on %(high_date)s, latest %(latest)s (%(band)s) on %(latest_date)s."
            )
            % values
        )
        return [Sentence("risk", "risk", text, base)]
    text = (
        _(
            "The relapse risk was above the alert threshold (%(threshold)s) on %(above)s of %(n)s scored days; latest "
            "%(latest)s (%(band)s) on %(latest_date)s."
        )
        % values
    )
    sentences = [Sentence("risk", "risk", text, base)]
    for episode in r.episodes:
        sentences.append(_episode(episode, explain=explain, tz=tz))
    return sentences


def _no_alert_reasons() -> dict[str, str]:
    return {
        "paused": _("no risk alert: the care team's risk alerts were paused"),
        "already_open": _("no new risk alert: one raised before was still open"),
        "quiet_period": _("no new risk alert: one was raised less than a week before"),
        "scored_without_alerts": _("no risk alert: these days were scored without the alert rules (history)"),
    }


def _episode(e: EpisodeFacts, *, explain: bool, tz: Any) -> Sentence:
    peak = _risk_text(e.peak_score, e.threshold)
    values = {
        "start": format_date(e.start),
        "end": format_date(e.end),
        "days": _day_count(e.days),
        "peak": peak["text"],
        "peak_date": format_date(e.peak_date),
    }
    if e.alert is not None and e.alert_created_at is not None:
        outcome = _("a risk alert was raised on %(when)s") % {"when": format_datetime(e.alert_created_at, tz)}
    else:
        outcome = _no_alert_reasons().get(e.no_alert_reason or "", _("no risk alert was raised"))
    template = (
        _(
            "From %(start)s to %(end)s (%(days)s, still ongoing) the risk was above the threshold, peaking at "
            "%(peak)s on %(peak_date)s; %(outcome)s."
        )
        if e.ongoing
        else _(
            "From %(start)s to %(end)s (%(days)s) the risk was above the threshold, peaking at %(peak)s on "
            "%(peak_date)s; %(outcome)s."
        )
    )
    text = template % {**values, "outcome": outcome}
    facts = _facts(
        start=e.start,
        end=e.end,
        days=e.days,
        ongoing=e.ongoing,
        peak_date=e.peak_date,
        peak_score=e.peak_score,
        threshold=e.threshold,
        alert=e.alert,
        alert_created_at=e.alert_created_at,
        no_alert_reason=e.no_alert_reason,
        source="risk_scores",
    )
    if explain:
        raised = [f for f in raising(relabelled(e.factors)) if isinstance(f, dict)][:MAX_FACTORS]
        labels = [str(f["label"]) for f in raised if f.get("label")]
        if labels:
            text += " " + _("What raised it at the peak: %(factors)s.") % {"factors": "; ".join(labels)}
        facts["factors"] = [
            {"feature": f.get("feature"), "label": f.get("label"), "params": f.get("params"), "weight": f.get("weight")}
            for f in raised
        ]
    return Sentence("risk", "episode", text, facts)


# --- alerts, events, notes ---------------------------------------------------------------------


def _choice(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value.replace("_", " ")


def _alert(alert: dict[str, Any], facts: SummaryFacts) -> Sentence:
    tz = facts.tz
    values = {
        "kind": _choice(AlertKind, alert["kind"]),
        "severity": _choice(AlertSeverity, alert["severity"]).lower(),
        "when": format_datetime(alert["created_at"], tz),
    }
    if alert["status"] == AlertStatus.RESOLVED and alert["resolved_at"] is not None:
        outcome_values = {
            "who": alert["resolved_by"] or "?",
            "when": format_datetime(alert["resolved_at"], tz),
            "note": alert["resolution_note"],
        }
        outcome = (
            _("resolved by %(who)s on %(when)s: “%(note)s”") % outcome_values
            if alert["resolution_note"]
            else _("resolved by %(who)s on %(when)s, without a note") % outcome_values
        )
    elif alert["acknowledged_at"] is not None:
        outcome = _("acknowledged by %(who)s on %(when)s, not resolved yet") % {
            "who": alert["acknowledged_by"] or "?",
            "when": format_datetime(alert["acknowledged_at"], tz),
        }
    else:
        outcome = _("still open: nobody has acknowledged it yet")
    text = _("%(kind)s alert (%(severity)s) raised on %(when)s: %(outcome)s.") % {**values, "outcome": outcome}
    return Sentence("alerts", "alert", text, _facts(source="alerts", **alert))


def _event(event: dict[str, Any]) -> Sentence:
    values = {
        "kind": _choice(ClinicalEventKind, event["kind"]),
        "date": format_date(event["date"]),
        "end": format_date(event["end_date"]) if event.get("end_date") else "",
        "note": event["note"],
    }
    if event.get("end_date"):
        text = (
            _("%(kind)s from %(date)s to %(end)s: “%(note)s”") % values
            if event["note"]
            else _("%(kind)s from %(date)s to %(end)s.") % values
        )
    else:
        text = _("%(kind)s on %(date)s: “%(note)s”") % values if event["note"] else _("%(kind)s on %(date)s.") % values
    return Sentence("events", "event", text, _facts(source="clinical_events", **event))


def _note(note: dict[str, Any], facts: SummaryFacts) -> Sentence:
    text = _("On %(when)s the patient wrote, for this appointment: “%(note)s”") % {
        "when": format_datetime(note["recorded_at"], facts.tz),
        "note": note["note"],
    }
    return Sentence("notes", "note", text, _facts(source="checkins", **note))


def summary_sentences(facts: SummaryFacts, *, explain: bool) -> list[Sentence]:
    """The summary's sentences in SECTIONS order. `explain`: include the factors of the
    scores (psychiatrists only, as the risk-score API)."""
    sentences = _period(facts)
    sentences += [_signal(s) for s in facts.signals]
    if facts.questionnaires:
        sentences += [sentence for q in facts.questionnaires for sentence in _questionnaire_sentences(q)]
    else:
        sentences.append(
            Sentence("questionnaires", "none", _("No questionnaire was completed in this period."), {"count": 0})
        )
    if facts.adherence is not None:
        sentences += _adherence(facts.adherence)
    if facts.risk is not None:
        sentences += _risk(facts.risk, explain=explain, tz=facts.tz)
    if facts.alerts:
        sentences += [_alert(a, facts) for a in facts.alerts]
    else:
        sentences.append(Sentence("alerts", "none", _("No alert in this period."), {"count": 0}))
    if facts.events:
        sentences += [_event(e) for e in facts.events]
    else:
        sentences.append(Sentence("events", "none", _("No clinical event was recorded in this period."), {"count": 0}))
    if facts.notes:
        sentences += [_note(n, facts) for n in facts.notes]
    else:
        sentences.append(
            Sentence("notes", "none", _("The patient flagged no note for this appointment."), {"count": 0})
        )
    return sentences


def summary_document(facts: SummaryFacts, *, explain: bool) -> dict[str, Any]:
    """The summary as the API returns it and the page and PDF render it."""
    sentences = summary_sentences(facts, explain=explain)
    titles = section_titles()
    return {
        "title": _("Pre-consultation summary"),
        "language": translation.get_language() or "en",
        "patient": str(facts.patient.pk),
        "patient_code": facts.patient.code,
        "start": facts.period.start.isoformat(),
        "end": facts.period.end.isoformat(),
        "period_basis": facts.period.basis,
        "generated_at": facts.generated_at.isoformat(),
        "generated_at_display": format_datetime(facts.generated_at, facts.tz),
        "explanations_included": explain,
        "sections": [
            {
                "key": key,
                "title": titles[key],
                "sentences": [s.as_dict() for s in sentences if s.section == key],
            }
            for key in SECTIONS
        ],
    }


def patient_summary(
    *, patient: Patient, start: date | None, end: date | None, explain: bool, now: datetime
) -> dict[str, Any]:
    """The pre-consultation summary of a patient for a period (default: since the latest
    consultation, or the last 30 days, to the patient's today)."""
    today = timezone.localdate(now, timezone=patient.tz)
    period = summary_period(patient=patient, start=start, end=end, today=today)
    return summary_document(summary_facts(patient=patient, period=period, now=now), explain=explain)


def patient_summary_if_any(*, patient: Patient, now: datetime) -> dict[str, Any] | None:
    """The summary of the default period where one exists: None when the period holds nothing
    to summarise (SummaryFacts.has_data), as for a patient with no data yet."""
    period = summary_period(patient=patient, start=None, end=None, today=timezone.localdate(now, timezone=patient.tz))
    facts = summary_facts(patient=patient, period=period, now=now)
    return summary_document(facts, explain=False) if facts.has_data else None
