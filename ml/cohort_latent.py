"""Synthetic cohort, stage 1: who each patient is and the hidden state of each of their days
(relapse prodromes, full-blown episodes and their recovery, confounding hard weeks).

Pure computation (numpy only). Every draw comes from the patient's own random stream, in a
fixed order that ml.cohort keeps: profile, then latent trajectory, then the observation model
(ml.cohort_observations), then the lines (ml.cohort_lines). Changing the order of draws
changes every generated cohort.
"""

from __future__ import annotations

import math
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

# Share of diagnoses in a French community mental-health caseload followed for recurrence.
DIAGNOSES = [("F33", 0.28), ("F32", 0.08), ("F31", 0.32), ("F20", 0.22), ("F25", 0.10)]
TIMEZONES: list[tuple[str, float]] = [
    ("Europe/Paris", 0.82),
    ("Europe/Brussels", 0.04),
    ("America/Martinique", 0.04),
    ("Indian/Reunion", 0.05),
    ("America/Montreal", 0.03),
    ("Pacific/Noumea", 0.02),
]
# The kinds of episode; ml.cohort_observations.SIGNS says how each shows.
EPISODE_KINDS = ("depressive", "manic", "psychotic")
# A full-blown episode shifts each sign by about this many within-patient SDs: the Depresjon
# activity ratio ln(0.68) over a day-to-day log-activity SD of ~0.3 gives 1.3.
EPISODE_LEVEL = 1.3


@dataclass(frozen=True)
class CohortConfig:
    """Size, seed and the generator's knobs. Every knob's default is the cohort the project was
    developed on (docs/model.md, "The synthetic cohort"): with the defaults a cohort is the same,
    byte for byte, as before the knobs existed (tests/ml/test_cohort.py pins it). Named sets of
    knobs are ml.cohort.SETTINGS. Day ranges are inclusive (lo, hi)."""

    patients: int
    days: int
    seed: int
    team: str = "demo"
    end: date = field(default_factory=lambda: date.today() - timedelta(days=1))  # noqa: DTZ011
    # --- effect sizes ---------------------------------------------------------------
    # Effect size (within-patient SD) of a full-intensity prodrome on a self-report scale
    # (CrossCheck: d = 0.3-0.5 on the relapse day) and on a passive signal.
    self_report_effect: float = 1.5
    passive_effect: float = 1.2
    # Multipliers of those effects per channel (ml.cohort_observations.CHANNELS) and per ICD-10
    # diagnosis code, e.g. (("steps", 0.5),) or (("F31", 1.3),); absent means 1.
    channel_effects: tuple[tuple[str, float], ...] = ()
    diagnosis_effects: tuple[tuple[str, float], ...] = ()
    # Share of patients showing each sign (when they show passive change at all), its strength range.
    self_report_sign_share: float = 0.7
    passive_sign_share: float = 0.6
    sign_strength: tuple[float, float] = (0.4, 1.6)
    # --- who relapses, and how -----------------------------------------------------------
    never_relapse_share: float = 0.4
    no_passive_change_share: float = 1 / 3
    unwarned_relapse_share: float = 0.2
    relapse_interval_days: float = 150.0  # mean days between relapses of a relapsing patient
    # Prodrome length: lognormal around a median (manic prodromes longer: Bauer 2006), clipped.
    prodrome_median_days: float = 17.0
    manic_prodrome_median_days: float = 24.0
    prodrome_sigma: float = 0.45
    prodrome_days: tuple[int, int] = (7, 42)
    # Prodrome amplitude lognormal (median, log-SD) clipped to 0.15-4; ramp exponent range
    # (below 1: early rise, concave; above 1: late rise, convex).
    prodrome_amplitude_median: float = 1.0
    prodrome_amplitude_sigma: float = 0.6
    prodrome_shape: tuple[float, float] = (0.5, 1.6)
    episode_days: tuple[int, int] = (12, 45)
    hospitalisation_share: float = 0.25
    hospital_delay_days: tuple[int, int] = (0, 5)  # relapse to admission
    # Days without any check-in or phone data while in hospital (0, 0: no gap).
    hospital_gap_days: tuple[int, int] = (0, 0)
    # --- look-alike bad weeks without relapse (stress, intercurrent illness) -----------
    confounder_every_days: float = 400.0
    confounder_days: tuple[int, int] = (7, 24)
    confounder_log_amplitude: float = -0.7  # lognormal median exp(-0.7) = 0.5, log-SD 0.5
    # --- noise, rhythms, missingness, devices, places -----------------------------------
    noise_scale: float = 1.0  # day-to-day noise in within-patient SDs (effects do not scale)
    noisy_day_share: float = 0.04
    weekend_scale: float = 1.0  # multiplies the weekend sleep, bedtime, steps and home shifts
    # Weekends follow the calendar (None), or the week of a cohort whose last day is this
    # weekday (0 = Monday): the demo fixes it so that its data, and the model trained on them,
    # do not change with the day of the week it is set up on.
    weekday_of_end: int | None = None
    prodrome_logging_drop: float = 0.35  # check-in probability x exp(-drop x logging sign)
    prodrome_sensing_drop: float = 1.0  # sensor gaps start (1 + drop x sign) times as often ...
    sensing_drop_diagnoses: tuple[str, ...] = ("F20", "F25")  # ... in these diagnoses' prodromes
    sensing_gap_scale: float = 1.0  # multiplies the chance a sensor gap starts
    holiday_every_days: float = 180.0  # stretches of 3-11 days without check-ins
    # Share of patients whose phone or wearable changes once (on a uniformly drawn day), from
    # when on the passive signals' levels shift (sleep, steps, screen, unlocks; about one
    # within-patient SD times device_shift_size, a random sign per signal).
    device_change_share: float = 0.0
    device_shift_size: float = 1.0
    timezones: tuple[tuple[str, float], ...] = tuple(TIMEZONES)


@dataclass(frozen=True)
class Profile:
    """Who the patient is and the days they are followed (enrolment to the cohort's end)."""

    diagnosis: str
    tz_name: str
    tz: zoneinfo.ZoneInfo
    sex: str
    age: int
    enrolled: date
    days: list[date]
    weekend: np.ndarray  # bool per day

    @property
    def n(self) -> int:
        return len(self.days)


@dataclass(frozen=True)
class Latent:
    """The hidden state of every day. `per_kind` (prodrome, plus confounder for one kind) and
    `episode_level` are per episode kind, in within-patient SD units before each patient's
    sensitivity to each sign is applied."""

    episodes: list[dict[str, Any]]
    prodrome: np.ndarray
    in_episode: np.ndarray
    kind_of_day: np.ndarray
    days_to_event: np.ndarray
    confounder: np.ndarray
    per_kind: dict[str, np.ndarray]
    episode_level: dict[str, np.ndarray]


def _choice(rng: np.random.Generator, options: list[tuple[str, float]]) -> str:
    names, weights = zip(*options, strict=True)
    p = np.asarray(weights, dtype=float)
    return str(rng.choice(list(names), p=p / p.sum()))


def patient_profile(rng: np.random.Generator, config: CohortConfig) -> Profile:
    diagnosis = _choice(rng, DIAGNOSES)
    tz_name = _choice(rng, list(config.timezones))
    tz = zoneinfo.ZoneInfo(tz_name)
    sex = _choice(rng, [("F", 0.52), ("M", 0.45), ("X", 0.03)])
    age = int(np.clip(rng.normal(42, 13), 18, 80))
    cohort_start = config.end - timedelta(days=config.days - 1)
    # Most patients are enrolled at the start; some join later (staggered enrolment).
    late = int(rng.integers(1, max(2, config.days // 4))) if rng.random() < 0.2 else 0
    enrolled = cohort_start + timedelta(days=late)
    n = (config.end - enrolled).days + 1
    days = [enrolled + timedelta(days=i) for i in range(n)]
    if config.weekday_of_end is None:
        weekend = np.array([d.weekday() for d in days]) >= 5
    else:
        weekend = np.array([(config.weekday_of_end - (config.end - d).days) % 7 for d in days]) >= 5
    return Profile(
        diagnosis=diagnosis, tz_name=tz_name, tz=tz, sex=sex, age=age, enrolled=enrolled, days=days, weekend=weekend
    )


def _episodes(
    rng: np.random.Generator, config: CohortConfig, n_days: int, diagnosis: str, rate: float
) -> list[dict[str, Any]]:
    """Relapses as a renewal process: onset, kind, prodrome length and amplitude, duration."""
    episodes: list[dict[str, Any]] = []
    if rate <= 0:
        return episodes
    t = float(rng.exponential(1 / rate)) + 20  # the first weeks are the patient's baseline
    while t < n_days:
        onset = int(t)
        if diagnosis == "F31":
            kind = "manic" if rng.random() < 0.45 else "depressive"
        elif diagnosis in ("F20", "F25"):
            kind = "psychotic" if diagnosis == "F20" or rng.random() < 0.7 else "depressive"
        else:
            kind = "depressive"
        # Prodromes last 1-4 weeks (mania longer, > 20 days on average: Bauer 2006), heavy-tailed.
        median = config.manic_prodrome_median_days if kind == "manic" else config.prodrome_median_days
        lo, hi = config.prodrome_days
        length = int(np.clip(rng.lognormal(math.log(median), config.prodrome_sigma), lo, hi))
        amplitude = float(
            np.clip(
                rng.lognormal(math.log(config.prodrome_amplitude_median), config.prodrome_amplitude_sigma), 0.15, 4.0
            )
        )
        episodes.append(
            {
                "onset": onset,
                "kind": kind,
                "length": length,
                "amplitude": amplitude,
                "shape": float(rng.uniform(*config.prodrome_shape)),
                "duration": int(rng.integers(config.episode_days[0], config.episode_days[1] + 1)),
                "warned": True,
                "hospitalized": bool(rng.random() < config.hospitalisation_share),
                "hospital_delay": int(rng.integers(config.hospital_delay_days[0], config.hospital_delay_days[1] + 1)),
            }
        )
        t = onset + episodes[-1]["duration"] + 14 + float(rng.exponential(1 / rate))
    return episodes


def latent_trajectory(rng: np.random.Generator, config: CohortConfig, profile: Profile) -> Latent:
    n = profile.n
    diagnosis = profile.diagnosis
    never = rng.random() < config.never_relapse_share
    rate = 0.0 if never else float(rng.gamma(2.0, 1 / (2 * config.relapse_interval_days)))
    episodes = _episodes(rng, config, n, diagnosis, rate)
    for ep in episodes:
        ep["warned"] = bool(rng.random() >= config.unwarned_relapse_share)
    prodrome = np.zeros(n)
    in_episode = np.zeros(n, dtype=bool)
    kind_of_day = np.array([""] * n, dtype=object)
    days_to_event = np.full(n, np.nan)
    per_kind = {k: np.zeros(n) for k in EPISODE_KINDS}
    episode_level = {k: np.zeros(n) for k in EPISODE_KINDS}
    for ep in episodes:
        start = ep["onset"] - ep["length"]
        for t in range(max(0, start), min(n, ep["onset"])):
            ramp = ((t - start + 1) / ep["length"]) ** ep["shape"]
            value = ep["amplitude"] * ramp if ep["warned"] else 0.0
            prodrome[t] = max(prodrome[t], value)
            per_kind[ep["kind"]][t] = max(per_kind[ep["kind"]][t], value)
            days_to_event[t] = ep["onset"] - t
        end = min(n, ep["onset"] + ep["duration"])
        for t in range(ep["onset"], end):
            in_episode[t] = True
            kind_of_day[t] = ep["kind"]
            # Full-blown episode: larger than the prodrome, fading as treatment works.
            level = EPISODE_LEVEL * (1 - 0.6 * (t - ep["onset"]) / ep["duration"])
            episode_level[ep["kind"]][t] = level
        for t in range(end, min(n, end + 21)):
            residual = 0.4 * EPISODE_LEVEL * (1 - (t - end) / 21)
            episode_level[ep["kind"]][t] = max(episode_level[ep["kind"]][t], residual)
    # Aborted prodromes and hard weeks that lead to no relapse (stress, intercurrent illness).
    confounder = np.zeros(n)
    conf_kind = "depressive" if diagnosis != "F31" else str(rng.choice(["depressive", "manic"]))
    if diagnosis in ("F20", "F25"):
        conf_kind = "psychotic" if rng.random() < 0.6 else "depressive"
    for _ in range(int(rng.poisson(n / config.confounder_every_days))):
        c_start = int(rng.integers(0, n))
        c_len = int(rng.integers(config.confounder_days[0], config.confounder_days[1] + 1))
        c_amp = float(np.clip(rng.lognormal(config.confounder_log_amplitude, 0.5), 0.1, 2.0))
        for t in range(c_start, min(n, c_start + c_len)):
            confounder[t] = max(confounder[t], c_amp * math.sin(math.pi * (t - c_start + 0.5) / c_len))
    per_kind[conf_kind] = per_kind[conf_kind] + confounder
    return Latent(
        episodes=episodes,
        prodrome=prodrome,
        in_episode=in_episode,
        kind_of_day=kind_of_day,
        days_to_event=days_to_event,
        confounder=confounder,
        per_kind=per_kind,
        episode_level=episode_level,
    )
