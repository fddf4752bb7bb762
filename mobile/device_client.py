"""The public API as a phone uses it, over plain HTTP (stdlib urllib): JWT login, refresh on
401, JSON in and out. For `simulate_device`; no Django imports."""

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any


class TransientError(Exception):
    """Worth retrying: no connection, a timeout, 429 or 5xx."""


class ApiRefused(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


@dataclass
class DeviceClient:
    base_url: str
    username: str | None = None
    password: str | None = None
    access: str | None = None
    refresh: str | None = None
    timeout: float = 30.0
    requests_made: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if urllib.parse.urlsplit(self.base_url).scheme not in ("http", "https"):
            raise ValueError("The base URL must start with http:// or https://.")

    def _url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/api/v1/{path.lstrip('/')}"

    def _send(self, method: str, path: str, body: Any = None, *, auth: bool = True) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if auth and self.access:
            headers["Authorization"] = f"Bearer {self.access}"
        request = urllib.request.Request(self._url(path), data=data, method=method, headers=headers)  # noqa: S310  # nosec B310
        self.requests_made += 1
        try:
            # http(s) only, checked in __post_init__.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw.decode(errors="replace")[:500]
            if exc.code == 429 or exc.code >= 500:
                raise TransientError(f"HTTP {exc.code}") from exc
            return exc.code, payload
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            raise TransientError(str(exc)) from exc

    def login(self) -> None:
        if not (self.username and self.password):
            raise ApiRefused(401, "The access token expired and no username/password was given to sign in again.")
        status, body = self._send(
            "POST", "auth/token/", {"username": self.username, "password": self.password}, auth=False
        )
        if status != 200:
            raise ApiRefused(status, body)
        self.access, self.refresh = body["access"], body["refresh"]

    def _renew(self) -> None:
        if self.refresh:
            status, body = self._send("POST", "auth/token/refresh/", {"refresh": self.refresh}, auth=False)
            if status == 200:
                self.access = body["access"]
                self.refresh = body.get("refresh", self.refresh)  # rotated
                return
        self.login()

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """One API call; a 401 renews the access token and retries once."""
        if not self.access:
            self.login()
        status, payload = self._send(method, path, body)
        if status == 401:
            self._renew()
            status, payload = self._send(method, path, body)
        return status, payload

    def me(self) -> dict:
        status, body = self.call("GET", "me/")
        if status != 200:
            raise ApiRefused(status, body)
        return body

    def schedule(self) -> dict | None:
        status, body = self.call("GET", "me/schedule/")
        return body if status == 200 else None

    def post_batch(self, records: list[dict]) -> dict:
        status, body = self.call("POST", "signals/batch/", {"records": records})
        if status != 200:
            raise ApiRefused(status, body)
        return body
