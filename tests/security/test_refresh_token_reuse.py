"""Refresh-token reuse detection (issue 21, item 12): a refresh token that was rotated out (or
signed out) and is presented again is taken as stolen, and its whole family (every token
rotated from the same sign-in) is blacklisted, so whoever holds the newest one (thief or owner)
must sign in again; the account's other sign-ins keep working. The reuse is audited."""

from rest_framework.test import APIClient

from patients.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD


def _refresh(token: str):  # type: ignore[no-untyped-def]
    return APIClient().post("/api/v1/auth/token/refresh/", {"refresh": token}, format="json")


def test_a_rotated_out_refresh_token_presented_again_revokes_the_whole_family(nurse):
    client = APIClient()
    first = client.post("/api/v1/auth/token/", {"username": "nurse-a", "password": DEFAULT_PASSWORD}).json()
    other_device = client.post("/api/v1/auth/token/", {"username": "nurse-a", "password": DEFAULT_PASSWORD}).json()
    rotated = _refresh(first["refresh"])
    assert rotated.status_code == 200
    newest = rotated.json()["refresh"]

    reuse = _refresh(first["refresh"])  # the old one again: someone kept a copy

    assert reuse.status_code == 401
    assert AuditEvent.objects.filter(actor_id=nurse.pk, resource="token_reuse").count() == 1
    # The newest token of the chain no longer works; another sign-in (another device) does.
    assert _refresh(newest).status_code == 401
    assert _refresh(other_device["refresh"]).status_code == 200
    # The account itself is fine: signing in again works.
    again = client.post("/api/v1/auth/token/", {"username": "nurse-a", "password": DEFAULT_PASSWORD}).json()
    assert _refresh(again["refresh"]).status_code == 200


def test_a_normal_rotation_chain_keeps_working(patient):
    client = APIClient()
    tokens = client.post("/api/v1/auth/token/", {"username": "patient-a", "password": DEFAULT_PASSWORD}).json()
    refresh = tokens["refresh"]
    for _ in range(3):
        response = _refresh(refresh)
        assert response.status_code == 200
        refresh = response.json()["refresh"]
    assert not AuditEvent.objects.filter(resource="token_reuse").exists()


def test_garbage_and_forged_refresh_tokens_are_plain_401s(nurse):
    assert _refresh("not-a-token").status_code == 401
    assert _refresh("a.b.c").status_code == 401
    assert not AuditEvent.objects.filter(resource="token_reuse").exists()


def test_a_reused_token_without_a_family_revokes_every_token_of_the_account(nurse):
    from rest_framework_simplejwt.tokens import RefreshToken

    legacy = str(RefreshToken.for_user(nurse))  # issued before families: no `fam` claim
    other = str(RefreshToken.for_user(nurse))
    assert _refresh(legacy).status_code == 200

    assert _refresh(legacy).status_code == 401

    assert _refresh(other).status_code == 401
