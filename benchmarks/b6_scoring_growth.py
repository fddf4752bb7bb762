"""B6: scoring growth. Nightly scoring of 1k, 10k and 50k patients (90 days of summaries each,
PostgreSQL, one worker process, chunks of ml.scoring.CHUNK_SIZE): time per patient should stay flat.

The population is loaded once at the largest size; each level scores the first N patients
for its own day, so every level writes fresh scores. `--quick` runs 1k/2k/5k.

    .venv/bin/python -m benchmarks.run --only B6
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from benchmarks.b5_nightly_scoring import DAY, WINDOW_DAYS, load_population, register_model, run_child
from benchmarks.harness import Context


def run(ctx: Context) -> list[dict[str, Any]]:
    levels = [1_000, 2_000, 5_000] if ctx.quick else [1_000, 10_000, 50_000]
    ctx.reset_database()
    t0 = time.monotonic()
    ids = load_population(ctx, max(levels), days=WINDOW_DAYS + len(levels))
    load_s = time.monotonic() - t0
    register_model(ctx)
    results = []
    for k, n in enumerate(levels):
        day = DAY - dt.timedelta(days=k)
        out = run_child(ctx, "score", ids[:n], day)
        results.append({"patients": n, **out, "ms_per_patient": 1000 * out["seconds"] / n})
    per = [r["ms_per_patient"] for r in results]
    growth = per[-1] / per[0] if per[0] else None
    return [
        ctx.row(
            id="B6",
            what="scoring growth",
            workload=", ".join(f"{r['patients']:,}" for r in results) + f" patients x {WINDOW_DAYS} days, one worker",
            figure=", ".join(f"{r['ms_per_patient']:.2f} ms/patient ({r['seconds']:.1f} s)" for r in results),
            limit="-",
            ratio=growth,
            target="flat (linear total): largest/smallest time per patient <= 1.5",
            passed=None if growth is None else growth <= 1.5,
            details={"levels": results, "load_seconds": round(load_s, 1)},
        )
    ]
