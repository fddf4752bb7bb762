"""B3 — safety alert latency: a PHQ-9 with item 9 > 0 POSTed to /api/v1/questionnaires/ →
the alert message on a connected /ws/alerts/ socket; p50 and p95, beside the Redis
PUBLISH → SUBSCRIBE round trip measured in the same run (the floor any push pays).
Target p95 <= 50 ms.

The harness starts a real daphne on PostgreSQL + Redis (channels-redis); the socket and the
POSTs come from the harness process over 127.0.0.1. Also reported: the same POST without a
safety alert (item 9 = 0: ingestion's own cost), and "direct" — `alert_raise_safety` +
commit in the harness process (as a Celery worker would raise one) until the socket has it,
i.e. the alert path without the HTTP request. Bounded in count and time.

    .venv/bin/python -m benchmarks.run --only B3        (or: python -m benchmarks.b3_safety_latency)
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from benchmarks.harness import Context, percentile

SAMPLES = 200
QUICK_SAMPLES = 40
TIME_BUDGET_S = 90.0
WARMUP = 10


# --- helpers shared with B4 ------------------------------------------------------------------


def phq9_payload(item9: int = 2) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "instrument": "PHQ-9",
        "answers": [1, 2, 1, 1, 2, 1, 1, 0, item9],
        "completed_at": datetime.now(UTC).isoformat(),
    }


def nurses(team: Any, count: int, *, prefix: str) -> list[Any]:
    """`count` nurses of the team (no password: they use tokens)."""
    from patients.models import Role, User

    users = User.objects.bulk_create(
        [User(username=f"{prefix}-nurse-{i:05d}", role=Role.NURSE) for i in range(count)], batch_size=1000
    )
    team.members.add(*users)
    return users


async def ws_open(base: str, token: str) -> Any:
    """An authenticated /ws/alerts/ socket (first-message JWT), after its `authenticated`."""
    from websockets.asyncio.client import connect

    # Browsers never send pings (they only answer the server's), so neither does this client.
    ws = await connect(
        base.replace("http://", "ws://") + "/ws/alerts/",
        origin=base,
        open_timeout=30,
        max_size=2**20,
        ping_interval=None,
    )
    await ws.send(json.dumps({"type": "auth", "token": token}))
    hello = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
    if hello.get("type") != "authenticated":
        raise RuntimeError(f"socket not authenticated: {hello}")
    return ws


def http_session(token: str) -> Any:
    import requests

    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def created_qid(raw: str | bytes) -> str | None:
    message = json.loads(raw)
    if message.get("type") == "alert" and message.get("event") == "created":
        return message["alert"]["detail"].get("questionnaire_id")
    return None


# --- measurements ------------------------------------------------------------------------------


async def redis_round_trip(redis_url: str, samples: int) -> list[float]:
    """PUBLISH → SUBSCRIBE round trip on the same Redis, in ms: the floor of any push."""
    import redis.asyncio as aioredis

    client = aioredis.Redis.from_url(redis_url)
    pubsub = client.pubsub()
    channel = f"bench-rtt-{uuid.uuid4().hex}"
    await pubsub.subscribe(channel)
    await pubsub.get_message(timeout=2)  # the subscribe confirmation
    times = []
    try:
        for i in range(samples):
            t0 = time.perf_counter()
            await client.publish(channel, str(i))
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if await pubsub.get_message(ignore_subscribe_messages=True, timeout=5) is not None:
                    times.append((time.perf_counter() - t0) * 1000)
                    break
    finally:
        await pubsub.unsubscribe(channel)
        await pubsub.aclose()
        await client.aclose()
    return times


class Listener:
    """Reads a socket and resolves, per questionnaire id, the time its `created` arrived."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.waiters: dict[str, asyncio.Future[float]] = {}
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            qid = created_qid(raw)
            future = self.waiters.pop(qid, None) if qid else None
            if future is not None and not future.done():
                future.set_result(time.perf_counter())

    def expect(self, qid: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiters[qid] = future
        return future

    async def close(self) -> None:
        self.task.cancel()
        await self.ws.close()


async def measure_http(base: str, nurse_token: str, patient_token: str, samples: int) -> dict[str, Any]:
    listener = Listener(await ws_open(base, nurse_token))
    session = http_session(patient_token)
    url = f"{base}/api/v1/questionnaires/"
    latencies: list[float] = []
    http_times: list[float] = []
    plain_times: list[float] = []
    missed = 0
    started = time.monotonic()
    try:
        for i in range(samples + WARMUP):
            if time.monotonic() - started > TIME_BUDGET_S:
                break
            payload = phq9_payload()
            arrived = listener.expect(payload["id"])
            t0 = time.perf_counter()
            response = await asyncio.to_thread(session.post, url, json=payload, timeout=10)
            t_http = time.perf_counter()
            if response.status_code != 201:
                raise RuntimeError(f"PHQ-9 refused: {response.status_code} {response.text[:200]}")
            try:
                t_ws = await asyncio.wait_for(arrived, timeout=5)
            except TimeoutError:
                missed += 1
                continue
            if i >= WARMUP:
                latencies.append((t_ws - t0) * 1000)
                http_times.append((t_http - t0) * 1000)
        # The same POST without a safety alert (item 9 = 0): ingestion's own cost.
        for i in range(min(samples, 100) + 5):
            t0 = time.perf_counter()
            response = await asyncio.to_thread(session.post, url, json=phq9_payload(item9=0), timeout=10)
            if response.status_code != 201:
                raise RuntimeError(f"PHQ-9 refused: {response.status_code} {response.text[:200]}")
            if i >= 5:
                plain_times.append((time.perf_counter() - t0) * 1000)
    finally:
        await listener.close()
        session.close()
    return {"latencies": latencies, "http": http_times, "plain": plain_times, "missed": missed}


def _raise_direct(patient: Any, questionnaire_id: str) -> None:
    from django.db import transaction

    from alerts.services import alert_raise_safety

    with transaction.atomic():
        alert_raise_safety(patient=patient, questionnaire_id=questionnaire_id, item9=2, completed_at=datetime.now(UTC))


async def measure_direct(base: str, nurse_token: str, patient: Any, samples: int) -> list[float]:
    listener = Listener(await ws_open(base, nurse_token))
    latencies = []
    started = time.monotonic()
    try:
        for i in range(samples + WARMUP):
            if time.monotonic() - started > TIME_BUDGET_S / 2:
                break
            qid = str(uuid.uuid4())
            arrived = listener.expect(qid)
            t0 = time.perf_counter()
            await asyncio.to_thread(_raise_direct, patient, qid)
            try:
                t_ws = await asyncio.wait_for(arrived, timeout=5)
            except TimeoutError:
                continue
            if i >= WARMUP:
                latencies.append((t_ws - t0) * 1000)
    finally:
        await listener.close()
    return latencies


def _ms(values: list[float], q: float) -> float | None:
    return round(percentile(values, q), 2) if values else None


def run(ctx: Context) -> list[dict[str, Any]]:
    samples = QUICK_SAMPLES if ctx.quick else SAMPLES
    ctx.reset_database()
    team, _nurse, _token = ctx.care_team("b3")
    nurse_token = ctx.token(nurses(team, 1, prefix="b3")[0])
    ((patient, patient_token),) = ctx.patients(team, 1, prefix="b3", enrolled_days_ago=30)
    with ctx.server() as server:
        http = asyncio.run(measure_http(server.base_url, nurse_token, patient_token, samples))
        direct = asyncio.run(measure_direct(server.base_url, nurse_token, patient, samples))
        rtt = asyncio.run(redis_round_trip(ctx.redis_url, max(50, samples)))
    lat = http["latencies"]
    p50, p95 = _ms(lat, 50), _ms(lat, 95)
    r95 = percentile(rtt, 95) if rtt else None
    passed = bool(lat) and p95 is not None and p95 <= 50 and http["missed"] == 0
    return [
        ctx.row(
            id="B3",
            what="safety alert latency",
            workload="PHQ-9 with item 9 > 0 POSTed → message on a connected /ws/alerts/ socket",
            figure=f"p50 {p50} ms, p95 {p95} ms ({len(lat)} alerts, {http['missed']} missed)",
            limit=f"Redis PUBLISH→SUBSCRIBE p50 {_ms(rtt, 50)} ms, p95 {round(r95, 3) if r95 else None} ms",
            ratio=(p95 / r95) if (p95 and r95) else None,
            target="p95 <= 50 ms",
            passed=passed,
            details={
                "samples": len(lat),
                "missed": http["missed"],
                "p50_ms": p50,
                "p95_ms": p95,
                "max_ms": round(max(lat), 2) if lat else None,
                "http_response_p50_ms": _ms(http["http"], 50),
                "same_post_item9_0_p50_ms": _ms(http["plain"], 50),
                "same_post_item9_0_p95_ms": _ms(http["plain"], 95),
                "direct_raise_to_socket_p50_ms": _ms(direct, 50),
                "direct_raise_to_socket_p95_ms": _ms(direct, 95),
                "direct_samples": len(direct),
                "redis_rtt_p50_ms": _ms(rtt, 50),
                "redis_rtt_p95_ms": round(r95, 3) if r95 else None,
                "note": "latency from just before the POST to the socket message; includes the whole ingestion "
                "request. 'direct' = alert_raise_safety + commit in the client process → socket (no HTTP).",
            },
        )
    ]


if __name__ == "__main__":
    from benchmarks.run import main

    raise SystemExit(main(["--only", "B3"]))
