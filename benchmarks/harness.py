"""The benchmark harness shared by every benchmark module (`benchmarks/b*_*.py`).

What it gives a benchmark (`run(ctx) -> list[dict]`):
- `ctx.reset_database()`: a fresh, migrated PostgreSQL bench database (never the dev or
  test database; `BENCH_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/relapse_bench`).
- `ctx.django()`: Django set up in the harness process against that database, to create
  users, tokens and data with the project's own code.
- `ctx.server()`: a real daphne ASGI server process on 127.0.0.1 (a free port, or
  `BENCH_PORT`), on the bench database and Redis (`BENCH_REDIS_URL`), serving the project
  plus `/bench/empty/`, the bare Django view that benchmarks measure themselves against
  (benchmarks/asgi.py: a separate bench entry point, so production never has that URL).
- `ctx.worker()`: a real Celery worker on the same database and Redis.
- `ctx.load(spec)`: a bounded request loop run by a separate client process
  (benchmarks/load.py) on loopback; returns every request's latency and status.
- `ctx.row(...)`: a result row; `run.py` merges rows into `benchmarks/results/latest.json`
  by benchmark id and rewrites `benchmarks/results/latest.md`.
Every loop is bounded in count and in time, and every address is 127.0.0.1."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/relapse_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class LoadResult:
    elapsed_s: float
    latencies_ms: list[float]
    statuses: dict[int, int]
    counted: int  # sum of the response field named by the spec's `count_field`, if any
    per_worker: list[int] = field(default_factory=list)  # counted requests of each client
    errors: list[str] = field(default_factory=list)
    # Paced at a total rate (spec `rate_per_s`): how late each request left after its
    # scheduled moment (its client was still waiting for the previous answer), in ms.
    late_ms: list[float] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def p(self, q: float) -> float:
        return percentile(self.latencies_ms, q) if self.latencies_ms else float("nan")

    def summary(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "elapsed_s": round(self.elapsed_s, 3),
            "requests_per_s": round(self.rate, 1),
            "p50_ms": round(self.p(50), 2),
            "p95_ms": round(self.p(95), 2),
            "p99_ms": round(self.p(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            **(
                {
                    "late_p99_ms": round(percentile(self.late_ms, 99), 2),
                    "late_over_10_ms": sum(1 for v in self.late_ms if v > 10),
                }
                if self.late_ms
                else {}
            ),
        }


class Server:
    """One or more daphne processes sharing one listening socket on 127.0.0.1."""

    def __init__(self, ctx: Context, *, workers: int | None = None, extra_env: dict[str, str] | None = None) -> None:
        self.ctx = ctx
        # One daphne process, as in the Procfile, unless a benchmark or BENCH_SERVER_PROCESSES asks for more.
        self.workers = workers or int(os.environ.get("BENCH_SERVER_PROCESSES", "1"))
        self.extra_env = extra_env or {}
        self.port = int(os.environ.get("BENCH_PORT") or free_port())
        self.procs: list[subprocess.Popen[bytes]] = []
        self.sock: socket.socket | None = None
        self.log_path = ctx.tmp / "daphne.log"

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> Server:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((LOOPBACK, self.port))
        self.sock.listen(1024)
        # Non-blocking, or twisted's accept loop blocks the whole server on an idle socket.
        self.sock.setblocking(False)
        self.sock.set_inheritable(True)
        fd = self.sock.fileno()
        daphne = shutil.which("daphne", path=str(Path(PYTHON).parent)) or "daphne"
        env = {**self.ctx.service_env(), **self.extra_env}
        # The server's log goes to a file: a pipe nobody reads would fill up and stall it.
        self.log_path = self.ctx.tmp / f"daphne-{self.port}.log"
        log = self.log_path.open("ab")
        for _ in range(self.workers):
            self.procs.append(
                subprocess.Popen(  # noqa: S603 - our own command line
                    [daphne, "--fd", str(fd), "-v", "0", "benchmarks.asgi:application"],
                    cwd=ROOT,
                    env=env,
                    pass_fds=(fd,),
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    err = self.log_path.read_text(errors="replace")[-3000:]
                    self.stop()
                    raise RuntimeError(f"daphne exited: {err}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("daphne did not answer /healthz within 60 s")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.procs = []
        if self.sock is not None:
            self.sock.close()
            self.sock = None


class Context:
    def __init__(self, *, quick: bool = False) -> None:
        self.quick = quick
        self.database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
        self.redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS)
        parsed = urlparse(self.database_url)
        if parsed.hostname not in (LOOPBACK, "localhost") or not (parsed.path or "/").strip("/").startswith(
            "relapse_bench"
        ):
            raise SystemExit("BENCH_DATABASE_URL must name a relapse_bench* database on 127.0.0.1 (it is dropped).")
        if urlparse(self.redis_url).hostname not in (LOOPBACK, "localhost"):
            raise SystemExit("BENCH_REDIS_URL must be on 127.0.0.1.")
        self.tmp = Path(tempfile.mkdtemp(prefix="relapse-bench-"))
        self._django_ready = False

    # --- environment ------------------------------------------------------------------------

    def service_env(self) -> dict[str, str]:
        """The environment of every process the harness starts (and of the harness's Django)."""
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_SETTINGS")},
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # One pooled connection set per server process (see config/settings/base.py).
            "DB_POOL_MAX_SIZE": os.environ.get("DB_POOL_MAX_SIZE", "8"),
            "MEDIA_ROOT": str(self.tmp / "media"),
            "PYTHONPATH": str(ROOT),
        }

    def django(self) -> None:
        if self._django_ready:
            return
        os.environ.update(self.service_env())
        import django

        django.setup()
        self._django_ready = True

    def psycopg_connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.database_url, autocommit=True)

    def reset_database(self) -> None:
        """Drop and recreate the bench database, then migrate it (in a subprocess, so the
        harness's own connections never hold it open)."""
        import psycopg

        parsed = urlparse(self.database_url)
        name = parsed.path.strip("/")
        admin = self.database_url.replace(parsed.path, "/postgres")
        if self._django_ready:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=self.service_env(), check=True
        )

    # --- processes ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def server(self, *, workers: int | None = None, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
        server = Server(self, workers=workers, extra_env=extra_env).start()
        try:
            yield server
        finally:
            server.stop()

    @contextlib.contextmanager
    def worker(self, *, concurrency: int = 1) -> Iterator[subprocess.Popen[bytes]]:
        celery = shutil.which("celery", path=str(Path(PYTHON).parent)) or "celery"
        hostname = f"bench-{os.getpid()}@localhost"
        proc = subprocess.Popen(  # noqa: S603
            [celery, "-A", "config", "worker", "-l", "WARNING", "-n", hostname, "--concurrency", str(concurrency)],
            cwd=ROOT,
            env=self.service_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self.django()
            from config.celery import app

            deadline = time.monotonic() + 60
            while not app.control.ping(destination=[hostname], timeout=0.5):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the Celery worker did not start")
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()

    def load(self, server: Server, spec: dict[str, Any]) -> LoadResult:
        """Run a bounded request loop in a separate client process (benchmarks/load.py).

        spec: concurrency, max_requests, max_seconds, warmup (requests per worker not
        counted), count_field (optional), think_s or rate_per_s (optional pacing, see
        benchmarks/load.py), and either `requests_file` (JSON lines
        {"worker", "method", "path", "headers", "body"}) or `generator` + `params` (a
        generator defined in benchmarks/load.py)."""
        spec = {**spec, "host": LOOPBACK, "port": server.port}
        if spec.get("max_requests") is None or spec.get("max_seconds") is None:
            raise ValueError("every request loop is bounded: give max_requests and max_seconds")
        spec_path = self.tmp / f"spec-{time.monotonic_ns()}.json"
        out_path = spec_path.with_suffix(".out.json")
        spec_path.write_text(json.dumps(spec))
        timeout = float(spec["max_seconds"]) + 120
        subprocess.run(  # noqa: S603
            [PYTHON, "-m", "benchmarks.load", str(spec_path), str(out_path)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=True,
            timeout=timeout,
        )
        raw = json.loads(out_path.read_text())
        return LoadResult(
            elapsed_s=raw["elapsed_s"],
            latencies_ms=raw["latencies_ms"],
            statuses={int(k): v for k, v in raw["statuses"].items()},
            counted=raw["counted"],
            per_worker=raw["per_worker"],
            errors=raw["errors"],
            late_ms=raw.get("late_ms", []),
        )

    # --- users and tokens ---------------------------------------------------------------------

    def care_team(self, name: str = "bench") -> tuple[Any, Any, str]:
        """A care team with a nurse; returns (team, nurse, nurse's access token)."""
        self.django()
        from patients.services import care_team_create, clinician_create

        team = care_team_create(name=name)
        nurse, _password = clinician_create(username=f"{name}-nurse", role="nurse", team=team)
        return team, nurse, self.token(nurse)

    def patients(
        self, team: Any, count: int, *, prefix: str, enrolled_days_ago: int = 2000, timezone_name: str = "Europe/Paris"
    ) -> list[tuple[Any, str]]:
        """`count` enrolled, fully consented patients with accounts; returns (patient, token)."""
        self.django()
        from django.utils import timezone

        from patients.models import ConsentRecord, ConsentScope, Patient, Role, User

        enrolled = timezone.localdate() - dt.timedelta(days=enrolled_days_ago)
        users = User.objects.bulk_create(
            [User(username=f"{prefix}-{i:05d}", role=Role.PATIENT) for i in range(count)], batch_size=1000
        )
        patients = Patient.objects.bulk_create(
            [
                Patient(
                    code=f"{prefix}-{i:05d}",
                    care_team=team,
                    user=user,
                    timezone=timezone_name,
                    birth_year=1980 + i % 30,
                    sex="FMX"[i % 3],
                    diagnosis=("F31", "F33", "F20")[i % 3],
                    enrolled_on=enrolled,
                )
                for i, user in enumerate(users)
            ],
            batch_size=1000,
        )
        now = timezone.now()
        ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(patient=p, scope=s, version="1", granted_at=now)
                for p in patients
                for s in ConsentScope.values
            ],
            batch_size=2000,
        )
        return [(p, self.token(u)) for p, u in zip(patients, users, strict=True)]

    def token(self, user: Any) -> str:
        self.django()
        from rest_framework_simplejwt.tokens import AccessToken

        return str(AccessToken.for_user(user))

    # --- results --------------------------------------------------------------------------------

    def row(
        self,
        *,
        id: str,  # noqa: A002 - the benchmark id, as BENCHMARKS.md names it
        what: str,
        workload: str,
        figure: str,
        limit: str,
        ratio: float | None,
        target: str,
        passed: bool | None,
        details: dict[str, Any],
    ) -> dict[str, Any]:
        return {
            "id": id,
            "what": what,
            "workload": workload,
            "figure": figure,
            "limit": limit,
            "ratio": None if ratio is None else round(ratio, 3),
            "target": target,
            "verdict": "n/a" if passed is None else ("pass" if passed else "FAIL"),
            "details": details,
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "quick": self.quick,
        }

    def close(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "loadavg_1m": round(load[0], 2),
    }


def merge_results(rows: list[dict[str, Any]], *, directory: Path = RESULTS) -> dict[str, Any]:
    """Merge rows into latest.json by benchmark id and rewrite latest.md."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "latest.json"
    current: dict[str, Any] = {}
    if path.exists():
        try:
            current = {row["id"]: row for row in json.loads(path.read_text()).get("rows", [])}
        except (ValueError, KeyError, TypeError):
            current = {}
    for row in rows:
        current[row["id"]] = row
    ordered = [current[key] for key in sorted(current, key=_id_order)]
    data = {"updated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "rows": ordered}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)
    (directory / "latest.md").write_text(markdown_table(ordered))
    return data


def _id_order(key: str) -> tuple[int, str]:
    digits = "".join(ch for ch in key if ch.isdigit())
    return (int(digits) if digits else 999, key)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Each figure beside the limit measured in the same run (see docs/benchmarks.md).",
        "",
        "| # | what | figure | limit (same run) | ratio | target | verdict | measured |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = "—" if row.get("ratio") is None else f"{row['ratio']:.2f}"
        quick = " (quick)" if row.get("quick") else ""
        lines.append(
            f"| {row['id']} | {row['what']} | {row['figure']} | {row['limit']} | {ratio} | {row['target']} | "
            f"{row['verdict']} | {row['measured_at'][:16].replace('T', ' ')}{quick} |"
        )
    return "\n".join(lines) + "\n"
