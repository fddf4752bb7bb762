"""Failures of the parts: the database restarting under load, the same batch raced ten
times. (The channel layer and Redis outages are in tests/alerts/test_channel_layer_outage.py;
a Celery worker killed mid-scoring in tests/ml.)"""

import datetime as dt
import os
import queue
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from monitoring.models import SignalRecord

BATCHES = 24
RECORDS_PER_BATCH = 40


def _batch(seed: int) -> list[dict]:
    """A batch with fixed ids and content, so a retry is the same request."""
    base = timezone.now() - dt.timedelta(days=60)
    records = []
    for i in range(RECORDS_PER_BATCH):
        start = base + dt.timedelta(days=(seed * RECORDS_PER_BATCH + i) % 55, minutes=seed)
        records.append(
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"fault-{seed}-{i}")),
                "type": "steps",
                "start": start.isoformat(),
                "end": (start + dt.timedelta(hours=1)).isoformat(),
                "count": 100 + i,
            }
        )
    return records


def _restart_postgresql() -> None:
    version = os.listdir("/etc/postgresql")[0]
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],  # noqa: S607
        check=True,
        timeout=120,
        capture_output=True,
    )
    for _ in range(60):
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0:  # noqa: S607
            return
        time.sleep(0.5)
    pytest.fail("PostgreSQL did not come back within 30 s")


# It restarts the machine's PostgreSQL: every other test's connection would die with it, so it
# runs alone, after the parallel part of `make test` (the `serial` marker).
@pytest.mark.serial
def test_postgresql_restart_under_load(live_asgi_server, patient):
    if not os.environ.get("DATABASE_URL"):
        pytest.skip("runs when the environment names PostgreSQL (DATABASE_URL)")
    if not Path("/etc/postgresql").exists():
        pytest.fail("DATABASE_URL is set but no local PostgreSQL cluster can be restarted")
    token = str(AccessToken.for_user(patient.user))
    work: queue.Queue[int] = queue.Queue()
    for seed in range(BATCHES):
        work.put(seed)
    statuses: list[int] = []
    failures: list[str] = []
    done = threading.Event()
    lock = threading.Lock()

    def client() -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            while True:
                try:
                    seed = work.get_nowait()
                except queue.Empty:
                    return
                for _attempt in range(60):
                    try:
                        response = http.post(
                            f"{live_asgi_server}/api/v1/signals/batch/", json={"records": _batch(seed)}, timeout=30
                        )
                        status = response.status_code
                    except requests.ConnectionError:
                        status = -1
                    with lock:
                        statuses.append(status)
                    if status == 200:
                        break
                    if status == 503:
                        assert response.headers.get("Retry-After")
                    time.sleep(0.3)
                else:
                    with lock:
                        failures.append(f"batch {seed} never accepted")
                with lock:
                    if len(statuses) >= 6 and not done.is_set():
                        done.set()

    threads = [threading.Thread(target=client) for _ in range(3)]
    for t in threads:
        t.start()
    done.wait(timeout=60)
    _restart_postgresql()
    for t in threads:
        t.join(timeout=180)
    connection.close()  # the test's own connection died with the restart

    assert failures == []
    assert set(statuses) <= {200, 503, -1}, f"unexpected statuses: {sorted(set(statuses))}"
    # Every batch is stored exactly once: nothing half-written, nothing twice.
    assert SignalRecord.objects.filter(patient=patient).count() == BATCHES * RECORDS_PER_BATCH


def test_same_batch_uploaded_concurrently_ten_times_is_stored_once(live_asgi_server, patient):
    token = str(AccessToken.for_user(patient.user))
    body = {"records": _batch(999)}
    barrier = threading.Barrier(10)
    results: list[dict] = []
    lock = threading.Lock()

    def upload() -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {token}"
            barrier.wait()
            response = http.post(f"{live_asgi_server}/api/v1/signals/batch/", json=body, timeout=60)
            with lock:
                results.append({"status": response.status_code, **response.json()})

    threads = [threading.Thread(target=upload) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert [r["status"] for r in results] == [200] * 10
    assert sum(r["accepted"] for r in results) == RECORDS_PER_BATCH
    assert sum(r["duplicates"] for r in results) == 9 * RECORDS_PER_BATCH
    assert all(r["rejected"] == [] for r in results)
    assert SignalRecord.objects.filter(patient=patient).count() == RECORDS_PER_BATCH
