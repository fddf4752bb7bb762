"""The risk vocabulary every reader shares (the alert desk, the alert API and socket, the
charts' API, the patient pages, and scoring, which stores the English wording):

- the band rule (`band_for`) and how a score reads (`risk_display`: percent, the threshold in
  the same unit, the band named with its meaning; `BANDS_EXPLAINED` for a page);
- explanation factors in a nurse's words, with numbers and their units, in the reader's
  language (`factor_label`), and which of them raised the risk (`raising`, `lowering`).

A stored factor keeps its `params` (the numbers); `factor_label` renders the sentence in the
active language, so the same score reads in French or English. Browser code formats a score
with `formatRisk` of patients/static/patients/js/format.js, which gives the same text as
`risk_display(...)["text"]`."""

from __future__ import annotations

import contextvars
import math
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext_lazy

# English is the source language: the msgids are the English labels. Scoring stores labels in
# English for thousands of factors a chunk, and Django's gettext costs ~15 us a call (it
# looks up the active language in a context-local), so `english()` skips the lookup.
_source_language = contextvars.ContextVar("labels_source_language", default=False)


def _(message: str) -> str:
    return message if _source_language.get() else translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    if _source_language.get():
        return singular if count == 1 else plural
    return translation.ngettext(singular, plural, count)


@contextmanager
def english() -> Iterator[None]:
    """Render labels in English, the source language, without the translation machinery."""
    token = _source_language.set(True)
    try:
        yield
    finally:
        _source_language.reset(token)


# --- the risk of a score ----------------------------------------------------------------------

BANDS = ("low", "medium", "high")


def band_for(score: float, threshold: float, medium_ratio: float = 0.5) -> str:
    """The one band rule. high: at or above the operating threshold (what raises a risk
    alert); medium: at or above `medium_ratio` x threshold, the threshold that would give four
    times the alert budget (ml.serving.RiskModel.medium_ratio); low: below."""
    if score >= threshold:
        return "high"
    if score >= threshold * medium_ratio:
        return "medium"
    return "low"


BANDS_EXPLAINED = gettext_lazy(
    "Risk is the model's estimated chance of a relapse within the next 14 days, in percent: "
    "high at or above the care team's alert threshold, medium below it but close to it, "
    "low well below it."
)

_NO_VALUE = "\u2014"  # an em dash: no score (or no threshold) to show


def _band_label(band: str) -> str:
    return {"low": _("low risk"), "medium": _("medium risk"), "high": _("high risk")}[band]


def _band_meaning(band: str) -> str:
    return {
        "high": _("at or above the alert threshold: the model flags a raised risk of relapse within 14 days"),
        "medium": _("below the alert threshold but close to it: worth watching, no alert is raised"),
        "low": _("well below the alert threshold: no sign of a raised risk of relapse"),
    }[band]


def _percent(score: float) -> float:
    """The score in percent, one decimal, rounded half up on the float's exact value: what
    JavaScript's toFixed(1) gives, so format.js's formatRisk writes the same digits."""
    return float(Decimal(score * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _percent_text(percent: float) -> str:
    """ "4.8%" in English; "4,8 %" in French (comma, and a no-break space U+00A0 before %)."""
    text = f"{percent:.1f}"
    language = "en" if _source_language.get() else (translation.get_language() or "en")
    if language.split("-")[0] == "fr":
        return text.replace(".", ",") + "\u00a0%"
    return text + "%"


def risk_display(
    score: float | None,
    threshold: float | None,
    *,
    band: str | None = None,
    medium_ratio: float = 0.5,
) -> dict[str, Any]:
    """How a risk score reads everywhere, in the active language:

    percent (float, one decimal, or None), text ("4.8%", French "4,8 %"; an em dash without a
    score), threshold_percent, threshold_text (the threshold in the same unit), band
    ("low" | "medium" | "high" | None), band_label ("high risk"), band_meaning (one sentence).

    `band` is the band stored with the score (RiskScore.band, computed with the model's own
    medium ratio); without it the band is computed here with `medium_ratio`."""
    if score is not None and not math.isfinite(float(score)):
        score = None
    if threshold is not None and not math.isfinite(float(threshold)):
        threshold = None
    percent = None if score is None else _percent(float(score))
    threshold_percent = None if threshold is None else _percent(float(threshold))
    if band is None and score is not None and threshold is not None:
        band = band_for(float(score), float(threshold), medium_ratio)
    if band not in BANDS:
        band = None
    return {
        "percent": percent,
        "text": _NO_VALUE if percent is None else _percent_text(percent),
        "threshold_percent": threshold_percent,
        "threshold_text": _NO_VALUE if threshold_percent is None else _percent_text(threshold_percent),
        "band": band,
        "band_label": _band_label(band) if band else "",
        "band_meaning": _band_meaning(band) if band else "",
    }


# --- which factors raised the risk --------------------------------------------------------------

# Features where a higher value is worse for every diagnosis (questionnaire totals); a lower
# value than before (or than usual) is an improvement, whatever the model's weight says.
_HIGHER_IS_WORSE = ("phq9", "gad7", "asrm")


# Factors that are not a change but a lasting risk the patient carries (ml.features: the
# relapse history): listed after what changed.
_STANDING = ("history",)


def _is_improvement(factor: dict[str, Any]) -> bool:
    feature, p = factor.get("feature"), factor.get("params") or {}
    if not isinstance(p, dict):
        return False
    value = p.get("value")
    if feature in _HIGHER_IS_WORSE and value is not None:
        before = p.get("previous") if p.get("previous") is not None else p.get("usual")
        return before is not None and value < before
    if feature in ("logging", "sensors", "wearable"):
        if (p.get("days_since") or 0) >= 2:
            return False
        days7, usual7 = p.get("days7"), p.get("usual7")
        return days7 is not None and usual7 is not None and days7 >= usual7
    if feature == "medication":
        return not (p.get("missed7") or 0)
    return False


def _raised(factor: Any) -> bool:
    if not isinstance(factor, dict):
        return False
    weight = factor.get("weight")
    up = factor.get("direction") == "up" if weight is None else float(weight) > 0
    return up and not _is_improvement(factor)


def raising(factors: Any) -> list[dict[str, Any]]:
    """The stored explanation factors that raised the risk: those the model weighs upwards
    (direction "up", weight > 0), less the improvements (a questionnaire total lower than
    before or than usual, check-ins or sensor days at least as usual, no missed medication),
    which the model may weigh upwards but a reader must never see as a reason for alarm.
    What alerts list: what changed first, then the lasting risks (the relapse history), each
    part in the model's order."""
    if not isinstance(factors, list):
        return []
    return sorted((f for f in factors if _raised(f)), key=lambda f: f.get("feature") in _STANDING)


def lowering(factors: Any) -> list[dict[str, Any]]:
    """Every other stored factor: those that lowered the risk, and the improvements."""
    if not isinstance(factors, list):
        return []
    return [f for f in factors if isinstance(f, dict) and not _raised(f)]


# --- factors in words ---------------------------------------------------------------------------

# channel -> (noun phrase, unit kind)
_CHANNEL_NAMES = {
    "mood": lambda: _("mood"),
    "anxiety": lambda: _("anxiety"),
    "energy": lambda: _("energy"),
    "irritability": lambda: _("irritability"),
    "sleep_quality": lambda: _("sleep quality"),
    "sleep_efficiency": lambda: _("sleep efficiency"),
    "steps": lambda: _("steps"),
    "time_at_home": lambda: _("time at home"),
    "distance": lambda: _("distance travelled"),
    "speech_rate": lambda: _("speech rate"),
    "pause": lambda: _("pauses in speech"),
    "pitch_sd": lambda: _("voice pitch variability"),
    "screen": lambda: _("phone screen time"),
    "unlocks": lambda: _("phone unlocks"),
    "activity_mean": lambda: _("wrist activity"),
    "activity_zero_share": lambda: _("motionless time (wrist)"),
    "rhythm_is": lambda: _("regularity of the daily rhythm from day to day (wrist)"),
    "rhythm_iv": lambda: _("fragmentation of rest and activity (wrist)"),
    "rhythm_ra": lambda: _("contrast between day and night activity (wrist)"),
    "rhythm_l5": lambda: _("activity in the quietest 5 hours (wrist)"),
    "rhythm_m10": lambda: _("activity in the most active 10 hours (wrist)"),
}
_PERCENT_CHANNELS = {"steps", "distance", "unlocks", "screen", "activity_mean", "rhythm_l5", "rhythm_m10"}
# Rest-activity rhythm indices without a unit (IS and RA 0-1, IV 0-2): two decimals.
_INDEX_CHANNELS = {"rhythm_is", "rhythm_iv", "rhythm_ra"}
_SCALE_CHANNELS = {"anxiety", "energy", "irritability", "sleep_quality"}  # self-reports 0-10
_QUESTIONNAIRES = {"phq9": ("PHQ-9", 27), "gad7": ("GAD-7", 21), "asrm": ("ASRM", 20)}


def _amount(feature: str, value: float | None) -> str:
    """A channel's value with its unit: "340 unlocks a day", "6.0/10", "128 words a minute"."""
    if feature == "steps":
        return _("%(n)s steps a day") % {"n": _fmt(value, 0)}
    if feature == "distance":
        return _("%(n)s km a day") % {"n": _fmt(value)}
    if feature == "unlocks":
        return _("%(n)s unlocks a day") % {"n": _fmt(value, 0)}
    if feature == "screen":
        return _("%(n)s minutes of screen time a day") % {"n": _fmt(value, 0)}
    if feature in ("activity_mean", "rhythm_l5", "rhythm_m10"):
        return _("%(n)s activity counts a minute") % {"n": _fmt(value, 0)}
    if feature in _INDEX_CHANNELS:
        return _fmt(value, 2)
    if feature == "time_at_home":
        return _("%(n)s minutes a day") % {"n": _fmt(value, 0)}
    if feature == "speech_rate":
        return _("%(n)s words a minute") % {"n": _fmt(value, 0)}
    if feature == "pitch_sd":
        return _("%(n)s Hz") % {"n": _fmt(value)}
    if feature in _SCALE_CHANNELS:
        return _("%(n)s/10") % {"n": _fmt(value)}
    if feature == "mood":
        return _("%(n)s on the -3 to +3 scale") % {"n": _fmt(value)}
    return _fmt(value)


def _difference(feature: str, delta: float) -> str:
    """A change with its unit: "2.0 points", "120 minutes", "12 words a minute"."""
    if feature in _SCALE_CHANNELS or feature == "mood":
        return _("%(n)s points") % {"n": _fmt(delta)}
    if feature == "time_at_home":
        return _("%(n)s minutes") % {"n": _fmt(delta, 0)}
    if feature in ("speech_rate", "pitch_sd"):
        return _amount(feature, delta)
    if feature in _INDEX_CHANNELS:
        return _fmt(delta, 2)
    return _fmt(delta)


def _fmt(value: float | None, digits: int = 1) -> str:
    """The number with the active language's decimal separator ("2,1 h" in French)."""
    if value is None:
        return "?"
    text = f"{value:.{digits}f}"
    if digits and not _source_language.get():
        separator = formats.get_format("DECIMAL_SEPARATOR")
        if separator != ".":
            text = text.replace(".", separator)
    return text


def _days(n: float | None) -> str:
    count = int(n or 0)
    return ngettext("%(n)d day", "%(n)d days", count) % {"n": count}


def _ago(n: float | None) -> str:
    """How long ago, in the unit a clinician would say: days under two months, then months
    under two years, then years."""
    days = int(n or 0)
    if days < 60:
        return _days(days)
    if days < 730:
        months = round(days / 30.44)
        return ngettext("%(n)d month", "%(n)d months", months) % {"n": months}
    years = round(days / 365.25)
    return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}


def _history_label(p: dict[str, Any]) -> str:
    """The relapse history: a lasting risk the patient carries, said so that no reader takes
    it for a new warning sign."""
    episodes = int(p.get("episodes") or 0)
    if episodes < 1:
        return _("no relapse or hospitalisation recorded before")
    ago = _ago(p.get("days_since"))
    if episodes == 1:
        return _("has relapsed before (1 episode recorded, %(ago)s ago): a lasting risk, not a new sign") % {"ago": ago}
    return _("has relapsed before (%(n)d episodes recorded, the last %(ago)s ago): a lasting risk, not a new sign") % {
        "n": episodes,
        "ago": ago,
    }


def relabelled(factors: Any) -> Any:
    """Stored explanation factors with each `label` rendered in the active language from the
    factor's numbers (`params`, which scoring always stores); anything else keeps its stored
    label."""
    if not isinstance(factors, list):
        return factors
    return [
        {**f, "label": factor_label(f["feature"], f["params"])}
        if isinstance(f, dict) and isinstance(f.get("feature"), str) and isinstance(f.get("params"), dict)
        else f
        for f in factors
    ]


def factor_label(feature: str, params: dict[str, Any]) -> str:
    """One factor as a sentence, e.g. "sleep 2.1 h below this patient's usual"."""
    p = params or {}
    value, usual = p.get("value"), p.get("usual")
    if feature == "logging":
        since = p.get("days_since") or 0
        if since >= 2:
            return _("mood logs stopped %(days)s ago") % {"days": _days(since)}
        return _("check-ins on %(n)s of the last 7 days (usually %(usual)s days of 7)") % {
            "n": int(p.get("days7") or 0),
            "usual": _fmt(p.get("usual7")),
        }
    if feature == "sensors":
        since = p.get("days_since") or 0
        if since >= 2:
            return _("no phone sensor data for %(days)s") % {"days": _days(since)}
        return _("phone sensor data on %(n)s of the last 7 days (usually %(usual)s days of 7)") % {
            "n": int(p.get("days7") or 0),
            "usual": _fmt(p.get("usual7")),
        }
    if feature == "wearable":
        since = p.get("days_since") or 0
        if since >= 2:
            return _("no wrist activity data for %(days)s") % {"days": _days(since)}
        return _("wrist activity data on %(n)s of the last 7 days (usually %(usual)s days of 7)") % {
            "n": int(p.get("days7") or 0),
            "usual": _fmt(p.get("usual7")),
        }
    if feature == "history":
        return _history_label(p)
    if feature == "medication":
        return _("medication missed on %(missed)s of the last %(logged)s logged days") % {
            "missed": int(p.get("missed7") or 0),
            "logged": int(p.get("logged7") or 0),
        }
    if feature in _QUESTIONNAIRES:
        name, top = _QUESTIONNAIRES[feature]
        if p.get("previous") is not None and value is not None:
            return _("%(name)s %(value)s/%(max)s (previous %(previous)s)") % {
                "name": name,
                "value": _fmt(value, 0),
                "max": top,
                "previous": _fmt(p["previous"], 0),
            }
        return _("%(name)s %(value)s/%(max)s (usually %(usual)s)") % {
            "name": name,
            "value": _fmt(value, 0),
            "max": top,
            "usual": _fmt(usual, 0),
        }
    if feature in ("depressive_signs", "manic_signs", "psychotic_signs"):
        return {
            "depressive_signs": _("several signs of a depressive pattern together"),
            "manic_signs": _("several signs of a manic pattern together"),
            "psychotic_signs": _("several signs of a psychotic pattern together"),
        }[feature]
    if value is None or usual is None:
        since = p.get("days_since")
        return _("no recent %(what)s data (last %(days)s ago)") % {
            "what": _CHANNEL_NAMES.get(feature, lambda: feature)() if feature != "sleep_hours" else _("sleep"),
            "days": _days(since) if since is not None else "?",
        }
    delta = value - usual
    if feature == "sleep_hours":
        template = (
            _("sleep %(delta)s h above this patient's usual (%(value)s h vs %(usual)s h)")
            if delta >= 0
            else _("sleep %(delta)s h below this patient's usual (%(value)s h vs %(usual)s h)")
        )
        return template % {"delta": _fmt(abs(delta)), "value": _fmt(value), "usual": _fmt(usual)}
    if feature == "sleep_mid":
        sd7, usual_sd = p.get("sd7"), p.get("usual_sd")
        if sd7 is not None and usual_sd is not None and (p.get("vol7") or 0) > abs(p.get("z7") or 0) / 2:
            return _("irregular sleep times: midpoint varies by %(sd)s h (usually %(usual)s h)") % {
                "sd": _fmt(sd7),
                "usual": _fmt(usual_sd),
            }
        template = (
            _("sleeping %(delta)s h later than usual") if delta >= 0 else _("sleeping %(delta)s h earlier than usual")
        )
        return template % {"delta": _fmt(abs(delta))}
    name = _CHANNEL_NAMES.get(feature, lambda: feature)()
    vol7, z7 = p.get("vol7"), p.get("z7")
    if vol7 is not None and z7 is not None and abs(vol7) > abs(z7) and abs(vol7) > 0.3:
        return (
            _("%(what)s more variable than usual from day to day")
            if vol7 > 0
            else _("%(what)s unusually steady from day to day")
        ) % {"what": name}
    if feature in _PERCENT_CHANNELS and usual:
        pct = abs(delta) / abs(usual) * 100
        template = (
            _("%(what)s %(pct)s%% above usual (%(value)s vs usually %(usual)s)")
            if delta >= 0
            else _("%(what)s %(pct)s%% below usual (%(value)s vs usually %(usual)s)")
        )
        return template % {
            "what": name,
            "pct": _fmt(pct, 0),
            "value": _amount(feature, value),
            "usual": _fmt(usual, 1 if feature == "distance" else 0),
        }
    if feature in ("pause", "sleep_efficiency", "activity_zero_share"):
        template = (
            _("%(what)s up: %(value)s%% vs usual %(usual)s%%")
            if delta >= 0
            else _("%(what)s down: %(value)s%% vs usual %(usual)s%%")
        )
        return template % {"what": name, "value": _fmt(value * 100, 0), "usual": _fmt(usual * 100, 0)}
    template = (
        _("%(what)s %(delta)s above this patient's usual (%(value)s vs usually %(usual)s)")
        if delta >= 0
        else _("%(what)s %(delta)s below this patient's usual (%(value)s vs usually %(usual)s)")
    )
    digits = 0 if feature in ("time_at_home", "speech_rate") else 2 if feature in _INDEX_CHANNELS else 1
    return template % {
        "what": name,
        "delta": _difference(feature, abs(delta)),
        "value": _amount(feature, value),
        "usual": _fmt(usual, digits),
    }
