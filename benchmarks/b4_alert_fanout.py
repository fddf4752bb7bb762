"""B4 — alert fan-out: 500 nurse dashboards connected to /ws/alerts/ (500 clinicians of one
care team, first-message JWT), one safety alert raised by a PHQ-9 POST; the time until the
last socket has it, and that none missed it. One warm-up round, then several counted rounds.
Target <= 1 s, no socket missed.

The harness starts a real daphne on PostgreSQL + Redis; the 500 sockets live in the harness
process (so the figure includes that client's own handling of 500 messages), on 127.0.0.1.

    .venv/bin/python -m benchmarks.run --only B4        (or: python -m benchmarks.b4_alert_fanout)
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from benchmarks.b3_safety_latency import created_qid, http_session, nurses, phq9_payload, ws_open
from benchmarks.harness import Context, percentile

SOCKETS = 500
QUICK_SOCKETS = 100
ROUNDS = 5
QUICK_ROUNDS = 2
DEADLINE_S = 10.0
CONNECT_CONCURRENCY = 25
CONNECT_BUDGET_S = 240.0


async def measure_b4(base: str, tokens: list[str], patient_token: str, rounds: int) -> dict[str, Any]:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    started = time.monotonic()

    async def open_one(token: str) -> Any:
        async with gate:
            if time.monotonic() - started > CONNECT_BUDGET_S:
                raise TimeoutError("connecting the dashboards took too long")
            return await ws_open(base, token)

    t_connect = time.perf_counter()
    sockets = await asyncio.gather(*[open_one(t) for t in tokens])
    connect_s = time.perf_counter() - t_connect
    arrivals: dict[str, list[float]] = {}
    expected: set[str] = set()

    closed: list[str] = []

    async def reader(ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for raw in ws:
                qid = created_qid(raw)
                if qid in expected:
                    arrivals.setdefault(qid, []).append(time.perf_counter())
        except ConnectionClosed as exc:
            closed.append(f"{exc.rcvd.code if exc.rcvd else None}/{exc.sent.code if exc.sent else None}: {exc}")
        else:
            closed.append(f"closed by server: {ws.close_code} {ws.close_reason}")

    readers = [asyncio.create_task(reader(ws)) for ws in sockets]
    session = http_session(patient_token)
    results = []
    try:
        for _ in range(rounds + 1):  # the first round warms the server up and is not counted
            payload = phq9_payload()
            expected.add(payload["id"])
            t0 = time.perf_counter()
            response = await asyncio.to_thread(session.post, f"{base}/api/v1/questionnaires/", json=payload, timeout=10)
            if response.status_code != 201:
                raise RuntimeError(f"PHQ-9 refused: {response.status_code} {response.text[:200]}")
            deadline = time.monotonic() + DEADLINE_S
            while len(arrivals.get(payload["id"], [])) < len(sockets) and time.monotonic() < deadline:
                await asyncio.sleep(0.005)
            got = sorted(arrivals.get(payload["id"], []))
            results.append(
                {
                    "received": len(got),
                    "first_ms": round((got[0] - t0) * 1000, 1) if got else None,
                    "median_ms": round((got[len(got) // 2] - t0) * 1000, 1) if got else None,
                    "last_ms": round((got[-1] - t0) * 1000, 1) if got else None,
                }
            )
            await asyncio.sleep(1.0)
    finally:
        for task in readers:
            task.cancel()
        await asyncio.gather(*[ws.close() for ws in sockets], return_exceptions=True)
        session.close()
    return {"rounds": results, "connect_s": connect_s, "closed": closed}


def run(ctx: Context) -> list[dict[str, Any]]:
    n = QUICK_SOCKETS if ctx.quick else SOCKETS
    rounds = QUICK_ROUNDS if ctx.quick else ROUNDS
    ctx.reset_database()
    team, _nurse, _token = ctx.care_team("b4")
    tokens = [ctx.token(user) for user in nurses(team, n, prefix="b4")]
    ((_patient, patient_token),) = ctx.patients(team, 1, prefix="b4", enrolled_days_ago=30)
    with ctx.server() as server:
        result = asyncio.run(measure_b4(server.base_url, tokens, patient_token, rounds))
    warmup, counted = result["rounds"][0], result["rounds"][1:]
    lasts = [r["last_ms"] for r in counted if r["last_ms"] is not None]
    missed = sum(n - r["received"] for r in result["rounds"])  # the warm-up round counts here
    worst = max(lasts) if lasts else None
    median_last = percentile(lasts, 50) if lasts else None
    return [
        ctx.row(
            id="B4",
            what="alert fan-out",
            workload=f"{n} dashboards on /ws/alerts/, one alert (PHQ-9 POST), {len(counted)} rounds",
            figure=f"last socket: median {median_last} ms, worst {worst} ms; {missed} of "
            f"{n * len(result['rounds'])} deliveries missed",
            limit="—",
            ratio=None,
            target="<= 1 s, no socket missed",
            passed=worst is not None and worst <= 1000 and missed == 0 and len(lasts) == len(counted),
            details={
                "sockets": n,
                "rounds": counted,
                "warmup_round": warmup,
                "missed_total": missed,
                "connect_all_s": round(result["connect_s"], 1),
                "sockets_closed_during_run": len(result["closed"]),
                "close_reasons": sorted(set(result["closed"]))[:10],
                "note": "time from just before the PHQ-9 POST until the last of the sockets has the alert",
            },
        )
    ]


if __name__ == "__main__":
    from benchmarks.run import main

    raise SystemExit(main(["--only", "B4"]))
