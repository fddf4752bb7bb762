import json
import logging

from django.core.management import call_command

from patients.models import CareTeam, User


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_each_dependency(client, db):
    response = client.get("/readyz")
    body = response.json()
    assert set(body["checks"]) == {"database", "redis", "celery"}
    assert body["checks"]["database"]["ok"] is True


def test_schema_and_docs_served(client, db):
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    assert schema.status_code == 200
    assert b"/api/v1/auth/enroll/" in schema.content
    assert docs.status_code == 200


def test_commands_create_team_and_clinician(db, capsys):
    call_command("create_care_team", "cmp-lyon", "--timezone", "Europe/Paris")
    call_command(
        "create_clinician", "marie", "--role", "psychiatrist", "--team", "cmp-lyon", "--password", "Psy-pass-1234"
    )

    user = User.objects.get(username="marie")
    assert user.role == "psychiatrist"
    assert list(user.care_teams.values_list("name", flat=True)) == ["cmp-lyon"]
    assert user.check_password("Psy-pass-1234")
    assert CareTeam.objects.filter(name="cmp-lyon", timezone="Europe/Paris").count() == 1


def test_access_log_is_json_with_request_id_and_no_query(client, db, caplog):
    with caplog.at_level(logging.INFO, logger="relapse.access"):
        response = client.get("/healthz?secret=abc", HTTP_X_REQUEST_ID="req-123")
    record = next(r for r in caplog.records if r.name == "relapse.access")
    assert response.headers["X-Request-ID"] == "req-123"
    assert record.request_id == "req-123"
    assert "secret" not in json.dumps(record.__dict__, default=str)


def test_api_responses_not_cached(nurse_client):
    response = nurse_client.get("/api/v1/patients/")
    assert response.headers["Cache-Control"] == "no-store, private"


def test_argon2_is_the_production_hasher():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
