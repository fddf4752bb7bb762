"""B8 — actigraphy import: the whole depresjon set (55 wrist recordings, ~1 million minutes)
as `activity_epochs` records (one day of minutes each, 31 a request, as
`monitoring.actigraphy_import` cuts them) through POST /signals/batch/ on PostgreSQL, 8
concurrent clients (one subject's requests in order on one client), a Celery worker deriving
the sleep and rhythm as the epochs arrive. Figures: minutes stored per second, and the time
until every stored day has its derived summary. Limit: COPY of the same rows (the epoch
records and the per-day minute rows the API stored) into the same emptied tables. Target
>= 0.25 of COPY."""

import datetime as dt
import json
import os
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import ROOT, Context

CLIENTS = 8
RECORDS_PER_REQUEST = 31
DATA = Path(os.environ.get("BENCH_DEPRESJON", ROOT.parent / "shared" / "data" / "depresjon"))
TZ = "Europe/Oslo"
TABLES = {
    "monitoring_activityepochrecord": (
        "id", "patient_id", "start", "end", "day", "epoch_seconds", "epochs", "digest", "received_at",
    ),
    "monitoring_activityday": ("patient_id", "date", "minutes", "wear_minutes", "updated_at"),
}  # fmt: skip
_PENDING = (
    "SELECT count(*) FROM monitoring_activityday a LEFT JOIN monitoring_dailysummary s "
    "ON s.patient_id = a.patient_id AND s.date = a.date WHERE s.id IS NULL OR s.updated_at < a.updated_at"
)


def _subjects(quick: bool) -> list[Path]:
    files = sorted(DATA.glob("*/*.csv.gz"))
    return files[:: max(1, len(files) // 8)] if quick else files


def run(ctx: Context) -> list[dict[str, Any]]:
    files = _subjects(ctx.quick)
    ctx.reset_database()
    team, _nurse, _token = ctx.care_team("b8")
    patients = ctx.patients(team, len(files), prefix="b8", enrolled_days_ago=9_000, timezone_name=TZ)
    from monitoring.actigraphy_import import actigraphy_files_read, epoch_records

    requests_path = ctx.tmp / "b8-requests.jsonl"
    minutes = records = 0
    with requests_path.open("w") as out:
        for i, (path, (patient, token)) in enumerate(zip(files, patients, strict=True)):
            (read,) = actigraphy_files_read(paths=[path], tz=TZ)
            minutes += int(read.counts.notna().sum())
            built = epoch_records(patient=patient, read=read)
            records += len(built)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for k in range(0, len(built), RECORDS_PER_REQUEST):
                body = json.dumps({"records": built[k : k + RECORDS_PER_REQUEST]})
                out.write(json.dumps({"worker": i % CLIENTS, "method": "POST", "path": "/api/v1/signals/batch/",
                                      "headers": headers, "body": body}) + "\n")  # fmt: skip
    requests = sum(1 for _ in requests_path.open())
    spec = {
        "requests_file": str(requests_path),
        "concurrency": CLIENTS,
        "max_requests": requests,
        "max_seconds": 600,
        "warmup": 0,
        "count_field": "accepted",
    }
    processes = int(os.environ.get("BENCH_SERVER_PROCESSES") or max(1, os.cpu_count() or 1))
    with ctx.worker(concurrency=1), ctx.server(workers=processes) as server:
        started = time.perf_counter()
        result = ctx.load(server, spec)
        stored_at = time.perf_counter()
        with ctx.psycopg_connect() as conn:
            pending = conn.execute(_PENDING).fetchone()[0]
            while pending and time.perf_counter() - stored_at < 600:
                time.sleep(0.5)
                pending = conn.execute(_PENDING).fetchone()[0]
        derived_at = time.perf_counter()
    with ctx.psycopg_connect() as conn:
        days = conn.execute("SELECT count(*), coalesce(sum(wear_minutes), 0) FROM monitoring_activityday").fetchone()
        derived = conn.execute(
            "SELECT count(*) FROM monitoring_dailysummary WHERE activity_mean IS NOT NULL"
        ).fetchone()[0]
        nights = conn.execute("SELECT count(*) FROM monitoring_signalrecord WHERE source = 'actigraph'").fetchone()[0]
        dumped = {}
        for table, columns in TABLES.items():
            names = ", ".join(f'"{c}"' for c in columns)
            with conn.cursor().copy(f"COPY {table} ({names}) TO STDOUT") as copy:  # noqa: S608
                dumped[table] = b"".join(bytes(chunk) for chunk in copy)
        conn.execute("TRUNCATE monitoring_activityepochrecord, monitoring_activityday")
        conn.execute("VACUUM ANALYZE monitoring_activityepochrecord")
        conn.execute("VACUUM ANALYZE monitoring_activityday")
    copy_started = time.perf_counter()
    with ctx.psycopg_connect() as conn:
        for table, columns in TABLES.items():
            names = ", ".join(f'"{c}"' for c in columns)
            with conn.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
                copy.write(dumped[table])
    copy_elapsed = time.perf_counter() - copy_started
    api_elapsed = result.elapsed_s
    stored_minutes = int(days[1])
    api_rate = stored_minutes / api_elapsed
    copy_rate = stored_minutes / copy_elapsed
    ratio = api_rate / copy_rate
    to_derived = derived_at - started
    ok = result.statuses.get(200, 0) == result.requests and not result.errors
    passed = ratio >= 0.25 and ok and pending == 0 and stored_minutes == minutes
    return [
        ctx.row(
            id="B8",
            what="actigraphy import",
            workload=f"depresjon: {len(files)} recordings, {minutes:,} recorded minutes as {records:,} activity_epochs "
            f"records, {RECORDS_PER_REQUEST} a request, {CLIENTS} clients, {processes} daphne processes, "
            "1 Celery worker deriving",
            figure=f"{api_rate:,.0f} minutes stored/s ({api_elapsed:.1f} s); derived sleep and rhythm of every day "
            f"{to_derived:.1f} s after the first request",
            limit=f"COPY {copy_rate:,.0f} minutes/s (the same {records:,} record rows and {days[0]:,} day rows)",
            ratio=ratio,
            target=">= 0.25 of COPY",
            passed=passed,
            details={
                "api": result.summary() | {"records_stored": result.counted, "minutes_per_s": round(api_rate)},
                "minutes_read": minutes,
                "minutes_stored": stored_minutes,
                "day_rows": days[0],
                "days_with_derived_activity": derived,
                "actigraph_nights": nights,
                "seconds_to_derived": round(to_derived, 2),
                "derive_backlog_after_api_s": round(derived_at - stored_at, 2),
                "copy": {"elapsed_s": round(copy_elapsed, 3), "minutes_per_s": round(copy_rate)},
                "client_errors": result.errors,
                "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            },
        )
    ]
