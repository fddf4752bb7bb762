"""Suite-wide fixtures.

With DATABASE_URL / REDIS_URL set, the suite runs on PostgreSQL and Redis and the tests that
need them fail (never skip) when those services are down."""

import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from ml.models import ModelVersion, RiskScore
from tests.factories import CareTeamFactory, ClinicianFactory, PatientFactory, grant_consents

ROOT = Path(__file__).resolve().parent.parent
SERVICES_MODE = bool(os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    # Browser tests last: Playwright's sync API keeps an event loop running in the main thread
    # for the rest of the session, and async tests (WebSocket consumers) cannot run after it.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def _media_root(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MODEL_ARTIFACT_DIR = str(tmp_path / "models")


@pytest.fixture(autouse=True)
def _reset_throttles() -> None:
    # DRF throttles count in the cache; each test starts with fresh counters. In Redis only the
    # cache's own keys go: clear() would flush the database the channel layer and Celery share.
    from django.core.cache import cache

    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _reset_axes(db: Any) -> None:
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def redis_required() -> None:
    """Fail, with the reason, when REDIS_URL is set but Redis does not answer."""
    if not SERVICES_MODE:
        return
    import redis

    try:
        redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"REDIS_URL is set but Redis does not answer: {exc!r}")


@pytest.fixture
def redis_url() -> str:
    redis_required()
    return os.environ.get("REDIS_URL", "")


def auth_client(user: Any) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def team(db: Any):  # type: ignore[no-untyped-def]
    return CareTeamFactory(name="team-a")


@pytest.fixture
def other_team(db: Any):  # type: ignore[no-untyped-def]
    return CareTeamFactory(name="team-b")


@pytest.fixture
def nurse(team: Any):  # type: ignore[no-untyped-def]
    return ClinicianFactory(username="nurse-a", role="nurse", teams=[team])


@pytest.fixture
def psychiatrist(team: Any):  # type: ignore[no-untyped-def]
    return ClinicianFactory(username="psy-a", role="psychiatrist", teams=[team])


@pytest.fixture
def other_nurse(other_team: Any):  # type: ignore[no-untyped-def]
    return ClinicianFactory(username="nurse-b", role="nurse", teams=[other_team])


@pytest.fixture
def patient(team: Any):  # type: ignore[no-untyped-def]
    p = PatientFactory(code="PA1", care_team=team, user__username="patient-a")
    grant_consents(p)
    return p


@pytest.fixture
def other_patient(other_team: Any):  # type: ignore[no-untyped-def]
    p = PatientFactory(code="PB1", care_team=other_team, user__username="patient-b")
    grant_consents(p)
    return p


@pytest.fixture
def patient_client(patient: Any) -> APIClient:
    return auth_client(patient.user)


@pytest.fixture
def nurse_client(nurse: Any) -> APIClient:
    return auth_client(nurse)


@pytest.fixture
def psychiatrist_client(psychiatrist: Any) -> APIClient:
    return auth_client(psychiatrist)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database the tests are using, for processes started by a test."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db: Any) -> Iterator[subprocess.Popen[bytes] | None]:
    """A real Celery worker, started as users start it, on the test database and Redis.

    In the embedded default (no REDIS_URL) tasks run in-process and this yields None."""
    if not SERVICES_MODE:
        yield None
        return
    redis_required()
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    hostname = f"test-{os.getpid()}-{time.monotonic_ns()}@localhost"
    proc = subprocess.Popen(  # noqa: S603
        [
            celery,
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-l",
            "WARNING",
            "-n",
            hostname,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Celery worker exited: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
        if app.control.ping(destination=[hostname], timeout=0.5):
            break
    else:
        proc.kill()
        pytest.fail("Celery worker did not answer within 60 s")
    app.conf.task_always_eager = False
    try:
        yield proc
    finally:
        app.conf.task_always_eager = True
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


# --- A real ASGI server and a real browser, for browser and live WebSocket tests ----------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-results"


def server_env(**extra: str) -> dict[str, str]:
    """Environment for a process (server, worker) that must use the test database."""
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONUNBUFFERED": "1"}
    if db["ENGINE"].endswith("sqlite3"):
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        env["DATABASE_URL"] = test_database_url()
    env.update(extra)
    return env


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited early: {_output(proc)}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"server did not listen on {port} within {timeout} s")


def _output(proc: subprocess.Popen[bytes]) -> str:
    log = getattr(proc, "log", None)
    if log is None:
        return ""
    log.seek(0)
    return log.read().decode(errors="replace")[-3000:]


def start_asgi_server(port: int, **env: str) -> subprocess.Popen[bytes]:
    """daphne serving config.asgi on 127.0.0.1:port, on the test database, listening when
    this returns. Its output goes to a temporary file (a pipe nobody reads would fill up
    and stall the server); a server that dies at start fails the test with it."""
    daphne = shutil.which("daphne", path=str(Path(sys.executable).parent)) or "daphne"
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(  # noqa: S603
        [daphne, "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=server_env(**{"ALLOWED_WS_ORIGINS": f"http://127.0.0.1:{port}", **env}),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    proc.log = log  # type: ignore[attr-defined]
    wait_for_port(port, proc)
    return proc


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    log = getattr(proc, "log", None)
    if log is not None:
        log.close()


@contextlib.contextmanager
def asgi_server(**env: str) -> Iterator[str]:
    """A daphne server (start_asgi_server) on a free port for the duration; its base URL."""
    port = free_port()
    proc = start_asgi_server(port, **env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(proc)


# The throttles of the shared server (below) count in its own memory on the embedded default,
# where `_reset_throttles` cannot reach them: tests that check throttling use the test client.
SHARED_SERVER_ENV = {"THROTTLE_ENROLL": "100000/min", "THROTTLE_EMERGENCY_SEARCH": "100000/hour"}


@pytest.fixture(scope="session")
def _shared_asgi_server(django_db_setup: Any) -> Iterator[dict[str, Any]]:
    """One daphne per test process, started by the first test that asks for it and kept for
    the next ones (each start costs seconds of CPU: about 150 browser and socket tests); a
    server that died is started again. Tests that need their own settings or kill their server
    use `asgi_server(**env)` instead."""
    state: dict[str, Any] = {"proc": None, "url": ""}
    yield state
    if state["proc"] is not None:
        stop_process(state["proc"])


@pytest.fixture
def live_asgi_server(transactional_db: Any, _shared_asgi_server: dict[str, Any]) -> str:
    """daphne serving config.asgi on 127.0.0.1, on the test database (emptied after each test
    like any transactional test's); its base URL."""
    state = _shared_asgi_server
    if state["proc"] is None or state["proc"].poll() is not None:
        port = free_port()
        state["proc"] = start_asgi_server(port, **SHARED_SERVER_ENV)
        state["url"] = f"http://127.0.0.1:{port}"
    return str(state["url"])


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium; .ci/run does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        yield pw


@pytest.fixture
def browser(_playwright: Any) -> Iterator[Any]:
    instance = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def artifacts_dir(request: Any) -> Path:
    """Where a test writes its screenshots: test-results/<test name>/."""
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    path = ARTIFACTS / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def browser_login(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-submit")
    page.wait_for_load_state("networkidle")


# --- risk scores (alerts, ml, records tests) ------------------------------------------------


@pytest.fixture
def model_version(db: Any) -> ModelVersion:
    return ModelVersion.objects.create(
        version="test-1", artifact_path="/tmp/none", artifact_sha256="0" * 64, threshold=0.5, is_active=True
    )


def make_score(patient: Any, model_version: ModelVersion, day: dt.date, score: float, band: str = "high") -> RiskScore:
    return RiskScore.objects.create(
        patient=patient,
        date=day,
        model_version=model_version,
        score=score,
        band=band,
        threshold=model_version.threshold,
        explanation=[{"feature": "sleep_hours", "label": "sleep 2.1 h below usual", "direction": "up", "weight": 0.3}],
    )
