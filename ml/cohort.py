"""Synthetic cohort generator: patients, consents, check-ins, questionnaires, passive signals
and clinical events in the cohort-file format (API.md), plus the true latent state of each
patient-day in a side table so the ceiling of any scorer can be measured.

Pure computation (numpy/pandas only). Assumptions and sources are in docs/model.md; the
numbers that come from a source say so beside them.
"""

from __future__ import annotations

import math
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

ALL_SCOPES = ["self_report", "sleep", "activity", "mobility", "speech", "risk_scoring"]

# Share of diagnoses in a French community mental-health caseload followed for recurrence.
DIAGNOSES = [("F33", 0.28), ("F32", 0.08), ("F31", 0.32), ("F20", 0.22), ("F25", 0.10)]
TIMEZONES = [
    ("Europe/Paris", 0.82),
    ("Europe/Brussels", 0.04),
    ("America/Martinique", 0.04),
    ("Indian/Reunion", 0.05),
    ("America/Montreal", 0.03),
    ("Pacific/Noumea", 0.02),
]

# Depresjon (Garcia-Ceja et al., MMSys 2018), daytime (08-20 h) actigraphy, computed in
# docs/model.md: patients in a depressive episode move 0.68x as much as controls; day-to-day
# coefficient of variation 0.26 (controls) vs 0.35 (depressed); between-person CV 0.29-0.46;
# weekend/weekday ratio 0.97 (controls) vs 0.86 (depressed).
DEPRESJON_EPISODE_ACTIVITY_RATIO = 0.68
DEPRESJON_WITHIN_CV_EUTHYMIC = 0.26
DEPRESJON_WITHIN_CV_DEPRESSED = 0.35
DEPRESJON_BETWEEN_CV = 0.40
DEPRESJON_WEEKEND_RATIO = 0.97
# A full-blown episode shifts each sign by about this many within-patient SDs: the Depresjon
# activity ratio ln(0.68) over a day-to-day log-activity SD of ~0.3 gives 1.3.
EPISODE_LEVEL = 1.3

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

# Direction of each sign by episode kind (CLINICAL.md "Early-warning signs").
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
class CohortConfig:
    patients: int
    days: int
    seed: int
    team: str = "demo"
    end: date = field(default_factory=lambda: date.today() - timedelta(days=1))  # noqa: DTZ011
    # Effect size (within-patient SD) of a full-intensity prodrome on a self-report scale
    # (CrossCheck: d = 0.3-0.5 on the relapse day) and on a passive signal.
    self_report_effect: float = 1.5
    passive_effect: float = 1.2
    never_relapse_share: float = 0.4
    no_passive_change_share: float = 1 / 3
    unwarned_relapse_share: float = 0.2


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


def _choice(rng: np.random.Generator, options: list[tuple[str, float]]) -> str:
    names, weights = zip(*options, strict=True)
    p = np.asarray(weights, dtype=float)
    return str(rng.choice(list(names), p=p / p.sum()))


def _uuid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Stationary AR(1) noise with unit variance."""
    eps = rng.standard_normal(n) * math.sqrt(1 - phi * phi)
    out = np.empty(n)
    out[0] = rng.standard_normal()
    for t in range(1, n):
        out[t] = phi * out[t - 1] + eps[t]
    return out


def _local(tz: zoneinfo.ZoneInfo, day: date, hours: float) -> datetime:
    """Local wall-clock time `hours` after midnight of `day` (hours may exceed 24 or be < 0)."""
    naive = datetime.combine(day, time(0)) + timedelta(minutes=round(hours * 60))
    return naive.replace(tzinfo=tz)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _episodes(rng: np.random.Generator, n_days: int, diagnosis: str, rate: float) -> list[dict[str, Any]]:
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
        median = 24.0 if kind == "manic" else 17.0
        length = int(np.clip(rng.lognormal(math.log(median), 0.45), 7, 42))
        amplitude = float(np.clip(rng.lognormal(0.0, 0.6), 0.15, 4.0))
        episodes.append(
            {
                "onset": onset,
                "kind": kind,
                "length": length,
                "amplitude": amplitude,
                "shape": float(rng.uniform(0.5, 1.6)),
                "duration": int(rng.integers(12, 46)),
                "warned": True,
                "hospitalized": bool(rng.random() < 0.25),
                "hospital_delay": int(rng.integers(0, 6)),
            }
        )
        t = onset + episodes[-1]["duration"] + 14 + float(rng.exponential(1 / rate))
    return episodes


def _patient(config: CohortConfig, index: int) -> PatientTruth:
    rng = np.random.default_rng([config.seed, index, 20260])
    code = patient_code(config.team, config.seed, index)
    diagnosis = _choice(rng, DIAGNOSES)
    tz_name = _choice(rng, TIMEZONES)
    tz = zoneinfo.ZoneInfo(tz_name)
    sex = _choice(rng, [("F", 0.52), ("M", 0.45), ("X", 0.03)])
    age = int(np.clip(rng.normal(42, 13), 18, 80))
    cohort_start = config.end - timedelta(days=config.days - 1)
    # Most patients are enrolled at the start; some join later (staggered enrolment).
    late = int(rng.integers(1, max(2, config.days // 4))) if rng.random() < 0.2 else 0
    enrolled = cohort_start + timedelta(days=late)
    n = (config.end - enrolled).days + 1
    days = [enrolled + timedelta(days=i) for i in range(n)]
    weekday = np.array([d.weekday() for d in days])
    weekend = weekday >= 5

    # --- latent state ---------------------------------------------------------------
    never = rng.random() < config.never_relapse_share
    rate = 0.0 if never else float(rng.gamma(2.0, 1 / (2 * 150.0)))
    episodes = _episodes(rng, n, diagnosis, rate)
    for ep in episodes:
        ep["warned"] = bool(rng.random() >= config.unwarned_relapse_share)
    prodrome = np.zeros(n)
    in_episode = np.zeros(n, dtype=bool)
    kind_of_day = np.array([""] * n, dtype=object)
    days_to_event = np.full(n, np.nan)
    per_kind = {k: np.zeros(n) for k in SIGNS}
    episode_level = {k: np.zeros(n) for k in SIGNS}
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
    for _ in range(int(rng.poisson(n / 400))):
        c_start = int(rng.integers(0, n))
        c_len = int(rng.integers(7, 25))
        c_amp = float(np.clip(rng.lognormal(-0.7, 0.5), 0.1, 2.0))
        for t in range(c_start, min(n, c_start + c_len)):
            confounder[t] = max(confounder[t], c_amp * math.sin(math.pi * (t - c_start + 0.5) / c_len))
    per_kind[conf_kind] = per_kind[conf_kind] + confounder

    # Which signs this patient shows, and how strongly (individual subsets).
    passive_responder = rng.random() >= config.no_passive_change_share
    sens: dict[str, float] = {}
    for ch in CHANNELS:
        shows = rng.random() < (0.6 if ch in PASSIVE else 0.7)
        if ch in PASSIVE and not passive_responder:
            shows = False
        if ch == "sleep_hours" and diagnosis == "F31" and passive_responder:
            shows = rng.random() < 0.77  # sleep loss is the commonest manic prodrome (Jackson 2003)
        sens[ch] = float(rng.uniform(0.4, 1.6)) if shows else 0.0
    if rng.random() < 0.5:
        sens["sleep_hours_dep_sign"] = -1.0  # broken rather than longer sleep
    else:
        sens["sleep_hours_dep_sign"] = 1.0

    def effect(ch: str, scale: float) -> np.ndarray:
        """Shift of channel `ch` in within-SD units for every day."""
        total = np.zeros(n)
        for kind, signs in SIGNS.items():
            direction = signs.get(ch, 0.0)
            if ch == "sleep_hours" and kind == "depressive":
                direction *= sens["sleep_hours_dep_sign"]
            if direction == 0.0:
                continue
            total += direction * (sens[ch] * scale * per_kind[kind] + episode_level[kind] * abs(direction))
        return total

    sr = config.self_report_effect
    pe = config.passive_effect

    # --- per-patient baselines (between-patient differences are large) --------------
    dep_like = diagnosis in ("F32", "F33")
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
    phi = {ch: float(rng.uniform(0.3, 0.75)) for ch in CHANNELS}

    def noise(ch: str) -> np.ndarray:
        # Autocorrelated day-to-day noise, plus rare noisy days (x3 shocks).
        z = _ar1(rng, n, phi[ch])
        shocks = rng.random(n) < 0.04
        z[shocks] += rng.standard_normal(shocks.sum()) * 2.5
        return z

    # Logging fatigue: check-in probability decays towards a floor over the months.
    p_log0 = float(rng.beta(6, 2))
    fatigue_floor = float(rng.uniform(0.3, 0.85))
    fatigue_tau = float(rng.uniform(60, 400))
    t_idx = np.arange(n)
    p_log = p_log0 * (fatigue_floor + (1 - fatigue_floor) * np.exp(-t_idx / fatigue_tau))
    p_log = p_log * np.exp(-0.35 * np.maximum(0, -effect("logging", sr)))
    logged = rng.random(n) < p_log
    # Holidays: a few stretches with nothing logged at all.
    for _ in range(int(rng.poisson(n / 180))):
        s = int(rng.integers(0, n))
        logged[s : s + int(rng.integers(3, 12))] = False

    # Phone sensor coverage: on/off Markov chain (gaps of several days), worse when adherence drops.
    p_off = float(rng.uniform(0.01, 0.08))
    p_on = float(rng.uniform(0.25, 0.6))
    adherence_drop = np.maximum(0, -effect("logging", sr)) * (diagnosis in ("F20", "F25"))
    sensing = np.ones(n, dtype=bool)
    state = True
    for t in range(n):
        if state and rng.random() < p_off * (1 + adherence_drop[t]):
            state = False
        elif not state and rng.random() < p_on:
            state = True
        sensing[t] = state
    sensing[0] = False  # data starts the day after enrolment (consent given that morning)
    speech_p = float(rng.uniform(0.15, 0.6))
    questionnaire_adherence = float(rng.uniform(0.6, 1.0))

    # --- observed daily values (continuous latent before rounding) ------------------
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
    dep_episode = episode_level["depressive"] / EPISODE_LEVEL
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
    depressive_load = effect("phq9", sr) + 2.0 * episode_level["depressive"]
    anxiety_load = effect("gad7", sr)
    manic_load = effect("asrm", sr) + 2.0 * episode_level["manic"]
    phq_base = float(np.clip(rng.normal(9 if dep_like else 5.5, 3.5), 0, 20))
    gad_base = float(np.clip(rng.normal(6, 3), 0, 17))
    asrm_base = float(np.clip(rng.normal(2.5, 1.5), 0, 8))

    # --- cohort lines -----------------------------------------------------------------
    lines: list[dict[str, Any]] = [
        {
            "type": "patient",
            "code": code,
            "care_team": config.team,
            "timezone": tz_name,
            "birth_year": config.end.year - age,
            "sex": sex,
            "diagnosis": diagnosis,
            "enrolled_on": enrolled.isoformat(),
        }
    ]
    scopes = list(ALL_SCOPES)
    if rng.random() < 0.1:
        scopes.remove("speech")
    lines.append(
        {"type": "consent", "patient": code, "version": "1", "scopes": scopes, "at": _iso(_local(tz, enrolled, 9.0))}
    )
    wake_prev_onset = None
    next_phq = int(rng.integers(1, 14))
    next_gad = int(rng.integers(1, 14))
    next_asrm = int(rng.integers(1, 7))
    notes = ["", "", "", "tired", "good day", "saw family", "bad night", "work stress", "walked in the park"]
    for t, day in enumerate(days):
        if logged[t]:
            n_checkins = 2 if rng.random() < 0.08 else 1
            for k in range(n_checkins):
                hour = float(np.clip(rng.normal(20.5 if k == 0 else 12.5, 1.2), 9.5, 23.5))
                checkin: dict[str, Any] = {
                    "type": "checkin",
                    "patient": code,
                    "id": _uuid(rng),
                    "recorded_at": _iso(_local(tz, day, hour)),
                    "mood": int(np.clip(round(mood[t] + rng.normal(0, 0.3)), -3, 3)),
                }
                for ch, value in scales.items():
                    if rng.random() < 0.9:
                        checkin[ch] = int(np.clip(round(value[t] + rng.normal(0, 0.4)), 0, 10))
                if rng.random() < med_logged_share:
                    checkin["medication_taken"] = bool(rng.random() < p_med[t])
                note = notes[int(rng.integers(len(notes)))]
                if note:
                    checkin["note"] = note
                lines.append(checkin)
        # Questionnaires every ~2 weeks (PHQ-9, GAD-7), weekly ASRM for bipolar patients.
        if t >= next_phq:
            next_phq = t + int(rng.integers(12, 17))
            if rng.random() < questionnaire_adherence * (0.6 + 0.4 * logged[t]):
                total = phq_base + 2.2 * depressive_load[t] + rng.normal(0, 1.8)
                answers = _answers(rng, total, items=9, top=3)
                if answers[8] > 0 and (total < 17 or rng.random() < 0.6):
                    answers[8] = 0  # item 9 stays rare; it raises a safety alert at import
                lines.append(_questionnaire(rng, code, tz, day, "PHQ-9", answers))
        if t >= next_gad:
            next_gad = t + int(rng.integers(12, 17))
            if rng.random() < questionnaire_adherence * 0.8:
                total = gad_base + 2.0 * anxiety_load[t] + rng.normal(0, 1.8)
                lines.append(_questionnaire(rng, code, tz, day, "GAD-7", _answers(rng, total, items=7, top=3)))
        if diagnosis == "F31" and t >= next_asrm:
            next_asrm = t + int(rng.integers(6, 9))
            if rng.random() < questionnaire_adherence * 0.8:
                total = asrm_base + 2.5 * manic_load[t] + rng.normal(0, 1.2)
                lines.append(_questionnaire(rng, code, tz, day, "ASRM", _answers(rng, total, items=5, top=4)))
        if not sensing[t]:
            continue
        # Sleep: the main episode ends on the morning of `day` (it belongs to that day).
        hours = float(np.clip(sleep_h[t], 2.0, 14.0))
        start_h = float(np.clip(onset[t], 19.0, 30.0)) - 24.0  # hours after midnight of `day`
        if t == 0 or wake_prev_onset is None or rng.random() < 0.97:
            start = _local(tz, day, start_h)
            end = start + timedelta(hours=hours)
            eff = float(np.clip(efficiency[t], 0.4, 0.99))
            record: dict[str, Any] = {
                "id": _uuid(rng),
                "type": "sleep",
                "start": _iso(start),
                "end": _iso(end),
                "efficiency": round(eff, 3),
                "awakenings": int(rng.poisson(1 + 6 * (1 - eff))),
            }
            lines.append({"type": "signal", "patient": code, "record": record})
        wake_prev_onset = start_h
        if rng.random() < 0.04:  # an afternoon nap: not the day's main sleep
            nap = _local(tz, day, float(rng.uniform(13.5, 16.0)))
            lines.append(
                {
                    "type": "signal",
                    "patient": code,
                    "record": {
                        "id": _uuid(rng),
                        "type": "sleep",
                        "start": _iso(nap),
                        "end": _iso(nap + timedelta(minutes=int(rng.integers(20, 80)))),
                    },
                }
            )
        if rng.random() < 0.97:
            total_steps = float(np.exp(steps_log[t]))
            morning = float(rng.uniform(0.3, 0.5))
            for a, b, share in ((6.0, 13.0, morning), (13.0, 23.0, 1 - morning)):
                lines.append(
                    {
                        "type": "signal",
                        "patient": code,
                        "record": {
                            "id": _uuid(rng),
                            "type": "steps",
                            "start": _iso(_local(tz, day, a)),
                            "end": _iso(_local(tz, day, b)),
                            # API range: at most 100,000 steps per day of span.
                            "count": int(min(100_000 * (b - a) / 24, max(0, round(total_steps * share)))),
                        },
                    }
                )
        if rng.random() < 0.95:
            span = 16.0 * 60  # 07:00-23:00 local
            lines.append(
                {
                    "type": "signal",
                    "patient": code,
                    "record": {
                        "id": _uuid(rng),
                        "type": "mobility",
                        "start": _iso(_local(tz, day, 7.0)),
                        "end": _iso(_local(tz, day, 23.0)),
                        "time_at_home_min": round(float(np.clip(home[t], 0, span)), 1),
                        "distance_km": round(float(np.exp(distance_log[t])), 2),
                        "places_visited": int(rng.poisson(max(0.2, 3 * (1 - home[t] / span) + 0.5))),
                    },
                }
            )
        if "speech" in scopes and rng.random() < speech_p:
            rec_start = _local(tz, day, float(rng.uniform(18.0, 22.0)))
            lines.append(
                {
                    "type": "signal",
                    "patient": code,
                    "record": {
                        "id": _uuid(rng),
                        "type": "speech",
                        "start": _iso(rec_start),
                        "end": _iso(rec_start + timedelta(seconds=int(rng.integers(30, 120)))),
                        "speech_rate_wpm": round(float(np.clip(speech_rate[t], 40, 320)), 1),
                        "pause_ratio": round(float(np.clip(pause[t], 0.02, 0.95)), 3),
                        "pitch_mean_hz": round(float(np.clip(base["pitch_mean"] + rng.normal(0, 6), 60, 450)), 1),
                        "pitch_sd_hz": round(float(np.clip(pitch_sd[t], 1, 120)), 2),
                        "energy_db": round(float(rng.normal(-24, 3)), 2),
                    },
                }
            )
        if rng.random() < 0.96:
            span = 16.5 * 60  # 07:00-23:30 local
            lines.append(
                {
                    "type": "signal",
                    "patient": code,
                    "record": {
                        "id": _uuid(rng),
                        "type": "screen",
                        "start": _iso(_local(tz, day, 7.0)),
                        "end": _iso(_local(tz, day, 23.5)),
                        "screen_minutes": round(float(np.clip(screen[t], 0, span)), 1),
                        "unlocks": int(max(0, round(unlocks[t]))),
                    },
                }
            )
    for ep in episodes:
        if ep["onset"] >= n:
            continue
        lines.append(
            {"type": "event", "patient": code, "kind": "relapse", "date": days[ep["onset"]].isoformat(), "note": ""}
        )
        if ep["hospitalized"] and ep["onset"] + ep["hospital_delay"] < n:
            lines.append(
                {
                    "type": "event",
                    "patient": code,
                    "kind": "hospitalization",
                    "date": days[ep["onset"] + ep["hospital_delay"]].isoformat(),
                    "note": "",
                }
            )
    latent = pd.DataFrame(
        {
            "patient_code": code,
            "date": [d.isoformat() for d in days],
            "prodrome_intensity": np.round(prodrome, 4),
            "in_episode": in_episode.astype(int),
            "episode_kind": kind_of_day,
            "days_to_relapse": days_to_event,
            "confounder_intensity": np.round(confounder, 4),
            "passive_responder": int(passive_responder),
            "logging_probability": np.round(p_log, 3),
            "sensing": sensing.astype(int),
        }
    )
    return PatientTruth(code=code, diagnosis=diagnosis, latent=latent, lines=lines)


def _answers(rng: np.random.Generator, total: float, *, items: int, top: int) -> list[int]:
    """Item answers whose sum is close to `total` (clipped to the instrument's range)."""
    target = int(np.clip(round(total), 0, items * top))
    answers = [0] * items
    weights = rng.dirichlet(np.ones(items) * 2)
    for _ in range(target):
        open_items = [i for i in range(items) if answers[i] < top]
        if not open_items:
            break
        w = weights[open_items] / weights[open_items].sum()
        answers[int(rng.choice(open_items, p=w))] += 1
    return answers


def _questionnaire(
    rng: np.random.Generator, code: str, tz: zoneinfo.ZoneInfo, day: date, instrument: str, answers: list[int]
) -> dict[str, Any]:
    return {
        "type": "questionnaire",
        "patient": code,
        "id": _uuid(rng),
        "instrument": instrument,
        "answers": answers,
        "completed_at": _iso(_local(tz, day, float(rng.uniform(10.0, 21.0)))),
    }
