"""Shared helpers of the ml tests: small generated cohorts, loaded straight into the
DailySummary table (fast) or through import_cohort (the full path)."""

from __future__ import annotations

import functools
from datetime import date

import pandas as pd

from ml.cohort import CohortConfig, generate
from ml.serving import RiskModel
from ml.training import build_dataset, train_risk_model
from monitoring.cohort_summaries import daily_summaries_from_lines
from monitoring.summaries import SUMMARY_COLUMNS

END = date(2026, 6, 30)


@functools.cache
def cohort(patients: int = 30, days: int = 150, seed: int = 11, team: str = "ml") -> tuple:
    lines, latent = [], []
    for truth in generate(CohortConfig(patients=patients, days=days, seed=seed, team=team, end=END)):
        lines.extend(truth.lines)
        latent.append(truth.latent)
    summaries, pats, events = daily_summaries_from_lines(lines)
    return lines, pd.concat(latent, ignore_index=True), summaries, pats, events


@functools.cache
def trained(seed: int = 3) -> tuple[RiskModel, dict]:
    _lines, _latent, summaries, pats, events = cohort()
    data = build_dataset(summaries, pats, events)
    return train_risk_model(data, events, seed=seed, n_boot=10)


def load_patients_and_summaries(team, n: int = 6, *, codes: list[str] | None = None) -> list:  # type: ignore[no-untyped-def]
    """Create `n` consented patients in `team` with the summaries (and events) of the first
    `n` generated patients. Returns the Patient objects."""
    from monitoring.models import DailySummary
    from patients.models import ClinicalEvent
    from tests.factories import PatientFactory, grant_consents

    _lines, _latent, summaries, pats, events = cohort()
    chosen = codes or list(pats["patient"][:n])
    created = []
    for code in chosen:
        info = pats[pats["patient"] == code].iloc[0]
        patient = PatientFactory(
            code=f"{team.name}-{code}",
            care_team=team,
            user=None,
            diagnosis=info["diagnosis"],
            sex=info["sex"],
            birth_year=int(info["birth_year"]),
            timezone=info["timezone"],
            enrolled_on=date.fromisoformat(info["enrolled_on"]),
        )
        grant_consents(patient)
        rows = summaries[summaries["patient"] == code]
        objs = []
        for rec in rows.to_dict("records"):
            values = {}
            for col in SUMMARY_COLUMNS:
                v = rec[col]
                if isinstance(v, float) and v != v:
                    v = None
                if v is pd.NA:
                    v = None
                values[col] = v
            if values["medication_taken"] is not None:
                values["medication_taken"] = bool(values["medication_taken"])
            for col in ("phq9", "gad7", "asrm", "steps", "unlocks"):
                if values[col] is not None:
                    values[col] = int(values[col])
            objs.append(DailySummary(patient=patient, date=rec["date"].date(), **values))
        DailySummary.objects.bulk_create(objs)
        for ev in events[events["patient"] == code].to_dict("records"):
            ClinicalEvent.objects.get_or_create(patient=patient, kind=ev["kind"], date=ev["date"].date())
        created.append(patient)
    return created


def register(model: RiskModel, report: dict, *, activate: bool = True):  # type: ignore[no-untyped-def]
    from ml.services import model_register

    return model_register(model=model, report=report, seed=model.seed, activate=activate)
