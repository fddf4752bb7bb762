"""A password change ends every session of the account (issue 21, item 1): the refresh
tokens it held are blacklisted, the access tokens it held are refused (simplejwt's
CHECK_REVOKE_TOKEN), and its open alert sockets close, whatever path changed the password
(the admin's password form, `manage.py changepassword`, `set_password` in any service)."""

import io

import pytest
from asgiref.sync import sync_to_async
from django.core.management import call_command
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from tests.alerts.conftest import close_sockets, connect, receive  # noqa: F401 - fixture
from tests.factories import UserFactory

NEW_PASSWORD = "a-brand-new-passphrase-7"  # noqa: S105 - test value


def _me(access: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/api/v1/me/").status_code


def _refresh(refresh: str) -> int:
    return APIClient().post("/api/v1/auth/token/refresh/", {"refresh": refresh}, format="json").status_code


def _admin_changes_password(user) -> int:  # type: ignore[no-untyped-def]
    from django.test import Client

    admin_user = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/patients/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    return response.status_code


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("redis_url", "close_sockets")
async def test_admin_changing_a_nurses_password_ends_her_tokens_and_sockets(nurse):
    def tokens() -> tuple[str, str]:
        refresh = RefreshToken.for_user(nurse)
        return str(refresh), str(refresh.access_token)

    refresh, access = await sync_to_async(tokens)()
    assert await sync_to_async(_me)(access) == 200  # valid before the change
    ws = await connect(user=nurse)
    assert (await receive(ws))["type"] == "authenticated"

    assert await sync_to_async(_admin_changes_password)(nurse) == 302

    # Her open socket closes at once (not at the next session check, a minute later).
    error = await receive(ws, timeout=10)
    assert error == {"type": "error", "detail": "Your password was changed: sign in again to follow alerts."}
    assert await ws.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}
    await ws.disconnect()
    # The refresh token she held mints nothing; the access token she held is refused.
    assert await sync_to_async(_refresh)(refresh) == 401
    assert await sync_to_async(_me)(access) == 401


def test_changepassword_command_ends_the_tokens(nurse, monkeypatch, django_capture_on_commit_callbacks):
    refresh = RefreshToken.for_user(nurse)
    access = str(refresh.access_token)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("changepassword", nurse.username, stdout=io.StringIO())

    assert _refresh(str(refresh)) == 401
    assert _me(access) == 401


def test_set_password_in_any_service_ends_the_tokens_and_a_new_login_works(nurse):
    refresh = RefreshToken.for_user(nurse)
    access = str(refresh.access_token)

    nurse.set_password(NEW_PASSWORD)
    nurse.save()

    assert _refresh(str(refresh)) == 401
    assert _me(access) == 401
    # Signing in with the new password gives working tokens.
    tokens = APIClient().post("/api/v1/auth/token/", {"username": nurse.username, "password": NEW_PASSWORD}).json()
    assert _me(tokens["access"]) == 200
    assert _refresh(tokens["refresh"]) == 200


def test_saving_other_fields_keeps_the_tokens(nurse):
    refresh = RefreshToken.for_user(nurse)
    access = str(refresh.access_token)

    nurse.first_name = "Ada"
    nurse.save()
    nurse.refresh_from_db()
    nurse.save(update_fields=["last_login"])

    assert _me(access) == 200
    assert _refresh(str(refresh)) == 200
