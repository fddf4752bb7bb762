"""Helpers for the phone app's browser tests (test_browser_app_*.py): a phone-sized page of the
app in Chromium (Playwright) against a real server (daphne on the test database), with its
console watched and every screen photographed at 360 px wide under test-results/<test>/."""

import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import auth_client
from tests.factories import DEFAULT_PASSWORD, PatientFactory, grant_consents

WIDTH, HEIGHT = 360, 740
PHONE = {"viewport": {"width": WIDTH, "height": HEIGHT}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}
NEW_PASSWORD = "a-long-phone-password-42"  # noqa: S105 - test fixture


class Phone:
    """A page of the app with its console watched and a screenshot helper."""

    def __init__(self, context: Any, base_url: str, artifacts: Path) -> None:
        self.context = context
        self.base = base_url
        self.artifacts = artifacts
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)

    def open(self, route: str = "") -> None:
        self.page.goto(f"{self.base}/app/{route}")
        self.page.wait_for_selector("html[data-ready=true]", state="attached")

    def go(self, route: str) -> None:
        self.page.evaluate("(route) => { window.location.hash = route; }", route)

    def shoot(self, name: str) -> None:
        """The whole screen at phone width; fails if anything is wider than the phone."""
        page = self.page
        page.wait_for_timeout(150)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, f"{name} overflows horizontally"
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": WIDTH, "height": max(HEIGHT, height)})
        page.screenshot(path=str(self.artifacts / f"{name}.png"))
        page.set_viewport_size({"width": WIDTH, "height": HEIGHT})

    def outbox_size(self) -> int:
        return self.page.evaluate("window.relapseOutboxSize()")

    def wait_outbox_empty(self, timeout: float = 20) -> None:
        wait_for(self.page, lambda: self.outbox_size() == 0, timeout, "the outbox to empty")

    def real_errors(self) -> list[str]:
        # Requests that fail while the test has switched the network off are expected.
        return [e for e in self.errors if "ERR_INTERNET_DISCONNECTED" not in e and "Failed to fetch" not in e]


def wait_for(page: Any, condition: Callable[[], bool], timeout: float, what: str) -> None:
    # Playwright's sync API runs route and event handlers only while the test is inside one
    # of its calls: wait with the page, not with time.sleep.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        page.wait_for_timeout(200)
    pytest.fail(f"timed out waiting for {what}")


def phone(browser: Any, base_url: str, artifacts: Path, locale: str = "en-GB") -> Phone:
    return Phone(browser.new_context(locale=locale, **PHONE), base_url, artifacts)


def sign_in(app: Phone, username: str, password: str = DEFAULT_PASSWORD) -> None:
    app.open("#/login")
    app.page.fill("input[name=username]", username)
    app.page.fill("input[name=password]", password)
    app.page.click("form button[type=submit]")
    app.page.wait_for_selector("#start-checkin, .task.done")


def existing_patient(team: Any, username: str, **extra: Any) -> Any:
    patient = PatientFactory(
        care_team=team, user__username=username, enrolled_on=timezone.localdate() - timedelta(days=30), **extra
    )
    grant_consents(patient)
    return patient


def timeline_today(nurse: Any, patient: Any) -> dict:
    today = timezone.localdate(timezone=patient.tz).isoformat()
    response = auth_client(nurse).get(f"/api/v1/patients/{patient.pk}/timeline/?start={today}&end={today}")
    assert response.status_code == 200
    return response.json()["days"][0]
