"""The benchmark client: a separate process running a bounded request loop on 127.0.0.1.

    python -m benchmarks.load SPEC.json OUT.json

One thread per concurrent client, each with its own keep-alive HTTP/1.1 connection. The
loop stops at `max_requests` (counted requests, all clients together) or `max_seconds`,
whichever comes first; each client first sends `warmup` requests that are not counted."""

import http.client
import json
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

Request = tuple[str, str, dict[str, str], bytes | None]


def _checkins(params: dict[str, Any], worker: int) -> Iterator[Request]:
    """Valid check-ins for the worker's patient, new ids each time, within the last day."""
    token = params["tokens"][worker % len(params["tokens"])]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    rng = random.Random(worker)  # noqa: S311 - not security
    while True:
        at = datetime.now(UTC) - timedelta(minutes=rng.randint(10, 1400))
        body = {
            "id": str(uuid.uuid4()),
            "recorded_at": at.isoformat(),
            "mood": rng.randint(-3, 3),
            "anxiety": rng.randint(0, 10),
            "energy": rng.randint(0, 10),
            "irritability": rng.randint(0, 10),
            "sleep_quality": rng.randint(0, 10),
            "medication_taken": rng.random() < 0.8,
            "note": params.get("note", ""),
        }
        yield "POST", params["path"], headers, json.dumps(body).encode()


def _repeat(params: dict[str, Any], worker: int) -> Iterator[Request]:
    headers = dict(params.get("headers", {}))
    if params.get("tokens"):
        headers["Authorization"] = f"Bearer {params['tokens'][worker % len(params['tokens'])]}"
    paths = params["paths"]
    i = worker
    while True:
        yield params.get("method", "GET"), paths[i % len(paths)], headers, None
        i += 1


GENERATORS: dict[str, Callable[[dict[str, Any], int], Iterator[Request]]] = {
    "checkins": _checkins,
    "repeat": _repeat,
}


def _from_file(path: str, concurrency: int) -> list[Iterator[Request]]:
    queues: list[list[Request]] = [[] for _ in range(concurrency)]
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            body = item.get("body")
            queues[item["worker"] % concurrency].append(
                (item["method"], item["path"], item.get("headers", {}), body.encode() if body is not None else None)
            )
    return [iter(q) for q in queues]


def main(spec_path: str, out_path: str) -> None:
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    host, port = spec["host"], int(spec["port"])
    if host != "127.0.0.1":
        raise SystemExit("the benchmark client talks to 127.0.0.1 only")
    concurrency = int(spec["concurrency"])
    max_requests, max_seconds = int(spec["max_requests"]), float(spec["max_seconds"])
    warmup = int(spec.get("warmup", 0))
    # A paced (not saturating) client: a random pause after each request, exponential with
    # this mean, and a random start within the first pause, so that the clients' requests
    # arrive spread out as independent phones' would, not in synchronised bursts.
    think_s = float(spec.get("think_s", 0))
    # Or paced at a total rate (requests/s, all clients together): each client sends at the
    # moments of its own Poisson process of rate_per_s / concurrency (exponential gaps between
    # scheduled moments, not between responses), so the arrivals at the server are random and
    # their rate does not depend on the latency. A client still busy at its next moment sends
    # as soon as its answer is in (a phone never has two requests in flight); how late it sent
    # is reported (`late_ms`).
    rate_per_s = float(spec.get("rate_per_s", 0))
    if think_s and rate_per_s:
        raise SystemExit("give think_s or rate_per_s, not both")
    count_field = spec.get("count_field")
    if "requests_file" in spec:
        sources = _from_file(spec["requests_file"], concurrency)
    else:
        sources = [GENERATORS[spec["generator"]](spec.get("params", {}), w) for w in range(concurrency)]

    lock = threading.Lock()
    budget = {"left": max_requests}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counted = [0]
    errors: list[str] = []
    late_ms: list[float] = []
    warmed = [0]
    per_worker = [0] * concurrency
    go = threading.Event()
    deadline = [0.0]

    def take() -> bool:
        with lock:
            if budget["left"] <= 0 or time.perf_counter() >= deadline[0]:
                return False
            budget["left"] -= 1
            return True

    def client(worker: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        source = sources[worker]

        def send(request: Request) -> tuple[int, bytes, float]:
            method, path, headers, body = request
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            return response.status, data, (time.perf_counter() - started) * 1000

        pacing = random.Random(7919 + worker)  # noqa: S311 - not security
        try:
            for _ in range(warmup):
                request = next(source, None)
                if request is None:
                    break
                send(request)
            with lock:
                warmed[0] += 1
            go.wait()
            if think_s:
                time.sleep(pacing.uniform(0, think_s))
            gap_s = concurrency / rate_per_s if rate_per_s else 0.0
            moment = time.perf_counter() + (pacing.expovariate(1 / gap_s) if gap_s else 0.0)
            while True:
                if gap_s:
                    pause = moment - time.perf_counter()
                    if pause > 0:
                        time.sleep(pause)
                    lateness = max(0.0, time.perf_counter() - moment) * 1000
                    moment += pacing.expovariate(1 / gap_s)
                request = next(source, None)
                if request is None or not take():
                    break
                status, data, ms = send(request)
                if gap_s:
                    with lock:
                        late_ms.append(lateness)
                value = 0
                if count_field and status == 200:
                    value = int(json.loads(data).get(count_field, 0))
                if think_s:
                    time.sleep(pacing.expovariate(1 / think_s))
                with lock:
                    latencies.append(ms)
                    statuses[status] = statuses.get(status, 0) + 1
                    counted[0] += value
                    per_worker[worker] += 1
        except Exception as exc:  # noqa: BLE001 - reported, never hidden
            with lock:
                errors.append(f"client {worker}: {exc!r}")
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(w,), daemon=True) for w in range(concurrency)]
    for t in threads:
        t.start()
    # Start the measured loop when every client has warmed up (or given up), within 10 minutes.
    wait_until = time.monotonic() + 600
    while time.monotonic() < wait_until:
        with lock:
            if warmed[0] + len(errors) >= concurrency:
                break
        time.sleep(0.01)
    started = time.perf_counter()
    deadline[0] = started + max_seconds
    go.set()
    for t in threads:
        t.join(timeout=max_seconds + 60)
    elapsed = time.perf_counter() - started
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "elapsed_s": elapsed,
                "latencies_ms": latencies,
                "statuses": statuses,
                "counted": counted[0],
                "per_worker": per_worker,
                "errors": errors,
                "late_ms": late_ms,
            },
            handle,
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
