"""Synthetic cohort generator: patients, consents, check-ins, questionnaires, passive signals
and clinical events in the cohort-file format (API.md), plus the true latent state of each
patient-day in a side table so the ceiling of any scorer can be measured.

Each patient is made in three stages, each in its own module: the latent trajectory (who the
patient is and the hidden relapse/prodrome state of each day, ml.cohort_latent), the
observation model (what each self-report and signal would read given that state, and on
which days anything is logged or sensed, ml.cohort_observations), then the lines (each record
with its own noise, ml.cohort_lines).

Pure computation (numpy/pandas only). Assumptions and sources are in docs/model.md; the
numbers that come from a source say so beside them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .cohort_latent import TIMEZONES, CohortConfig, latent_trajectory, patient_profile
from .cohort_lines import patient_lines
from .cohort_observations import Observations, observe

__all__ = ["SETTINGS", "TIMEZONES", "CohortConfig", "PatientTruth", "cohort_config", "generate", "patient_code"]

# Named generator settings: what real cohorts vary in, as overrides of CohortConfig's
# defaults (docs/model.md, "A family of cohorts", shows the same table). "default" is the
# cohort the model was developed on; none of the others was used to tune anything.
SETTINGS: dict[str, dict[str, Any]] = {
    "default": {},
    # Weaker signs, more patients without passive change, more relapses without warning.
    "subtle": {
        "self_report_effect": 1.0,
        "passive_effect": 0.8,
        "no_passive_change_share": 0.5,
        "unwarned_relapse_share": 0.3,
    },
    # Noisier days, more sensor gaps and holidays, twice as many look-alike bad weeks.
    "noisy": {
        "noise_scale": 1.3,
        "noisy_day_share": 0.08,
        "sensing_gap_scale": 2.0,
        "holiday_every_days": 90.0,
        "confounder_every_days": 200.0,
    },
    # Short prodromes that rise late (convex ramps): the warning comes in the last week.
    "late-warning": {
        "prodrome_median_days": 8.0,
        "manic_prodrome_median_days": 10.0,
        "prodrome_days": (3, 21),
        "prodrome_shape": (1.5, 3.0),
    },
    # Half the patients change phone or wearable once (signal levels jump); no data in hospital.
    "device-shift": {
        "device_change_share": 0.5,
        "hospital_gap_days": (5, 20),
    },
    # Another clinic: passive signs stronger and self-report weaker, bipolar prodromes clearer
    # and depressive ones fainter, missingness that depends on state for every diagnosis,
    # stronger weekly rhythms, other time zones, more hospitalisations.
    "other-clinic": {
        "self_report_effect": 1.1,
        "passive_effect": 1.5,
        "diagnosis_effects": (("F31", 1.3), ("F32", 0.7), ("F33", 0.7)),
        "channel_effects": (("phq9", 0.6), ("mood", 0.7)),
        "prodrome_logging_drop": 0.8,
        "sensing_drop_diagnoses": ("F20", "F25", "F31", "F32", "F33"),
        "weekend_scale": 2.0,
        "hospitalisation_share": 0.4,
        "timezones": (("America/Montreal", 0.6), ("America/Martinique", 0.2), ("Pacific/Noumea", 0.2)),
    },
}


def cohort_config(setting: str = "default", **kwargs: Any) -> CohortConfig:
    """A CohortConfig for a named setting (SETTINGS); `kwargs` give its size, seed, team, end
    and any knob to override on top of the setting."""
    if setting not in SETTINGS:
        raise ValueError(f"unknown cohort setting {setting!r} (known: {', '.join(SETTINGS)})")
    return CohortConfig(**{**SETTINGS[setting], **kwargs})


@dataclass
class PatientTruth:
    code: str
    diagnosis: str
    latent: pd.DataFrame
    lines: list[dict[str, Any]]


def patient_code(team: str, seed: int, index: int) -> str:
    prefix = "".join(ch for ch in team.upper() if ch.isalnum())[:12] or "T"
    return f"{prefix}-S{seed}-{index + 1:04d}"


def generate(config: CohortConfig, indices: Iterable[int] | None = None) -> Iterator[PatientTruth]:
    """One patient at a time (lines and latent table), each from its own random stream so a
    patient does not change when the cohort grows. `indices`: only these patients of the
    cohort (each as it is in the whole cohort; a pooled cohort of several settings takes a
    different slice of the same seed's patients from each)."""
    for index in range(config.patients) if indices is None else indices:
        yield _patient(config, index)


def _patient(config: CohortConfig, index: int) -> PatientTruth:
    # One stream per patient, drawn from in this order: a patient's cohort lines are the
    # same for the same seed only as long as the stages keep the order of their draws.
    rng = np.random.default_rng([config.seed, index, 20260])
    code = patient_code(config.team, config.seed, index)
    profile = patient_profile(rng, config)
    latent = latent_trajectory(rng, config, profile)
    obs = observe(rng, config, profile, latent)
    if config.device_change_share > 0 or config.hospital_gap_days[1] > 0:
        # Knobs added after the cohort format was fixed draw from a second stream, so the main
        # stream (and every default cohort) stays as it was.
        obs = _devices_and_hospital_gaps(np.random.default_rng([config.seed, index, 20261]), config, latent, obs)
    lines = patient_lines(rng, config, code, profile, latent, obs)
    table = pd.DataFrame(
        {
            "patient_code": code,
            "date": [d.isoformat() for d in profile.days],
            "prodrome_intensity": np.round(latent.prodrome, 4),
            "in_episode": latent.in_episode.astype(int),
            "episode_kind": latent.kind_of_day,
            "days_to_relapse": latent.days_to_event,
            "confounder_intensity": np.round(latent.confounder, 4),
            "passive_responder": int(obs.passive_responder),
            "logging_probability": np.round(obs.logging_probability, 3),
            "sensing": obs.sensing.astype(int),
        }
    )
    return PatientTruth(code=code, diagnosis=profile.diagnosis, latent=table, lines=lines)


def _devices_and_hospital_gaps(
    rng: np.random.Generator, config: CohortConfig, latent: Any, obs: Observations
) -> Observations:
    """A device change shifting the passive signals' levels from a day on; days in hospital
    without any check-in or phone data."""
    n = len(obs.logged)
    changes: dict[str, Any] = {}
    if rng.random() < config.device_change_share and n > 2:
        day = int(rng.integers(1, n))
        size = config.device_shift_size
        after = np.arange(n) >= day
        # About one within-patient SD of each signal, with a random sign per signal.
        changes["sleep_hours"] = obs.sleep_hours + after * rng.normal(0, 0.8 * size)
        changes["sleep_efficiency"] = obs.sleep_efficiency + after * rng.normal(0, 0.04 * size)
        changes["steps_log"] = obs.steps_log + after * rng.normal(0, 0.3 * size)
        changes["screen"] = obs.screen + after * rng.normal(0, 50 * size)
        changes["unlocks"] = obs.unlocks * np.exp(after * rng.normal(0, 0.25 * size))
    lo, hi = config.hospital_gap_days
    if hi > 0:
        logged, sensing = obs.logged.copy(), obs.sensing.copy()
        for ep in latent.episodes:
            if ep["hospitalized"]:
                start = ep["onset"] + ep["hospital_delay"]
                stay = int(rng.integers(lo, hi + 1))
                logged[start : start + stay] = False
                sensing[start : start + stay] = False
        changes["logged"], changes["sensing"] = logged, sensing
    return dataclasses.replace(obs, **changes) if changes else obs
