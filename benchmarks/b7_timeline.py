"""B7 — trend chart API: GET /patients/{id}/timeline/ for 365 days, with 1,000 patients x 365
days of daily summaries (and a risk score per patient-day) stored in PostgreSQL; p50, p95 and
the SQL queries per request (which must not depend on the number of days). Target p95 <= 50 ms.

One client at a time: the figure is the latency of one chart load, not a queue."""

import datetime as dt
import random
from typing import Any

from benchmarks.harness import Context
from benchmarks.synthetic import SUMMARY_COLUMNS, summary_row

PATIENTS = 1_000
DAYS = 365


def _fill(ctx: Context, patient_ids: list[str], first: dt.date) -> None:
    """Daily summaries and risk scores for every patient-day, by COPY (setup only)."""
    rng = random.Random(7)  # noqa: S311 - synthetic values

    with ctx.psycopg_connect() as conn:
        ctx.django()
        from ml.models import ModelVersion

        version_id = ModelVersion.objects.create(
            version="bench-b7", is_active=True, artifact_path="none", artifact_sha256="0" * 64, threshold=0.3
        ).pk
        with conn.cursor() as cur, cur.copy(f"COPY monitoring_dailysummary ({SUMMARY_COLUMNS}) FROM STDIN") as copy:
            now = dt.datetime.now(dt.UTC)
            for pid in patient_ids:
                for d in range(DAYS):
                    day = first + dt.timedelta(days=d)
                    copy.write_row(summary_row(rng, pid, day, d, now, phq9_every=14))
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY ml_riskscore (patient_id, date, model_version_id, score, band, threshold, explanation,"
                " created_at) FROM STDIN"
            ) as copy,
        ):
            for pid in patient_ids:
                for d in range(DAYS):
                    score = rng.random() * 0.6
                    band = "high" if score > 0.45 else "medium" if score > 0.25 else "low"
                    copy.write_row((pid, first + dt.timedelta(days=d), version_id, score, band, 0.3, "[]", now))
        conn.execute("VACUUM ANALYZE monitoring_dailysummary")
        conn.execute("VACUUM ANALYZE ml_riskscore")


def run(ctx: Context) -> list[dict[str, Any]]:
    requests = 100 if ctx.quick else 500
    ctx.reset_database()
    team, nurse, token = ctx.care_team("b7")
    patients = [p for p, _t in ctx.patients(team, PATIENTS, prefix="b7", enrolled_days_ago=DAYS + 5)]
    end = dt.date.today() - dt.timedelta(days=1)  # noqa: DTZ011 - a calendar day for the data
    start = end - dt.timedelta(days=DAYS - 1)
    ids = [str(p.pk) for p in patients]
    _fill(ctx, ids, start)

    # SQL queries per request, through the whole view, for 30 and for 365 days.
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    counts = {}
    for days in (30, 365):
        url = f"/api/v1/patients/{ids[0]}/timeline/?start={end - dt.timedelta(days=days - 1)}&end={end}"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200 and len(response.json()["days"]) == days
        counts[days] = len(queries.captured_queries)

    rng = random.Random(11)  # noqa: S311
    paths = [f"/api/v1/patients/{rng.choice(ids)}/timeline/?start={start}&end={end}" for _ in range(requests)]
    with ctx.server() as server:
        result = ctx.load(
            server,
            {
                "generator": "repeat",
                "params": {"paths": paths, "tokens": [token]},
                "concurrency": 1,
                "max_requests": requests,
                "max_seconds": 60,
                "warmup": 10,
            },
        )
    p95 = result.p(95)
    independent = counts[30] == counts[365]
    passed = p95 <= 50 and independent and result.statuses.get(200, 0) == result.requests
    return [
        ctx.row(
            id="B7",
            what="trend chart API",
            workload=f"GET /patients/{{id}}/timeline/ for {DAYS} days, {PATIENTS:,} patients x {DAYS} days stored",
            figure=f"p50 {result.p(50):.1f} ms, p95 {p95:.1f} ms; {counts[365]} SQL queries per request",
            limit="— (queries: 30 days " + str(counts[30]) + ", 365 days " + str(counts[365]) + ")",
            ratio=None,
            target="p95 <= 50 ms, query count independent of days",
            passed=passed,
            details={
                "timeline": result.summary(),
                "queries_per_request": {"30_days": counts[30], "365_days": counts[365]},
                "rows": {"daily_summaries": PATIENTS * DAYS, "risk_scores": PATIENTS * DAYS},
                "client_errors": result.errors,
            },
        )
    ]
