"""Authentication hardening (OWASP ASVS V2/V3, API2:2023)."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from django.conf import settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

ROOT = Path(__file__).resolve().parents[2]


def _get_me(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get("/api/v1/me/")


def test_valid_access_token_accepted(nurse):
    assert _get_me(str(AccessToken.for_user(nurse))).status_code == 200


def test_forged_signature_refused(nurse):
    payload = jwt.decode(str(AccessToken.for_user(nurse)), options={"verify_signature": False})
    forged = jwt.encode(payload, "not-the-server-key-but-long-enough-for-hs256", algorithm="HS256")
    response = _get_me(forged)
    assert response.status_code == 401
    assert "username" not in response.json()


def test_alg_none_refused(nurse):
    payload = jwt.decode(str(AccessToken.for_user(nurse)), options={"verify_signature": False})
    unsigned = jwt.encode(payload, key=None, algorithm="none")
    assert _get_me(unsigned).status_code == 401


def test_expired_access_token_refused(nurse):
    token = AccessToken.for_user(nurse)
    token.set_exp(lifetime=-dt.timedelta(seconds=1))
    assert _get_me(str(token)).status_code == 401


def test_refresh_token_is_not_an_access_token(nurse):
    assert _get_me(str(RefreshToken.for_user(nurse))).status_code == 401


def test_token_of_deactivated_user_refused(nurse):
    token = str(AccessToken.for_user(nurse))
    nurse.is_active = False
    nurse.save(update_fields=["is_active"])
    assert _get_me(token).status_code == 401


def test_access_lifetime_is_short():
    assert settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] <= dt.timedelta(minutes=15)
    assert settings.SIMPLE_JWT["ROTATE_REFRESH_TOKENS"] and settings.SIMPLE_JWT["BLACKLIST_AFTER_ROTATION"]


def test_dashboard_session_expires_after_inactivity(client, nurse, settings):
    client.force_login(nurse)
    session = client.session
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert session.get_expiry_age() == settings.SESSION_COOKIE_AGE <= 3600
    # A session whose idle time has passed is gone.
    session.set_expiry(-1)
    session.save()
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_passwords_hashed_with_argon2(db):
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    from config.settings import base

    with override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS):
        assert make_password("Some-long-password-1").startswith("argon2$")


def test_password_validators_refuse_weak_passwords():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["password", "12345678901", "short"]:
        with pytest.raises(ValidationError):
            validate_password(weak)


def test_production_settings_pass_deploy_checks_at_warning_level():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 20 + "k7Qp2mZ9vL4sT1wR8yU3bN6cH0dF5gJ" + "z" * 10,
        "DJANGO_ALLOWED_HOSTS": "monitor.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres",
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_missing_secret():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_ALLOWED_HOSTS": "x.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    }
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_admin_deactivation_closes_the_clinicians_access(nurse, client, django_capture_on_commit_callbacks):
    from rest_framework_simplejwt.tokens import RefreshToken

    from tests.factories import UserFactory

    admin_user = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    refresh = str(RefreshToken.for_user(nurse))
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/patients/user/",
            {"action": "deactivate_accounts", "_selected_action": [nurse.pk]},
        )

    nurse.refresh_from_db()
    assert response.status_code == 302
    assert nurse.is_active is False
    # The refresh token it held no longer yields access.
    assert APIClient().post("/api/v1/auth/token/refresh/", {"refresh": refresh}).status_code == 401
