"""B1 — signal ingestion: POST /signals/batch/, 1,000 records a batch, 8 concurrent clients,
PostgreSQL; records stored per second, beside PostgreSQL COPY of the same rows into the
same table (8 concurrent connections, one COPY per batch). Target >= 20,000 rec/s and
>= 0.25 of COPY."""

import datetime as dt
import json
import os
import threading
import time
import uuid
from typing import Any

from benchmarks.harness import Context

CLIENTS = 8
DAYS_PER_BATCH = 20  # 50 records a day: 1 sleep, 23 hourly steps, 1 mobility, 1 speech, 24 hourly screen
COPY_COLUMNS = (
    "id", "patient_id", "kind", "start", "end", "day", "efficiency", "awakenings", "count", "time_at_home_min",
    "distance_km", "places_visited", "speech_rate_wpm", "pause_ratio", "pitch_mean_hz", "pitch_sd_hz", "energy_db",
    "screen_minutes", "unlocks", "received_at",
)  # fmt: skip


def _day_records(day: dt.date, rng_seed: int) -> list[dict[str, Any]]:
    base = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    h = dt.timedelta(hours=1)
    s = rng_seed % 7
    records: list[dict[str, Any]] = [
        {"type": "sleep", "start": base - 2 * h + s * dt.timedelta(minutes=5), "end": base + 7 * h, "efficiency": 0.88,
         "awakenings": s},
        {"type": "mobility", "start": base + 7 * h, "end": base + 23 * h, "time_at_home_min": 600 + s,
         "distance_km": 4.5 + s, "places_visited": 3},
        {"type": "speech", "start": base + 19 * h, "end": base + 19 * h + dt.timedelta(minutes=1),
         "speech_rate_wpm": 130 + s, "pause_ratio": 0.3, "pitch_mean_hz": 170, "pitch_sd_hz": 22, "energy_db": -25},
    ]  # fmt: skip
    for hour in range(23):
        records.append(
            {"type": "steps", "start": base + hour * h, "end": base + (hour + 1) * h, "count": 100 + hour * s}
        )
    for hour in range(24):
        records.append(
            {
                "type": "screen",
                "start": base + hour * h,
                "end": base + (hour + 1) * h,
                "screen_minutes": 5 + s,
                "unlocks": 3,
            }
        )
    for record in records:
        record["id"] = str(uuid.uuid4())
    return records


def _json_record(record: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in record.items()}


def _copy_line(record: dict[str, Any], patient_id: str, received: str) -> str:
    day = (record["end"] if record["type"] == "sleep" else record["start"]).date()
    start, end = record["start"].isoformat(), record["end"].isoformat()
    values: list[Any] = [record["id"], patient_id, record["type"], start, end, day.isoformat()]
    for name in COPY_COLUMNS[6:-1]:
        value = record.get(name)
        values.append("\\N" if value is None else value)
    values.append(received)
    return "\t".join(str(v) for v in values) + "\n"


def run(ctx: Context) -> list[dict[str, Any]]:
    batches = 8 if ctx.quick else 60
    max_seconds = 20 if ctx.quick else 60
    ctx.reset_database()
    team, _nurse, _token = ctx.care_team("b1")
    patients = ctx.patients(team, CLIENTS, prefix="b1", enrolled_days_ago=(batches + 2) * DAYS_PER_BATCH + 30)

    # The same records, as API batches (one warm-up batch per client first) and as COPY text.
    requests_path = ctx.tmp / "b1-requests.jsonl"
    copy_batches: list[list[str]] = [[] for _ in range(CLIENTS)]
    received = dt.datetime.now(dt.UTC).isoformat()
    with requests_path.open("w") as out:
        for worker, (patient, token) in enumerate(patients):
            first_day = patient.enrolled_on + dt.timedelta(days=1)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for k in range(batches + 1):
                records = []
                for d in range(DAYS_PER_BATCH):
                    records.extend(_day_records(first_day + dt.timedelta(days=k * DAYS_PER_BATCH + d), worker + d))
                assert len(records) == 1000
                body = json.dumps({"records": [_json_record(r) for r in records]})
                out.write(json.dumps({"worker": worker, "method": "POST", "path": "/api/v1/signals/batch/",
                                      "headers": headers, "body": body}) + "\n")  # fmt: skip
                if k > 0:
                    copy_batches[worker].append("".join(_copy_line(r, str(patient.pk), received) for r in records))

    spec = {
        "requests_file": str(requests_path),
        "concurrency": CLIENTS,
        "max_requests": CLIENTS * batches,
        "max_seconds": max_seconds,
        "warmup": 1,
        "count_field": "accepted",
    }
    # As the Procfile runs it (one daphne process), then one process per core, as a
    # deployment would and as the COPY limit does (8 connections use every core). The same
    # batches both times: the tables are emptied in between.
    with ctx.server(workers=1) as server:
        single = ctx.load(server, spec)
    _empty(ctx)
    processes = int(os.environ.get("BENCH_SERVER_PROCESSES") or max(1, os.cpu_count() or 1))
    with ctx.server(workers=processes) as server:
        result = ctx.load(server, spec)
    api_rate = result.counted / result.elapsed_s
    single_rate = single.counted / single.elapsed_s
    ok = result.statuses.get(200, 0)

    # The limit: COPY of the same rows into the same (emptied) table.
    with ctx.psycopg_connect() as conn:
        stored = conn.execute("SELECT count(*) FROM monitoring_signalrecord").fetchone()[0]
        summaries = conn.execute("SELECT count(*) FROM monitoring_dailysummary").fetchone()[0]
    _empty(ctx)
    # The batches each client posted (a time-bounded API run may stop early).
    copy_rows, copy_elapsed = _copy(ctx, [b[:n] for b, n in zip(copy_batches, result.per_worker, strict=True)])
    copy_rate = copy_rows / copy_elapsed
    ratio = api_rate / copy_rate
    passed = api_rate >= 20_000 and ratio >= 0.25 and not (result.errors or single.errors) and ok == result.requests
    return [
        ctx.row(
            id="B1",
            what="signal ingestion",
            workload=f"POST /signals/batch/, 1,000 records a batch, {CLIENTS} concurrent clients, PostgreSQL, "
            f"{processes} daphne processes (1 process: {single_rate:,.0f} rec/s)",
            figure=f"{api_rate:,.0f} records stored/s ({single_rate:,.0f} with one daphne process)",
            limit=f"COPY {copy_rate:,.0f} rows/s",
            ratio=ratio,
            target=">= 20,000 rec/s and >= 0.25 of COPY",
            passed=passed,
            details={
                "api": result.summary() | {"records_stored": result.counted, "records_per_s": round(api_rate)},
                "server_processes": processes,
                "api_one_process": single.summary()
                | {"records_stored": single.counted, "records_per_s": round(single_rate)},
                "rows_in_table_after_api_run": stored,
                "daily_summary_rows": summaries,
                "copy": {"rows": copy_rows, "elapsed_s": round(copy_elapsed, 3), "rows_per_s": round(copy_rate)},
                "client_errors": result.errors,
                "record_mix_per_day": "1 sleep, 23 hourly steps, 1 mobility, 1 speech, 24 hourly screen",
            },
        )
    ]


def _empty(ctx: Context) -> None:
    with ctx.psycopg_connect() as conn:
        conn.execute("TRUNCATE monitoring_signalrecord, monitoring_dailysummary")
        conn.execute("VACUUM ANALYZE monitoring_signalrecord")
        conn.execute("VACUUM ANALYZE monitoring_dailysummary")


def _copy(ctx: Context, batches: list[list[str]]) -> tuple[int, float]:
    """Each connection COPYs its batches, one COPY and commit per batch, all concurrently."""
    import psycopg

    columns = ", ".join(f'"{c}"' for c in COPY_COLUMNS)
    connections = [psycopg.connect(ctx.database_url) for _ in batches]
    counts = [0] * len(batches)
    go = threading.Event()

    def copy(i: int) -> None:
        conn = connections[i]
        go.wait()
        for text in batches[i]:
            with conn.cursor() as cur:
                with cur.copy(f"COPY monitoring_signalrecord ({columns}) FROM STDIN") as copy_:  # noqa: S608
                    copy_.write(text)
            conn.commit()
            counts[i] += text.count("\n")

    threads = [threading.Thread(target=copy, args=(i,)) for i in range(len(batches))]
    for t in threads:
        t.start()
    started = time.perf_counter()
    go.set()
    for t in threads:
        t.join(timeout=600)
    elapsed = time.perf_counter() - started
    for conn in connections:
        conn.close()
    return sum(counts), elapsed
