"""`make demo` prints the logins only once the server answers: demo_logins --wait polls it."""

import io
import socket

import pytest
from django.core.management import CommandError, call_command

from demo.management.commands.demo_logins import server_listens
from patients.services import patient_create

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_wait_ends_when_the_server_answers_and_not_before(live_asgi_server):
    assert server_listens(f"{live_asgi_server}/healthz", timeout=10) is True
    assert server_listens(f"http://127.0.0.1:{_closed_port()}/healthz", timeout=1, every=0.2) is False


def test_the_logins_are_printed_once_the_server_listens(live_asgi_server, team, monkeypatch):
    patient_create(
        code="DEMO-NEW", care_team=team, timezone_name="Europe/Paris", birth_year=1990, sex="F", diagnosis="F33"
    )
    host, port = live_asgi_server.removeprefix("http://").split(":")
    monkeypatch.setenv("HOST", host)
    monkeypatch.setenv("PORT", port)
    out = io.StringIO()

    call_command("demo_logins", wait=True, timeout=10, stdout=out)

    text = out.getvalue()
    assert f"Demo ready on {live_asgi_server}" in text
    assert "Enrolment code for new patient DEMO-NEW (phone app): " in text
    assert "(already enrolled)" not in text


def test_no_server_no_logins(team, monkeypatch):
    patient_create(
        code="DEMO-NEW", care_team=team, timezone_name="Europe/Paris", birth_year=1990, sex="F", diagnosis="F33"
    )
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", str(_closed_port()))
    out = io.StringIO()
    with pytest.raises(CommandError, match="did not answer"):
        call_command("demo_logins", wait=True, timeout=1, stdout=out)
    assert "Logins" not in out.getvalue()
