"""Helpers for the alert tests: alerts, scores, sockets."""

import uuid
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from alerts import services
from alerts.models import Alert
from tests.conftest import make_score  # noqa: F401 - re-exported for the alert tests

ORIGIN = (b"origin", b"http://testserver")


def raise_safety(patient: Any, item9: int = 2, questionnaire_id: uuid.UUID | None = None) -> Alert:
    return services.alert_raise_safety(
        patient=patient, questionnaire_id=questionnaire_id or uuid.uuid4(), item9=item9, completed_at=timezone.now()
    )


def raise_manual(patient: Any, user: Any, severity: str = "medium", title: str = "Call back") -> Alert:
    alert, _ = services.alert_raise_manual(patient=patient, title=title, note="", severity=severity, created_by=user)
    return alert


def session_cookie(user: Any) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(*, user: Any = None, headers: list[tuple[bytes, bytes]] | None = None) -> WebsocketCommunicator:
    """A communicator on the full ASGI stack (origin check, session middleware, routing)."""
    from config.asgi import application

    all_headers = [ORIGIN, *(headers or [])]
    if user is not None:
        all_headers.append((b"cookie", await sync_to_async(session_cookie)(user)))
    communicator = WebsocketCommunicator(application, "/ws/alerts/", headers=all_headers)
    OPEN_SOCKETS.append(communicator)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    return communicator


OPEN_SOCKETS: list[WebsocketCommunicator] = []


@pytest.fixture
async def close_sockets():
    """Disconnect every socket a test opened before its event loop closes: a consumer still
    listening on the Redis channel layer at loop shutdown can hold the teardown."""
    yield
    while OPEN_SOCKETS:
        communicator = OPEN_SOCKETS.pop()
        try:
            await communicator.disconnect(timeout=5)
        except BaseException:  # noqa: BLE001, S110 - already closed or crashed: nothing to clean
            pass


async def receive(communicator: WebsocketCommunicator, timeout: float = 5) -> dict[str, Any]:
    return await communicator.receive_json_from(timeout=timeout)


async def receive_type(communicator: WebsocketCommunicator, kind: str, timeout: float = 5) -> dict[str, Any]:
    while True:
        message = await receive(communicator, timeout)
        if message["type"] == kind:
            return message


async def jwt_socket(user: Any, token: str | None = None) -> WebsocketCommunicator:
    """A socket that authenticates with its first message: a JWT access token."""
    communicator = await connect()
    token = token or str(await sync_to_async(lambda: AccessToken.for_user(user))())
    await communicator.send_json_to({"type": "auth", "token": token})
    return communicator


async def assert_closed_with(communicator: WebsocketCommunicator, code: int) -> dict[str, Any]:
    """The server's error message, then its close with this code; returns the error."""
    error = await receive(communicator)
    assert error["type"] == "error"
    closing = await communicator.receive_output(timeout=5)
    assert closing == {"type": "websocket.close", "code": code}
    await communicator.disconnect()  # as the client does: the consumer stops listening
    return error
