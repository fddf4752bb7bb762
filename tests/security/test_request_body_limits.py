"""Request bodies are bounded before anything reads them (issue 21, item 10): the ASGI
application (config.asgi) answers 413 on a Content-Length above the route's limit without
reading a byte of the body, before authentication; a body sent without Content-Length
(chunked) is counted as it streams and cut off at the limit."""

import asyncio
import json
from typing import Any

import pytest
from django.conf import settings

MIB = 1024 * 1024


def _scope(path: str, headers: list[tuple[bytes, bytes]], method: str = "POST") -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


class Body:
    """A client streaming `total` bytes in 1 MiB chunks; counts what the server read."""

    def __init__(self, total: int | None) -> None:
        self.total = total  # None: never ends
        self.sent = 0
        self.calls = 0

    async def receive(self) -> dict[str, Any]:
        self.calls += 1
        if self.total is not None and self.sent >= self.total:
            await asyncio.sleep(3600)  # the client waits for the answer
        size = MIB if self.total is None else min(MIB, self.total - self.sent)
        self.sent += size
        more = self.total is None or self.sent < self.total
        return {"type": "http.request", "body": b"\0" * size, "more_body": more}


async def _call(path: str, body: Body, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    from config.asgi import application

    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await asyncio.wait_for(application(_scope(path, headers), body.receive, send), timeout=60)
    start = next(m for m in messages if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], content


@pytest.mark.django_db(transaction=True)
async def test_an_anonymous_150_mb_upload_is_refused_before_its_body_is_read():
    body = Body(150 * MIB)
    headers = [
        (b"content-type", b"multipart/form-data; boundary=xyz"),
        (b"content-length", str(150 * MIB).encode()),
    ]

    status, content = await _call("/api/v1/speech/recordings/", body, headers)

    assert status == 413
    assert body.calls == 0  # not a byte read: no spooling, no authentication
    assert "bytes" in json.loads(content)["detail"]


@pytest.mark.django_db(transaction=True)
async def test_a_chunked_body_is_counted_as_it_streams_and_cut_off_at_the_limit():
    body = Body(None)  # no Content-Length, and it never ends
    limit = settings.REQUEST_BODY_MAX_BYTES

    status, _content = await _call("/api/v1/checkins/", body, [(b"content-type", b"application/json")])

    assert status == 413
    assert body.sent <= limit + MIB  # stopped at the first chunk past the limit


@pytest.mark.django_db(transaction=True)
async def test_a_body_within_the_limit_reaches_the_view(patient):
    """Below the limit nothing changes: an anonymous upload gets its 401 from the view."""
    body = Body(1 * MIB)
    headers = [
        (b"content-type", b"multipart/form-data; boundary=xyz"),
        (b"content-length", str(1 * MIB).encode()),
    ]

    status, _content = await _call("/api/v1/speech/recordings/", body, headers)

    assert status == 401


def test_the_limits_per_route_are_those_documented():
    from config.body_limits import body_limit_for

    assert (
        body_limit_for("/api/v1/speech/recordings/") == settings.REQUEST_BODY_ROUTE_LIMITS["/api/v1/speech/recordings/"]
    )
    assert body_limit_for("/api/v1/signals/batch/") == settings.REQUEST_BODY_MAX_BYTES
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.REQUEST_BODY_MAX_BYTES
    from monitoring.speech import MAX_BYTES

    assert settings.REQUEST_BODY_ROUTE_LIMITS["/api/v1/speech/recordings/"] > MAX_BYTES  # a full recording fits
