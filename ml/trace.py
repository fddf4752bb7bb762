"""Traceability of stored scores: the hash of a score's input window (the patient's daily
summaries the model read, and the diagnosis), and the feature values behind its explanation.
Pure computation (pandas, hashlib): scoring stores them, `verify_score` recomputes them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from .features import GROUPS, LOOKBACK_DAYS

TRACE_DECIMALS = 9


def _hours(series: pd.Series) -> pd.Series:
    """Times of day as hours after midnight, whether they came as numbers or "HH:MM" text."""
    if pd.api.types.is_numeric_dtype(series):
        return series.astype(float)
    text = series.astype("string")
    hours = pd.to_numeric(text.str.slice(0, 2), errors="coerce")
    minutes = pd.to_numeric(text.str.slice(3, 5), errors="coerce")
    return (hours + minutes / 60.0).astype(float)


def canonical_rows(summaries: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(patients, day ordinals, values) of the summary rows sorted by patient and date, every
    value a float64 rounded to TRACE_DECIMALS with one NaN: the same rows give the same bytes
    whichever query (COPY or ORM) or batch they came from."""
    if summaries.empty:
        return np.array([], dtype=object), np.array([], dtype=np.int64), np.zeros((0, len(columns)))
    frame = summaries.sort_values(["patient", "date"], kind="mergesort")
    values = np.empty((len(frame), len(columns)), dtype=float)
    for j, col in enumerate(columns):
        series = frame[col]
        if col in ("sleep_onset", "sleep_wake"):
            series = _hours(series)
        elif series.dtype == object or pd.api.types.is_bool_dtype(series):
            series = pd.to_numeric(series.map(lambda v: float(v) if isinstance(v, bool) else v), errors="coerce")
        values[:, j] = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
    values = np.round(values, TRACE_DECIMALS)
    values[np.isnan(values)] = np.nan  # one NaN bit pattern
    values += 0.0  # -0.0 → 0.0
    days = pd.to_datetime(frame["date"]).dt.date.map(date.toordinal).to_numpy(dtype=np.int64)
    return frame["patient"].astype(str).to_numpy(), days, values


def input_hashes(
    summaries: pd.DataFrame,
    columns: Sequence[str],
    targets: Iterable[tuple[str, date]],
    diagnosis: dict[str, str],
) -> list[str]:
    """SHA-256 of each (patient, day)'s input window: its summaries from day - 89 to day and
    the patient's diagnosis (the model's inputs)."""
    patients, days, values = canonical_rows(summaries, columns)
    bounds: dict[str, tuple[int, int]] = {}
    if len(patients):
        change = np.flatnonzero(patients[1:] != patients[:-1]) + 1
        starts = np.concatenate([[0], change])
        ends = np.concatenate([change, [len(patients)]])
        bounds = {str(patients[s]): (int(s), int(e)) for s, e in zip(starts, ends, strict=True)}
    header = ",".join(columns).encode()
    out: list[str] = []
    for pid, day in targets:
        digest = hashlib.sha256(header)
        digest.update(b"|" + str(diagnosis.get(pid, "")).encode() + b"|")
        a, b = bounds.get(pid, (0, 0))
        if b > a:
            lo = a + int(np.searchsorted(days[a:b], (day - timedelta(days=LOOKBACK_DAYS - 1)).toordinal(), "left"))
            hi = a + int(np.searchsorted(days[a:b], day.toordinal(), "right"))
            digest.update(days[lo:hi].tobytes())
            digest.update(np.ascontiguousarray(values[lo:hi]).tobytes())
        out.append(digest.hexdigest())
    return out


def explained_values(row: Any, explanation: list[dict[str, Any]], feature_names: Sequence[str]) -> dict[str, Any]:
    """The model inputs of the factor groups that explain a score, by feature name (None for
    missing): what a reviewer needs to check the explanation against the data."""
    names = set(feature_names)
    out: dict[str, Any] = {}
    for factor in explanation:
        for name in GROUPS.get(str(factor.get("feature")), []):
            if name in names:
                v = row.get(name)
                try:
                    f = float(v)
                except (TypeError, ValueError):
                    f = float("nan")
                out[name] = None if not np.isfinite(f) else round(f, 6)
    return out
