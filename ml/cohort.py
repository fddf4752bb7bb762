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

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .cohort_latent import TIMEZONES, CohortConfig, latent_trajectory, patient_profile
from .cohort_lines import patient_lines
from .cohort_observations import observe

__all__ = ["TIMEZONES", "CohortConfig", "PatientTruth", "generate", "patient_code"]


@dataclass
class PatientTruth:
    code: str
    diagnosis: str
    latent: pd.DataFrame
    lines: list[dict[str, Any]]


def patient_code(team: str, seed: int, index: int) -> str:
    prefix = "".join(ch for ch in team.upper() if ch.isalnum())[:12] or "T"
    return f"{prefix}-S{seed}-{index + 1:04d}"


def generate(config: CohortConfig) -> Iterator[PatientTruth]:
    """One patient at a time (lines and latent table), each from its own random stream so a
    patient does not change when the cohort grows."""
    for index in range(config.patients):
        yield _patient(config, index)


def _patient(config: CohortConfig, index: int) -> PatientTruth:
    # One stream per patient, drawn from in this order: a patient's cohort lines are the
    # same for the same seed only as long as the stages keep the order of their draws.
    rng = np.random.default_rng([config.seed, index, 20260])
    code = patient_code(config.team, config.seed, index)
    profile = patient_profile(rng, config)
    latent = latent_trajectory(rng, config, profile)
    obs = observe(rng, config, profile, latent)
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
