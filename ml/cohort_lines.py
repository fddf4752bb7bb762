"""Synthetic cohort, stage 3: the cohort-file lines (API.md cohort format) of one patient:
their patient and consent lines, then day by day their check-ins, questionnaires and
passive signals (each record with its own reading noise, rounded to the API's units), then
their clinical events.

Pure computation (numpy only). The draws happen in the order of the lines written; ml.cohort
calls this stage last.
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np

from .cohort_latent import CohortConfig, Latent, Profile
from .cohort_observations import Observations

ALL_SCOPES = ["self_report", "sleep", "activity", "mobility", "speech", "risk_scoring"]
NOTES = ["", "", "", "tired", "good day", "saw family", "bad night", "work stress", "walked in the park"]


def _uuid(rng: np.random.Generator) -> str:
    return str(uuid.UUID(bytes=rng.bytes(16), version=4))


def _local(tz: zoneinfo.ZoneInfo, day: date, hours: float) -> datetime:
    """Local wall-clock time `hours` after midnight of `day` (hours may exceed 24 or be < 0)."""
    naive = datetime.combine(day, time(0)) + timedelta(minutes=round(hours * 60))
    return naive.replace(tzinfo=tz)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@dataclass
class _Writer:
    """One patient's lines in the making: who, where, the random stream and what is known of
    each day."""

    rng: np.random.Generator
    code: str
    tz: zoneinfo.ZoneInfo
    obs: Observations
    lines: list[dict[str, Any]]

    def signal(self, record: dict[str, Any]) -> None:
        self.lines.append({"type": "signal", "patient": self.code, "record": record})

    def checkins(self, t: int, day: date) -> None:
        rng, obs = self.rng, self.obs
        n_checkins = 2 if rng.random() < 0.08 else 1
        for k in range(n_checkins):
            hour = float(np.clip(rng.normal(20.5 if k == 0 else 12.5, 1.2), 9.5, 23.5))
            checkin: dict[str, Any] = {
                "type": "checkin",
                "patient": self.code,
                "id": _uuid(rng),
                "recorded_at": _iso(_local(self.tz, day, hour)),
                "mood": int(np.clip(round(obs.mood[t] + rng.normal(0, 0.3)), -3, 3)),
            }
            for ch, value in obs.scales.items():
                if rng.random() < 0.9:
                    checkin[ch] = int(np.clip(round(value[t] + rng.normal(0, 0.4)), 0, 10))
            if rng.random() < obs.med_logged_share:
                checkin["medication_taken"] = bool(rng.random() < obs.p_med[t])
            note = NOTES[int(rng.integers(len(NOTES)))]
            if note:
                checkin["note"] = note
            self.lines.append(checkin)

    def questionnaire(self, day: date, instrument: str, answers: list[int]) -> None:
        self.lines.append(
            {
                "type": "questionnaire",
                "patient": self.code,
                "id": _uuid(self.rng),
                "instrument": instrument,
                "answers": answers,
                "completed_at": _iso(_local(self.tz, day, float(self.rng.uniform(10.0, 21.0)))),
            }
        )

    def sleep(self, t: int, day: date, *, first_night: bool) -> None:
        """The night ending on the morning of `day` (it belongs to that day), unless it went
        unrecorded, and now and then an afternoon nap."""
        rng, obs = self.rng, self.obs
        hours = float(np.clip(obs.sleep_hours[t], 2.0, 14.0))
        start_h = float(np.clip(obs.sleep_onset[t], 19.0, 30.0)) - 24.0  # hours after midnight of `day`
        if first_night or rng.random() < 0.97:
            start = _local(self.tz, day, start_h)
            end = start + timedelta(hours=hours)
            eff = float(np.clip(obs.sleep_efficiency[t], 0.4, 0.99))
            self.signal(
                {
                    "id": _uuid(rng),
                    "type": "sleep",
                    "start": _iso(start),
                    "end": _iso(end),
                    "efficiency": round(eff, 3),
                    "awakenings": int(rng.poisson(1 + 6 * (1 - eff))),
                }
            )
        if rng.random() < 0.04:  # an afternoon nap: not the day's main sleep
            nap = _local(self.tz, day, float(rng.uniform(13.5, 16.0)))
            self.signal(
                {
                    "id": _uuid(rng),
                    "type": "sleep",
                    "start": _iso(nap),
                    "end": _iso(nap + timedelta(minutes=int(rng.integers(20, 80)))),
                }
            )

    def phone(self, t: int, day: date, *, speech: bool) -> None:
        """Steps, mobility, a speech recording (when `speech` is consented) and screen use."""
        rng, obs, tz = self.rng, self.obs, self.tz
        if rng.random() < 0.97:
            total_steps = float(np.exp(obs.steps_log[t]))
            morning = float(rng.uniform(0.3, 0.5))
            for a, b, share in ((6.0, 13.0, morning), (13.0, 23.0, 1 - morning)):
                self.signal(
                    {
                        "id": _uuid(rng),
                        "type": "steps",
                        "start": _iso(_local(tz, day, a)),
                        "end": _iso(_local(tz, day, b)),
                        # API range: at most 100,000 steps per day of span.
                        "count": int(min(100_000 * (b - a) / 24, max(0, round(total_steps * share)))),
                    }
                )
        if rng.random() < 0.95:
            span = 16.0 * 60  # 07:00-23:00 local
            self.signal(
                {
                    "id": _uuid(rng),
                    "type": "mobility",
                    "start": _iso(_local(tz, day, 7.0)),
                    "end": _iso(_local(tz, day, 23.0)),
                    "time_at_home_min": round(float(np.clip(obs.home[t], 0, span)), 1),
                    "distance_km": round(float(np.exp(obs.distance_log[t])), 2),
                    "places_visited": int(rng.poisson(max(0.2, 3 * (1 - obs.home[t] / span) + 0.5))),
                }
            )
        if speech and rng.random() < obs.speech_p:
            rec_start = _local(tz, day, float(rng.uniform(18.0, 22.0)))
            self.signal(
                {
                    "id": _uuid(rng),
                    "type": "speech",
                    "start": _iso(rec_start),
                    "end": _iso(rec_start + timedelta(seconds=int(rng.integers(30, 120)))),
                    "speech_rate_wpm": round(float(np.clip(obs.speech_rate[t], 40, 320)), 1),
                    "pause_ratio": round(float(np.clip(obs.pause[t], 0.02, 0.95)), 3),
                    "pitch_mean_hz": round(float(np.clip(obs.pitch_mean + rng.normal(0, 6), 60, 450)), 1),
                    "pitch_sd_hz": round(float(np.clip(obs.pitch_sd[t], 1, 120)), 2),
                    "energy_db": round(float(rng.normal(-24, 3)), 2),
                }
            )
        if rng.random() < 0.96:
            span = 16.5 * 60  # 07:00-23:30 local
            self.signal(
                {
                    "id": _uuid(rng),
                    "type": "screen",
                    "start": _iso(_local(tz, day, 7.0)),
                    "end": _iso(_local(tz, day, 23.5)),
                    "screen_minutes": round(float(np.clip(obs.screen[t], 0, span)), 1),
                    "unlocks": int(max(0, round(obs.unlocks[t]))),
                }
            )


def patient_lines(
    rng: np.random.Generator,
    config: CohortConfig,
    code: str,
    profile: Profile,
    latent: Latent,
    obs: Observations,
) -> list[dict[str, Any]]:
    tz = profile.tz
    lines: list[dict[str, Any]] = [
        {
            "type": "patient",
            "code": code,
            "care_team": config.team,
            "timezone": profile.tz_name,
            "birth_year": config.end.year - profile.age,
            "sex": profile.sex,
            "diagnosis": profile.diagnosis,
            "enrolled_on": profile.enrolled.isoformat(),
        }
    ]
    scopes = list(ALL_SCOPES)
    if rng.random() < 0.1:
        scopes.remove("speech")
    lines.append(
        {
            "type": "consent",
            "patient": code,
            "version": "1",
            "scopes": scopes,
            "at": _iso(_local(tz, profile.enrolled, 9.0)),
        }
    )
    writer = _Writer(rng=rng, code=code, tz=tz, obs=obs, lines=lines)
    night_seen = False  # a sensed day before this one
    next_phq = int(rng.integers(1, 14))
    next_gad = int(rng.integers(1, 14))
    next_asrm = int(rng.integers(1, 7))
    for t, day in enumerate(profile.days):
        if obs.logged[t]:
            writer.checkins(t, day)
        # Questionnaires every ~2 weeks (PHQ-9, GAD-7), weekly ASRM for bipolar patients.
        if t >= next_phq:
            next_phq = t + int(rng.integers(12, 17))
            if rng.random() < obs.questionnaire_adherence * (0.6 + 0.4 * obs.logged[t]):
                total = obs.phq9_expected[t] + rng.normal(0, 1.8)
                answers = _answers(rng, total, items=9, top=3)
                if answers[8] > 0 and (total < 17 or rng.random() < 0.6):
                    answers[8] = 0  # item 9 stays rare; it raises a safety alert at import
                writer.questionnaire(day, "PHQ-9", answers)
        if t >= next_gad:
            next_gad = t + int(rng.integers(12, 17))
            if rng.random() < obs.questionnaire_adherence * 0.8:
                total = obs.gad7_expected[t] + rng.normal(0, 1.8)
                writer.questionnaire(day, "GAD-7", _answers(rng, total, items=7, top=3))
        if profile.diagnosis == "F31" and t >= next_asrm:
            next_asrm = t + int(rng.integers(6, 9))
            if rng.random() < obs.questionnaire_adherence * 0.8:
                total = obs.asrm_expected[t] + rng.normal(0, 1.2)
                writer.questionnaire(day, "ASRM", _answers(rng, total, items=5, top=4))
        if not obs.sensing[t]:
            continue
        writer.sleep(t, day, first_night=t == 0 or not night_seen)
        night_seen = True
        writer.phone(t, day, speech="speech" in scopes)
    lines.extend(_events(code, profile.days, latent.episodes))
    return lines


def _events(code: str, days: list[date], episodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    n = len(days)
    lines: list[dict[str, Any]] = []
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
    return lines


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
