"""B5: nightly scoring of 10,000 patients x 90 days of daily summaries in PostgreSQL.

The scoring runs in a child process (so its peak memory is its own): the nightly path of
ml.scoring, chunk after chunk of CHUNK_SIZE (2,000) patients as one worker would run them (read the
chunk's 90-day window, features, calibrated model, explanations, bulk insert of the scores;
alert rules off, they are the alerts benchmark's business). The limit beside it, in another
child: reading the same daily rows with the same COPY query and one predict_proba over the
same number of feature rows. Summaries are bulk-loaded with COPY; about a third of the
patients have earlier relapses or hospitalisations recorded (the relapse history scoring
reads, ml.features.relapse_history).

In the same scoring child, after the night's scores: the nightly monitoring run of the model in
service (issue 17: ml.monitoring.monitoring_run per care team: live performance and the
version's drift check, including the first night's training-window reference), timed apart;
its target is at most 20 % of the scoring time.

    .venv/bin/python -m benchmarks.run --only B5
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import numpy as np

from benchmarks.harness import PYTHON, ROOT, Context

DAY = dt.date(2026, 6, 30)
WINDOW_DAYS = 90
SUMMARY_COPY_COLUMNS = [
    "patient_id", "date", "checkins", "mood", "anxiety", "energy", "irritability", "sleep_quality",
    "medication_taken", "phq9", "gad7", "asrm", "sleep_hours", "sleep_onset", "sleep_wake", "sleep_efficiency",
    "steps", "time_at_home_min", "distance_km", "speech_rate_wpm", "pause_ratio", "pitch_sd_hz",
    "screen_minutes", "unlocks", "passive_records", "updated_at",
]  # fmt: skip


def _fmt(values: np.ndarray, missing: np.ndarray, fmt: str) -> list[str]:
    return ["\\N" if m else fmt % v for v, m in zip(values, missing, strict=True)]


def load_population(ctx: Context, n_patients: int, *, days: int = WINDOW_DAYS, seed: int = 5) -> list[str]:
    """Patients (active, consented) and `days` daily summaries each, loaded with COPY."""
    ctx.django()
    from django.utils import timezone

    from patients.models import CareTeam, ClinicalEvent, ConsentRecord, Patient

    team, _ = CareTeam.objects.get_or_create(name="bench-scoring")
    rng = np.random.default_rng(seed)
    start = DAY - dt.timedelta(days=days - 1)
    now = timezone.now()
    diagnoses = np.array(["F33", "F31", "F20", "F25", "F32"])
    patients = [
        Patient(
            id=uuid.UUID(int=int(rng.integers(1, 2**62)) << 64 | i),
            code=f"B5-{i:06d}",
            care_team=team,
            timezone="Europe/Paris",
            birth_year=int(rng.integers(1950, 2005)),
            sex="F" if i % 2 else "M",
            diagnosis=str(diagnoses[i % len(diagnoses)]),
            enrolled_on=start - dt.timedelta(days=10),
        )
        for i in range(n_patients)
    ]
    Patient.objects.bulk_create(patients, batch_size=5000)
    ConsentRecord.objects.bulk_create(
        [ConsentRecord(patient=p, scope="risk_scoring", version="1", granted_at=now) for p in patients], batch_size=5000
    )
    # The relapse history scoring reads: about a third of the patients have one to three earlier
    # relapses or hospitalisations recorded, over the three years before the night (most before
    # enrolment, as a clinic records them from the patient's file).
    events: list[ClinicalEvent] = []
    for p in patients:
        if rng.random() < 0.35:
            for back in sorted({int(b) for b in rng.integers(20, 3 * 365, int(rng.integers(1, 4)))}):
                kind = "relapse" if rng.random() < 0.6 else "hospitalization"
                events.append(ClinicalEvent(patient=p, kind=kind, date=DAY - dt.timedelta(days=back)))
    ClinicalEvent.objects.bulk_create(events, batch_size=5000)
    stamp = now.isoformat()
    dates = [(start + dt.timedelta(days=d)).isoformat() for d in range(days)]
    with ctx.psycopg_connect() as conn, conn.cursor() as cur:
        cols = ", ".join(SUMMARY_COPY_COLUMNS)
        with cur.copy(f"COPY monitoring_dailysummary ({cols}) FROM STDIN") as copy:
            for offset in range(0, n_patients, 1000):
                block = patients[offset : offset + 1000]
                n = len(block) * days
                miss_self = rng.random(n) < 0.3
                miss_passive = rng.random(n) < 0.1
                miss_q = rng.random(n) > 0.07
                cols_out = [
                    np.repeat([str(p.pk) for p in block], days),
                    np.tile(dates, len(block)),
                    np.where(miss_self, "0", "1"),
                    _fmt(rng.integers(-3, 4, n).astype(float), miss_self, "%.1f"),
                    *[_fmt(rng.integers(0, 11, n).astype(float), miss_self, "%.1f") for _ in range(4)],
                    np.where(miss_self, "\\N", np.where(rng.random(n) < 0.9, "t", "f")),
                    _fmt(rng.integers(0, 28, n), miss_q, "%d"),
                    _fmt(rng.integers(0, 22, n), miss_q, "%d"),
                    _fmt(rng.integers(0, 21, n), miss_q | (rng.random(n) < 0.6), "%d"),
                    _fmt(rng.normal(7.3, 1.2, n).clip(2, 14), miss_passive, "%.2f"),
                    np.where(miss_passive, "\\N", "23:10"),
                    np.where(miss_passive, "\\N", "07:05"),
                    _fmt(rng.normal(0.87, 0.05, n).clip(0.4, 1), miss_passive, "%.3f"),
                    _fmt(rng.lognormal(8.7, 0.4, n).astype(int), miss_passive, "%d"),
                    _fmt(rng.normal(700, 120, n).clip(0, 960), miss_passive, "%.1f"),
                    _fmt(rng.lognormal(2, 0.7, n), miss_passive, "%.2f"),
                    _fmt(rng.normal(150, 15, n), miss_passive | (rng.random(n) < 0.6), "%.1f"),
                    _fmt(rng.normal(0.28, 0.05, n).clip(0, 1), miss_passive | (rng.random(n) < 0.6), "%.3f"),
                    _fmt(rng.normal(22, 5, n).clip(1, 80), miss_passive | (rng.random(n) < 0.6), "%.2f"),
                    _fmt(rng.normal(230, 60, n).clip(0, 990), miss_passive, "%.1f"),
                    _fmt(rng.integers(10, 200, n), miss_passive, "%d"),
                    np.where(miss_passive, "0", "5"),
                    np.full(n, stamp),
                ]
                lines = ["\t".join(row) for row in zip(*cols_out, strict=True)]
                copy.write("\n".join(lines) + "\n")
        conn.commit()
        cur.execute("ANALYZE")  # as autovacuum would have: planner statistics for every table
        conn.commit()
    return [str(p.pk) for p in patients]


def register_model(ctx: Context) -> str:
    """A model trained on a small generated cohort, registered and activated."""
    ctx.django()
    from django.conf import settings

    from ml.cohort import CohortConfig, generate
    from ml.services import model_register
    from ml.training import build_dataset, train_risk_model
    from monitoring.cohort_summaries import daily_summaries_from_lines

    lines: list[dict[str, Any]] = []
    for truth in generate(CohortConfig(patients=60, days=150, seed=99, team="b5train", end=DAY)):
        lines.extend(truth.lines)
    summaries, pats, events = daily_summaries_from_lines(lines)
    model, report = train_risk_model(build_dataset(summaries, pats, events), events, seed=1, n_boot=5)
    settings.MODEL_ARTIFACT_DIR = str(ctx.tmp / "models")
    return model_register(model=model, report=report, seed=1, activate=True).version


def child_env(ctx: Context) -> dict[str, str]:
    return {**ctx.service_env(), "MODEL_ARTIFACT_DIR": str(ctx.tmp / "models")}


def run_child(ctx: Context, mode: str, patient_ids: list[str], day: dt.date) -> dict[str, Any]:
    ids_file = ctx.tmp / f"ids-{mode}-{day}-{len(patient_ids)}.json"
    ids_file.write_text(json.dumps(patient_ids))
    proc = subprocess.run(  # noqa: S603
        [PYTHON, "-m", "benchmarks.b5_nightly_scoring", "child", mode, str(ids_file), day.isoformat()],
        cwd=ROOT,
        env=child_env(ctx),
        capture_output=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{mode} child failed: {proc.stderr.decode()[-3000:]}")
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def _own_peak_mb(resource: Any) -> float:
    """This process's own peak RSS. Linux keeps ru_maxrss across fork and exec, so a child's
    ru_maxrss starts at its parent's peak (here the harness, which trained the model just
    before); VmHWM belongs to the process image alone."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, ids_file: str, day_text: str) -> None:
    import resource

    import django
    from threadpoolctl import threadpool_limits

    django.setup()
    from ml import registry, scoring, selectors
    from ml.features import LOOKBACK_DAYS

    ids = json.loads(open(ids_file).read())
    day = dt.date.fromisoformat(day_text)
    mv = selectors.model_version_active()
    assert mv is not None
    model = registry.model_load(mv)  # load (and hash-check) outside the timed part, as a warm worker
    started = time.perf_counter()
    scored = 0
    if mode == "score":
        for i in range(0, len(ids), scoring.CHUNK_SIZE):
            chunk = ids[i : i + scoring.CHUNK_SIZE]
            scored += len(scoring.risk_scores_compute(patient_ids=chunk, days=[day], model_version=mv, alerts=False))
        scoring_seconds = time.perf_counter() - started
        from ml.monitoring import monitoring_run
        from patients.models import CareTeam

        monitor_started = time.perf_counter()
        for team_id in CareTeam.objects.filter(patients__isnull=False).distinct().values_list("pk", flat=True):
            monitoring_run(care_team_id=team_id, day=day, model_version_id=mv.pk)
        monitor_seconds = time.perf_counter() - monitor_started
        peak_mb = _own_peak_mb(resource)
        print(
            json.dumps(
                {"seconds": scoring_seconds, "peak_mb": peak_mb, "scored": scored, "monitor_seconds": monitor_seconds}
            )
        )
        return
    else:
        rows = 0
        for i in range(0, len(ids), scoring.CHUNK_SIZE):
            chunk = ids[i : i + scoring.CHUNK_SIZE]
            frame = selectors.daily_summaries_frame(
                patient_ids=chunk, start=day - dt.timedelta(days=LOOKBACK_DAYS - 1), end=day
            )
            rows += len(frame)
        x = np.random.default_rng(0).normal(size=(len(ids), len(model.feature_names)))
        with threadpool_limits(limits=1, user_api="openmp"):  # as the scoring service runs
            scored = len(model.pipeline.predict_proba(x))
    elapsed = time.perf_counter() - started
    peak_mb = _own_peak_mb(resource)
    print(json.dumps({"seconds": elapsed, "peak_mb": peak_mb, "scored": scored}))


def run(ctx: Context) -> list[dict[str, Any]]:
    n = 2_000 if ctx.quick else 10_000
    ctx.reset_database()
    t0 = time.monotonic()
    ids = load_population(ctx, n)
    load_s = time.monotonic() - t0
    version = register_model(ctx)
    from ml.scoring import CHUNK_SIZE  # Django is set up by now

    limit = run_child(ctx, "limit", ids, DAY)
    score = run_child(ctx, "score", ids, DAY)
    ratio = score["seconds"] / limit["seconds"] if limit["seconds"] else None
    passed = score["seconds"] <= 30 and score["peak_mb"] <= 1536 and (ratio or 99) <= 2
    monitor = score.get("monitor_seconds")
    share = monitor / score["seconds"] if monitor is not None and score["seconds"] else None
    return [
        ctx.row(
            id="B5",
            what="nightly scoring",
            workload=(
                f"{n:,} patients x {WINDOW_DAYS} days of daily summaries in PostgreSQL, "
                f"one worker, chunks of {CHUNK_SIZE:,}"
            ),
            figure=f"{score['seconds']:.1f} s, peak {score['peak_mb']:.0f} MB ({score['scored']:,} scores)",
            limit=f"read same rows + predict_proba: {limit['seconds']:.1f} s, peak {limit['peak_mb']:.0f} MB",
            ratio=ratio,
            target="<= 30 s, <= 1.5 GB, <= 2x the limit",
            passed=passed,
            details={"score": score, "limit": limit, "load_seconds": round(load_s, 1), "model_version": version},
        ),
        ctx.row(
            id="B5m",
            what="nightly model monitoring after scoring",
            workload=f"same run: live performance per team and drift (sample of 400 patients) after {n:,} scores",
            figure=f"{monitor:.1f} s" if monitor is not None else "n/a",
            limit=f"scoring the night: {score['seconds']:.1f} s",
            ratio=share,
            target="<= 20 % of the scoring time",
            passed=share is not None and share <= 0.2,
            details={"monitor_seconds": monitor, "scoring_seconds": score["seconds"]},
        ),
    ]


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "child":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
        _child(sys.argv[2], sys.argv[3], sys.argv[4])
