"""Matched filters on the observed daily summaries (issue 20): the "observable ceiling" and
diagnosis-oriented features. Evaluation only (ml.cross_cohort); nothing here is served.

Both compute, for each patient-day d and each episode kind a diagnosis can relapse into
(depressive, manic, psychotic), a matched-filter statistic of a prodrome of that kind ending
after d, from the same daily summaries the model reads:

    T_k(d) = sum_c a_kc sum_j w_j z_c(d-j) / sqrt(sum_c a_kc^2 sum_j w_j^2 o_c(d-j))

where z_c(t) is channel c's value of day t in SDs of the patient's own baseline of day t
(days t-80 .. t-21, as ml.features; else t-80 .. t-1; clipped to +-4; 0 where not observed,
o_c(t) = 1 where observed), w_j the expected prodrome ramp j days before a day that is
labelled positive, and a_kc the expected shift of channel c in a prodrome of kind k. T_k is
the z-statistic of a known-direction shift in white noise (a generalised likelihood ratio for
an unknown amplitude); the kinds are combined as log sum_k pi_k exp(max(T_k, 0)^2 / 2) with
pi_k the diagnosis's chance of each kind.

What each knows:
- `observable` (knowledge="generator"): the generator's own numbers for the cohort's setting
  (ml.cohort.SETTINGS): the direction and size of every sign per episode kind
  (ml.cohort_observations.SIGNS), the self-report and passive effect sizes with their channel
  and diagnosis multipliers, the share of patients showing each sign and of passive
  responders, the effect of the prodrome on logging, medication and questionnaire totals, the
  kinds each diagnosis relapses into and their chances, and the prodrome length distribution
  and ramp shape (w_j). It does NOT know the latent state, which patients show which sign or
  how strongly, the sign of a depressive patient's sleep change (random per patient, so that
  channel gets no weight in depression), when a prodrome starts, nor look-alike bad weeks.
  It is an approximate Bayes observer (expected weights, not the posterior over each
  patient's signs), so the true observable ceiling is at least this high.
- `oriented` (knowledge="clinical"): what a clinician knows from CLINICAL.md only: each
  sign's direction per episode kind (+-1, no sizes), the kinds per diagnosis group (bipolar:
  manic or depressive, psychosis: psychotic, depression: depressive; equal chances), and a
  linear 21-day ramp. Computable in service from the 90-day window (it reads d-100 .. d:
  the ramp's first day needs its own baseline), so it is a candidate feature family.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

from .cohort import cohort_config
from .cohort_latent import CohortConfig
from .cohort_observations import SIGNS
from .features import BASELINE_LAG, BASELINE_LONG, BASELINE_MIN, _Prefix, time_to_hours

KINDS = ("depressive", "manic", "psychotic")
Z_CLIP = 4.0
# summary channel -> (summary column, transform, SD floor, generator channel, kind of effect)
# kind of effect: "sr" self-report, "pe" passive, or a special observation model.
OBSERVED: dict[str, tuple[str, str, float, str, str]] = {
    "mood": ("mood", "id", 0.5, "mood", "sr"),
    "anxiety": ("anxiety", "id", 0.7, "anxiety", "sr"),
    "energy": ("energy", "id", 0.7, "energy", "sr"),
    "irritability": ("irritability", "id", 0.7, "irritability", "sr"),
    "sleep_quality": ("sleep_quality", "id", 0.7, "sleep_quality", "sr"),
    "sleep_hours": ("sleep_hours", "id", 0.5, "sleep_hours", "pe"),
    "sleep_onset": ("sleep_onset", "onset", 0.3, "sleep_onset", "pe"),
    "sleep_efficiency": ("sleep_efficiency", "id", 0.03, "sleep_efficiency", "pe"),
    "steps": ("steps", "log1p", 0.15, "steps", "pe"),
    "time_at_home": ("time_at_home_min", "id", 40.0, "home", "pe"),
    "distance": ("distance_km", "log1p", 0.2, "distance", "pe"),
    "speech_rate": ("speech_rate_wpm", "id", 8.0, "speech_rate", "pe"),
    "pause": ("pause_ratio", "id", 0.03, "pause", "pe"),
    "pitch_sd": ("pitch_sd_hz", "id", 2.0, "pitch_sd", "pe"),
    "screen": ("screen_minutes", "id", 30.0, "screen", "pe"),
    "unlocks": ("unlocks", "log1p", 0.15, "unlocks", "pe"),
    "medication": ("medication_taken", "id", 0.15, "medication", "medication"),
    "phq9": ("phq9", "id", 2.0, "phq9", "phq9"),
    "gad7": ("gad7", "id", 2.0, "gad7", "gad7"),
    "asrm": ("asrm", "id", 1.5, "asrm", "asrm"),
    "logging": ("checkins", "logged", 0.2, "logging", "logging"),
    "onset_irregularity": ("sleep_onset", "onset_sq", 0.5, "sleep_irregularity", "pe"),
}
# Kinds each diagnosis relapses into, with their chances (ml.cohort_latent._episodes).
DX_KINDS: dict[str, dict[str, float]] = {
    "F31": {"manic": 0.45, "depressive": 0.55},
    "F20": {"psychotic": 1.0},
    "F25": {"psychotic": 0.7, "depressive": 0.3},
    "F32": {"depressive": 1.0},
    "F33": {"depressive": 1.0},
}
CLINICAL_DX_KINDS: dict[str, dict[str, float]] = {
    "F31": {"manic": 0.5, "depressive": 0.5},
    "F20": {"psychotic": 1.0},
    "F25": {"psychotic": 1.0},
    "F32": {"depressive": 1.0},
    "F33": {"depressive": 1.0},
}
# CLINICAL.md "Early-warning signs", as directions only (+1 up, -1 down).
CLINICAL_SIGNS: dict[str, dict[str, float]] = {
    "depressive": {
        "mood": -1,
        "steps": -1,
        "distance": -1,
        "time_at_home": 1,
        "speech_rate": -1,
        "pause": 1,
        "pitch_sd": -1,
        "logging": -1,
        "phq9": 1,
    },
    "manic": {
        "sleep_hours": -1,
        "mood": 1,
        "energy": 1,
        "irritability": 1,
        "speech_rate": 1,
        "steps": 1,
        "screen": 1,
        "unlocks": 1,
        "asrm": 1,
    },
    "psychotic": {
        "onset_irregularity": 1,
        "distance": -1,
        "time_at_home": 1,
        "anxiety": 1,
        "irritability": 1,
        "medication": -1,
        "logging": -1,
    },
}
HORIZON = 14  # a positive day is 1 .. 14 days before the relapse (ml.training.HORIZON_DAYS)
CLINICAL_RAMP_DAYS = 21


@dataclass(frozen=True)
class Knowledge:
    weights: dict[str, dict[str, float]]  # kind -> channel -> a_kc
    dx_kinds: dict[str, dict[str, float]]
    ramp: dict[str, np.ndarray]  # kind -> w_j, j = 0 (day d), 1, ...


def expected_ramp(median: float, config: CohortConfig, max_days: int = 60) -> np.ndarray:
    """E[ramp intensity j days before a positive day]: over prodrome lengths (lognormal around
    `median`, clipped as the generator does), ramp exponents (uniform) and the day's distance
    to the relapse (uniform over 1 .. HORIZON)."""
    q = (np.arange(40) + 0.5) / 40
    lo, hi = config.prodrome_days
    lengths = np.clip(
        np.exp(math.log(median) + config.prodrome_sigma * np.array([NormalDist().inv_cdf(p) for p in q])), lo, hi
    )
    lengths = lengths.astype(int)
    shapes = np.linspace(*config.prodrome_shape, 9)
    j = np.arange(max_days)
    total = np.zeros(max_days)
    for length in lengths:
        for shape in shapes:
            for h in range(1, HORIZON + 1):
                # day d is h days before onset; day d-j is h+j days before; the ramp runs over the
                # `length` days before onset: value ((length - (h + j) + 1) / length) ** shape.
                position = length - (h + j) + 1
                total += np.where(position > 0, (np.clip(position, 0, None) / length) ** shape, 0.0)
    w = total / (len(lengths) * len(shapes) * HORIZON)
    keep = w > 0.02 * w.max()
    return w[: int(np.flatnonzero(keep).max()) + 1]


def generator_knowledge(setting: str) -> Knowledge:
    config = cohort_config(setting, patients=1, days=1, seed=0)
    by_channel = dict(config.channel_effects)
    responder = 1 - config.no_passive_change_share
    mean_strength = float(np.mean(config.sign_strength))
    weights: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        w: dict[str, float] = {}
        for name, (_col, _how, _floor, gen, effect) in OBSERVED.items():
            direction = SIGNS[kind].get(gen, 0.0)
            if gen == "sleep_hours" and kind == "depressive":
                direction = 0.0  # longer or broken: the sign is the patient's, unknown
            if direction == 0.0:
                continue
            size = direction * by_channel.get(gen, 1.0) * mean_strength
            sr = config.self_report_effect * config.self_report_sign_share
            pe = config.passive_effect * config.passive_sign_share * responder
            if effect == "sr":
                w[name] = size * sr
            elif effect == "pe":
                w[name] = size * pe
            elif effect == "logging":
                # p x exp(-drop x shift): about -drop x shift x sqrt(p / (1 - p)) SDs at p ~ 0.6.
                w[name] = size * sr * config.prodrome_logging_drop * 1.2
            elif effect == "medication":
                w[name] = size * sr * 0.18 / 0.3  # p_med - 0.18 x shift, binomial SD ~ 0.3
            else:  # questionnaire totals: points per unit shift over the answer noise
                points, noise = {"phq9": (2.2, 1.8), "gad7": (2.0, 1.8), "asrm": (2.5, 1.2)}[effect]
                w[name] = size * sr * points / noise
        weights[kind] = w
    ramp = {
        kind: expected_ramp(
            config.manic_prodrome_median_days if kind == "manic" else config.prodrome_median_days, config
        )
        for kind in KINDS
    }
    # The diagnosis multipliers (config.diagnosis_effects) scale every a_kc of a patient alike,
    # which leaves T_k unchanged: they need no place here.
    return Knowledge(weights=weights, dx_kinds={dx: dict(k) for dx, k in DX_KINDS.items()}, ramp=ramp)


def clinical_knowledge() -> Knowledge:
    ramp = 1 - np.arange(CLINICAL_RAMP_DAYS) / CLINICAL_RAMP_DAYS
    return Knowledge(
        weights={k: dict(v) for k, v in CLINICAL_SIGNS.items()},
        dx_kinds={dx: dict(kinds) for dx, kinds in CLINICAL_DX_KINDS.items()},
        ramp=dict.fromkeys(KINDS, ramp),
    )


def _z_grids(summaries: pd.DataFrame, keys: pd.Index, start: pd.Timestamp, n_days: int) -> dict[str, np.ndarray]:
    """(patients x days) z-scores of each OBSERVED channel against the patient's baseline of the
    same day; NaN where not observed."""
    rows = keys.get_indexer(summaries["patient"])
    cols = ((summaries["date"] - start).dt.days).to_numpy()
    P = len(keys)
    has_row = np.zeros((P, n_days), dtype=bool)
    has_row[rows, cols] = True
    first = np.where(has_row.any(axis=1), has_row.argmax(axis=1), n_days)
    inside = np.arange(n_days)[None, :] >= first[:, None]
    pi = np.repeat(np.arange(P), n_days)
    ti = np.tile(np.arange(n_days), P)
    out: dict[str, np.ndarray] = {}
    onset: np.ndarray | None = None
    for name, (column, how, floor, _gen, _effect) in OBSERVED.items():
        values = np.full((P, n_days), np.nan)
        if how in ("onset", "onset_sq"):
            if onset is None:
                onset = np.full((P, n_days), np.nan)
                hours = time_to_hours(summaries["sleep_onset"]).to_numpy(dtype=float)
                onset[rows, cols] = (hours - 12.0) % 24.0  # hours after noon: no wrap at midnight
            values = onset
        elif how == "logged":
            raw = pd.to_numeric(summaries[column], errors="coerce").to_numpy(dtype=float)
            values[rows, cols] = (np.nan_to_num(raw, nan=0.0) > 0).astype(float)
            values = np.where(inside, np.nan_to_num(values, nan=0.0), np.nan)
        else:
            raw = pd.to_numeric(summaries[column], errors="coerce").to_numpy(dtype=float)
            values[rows, cols] = np.log1p(np.clip(raw, 0, None)) if how == "log1p" else raw
        prefix = _Prefix(values)
        n_b, mean_b, sd_b = prefix.window(pi, ti, BASELINE_LONG, BASELINE_LAG)
        n_f, mean_f, sd_f = prefix.window(pi, ti, BASELINE_LONG, 1)
        use_long = n_b >= BASELINE_MIN
        mean = np.where(use_long, mean_b, np.where(n_f >= 3, mean_f, np.nan)).reshape(P, n_days)
        sd = np.maximum(np.nan_to_num(np.where(use_long, sd_b, sd_f), nan=floor), floor).reshape(P, n_days)
        with np.errstate(invalid="ignore"):
            z = np.clip((values - mean) / sd, -Z_CLIP, Z_CLIP)
        if how == "onset_sq":
            z = z * z - 1.0  # irregular timing: larger squared deviations either way
        out[name] = z
    return out


def matched_filter(
    summaries: pd.DataFrame, patients: pd.DataFrame, targets: pd.DataFrame, knowledge: Knowledge
) -> pd.DataFrame:
    """Per target row (`patient`, `date`): T_k per episode kind and the combined score (see the
    module's docstring). Reads days <= d only."""
    frame = summaries.copy()
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    dates = pd.to_datetime(targets["date"]).astype("datetime64[ns]")
    keys = pd.Index(pd.unique(pd.concat([targets["patient"], frame["patient"]], ignore_index=True)))
    start = min(frame["date"].min(), dates.min())
    n_days = int((max(frame["date"].max(), dates.max()) - start).days) + 1
    z = _z_grids(frame, keys, start, n_days)
    P = len(keys)
    stats: dict[str, np.ndarray] = {}
    for kind in KINDS:
        w = knowledge.ramp[kind]
        num = np.zeros((P, n_days))
        den = np.zeros((P, n_days))
        for name, a in knowledge.weights[kind].items():
            zc = z[name]
            seen = ~np.isnan(zc)
            zc0 = np.where(seen, zc, 0.0)
            for j, wj in enumerate(w):
                if j == 0:
                    num += a * wj * zc0
                    den += a * a * wj * wj * seen
                else:
                    num[:, j:] += a * wj * zc0[:, :-j]
                    den[:, j:] += a * a * wj * wj * seen[:, :-j]
        with np.errstate(invalid="ignore", divide="ignore"):
            stats[kind] = np.where(den > 0, num / np.sqrt(np.where(den > 0, den, 1.0)), 0.0)
    pi = keys.get_indexer(targets["patient"])
    ti = ((dates - start).dt.days).to_numpy()
    dx = targets["patient"].map(dict(zip(patients["patient"], patients["diagnosis"].astype(str), strict=False)))
    dx = dx.fillna("").str.upper().str.slice(0, 3).to_numpy()
    result = pd.DataFrame({kind: stats[kind][pi, ti] for kind in KINDS}, index=targets.index)
    combined = np.full(len(result), np.nan)
    for code, kinds in knowledge.dx_kinds.items():
        rows = dx == code
        if not rows.any():
            continue
        terms = [math.log(p) + np.maximum(result.loc[rows, kind].to_numpy(), 0.0) ** 2 / 2 for kind, p in kinds.items()]
        combined[rows] = np.logaddexp.reduce(np.stack(terms), axis=0)
    other = np.isnan(combined)
    if other.any():
        combined[other] = np.max(np.maximum(result.loc[other, list(KINDS)].to_numpy(), 0.0), axis=1) ** 2 / 2
    result["score"] = combined
    return result
