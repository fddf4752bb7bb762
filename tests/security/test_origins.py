"""The alert socket compares the full origin, scheme + host + port (issue 21, item 12): an
allowed host on another port is another site. CSP `connect-src` names the site's own
WebSocket origin, not any host."""

import re

import pytest
from channels.testing import WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)


async def _opens(origin: bytes | None, host: bytes | None = None) -> bool:
    from config.asgi import application

    headers = [(b"origin", origin)] if origin is not None else []
    if host is not None:
        headers.append((b"host", host))
    communicator = WebsocketCommunicator(application, "/ws/alerts/", headers=headers)
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect()
    return connected


@pytest.mark.parametrize(
    ("origin", "host", "opens"),
    [
        (b"http://127.0.0.1:8000", b"127.0.0.1:8000", True),  # the page's own origin
        (b"http://127.0.0.1:9999", b"127.0.0.1:8000", False),  # an allowed host, another port
        (b"https://127.0.0.1:8000", b"127.0.0.1:8000", True),  # TLS ended by a proxy in front
        (b"http://localhost:8000", b"127.0.0.1:8000", False),  # another host than the page's
        (b"http://evil.example:8000", b"evil.example:8000", False),  # a host not allowed
        (b"http://testserver", None, True),  # no Host header: the scheme's default port only
        (b"http://testserver:8444", None, False),
        (b"null", b"127.0.0.1:8000", False),
        (None, b"127.0.0.1:8000", False),
    ],
)
async def test_the_socket_compares_the_full_origin(origin, host, opens):
    assert await _opens(origin, host) is opens


async def test_production_settings_accept_the_pages_own_origin(settings):
    """`make up` serves plain HTTP on the loopback address with the production settings."""
    settings.SESSION_COOKIE_SECURE = True
    assert await _opens(b"http://127.0.0.1:8731", b"127.0.0.1:8731") is True
    assert await _opens(b"http://127.0.0.1:8732", b"127.0.0.1:8731") is False


async def test_listed_origins_match_exactly(settings):
    settings.ALLOWED_WS_ORIGINS = ["https://monitor.example.org"]
    settings.ALLOWED_HOSTS = ["monitor.example.org"]

    assert await _opens(b"https://monitor.example.org", b"monitor.example.org") is True
    assert await _opens(b"https://monitor.example.org:8443", b"monitor.example.org") is False
    assert await _opens(b"http://monitor.example.org", b"monitor.example.org") is False


def test_csp_connect_src_names_the_sites_own_websocket_origin(client):
    response = client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000")
    policy = response["Content-Security-Policy"]
    connect = re.search(r"connect-src ([^;]*)", policy)
    assert connect is not None, policy
    assert connect.group(1).split() == ["'self'", "ws://127.0.0.1:8000"]

    secure = client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000", secure=True)
    connect = re.search(r"connect-src ([^;]*)", secure["Content-Security-Policy"])
    assert connect is not None
    assert connect.group(1).split() == ["'self'", "wss://127.0.0.1:8000"]
