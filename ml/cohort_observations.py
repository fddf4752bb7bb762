"""Synthetic cohort, stage 2: the observation model. Given a patient's latent state
(ml.cohort_latent), what each self-report and passive signal would read every day, before
the per-record noise and rounding of the lines (ml.cohort_lines), and on which days the
patient logs and the phone senses at all.

Pure computation (numpy only). Assumptions and sources are in docs/model.md; the numbers
that come from a source say so beside them. The draws happen in the order of the code below;
ml.cohort calls this stage between the latent trajectory and the lines.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .cohort_latent import EPISODE_LEVEL, CohortConfig, Latent, Profile

# Depresjon (Garcia-Ceja et al., MMSys 2018), daytime (08-20 h) actigraphy, computed in
# docs/model.md: patients in a depressive episode move 0.68x as much as controls; day-to-day
# coefficient of variation 0.26 (controls) vs 0.35 (depressed); between-person CV 0.29-0.46;
# weekend/weekday ratio 0.97 (controls) vs 0.86 (depressed).
DEPRESJON_EPISODE_ACTIVITY_RATIO = 0.68
DEPRESJON_WITHIN_CV_EUTHYMIC = 0.26
DEPRESJON_WITHIN_CV_DEPRESSED = 0.35
DEPRESJON_BETWEEN_CV = 0.40
DEPRESJON_WEEKEND_RATIO = 0.97

# Channels of the latent state. Effects are in within-patient SD units at prodrome intensity 1.
CHANNELS = [
    "mood",
    "anxiety",
    "energy",
    "irritability",
    "sleep_quality",
    "sleep_hours",
    "sleep_onset",
    "sleep_irregularity",
    "sleep_efficiency",
    "steps",
    "home",
    "distance",
    "speech_rate",
    "pause",
    "pitch_sd",
    "screen",
    "unlocks",
    "logging",
    "medication",
    "phq9",
    "gad7",
    "asrm",
]
PASSIVE = {
    "sleep_hours",
    "sleep_onset",
    "sleep_irregularity",
    "sleep_efficiency",
    "steps",
    "home",
    "distance",
    "speech_rate",
    "pause",
    "pitch_sd",
    "screen",
    "unlocks",
}

# Direction of each sign by episode kind (CLINICAL.md "Early-warning signs"); the kinds are
# ml.cohort_latent.EPISODE_KINDS.
SIGNS: dict[str, dict[str, float]] = {
    "depressive": {
        "mood": -1.0,
        "energy": -1.0,
        "anxiety": 0.5,
        "irritability": 0.3,
        "sleep_quality": -0.7,
        "sleep_hours": 0.8,  # sign flipped per patient: longer or broken (shorter) sleep
        "sleep_efficiency": -0.7,
        "steps": -1.0,
        "distance": -1.0,
        "home": 1.0,
        "speech_rate": -1.0,
        "pause": 1.0,
        "pitch_sd": -0.8,
        "screen": 0.4,
        "unlocks": -0.3,
        "logging": -1.0,
        "medication": -0.4,
        "phq9": 1.0,
        "gad7": 0.6,
    },
    "manic": {
        "mood": 1.0,
        "energy": 1.0,
        "irritability": 0.8,
        "anxiety": 0.3,
        "sleep_hours": -1.4,
        "sleep_onset": 0.8,
        "sleep_quality": -0.3,
        "steps": 0.8,
        "distance": 0.9,
        "home": -0.8,
        "speech_rate": 1.0,
        "pause": -0.8,
        "pitch_sd": 0.7,
        "screen": 1.0,
        "unlocks": 1.0,
        "logging": -0.4,
        "medication": -0.6,
        "asrm": 1.0,
    },
    "psychotic": {
        "sleep_irregularity": 1.2,
        "sleep_onset": 0.6,
        "sleep_hours": -0.5,
        "steps": -0.6,
        "distance": -0.9,
        "home": 0.9,
        "anxiety": 0.9,
        "irritability": 0.8,
        "mood": -0.4,
        "sleep_quality": -0.5,
        "pause": 0.5,
        "speech_rate": -0.3,
        "logging": -1.0,
        "medication": -1.0,
        "unlocks": 0.4,
        "gad7": 0.5,
    },
}


@dataclass(frozen=True)
class Observations:
    """Per day (arrays of the patient's days) unless said otherwise. Continuous values: the
    lines add each record's own noise and round them."""

    passive_responder: bool
    logging_probability: np.ndarray
    logged: np.ndarray  # a check-in day
    sensing: np.ndarray  # the phone's sensors report that day
    speech_p: float  # chance of a speech recording on a sensed day
    questionnaire_adherence: float
    mood: np.ndarray
    scales: dict[str, np.ndarray]  # anxiety, energy, irritability, sleep_quality (0-10)
    sleep_hours: np.ndarray
    sleep_onset: np.ndarray  # hours after the previous midnight (23.5 = 23:30)
    sleep_efficiency: np.ndarray
    steps_log: np.ndarray
    home: np.ndarray  # minutes at home, 07:00-23:00
    distance_log: np.ndarray
    speech_rate: np.ndarray
    pause: np.ndarray
    pitch_mean: float
    pitch_sd: np.ndarray
    screen: np.ndarray
    unlocks: np.ndarray
    p_med: np.ndarray  # chance a logged day says the medication was taken
    med_logged_share: float  # chance a check-in logs medication at all
    phq9_expected: np.ndarray  # questionnaire totals before the answer noise
    gad7_expected: np.ndarray
    asrm_expected: np.ndarray


@dataclass(frozen=True)
class Effects:
    """The latent state as this patient shows it: which signs they show, and how strongly."""

    sens: dict[str, float]
    latent: Latent
    n: int

    def shift(self, ch: str, scale: float) -> np.ndarray:
        """Shift of channel `ch` in within-SD units for every day."""
        total = np.zeros(self.n)
        for kind, signs in SIGNS.items():
            direction = signs.get(ch, 0.0)
            if ch == "sleep_hours" and kind == "depressive":
                direction *= self.sens["sleep_hours_dep_sign"]
            if direction == 0.0:
                continue
            total += direction * (
                self.sens[ch] * scale * self.latent.per_kind[kind] + self.latent.episode_level[kind] * abs(direction)
            )
        return total


def _sensitivities(rng: np.random.Generator, config: CohortConfig, diagnosis: str) -> tuple[bool, dict[str, float]]:
    """Which signs this patient shows, and how strongly (individual subsets)."""
    passive_responder = rng.random() >= config.no_passive_change_share
    sens: dict[str, float] = {}
    for ch in CHANNELS:
        shows = rng.random() < (config.passive_sign_share if ch in PASSIVE else config.self_report_sign_share)
        if ch in PASSIVE and not passive_responder:
            shows = False
        if ch == "sleep_hours" and diagnosis == "F31" and passive_responder:
            shows = rng.random() < 0.77  # sleep loss is the commonest manic prodrome (Jackson 2003)
        sens[ch] = float(rng.uniform(*config.sign_strength)) if shows else 0.0
    if rng.random() < 0.5:
        sens["sleep_hours_dep_sign"] = -1.0  # broken rather than longer sleep
    else:
        sens["sleep_hours_dep_sign"] = 1.0
    return passive_responder, sens


def _baselines(rng: np.random.Generator, profile: Profile) -> tuple[dict[str, float], dict[str, float]]:
    """Per-patient usual levels (between-patient differences are large) and day-to-day spread."""
    dep_like = profile.diagnosis in ("F32", "F33")
    sex = profile.sex
    base = {
        "mood": rng.normal(-0.4 if dep_like else -0.1, 0.6),
        "anxiety": rng.normal(4.0, 1.6),
        "energy": rng.normal(5.0, 1.5),
        "irritability": rng.normal(3.0, 1.5),
        "sleep_quality": rng.normal(6.0, 1.4),
        "sleep_hours": float(np.clip(rng.normal(7.4, 0.8), 5.0, 10.0)),
        "onset": rng.normal(23.3, 0.9),
        "efficiency": float(np.clip(rng.normal(0.87, 0.04), 0.7, 0.97)),
        "steps": float(rng.lognormal(math.log(6500), DEPRESJON_BETWEEN_CV)),
        "home": float(np.clip(rng.normal(700, 140), 250, 940)),
        "distance": float(rng.lognormal(math.log(8.0), 0.7)),
        "speech_rate": rng.normal(150, 18),
        "pause": float(np.clip(rng.normal(0.28, 0.06), 0.1, 0.6)),
        "pitch_mean": rng.normal(205 if sex == "F" else 120 if sex == "M" else 160, 20),
        "pitch_sd": float(np.clip(rng.normal(28 if sex == "F" else 18, 5), 6, 60)),
        "screen": float(np.clip(rng.normal(230, 80), 40, 600)),
        "unlocks": float(np.clip(rng.normal(70, 25), 10, 250)),
    }
    within = {
        "mood": rng.uniform(0.5, 1.0),
        "scale": rng.uniform(0.9, 1.8),
        "sleep_hours": rng.uniform(0.6, 1.2),
        "onset": rng.uniform(0.3, 0.8),
        "steps_cv": rng.uniform(DEPRESJON_WITHIN_CV_EUTHYMIC * 0.8, DEPRESJON_WITHIN_CV_DEPRESSED * 1.1),
    }
    return base, within


def _ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Stationary AR(1) noise with unit variance."""
    eps = rng.standard_normal(n) * math.sqrt(1 - phi * phi)
    out = np.empty(n)
    out[0] = rng.standard_normal()
    for t in range(1, n):
        out[t] = phi * out[t - 1] + eps[t]
    return out


def _noise(rng: np.random.Generator, n: int, phi: float, config: CohortConfig) -> np.ndarray:
    # Autocorrelated day-to-day noise, plus rare noisy days (x3 shocks).
    z = _ar1(rng, n, phi)
    shocks = rng.random(n) < config.noisy_day_share
    z[shocks] += rng.standard_normal(shocks.sum()) * 2.5
    return z if config.noise_scale == 1.0 else z * config.noise_scale


def _logging(
    rng: np.random.Generator, config: CohortConfig, n: int, logging_shift: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(probability of a check-in, whether one is made) per day."""
    # Logging fatigue: check-in probability decays towards a floor over the months.
    p_log0 = float(rng.beta(6, 2))
    fatigue_floor = float(rng.uniform(0.3, 0.85))
    fatigue_tau = float(rng.uniform(60, 400))
    t_idx = np.arange(n)
    p_log = p_log0 * (fatigue_floor + (1 - fatigue_floor) * np.exp(-t_idx / fatigue_tau))
    p_log = p_log * np.exp(-config.prodrome_logging_drop * np.maximum(0, -logging_shift))
    logged = rng.random(n) < p_log
    # Holidays: a few stretches with nothing logged at all.
    for _ in range(int(rng.poisson(n / config.holiday_every_days))):
        s = int(rng.integers(0, n))
        logged[s : s + int(rng.integers(3, 12))] = False
    return p_log, logged


def _sensing(rng: np.random.Generator, config: CohortConfig, n: int, adherence_drop: np.ndarray) -> np.ndarray:
    """Phone sensor coverage: on/off Markov chain (gaps of several days), worse when adherence drops."""
    p_off = float(rng.uniform(0.01, 0.08)) * config.sensing_gap_scale
    p_on = float(rng.uniform(0.25, 0.6))
    sensing = np.ones(n, dtype=bool)
    state = True
    for t in range(n):
        if state and rng.random() < p_off * (1 + adherence_drop[t]):
            state = False
        elif not state and rng.random() < p_on:
            state = True
        sensing[t] = state
    sensing[0] = False  # data starts the day after enrolment (consent given that morning)
    return sensing


def observe(rng: np.random.Generator, config: CohortConfig, profile: Profile, latent: Latent) -> Observations:
    n = profile.n
    weekend = profile.weekend * config.weekend_scale if config.weekend_scale != 1.0 else profile.weekend
    diagnosis = profile.diagnosis
    passive_responder, sens = _sensitivities(rng, config, diagnosis)
    shift = Effects(sens=sens, latent=latent, n=n).shift
    by_diagnosis = dict(config.diagnosis_effects).get(diagnosis, 1.0)
    sr = config.self_report_effect * by_diagnosis
    pe = config.passive_effect * by_diagnosis
    by_channel = dict(config.channel_effects)

    def effect(ch: str, scale: float) -> np.ndarray:
        return shift(ch, scale * by_channel[ch]) if ch in by_channel else shift(ch, scale)

    base, within = _baselines(rng, profile)
    phi = {ch: float(rng.uniform(0.3, 0.75)) for ch in CHANNELS}

    def noise(ch: str) -> np.ndarray:
        return _noise(rng, n, phi[ch], config)

    logging_shift = effect("logging", sr)
    p_log, logged = _logging(rng, config, n, logging_shift)
    sensing_drop = config.prodrome_sensing_drop * (diagnosis in config.sensing_drop_diagnoses)
    sensing = _sensing(rng, config, n, np.maximum(0, -logging_shift) * sensing_drop)
    speech_p = float(rng.uniform(0.15, 0.6))
    questionnaire_adherence = float(rng.uniform(0.6, 1.0))

    # --- daily values (continuous latent before rounding) ---------------------------
    mood = base["mood"] + within["mood"] * (noise("mood") + effect("mood", sr))
    scales = {
        ch: base[ch] + within["scale"] * (noise(ch) + effect(ch, sr))
        for ch in ("anxiety", "energy", "irritability", "sleep_quality")
    }
    sleep_h = (
        base["sleep_hours"] + 0.5 * weekend + within["sleep_hours"] * (noise("sleep_hours") + effect("sleep_hours", pe))
    )
    irregular = 1 + np.maximum(0, effect("sleep_irregularity", pe))
    onset = (
        base["onset"] + 0.7 * weekend + within["onset"] * (noise("sleep_onset") * irregular + effect("sleep_onset", pe))
    )
    efficiency = base["efficiency"] + 0.04 * (noise("sleep_efficiency") + effect("sleep_efficiency", pe))
    # Day-to-day variability of activity rises in a depressive episode (Depresjon CV 0.26 -> 0.35).
    dep_episode = latent.episode_level["depressive"] / EPISODE_LEVEL
    steps_noise = noise("steps") * (
        1 + (DEPRESJON_WITHIN_CV_DEPRESSED / DEPRESJON_WITHIN_CV_EUTHYMIC - 1) * dep_episode
    )
    steps_log = (
        math.log(base["steps"])
        + math.log(DEPRESJON_WEEKEND_RATIO) * weekend
        + within["steps_cv"] * (steps_noise + effect("steps", pe))
    )
    home = base["home"] + 90 * (noise("home") + effect("home", pe)) + 40 * weekend
    distance_log = math.log(base["distance"]) + 0.45 * (noise("distance") + effect("distance", pe))
    speech_rate = base["speech_rate"] + 12 * (noise("speech_rate") + effect("speech_rate", pe))
    pause = base["pause"] + 0.04 * (noise("pause") + effect("pause", pe))
    pitch_sd = base["pitch_sd"] + 3.5 * (noise("pitch_sd") + effect("pitch_sd", pe))
    screen = base["screen"] + 50 * (noise("screen") + effect("screen", pe))
    unlocks = base["unlocks"] * np.exp(0.25 * (noise("unlocks") + effect("unlocks", pe)))
    med_rate = float(rng.beta(12, 1.5)) if rng.random() < 0.85 else float(rng.beta(4, 2))
    p_med = np.clip(med_rate - 0.18 * np.maximum(0, -effect("medication", sr)), 0.02, 0.999)
    med_logged_share = float(rng.uniform(0.4, 1.0))
    depressive_load = effect("phq9", sr) + 2.0 * latent.episode_level["depressive"]
    anxiety_load = effect("gad7", sr)
    manic_load = effect("asrm", sr) + 2.0 * latent.episode_level["manic"]
    dep_like = diagnosis in ("F32", "F33")
    phq_base = float(np.clip(rng.normal(9 if dep_like else 5.5, 3.5), 0, 20))
    gad_base = float(np.clip(rng.normal(6, 3), 0, 17))
    asrm_base = float(np.clip(rng.normal(2.5, 1.5), 0, 8))
    return Observations(
        passive_responder=passive_responder,
        logging_probability=p_log,
        logged=logged,
        sensing=sensing,
        speech_p=speech_p,
        questionnaire_adherence=questionnaire_adherence,
        mood=mood,
        scales=scales,
        sleep_hours=sleep_h,
        sleep_onset=onset,
        sleep_efficiency=efficiency,
        steps_log=steps_log,
        home=home,
        distance_log=distance_log,
        speech_rate=speech_rate,
        pause=pause,
        pitch_mean=base["pitch_mean"],
        pitch_sd=pitch_sd,
        screen=screen,
        unlocks=unlocks,
        p_med=p_med,
        med_logged_share=med_logged_share,
        phq9_expected=phq_base + 2.2 * depressive_load,
        gad7_expected=gad_base + 2.0 * anxiety_load,
        asrm_expected=asrm_base + 2.5 * manic_load,
    )
