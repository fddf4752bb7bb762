"""Explanation factors of a risk score in a nurse's words, with numbers, in the reader's
language: the risk vocabulary every reader shares (the alert desk, the alert API and socket,
the charts' API, and scoring, which stores the English wording).

A stored factor keeps its `params` (the numbers); `factor_label` renders the sentence in the
active language, so the same score reads in French or English."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import formats, translation

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
}
_PERCENT_CHANNELS = {"steps", "distance", "unlocks", "screen"}
_UNITS = {
    "mood": "",
    "anxiety": "/10",
    "energy": "/10",
    "irritability": "/10",
    "sleep_quality": "/10",
    "time_at_home": " min",
    "speech_rate": " wpm",
    "pitch_sd": " Hz",
}


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
        return _("check-ins on %(n)s of the last 7 days (usually %(usual)s)") % {
            "n": int(p.get("days7") or 0),
            "usual": _fmt(p.get("usual7")),
        }
    if feature == "sensors":
        since = p.get("days_since") or 0
        if since >= 2:
            return _("no phone sensor data for %(days)s") % {"days": _days(since)}
        return _("phone sensor data on %(n)s of the last 7 days (usually %(usual)s)") % {
            "n": int(p.get("days7") or 0),
            "usual": _fmt(p.get("usual7")),
        }
    if feature == "medication":
        return _("medication missed on %(missed)s of the last %(logged)s logged days") % {
            "missed": int(p.get("missed7") or 0),
            "logged": int(p.get("logged7") or 0),
        }
    if feature in ("phq9", "gad7", "asrm"):
        name = {"phq9": "PHQ-9", "gad7": "GAD-7", "asrm": "ASRM"}[feature]
        if p.get("previous") is not None and value is not None:
            return _("%(name)s %(value)s (previous %(previous)s)") % {
                "name": name,
                "value": _fmt(value, 0),
                "previous": _fmt(p["previous"], 0),
            }
        return _("%(name)s %(value)s (usually %(usual)s)") % {
            "name": name,
            "value": _fmt(value, 0),
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
            _("%(what)s %(pct)s%% above usual (%(value)s vs %(usual)s a day)")
            if delta >= 0
            else _("%(what)s %(pct)s%% below usual (%(value)s vs %(usual)s a day)")
        )
        return template % {"what": name, "pct": _fmt(pct, 0), "value": _fmt(value, 0), "usual": _fmt(usual, 0)}
    if feature == "pause" or feature == "sleep_efficiency":
        template = (
            _("%(what)s up: %(value)s%% vs usual %(usual)s%%")
            if delta >= 0
            else _("%(what)s down: %(value)s%% vs usual %(usual)s%%")
        )
        return template % {"what": name, "value": _fmt(value * 100, 0), "usual": _fmt(usual * 100, 0)}
    unit = _UNITS.get(feature, "")
    template = (
        _("%(what)s %(delta)s%(unit)s above this patient's usual (%(value)s vs %(usual)s)")
        if delta >= 0
        else _("%(what)s %(delta)s%(unit)s below this patient's usual (%(value)s vs %(usual)s)")
    )
    return template % {
        "what": name,
        "delta": _fmt(abs(delta)),
        "unit": unit,
        "value": _fmt(value),
        "usual": _fmt(usual),
    }
