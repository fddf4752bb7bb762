"""Traceability of stored scores: the hash of a score's input window (the patient's daily
summaries the model read, and the diagnosis), and the feature values behind its explanation.
Pure computation (pandas, hashlib): scoring stores them, `verify_score` recomputes them."""

from __future__ import annotations

import hashlib
import math
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


# date.toordinal() of 1970-01-01: day ordinals straight from datetime64[D] without a Python
# date object per row.
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _sorted_by_patient_and_date(patients: np.ndarray, days: np.ndarray) -> bool:
    if len(patients) < 2:
        return True
    later = patients[1:] > patients[:-1]
    same = patients[1:] == patients[:-1]
    return bool(np.all(later | (same & (days[1:] > days[:-1]))))


def canonical_rows(summaries: pd.DataFrame, columns: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(patients, day ordinals, values) of the summary rows sorted by patient and date, every
    value a float64 rounded to TRACE_DECIMALS with one NaN: the same rows give the same bytes
    whichever query (COPY or ORM) or batch they came from. Vectorised (the nightly run hashes
    every scored patient's 90 days): rows that come sorted (the selectors' ORDER BY) are not
    sorted again, numeric columns are read as they are, dates become ordinals in numpy."""
    if summaries.empty:
        return np.array([], dtype=object), np.array([], dtype=np.int64), np.zeros((0, len(columns)))
    patients = summaries["patient"].astype(str).to_numpy()
    days = pd.to_datetime(summaries["date"]).to_numpy(dtype="datetime64[D]").astype(np.int64) + _EPOCH_ORDINAL
    frame = summaries
    if not _sorted_by_patient_and_date(patients, days):
        order = np.lexsort((days, patients.astype("U")))
        frame = summaries.iloc[order]
        patients, days = patients[order], days[order]
    block = frame[list(columns)]
    if all(pd.api.types.is_float_dtype(t) or pd.api.types.is_integer_dtype(t) for t in block.dtypes):
        # The COPY path: every column numeric (times of day already hours), one conversion.
        values = block.to_numpy(dtype=float, na_value=np.nan)
    else:
        values = _values_by_column(frame, columns)
    np.round(values, TRACE_DECIMALS, out=values)
    values[np.isnan(values)] = np.nan  # one NaN bit pattern
    values += 0.0  # -0.0 → 0.0
    return patients, days.astype(np.int64), values


def _values_by_column(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """The values as float64 when some columns are not numeric (the ORM path: booleans as
    objects, times of day as "HH:MM" text)."""
    values = np.empty((len(frame), len(columns)), dtype=float)
    for j, col in enumerate(columns):
        series = frame[col]
        if col in ("sleep_onset", "sleep_wake"):
            series = _hours(series)
        elif series.dtype == object or pd.api.types.is_bool_dtype(series):
            series = pd.to_numeric(series.map(lambda v: float(v) if isinstance(v, bool) else v), errors="coerce")
        elif pd.api.types.is_float_dtype(series) or pd.api.types.is_integer_dtype(series):
            values[:, j] = series.to_numpy(dtype=float, na_value=np.nan)
            continue
        values[:, j] = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return values


def input_hashes(
    summaries: pd.DataFrame,
    columns: Sequence[str],
    targets: Iterable[tuple[str, date]],
    diagnosis: dict[str, str],
    events: pd.DataFrame | None = None,
    enrolled: dict[str, date] | None = None,
) -> list[str]:
    """SHA-256 of each (patient, day)'s input window: its summaries from day - 89 to day and
    the patient's diagnosis (the model's inputs); with `events` (`patient`, `date`: the
    recorded relapses and hospitalisations, for a model that reads the relapse history), also
    the days of those dated before the day, however long before; with `enrolled` (patient ->
    enrolment date, for a model that reads the episode rate), also that date. A model without
    them is given neither, so its hashes stay as they were."""
    patients, days, values = canonical_rows(summaries, columns)
    bounds: dict[str, tuple[int, int]] = {}
    if len(patients):
        change = np.flatnonzero(patients[1:] != patients[:-1]) + 1
        starts = np.concatenate([[0], change])
        ends = np.concatenate([change, [len(patients)]])
        bounds = {str(patients[s]): (int(s), int(e)) for s, e in zip(starts, ends, strict=True)}
    history: dict[str, np.ndarray] = {}
    if events is not None and len(events):
        ordinals = pd.to_datetime(events["date"]).to_numpy(dtype="datetime64[D]").astype(np.int64) + _EPOCH_ORDINAL
        by_patient = pd.Series(ordinals).groupby(events["patient"].astype(str).to_numpy())
        history = {str(pid): np.unique(days_of.to_numpy()) for pid, days_of in by_patient}
    base = hashlib.sha256(",".join(columns).encode())
    lookback = timedelta(days=LOOKBACK_DAYS - 1)
    out: list[str] = []
    for pid, day in targets:
        digest = base.copy()
        digest.update(b"|" + str(diagnosis.get(pid, "")).encode() + b"|")
        a, b = bounds.get(pid, (0, 0))
        if b > a:
            window = days[a:b]
            lo = a + int(np.searchsorted(window, (day - lookback).toordinal(), "left"))
            hi = a + int(np.searchsorted(window, day.toordinal(), "right"))
            digest.update(days[lo:hi].tobytes())
            digest.update(values[lo:hi].tobytes())  # rows of a C-ordered matrix: contiguous
        if events is not None:
            before = history.get(pid, np.zeros(0, dtype=np.int64))
            digest.update(b"|events|" + before[: int(np.searchsorted(before, day.toordinal(), "left"))].tobytes())
        if enrolled is not None:
            since = enrolled.get(pid)
            digest.update(b"|enrolled|" + (since.isoformat().encode() if since is not None else b"-"))
        out.append(digest.hexdigest())
    return out


def explained_values(
    matrix: np.ndarray, explanations: Sequence[Sequence[dict[str, Any]]], feature_names: Sequence[str]
) -> list[dict[str, Any]]:
    """Per row of `matrix` (the model inputs, columns in `feature_names` order), the inputs of
    the factor groups that explain its score, by feature name (None for missing, else rounded
    to 6 decimals): what a reviewer needs to check the explanation against the data. The
    column positions of each group are looked up once, not per row."""
    position = {n: j for j, n in enumerate(feature_names)}
    columns: dict[str, list[tuple[str, int]]] = {}
    out: list[dict[str, Any]] = []
    for i, explanation in enumerate(explanations):
        row: list[float] | None = None
        values: dict[str, Any] = {}
        for factor in explanation:
            group = str(factor.get("feature"))
            cols = columns.get(group)
            if cols is None:
                cols = columns[group] = [(n, position[n]) for n in GROUPS.get(group, []) if n in position]
            if cols and row is None:
                row = matrix[i].tolist()
            for name, j in cols:
                v = row[j]  # type: ignore[index]
                values[name] = round(v, 6) if math.isfinite(v) else None
        out.append(values)
    return out
