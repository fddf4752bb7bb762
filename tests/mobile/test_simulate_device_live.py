"""`simulate_device` against a real running server (daphne on the test database): batches
resent after a lost answer are counted as duplicates and never stored twice."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring.models import DailySummary, SignalRecord
from tests.factories import DEFAULT_PASSWORD, PatientFactory, grant_consents


def run(base_url: str, *args: str) -> dict:
    out = StringIO()
    call_command("simulate_device", "--base-url", base_url, *args, "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.mark.slow
def test_simulated_phone_retries_without_double_storage(live_asgi_server, team):
    patient = PatientFactory(
        care_team=team,
        user__username="sim-phone",
        timezone="Europe/Paris",
        enrolled_on=timezone.localdate() - timedelta(days=6),
    )
    grant_consents(patient)
    login = ["--username", "sim-phone", "--password", DEFAULT_PASSWORD, "--days", "7", "--seed", "42"]

    # Every batch's answer is "lost" once: each batch is sent twice.
    first = run(live_asgi_server, *login, "--gap-probability", "0.2", "--retry", "1")
    stored = SignalRecord.objects.filter(patient=patient).count()

    assert first["batches"] == first["days_sent"] > 0
    assert first["lost_answers_resent"] == first["batches"]
    assert first["rejected"] == 0 and first["failed_batches"] == 0
    assert first["records"] == stored
    # The resent copy of each batch is what the server answered: all duplicates.
    assert (first["accepted"], first["duplicates"]) == (0, stored)
    assert first["requests"] >= 2 * first["batches"]

    # The same phone replaying the same days (same seed → same ids) stores nothing new.
    second = run(live_asgi_server, *login, "--gap-probability", "0.2", "--retry", "0")

    assert (second["accepted"], second["duplicates"], second["rejected"]) == (0, stored, 0)
    assert SignalRecord.objects.filter(patient=patient).count() == stored
    assert DailySummary.objects.filter(patient=patient, passive_records__gt=0).count() >= first["days_sent"] - 1


@pytest.mark.slow
def test_simulated_phone_stores_each_record_once_without_losses(live_asgi_server, team):
    patient = PatientFactory(
        care_team=team, user__username="sim-phone-2", enrolled_on=timezone.localdate() - timedelta(days=3)
    )
    grant_consents(patient, scopes=["sleep", "activity", "mobility"])  # no speech consent

    summary = run(
        live_asgi_server,
        "--username", "sim-phone-2", "--password", DEFAULT_PASSWORD,
        "--days", "3", "--seed", "9", "--gap-probability", "0", "--retry", "0",
    )  # fmt: skip

    kinds = set(SignalRecord.objects.filter(patient=patient).values_list("kind", flat=True))
    assert summary["accepted"] == SignalRecord.objects.filter(patient=patient).count() > 0
    assert summary["duplicates"] == 0
    assert summary["rejected"] > 0  # the speech records, refused for want of consent
    assert all("consent" in json.dumps(r).lower() or "speech" in json.dumps(r).lower() for r in summary["rejections"])
    assert "speech" not in kinds and {"sleep", "steps", "mobility", "screen"} <= kinds


def test_simulate_device_needs_credentials():
    with pytest.raises(CommandError, match="Give --token, or --username and --password."):
        call_command("simulate_device", "--base-url", "http://127.0.0.1:9")


@pytest.mark.django_db
def test_simulate_device_reports_an_unreachable_server():
    with pytest.raises(CommandError, match="Cannot reach the API"):
        call_command("simulate_device", "--base-url", "http://127.0.0.1:9", "--token", "x")


def test_simulate_device_refuses_other_url_schemes():
    with pytest.raises(CommandError, match="must start with http:// or https://"):
        call_command("simulate_device", "--base-url", "file:///etc/passwd", "--token", "x")
