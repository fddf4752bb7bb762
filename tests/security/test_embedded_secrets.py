"""No key committed to the repository signs anything (issue 21, item 4). The embedded default
generates its own random key into `var/` on first run (mode 0600, reused afterwards); a token
signed with the key that used to be committed is refused; `make up` runs the production
settings with secrets of its own, generated into `var/` (never committed), on the port that
`PORT` names, and says so."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import jwt
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

ROOT = Path(__file__).resolve().parents[2]
FORMERLY_COMMITTED_KEY = "django-insecure-embedded-default-not-for-production"  # noqa: S105


def _local_settings(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_SECRET_KEY_FILE": str(tmp_path / "var" / "secret-key"),
        **extra,
    }
    env.pop("DJANGO_SECRET_KEY", None)
    env.pop("JWT_SIGNING_KEY", None)
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY); print(settings.SIMPLE_JWT['SIGNING_KEY'])"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_embedded_default_generates_its_own_key_once(tmp_path):
    first = _local_settings(tmp_path)
    assert first.returncode == 0, first.stderr
    secret, signing = first.stdout.split()
    key_file = tmp_path / "var" / "secret-key"

    assert key_file.read_text().strip() == secret == signing
    assert len(secret) >= 50 and secret != FORMERLY_COMMITTED_KEY
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Reused on the next run: sessions, tokens and enrolment codes survive a restart.
    again = _local_settings(tmp_path)
    assert again.stdout.split() == [secret, signing]
    # Another checkout gets another key.
    other = _local_settings(tmp_path / "other")
    assert other.stdout.split()[0] != secret


def test_no_settings_module_signs_with_a_committed_key():
    from django.conf import settings

    assert settings.SIMPLE_JWT["SIGNING_KEY"] != FORMERLY_COMMITTED_KEY
    assert settings.SECRET_KEY != FORMERLY_COMMITTED_KEY
    source = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    assert FORMERLY_COMMITTED_KEY not in source


def test_a_token_forged_with_the_formerly_committed_key_is_refused(nurse):
    payload = jwt.decode(str(AccessToken.for_user(nurse)), options={"verify_signature": False})
    forged = jwt.encode(payload, FORMERLY_COMMITTED_KEY, algorithm="HS256")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {forged}")

    assert client.get("/api/v1/me/").status_code == 401


def _make_dry_run(target: str, **variables: str) -> str:
    args = [f"{k}={v}" for k, v in variables.items()]
    result = subprocess.run(  # noqa: S603
        ["make", "-n", target, "VENV=/nonexistent-venv", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_up_runs_production_settings_with_generated_secrets_on_port():
    plan = _make_dry_run("up", PORT="8123")

    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in plan
    assert "var/up.env" in plan  # its secrets, generated once into var/ (git-ignored)
    assert "8123" in plan and "5000" not in plan
    assert "Serving on http://127.0.0.1:8123" in plan
    assert "var/" in (ROOT / ".gitignore").read_text()


def test_one_port_variable_for_demo_and_procfile():
    plan = _make_dry_run("demo", PORT="8124")
    assert "-p 8124" in plan and "Starting the server on http://127.0.0.1:8124" in plan
    assert "${PORT" in (ROOT / "Procfile").read_text()
