"""Drift of the model's inputs in service (issue 17): for every model input, its distribution
over the last 30 days against the model's training window (population stability index on the
training deciles, and the share missing), the score distribution, and the share of
patient-days without passive (phone) data. Thresholds come from settings (MODEL_DRIFT_*); a
crossing raises an alert of kind `model` naming the inputs that moved.

Both sides are computed on the same deterministic sample of scorable patients (at most
DRIFT_SAMPLE_PATIENTS, chosen by a hash of their id): the nightly cost stays bounded whatever
the team size. The training-side reference is computed once per version and kept on it."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings

from alerts.services import alert_raise_model
from patients.models import CareTeam

from . import selectors
from .features import LOOKBACK_DAYS, build_features
from .models import ModelDrift, ModelVersion
from .registry import model_load
from .scoring import one_openmp_thread

RECENT_DAYS = 30
DRIFT_SAMPLE_PATIENTS = 400
REFERENCE_DAYS = 60
BINS = 10
EPS = 1e-4

DEFAULTS = {
    "MODEL_DRIFT_PSI": 0.25,  # PSI above this: the input moved (0.1-0.25 is commonly "some shift")
    "MODEL_DRIFT_MISSING": 0.15,  # absolute change in the share missing
    "MODEL_DRIFT_SCORE_PSI": 0.25,
    "MODEL_DRIFT_NO_PASSIVE": 0.15,  # absolute change in the share of patient-days without passive data
}


def threshold(name: str) -> float:
    return float(getattr(settings, name, DEFAULTS[name]))


def _edges(values: np.ndarray) -> list[float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return []
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, BINS + 1)[1:-1]))
    return [float(e) for e in edges]


def _shares(values: np.ndarray, edges: list[float]) -> list[float]:
    finite = values[np.isfinite(values)]
    if not len(finite):
        return []
    counts = np.bincount(np.searchsorted(np.asarray(edges), finite, side="right"), minlength=len(edges) + 1)
    return [float(c) for c in counts / counts.sum()]


def psi(expected: list[float], actual: list[float]) -> float | None:
    """Population stability index between two binned distributions."""
    if not expected or not actual or len(expected) != len(actual):
        return None
    e = np.clip(np.asarray(expected), EPS, None)
    a = np.clip(np.asarray(actual), EPS, None)
    return float(np.sum((a - e) * np.log(a / e)))


def distribution(frame: pd.DataFrame, feature_names: list[str], scores: np.ndarray) -> dict[str, Any]:
    """The reference side: per input its decile edges, bin shares and share missing; the
    scores' edges and shares; the share without passive data."""
    out: dict[str, Any] = {"rows": int(len(frame)), "features": {}}
    for name in feature_names:
        values = frame[name].to_numpy(dtype=float) if name in frame else np.full(len(frame), np.nan)
        edges = _edges(values)
        out["features"][name] = {
            "edges": edges,
            "shares": _shares(values, edges),
            "missing": float(np.mean(~np.isfinite(values))) if len(values) else 0.0,
        }
    score_edges = _edges(scores)
    out["scores"] = {"edges": score_edges, "shares": _shares(scores, score_edges)}
    out["no_passive"] = _no_passive(frame)
    return out


def _no_passive(frame: pd.DataFrame) -> float:
    if "passive_days7" not in frame or not len(frame):
        return 0.0
    return float(np.mean(np.nan_to_num(frame["passive_days7"].to_numpy(dtype=float), nan=0.0) <= 0))


def compare(reference: dict[str, Any], frame: pd.DataFrame, scores: np.ndarray) -> dict[str, Any]:
    """The recent side against the reference, and what moved beyond the thresholds."""
    feats: dict[str, Any] = {}
    moved: list[dict[str, Any]] = []
    for name, ref in reference["features"].items():
        values = frame[name].to_numpy(dtype=float) if name in frame else np.full(len(frame), np.nan)
        missing = float(np.mean(~np.isfinite(values))) if len(values) else 0.0
        value = psi(ref["shares"], _shares(values, ref["edges"]))
        feats[name] = {"psi": None if value is None else round(value, 4), "missing": round(missing, 4),
                       "missing_reference": round(ref["missing"], 4)}  # fmt: skip
        if value is not None and value > threshold("MODEL_DRIFT_PSI"):
            moved.append({"check": "psi", "feature": name, "value": round(value, 4)})
        if abs(missing - ref["missing"]) > threshold("MODEL_DRIFT_MISSING"):
            moved.append({"check": "missing", "feature": name, "value": round(missing, 4), "reference": ref["missing"]})
    score_psi = psi(reference["scores"]["shares"], _shares(scores, reference["scores"]["edges"]))
    if score_psi is not None and score_psi > threshold("MODEL_DRIFT_SCORE_PSI"):
        moved.append({"check": "score_psi", "feature": "score", "value": round(score_psi, 4)})
    no_passive = _no_passive(frame)
    if abs(no_passive - reference["no_passive"]) > threshold("MODEL_DRIFT_NO_PASSIVE"):
        moved.append(
            {
                "check": "no_passive",
                "feature": "passive data",
                "value": round(no_passive, 4),
                "reference": round(reference["no_passive"], 4),
            }  # fmt: skip
        )
    return {
        "rows": int(len(frame)),
        "features": feats,
        "score_psi": None if score_psi is None else round(score_psi, 4),
        "no_passive": round(no_passive, 4),
        "no_passive_reference": round(reference["no_passive"], 4),
        "moved": moved,
    }


def _sample(ids: list[str]) -> list[str]:
    ranked = sorted(ids, key=lambda p: hashlib.sha256(p.encode()).hexdigest())
    return ranked[:DRIFT_SAMPLE_PATIENTS]


def _features(rows: list[tuple[Any, str, date]], start: date, end: date) -> pd.DataFrame:
    """Model inputs of these (patient, diagnosis, enrolment date) for every day from `start`
    to `end`."""
    if not rows:
        return pd.DataFrame()
    summaries = selectors.daily_summaries_frame(
        patient_ids=[r[0] for r in rows], start=start - timedelta(days=LOOKBACK_DAYS - 1), end=end
    )
    days = pd.date_range(start, end, freq="D")
    targets = pd.DataFrame(
        {"patient": np.repeat([str(r[0]) for r in rows], len(days)), "date": np.tile(days.to_numpy(), len(rows))}
    )
    meta = pd.DataFrame(
        {"patient": [str(r[0]) for r in rows], "diagnosis": [r[1] for r in rows], "enrolled_on": [r[2] for r in rows]}
    )
    events = selectors.label_events_frame(patient_ids=[r[0] for r in rows], until=end)
    return build_features(summaries, patients=meta, targets=targets, events=events)


def _predict(model: Any, frame: pd.DataFrame) -> np.ndarray:
    if not len(frame):
        return np.zeros(0)
    with one_openmp_thread():
        return np.asarray(model.predict(frame))


def drift_check(*, model_version: ModelVersion, day: date) -> ModelDrift:
    """Compute the version's drift for the RECENT_DAYS up to `day`, store it (idempotent per
    version and day) and raise a `model` alert per care team when something moved (once per
    version and day: dedupe key)."""
    model = model_load(model_version)
    ids = _sample([str(p) for p in selectors.patients_scorable().values_list("pk", flat=True)])
    rows = list(selectors.patients_scorable().filter(pk__in=ids).values_list("pk", "diagnosis", "enrolled_on"))
    recent_start = day - timedelta(days=RECENT_DAYS - 1)
    reference = (model_version.metrics or {}).get("drift_reference")
    if not reference:
        ref_end = model_version.data_end or (day - timedelta(days=RECENT_DAYS))
        ref_start = ref_end - timedelta(days=REFERENCE_DAYS - 1)
        # Each window read on its own, as scoring reads a day: some features (the PHQ-9 against
        # the baseline) see every day read before d, so one longer read would change them.
        ref_frame = _features(rows, ref_start, ref_end)
        reference = distribution(ref_frame, model.feature_names, _predict(model, ref_frame))
        reference["window"] = {"from": ref_start.isoformat(), "to": ref_end.isoformat()}
        metrics = {**(model_version.metrics or {}), "drift_reference": reference}
        ModelVersion.objects.filter(pk=model_version.pk).update(metrics=metrics)
        model_version.metrics = metrics
    frame = _features(rows, recent_start, day)
    result = compare(reference, frame, _predict(model, frame))
    result["window"] = {"from": (day - timedelta(days=RECENT_DAYS - 1)).isoformat(), "to": day.isoformat()}
    result["reference_window"] = reference.get("window")
    result["thresholds"] = {name: threshold(name) for name in DEFAULTS}
    result["sample_patients"] = len(ids)
    row, _ = ModelDrift.objects.update_or_create(
        model_version=model_version, day=day, defaults={"figures": result, "moved": result["moved"]}
    )
    if result["moved"]:
        names = sorted({m["feature"] for m in result["moved"]})
        for team in CareTeam.objects.order_by("pk"):
            alert_raise_model(
                care_team=team,
                title="Model inputs drifted",
                detail={
                    "model_version": model_version.version,
                    "day": day.isoformat(),
                    "moved": result["moved"],
                    "features": names,
                },  # fmt: skip
                dedupe_key=f"model-drift:{model_version.pk}:{day.isoformat()}:{team.pk}",
            )
    return row
