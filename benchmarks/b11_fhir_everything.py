"""B11 — FHIR API: GET /fhir/Patient/{id}/$everything (first page, _count=50) for a patient
with 365 days of daily summaries, a crisis plan (CarePlan) and a pre-consultation summary
(Composition), 200 patients x 365 days stored in PostgreSQL, with a SMART
Backend Services access token; p50, p95 and the SQL queries per request, which must be the
same for a patient with 30 days and one with 365. Target p95 <= 300 ms.

One client at a time: the figure is the latency of one call from another establishment's
record system."""

import datetime as dt
import random
import time
import uuid
from typing import Any

from benchmarks.harness import Context
from benchmarks.synthetic import SUMMARY_COLUMNS, summary_row

PATIENTS = 200
DAYS = 365


def _fill(ctx: Context, days_by_patient: dict[str, int], end: dt.date) -> None:
    rng = random.Random(7)  # noqa: S311 - synthetic values
    with ctx.psycopg_connect() as conn:
        with conn.cursor() as cur, cur.copy(f"COPY monitoring_dailysummary ({SUMMARY_COLUMNS}) FROM STDIN") as copy:
            now = dt.datetime.now(dt.UTC)
            for pid, days in days_by_patient.items():
                first = end - dt.timedelta(days=days - 1)
                for d in range(days):
                    copy.write_row(summary_row(rng, pid, first + dt.timedelta(days=d), d, now, phq9_every=14))
        conn.execute("VACUUM ANALYZE monitoring_dailysummary")


def _token(establishment: Any) -> str:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.test import Client

    from interop.models import FhirSystem

    key = ec.generate_private_key(ec.SECP384R1())
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(key.public_key(), as_dict=True)
    FhirSystem.objects.create(
        establishment=establishment,
        name="bench",
        client_id="bench-his",
        jwks={"keys": [{**jwk, "kid": "k1", "alg": "ES384"}]},
    )
    now = int(time.time())
    token_url = "http://testserver/fhir/auth/token"
    claims = {"iss": "bench-his", "sub": "bench-his", "aud": token_url, "exp": now + 240, "jti": uuid.uuid4().hex}
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": jwt.encode(claims, key, algorithm="ES384", headers={"kid": "k1"}),
        "scope": "system/*.rs",
    }
    response = Client().post("/fhir/auth/token", form)
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def run(ctx: Context) -> list[dict[str, Any]]:
    requests = 100 if ctx.quick else 300
    ctx.reset_database()
    team, _nurse, _user_token = ctx.care_team("b11")
    patients = [p for p, _t in ctx.patients(team, PATIENTS, prefix="b11", enrolled_days_ago=DAYS + 5)]
    end = dt.date.today() - dt.timedelta(days=1)  # noqa: DTZ011 - a calendar day for the data
    ids = [str(p.pk) for p in patients]
    short = ids[-1]
    _fill(ctx, {pid: (30 if pid == short else DAYS) for pid in ids}, end)
    team.refresh_from_db()
    from patients.models import CrisisPlan

    CrisisPlan.objects.bulk_create(
        CrisisPlan(patient=p, warning_signs="stops sleeping, talks fast", who_to_call="my sister") for p in patients
    )
    token = _token(team.establishment)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    counts = {}
    for label, pid in (("30_days", short), ("365_days", ids[0])):
        url = f"/fhir/Patient/{pid}/$everything"
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        counts[label] = len(queries.captured_queries)
    everything = client.get(f"/fhir/Patient/{ids[0]}/$everything?_count=200").json()
    total = everything["total"]
    kinds = {entry["resource"]["resourceType"] for entry in everything["entry"]}
    assert {"Patient", "CarePlan", "Composition", "Observation"} <= kinds, kinds

    rng = random.Random(11)  # noqa: S311
    paths = [f"/fhir/Patient/{rng.choice(ids[:-1])}/$everything" for _ in range(requests)]
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
    constant = counts["30_days"] == counts["365_days"]
    passed = p95 <= 300 and constant and result.statuses.get(200, 0) == result.requests
    return [
        ctx.row(
            id="B11",
            what="FHIR $everything",
            workload=f"GET /fhir/Patient/{{id}}/$everything (first page of {total} resources), "
            f"{PATIENTS} patients x {DAYS} days stored",
            figure=f"p50 {result.p(50):.1f} ms, p95 {p95:.1f} ms; {counts['365_days']} SQL queries per request",
            limit=f"— (queries: 30 days {counts['30_days']}, 365 days {counts['365_days']})",
            ratio=None,
            target="p95 <= 300 ms, query count independent of days",
            passed=passed,
            details={
                "everything": result.summary(),
                "queries_per_request": counts,
                "resources_in_everything": total,
                "client_errors": result.errors,
            },
        )
    ]
