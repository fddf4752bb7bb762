from rest_framework.test import APIClient

from patients.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD


def test_token_pair_and_refresh(nurse):
    client = APIClient()
    tokens = client.post("/api/v1/auth/token/", {"username": "nurse-a", "password": DEFAULT_PASSWORD}).json()

    refreshed = client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})
    reused = client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]})

    assert set(tokens) == {"access", "refresh"}
    assert refreshed.status_code == 200 and "access" in refreshed.json()
    # Rotation with blacklist: a refresh token works once.
    assert reused.status_code == 401


def test_me_for_clinician(nurse_client, nurse, team):
    me = nurse_client.get("/api/v1/me/").json()
    assert me == {
        "id": nurse.pk,
        "username": "nurse-a",
        "role": "nurse",
        "patient_id": None,
        "care_teams": [{"id": team.pk, "name": "team-a"}],
    }


def test_anonymous_refused():
    assert APIClient().get("/api/v1/me/").status_code == 401
    assert APIClient().get("/api/v1/patients/").status_code == 401


def test_login_success_and_failure_audited(nurse):
    client = APIClient()
    client.post("/api/v1/auth/token/", {"username": "nurse-a", "password": "wrong-password"})
    client.post("/api/v1/auth/token/", {"username": "nurse-a", "password": DEFAULT_PASSWORD})

    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_username"))
    assert ("login_failed", "") in actions
    assert ("login", "nurse-a") in actions


def test_lockout_after_repeated_failures_on_jwt_endpoint(nurse, settings):
    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": "nurse-a", "password": f"wrong-{i}"}).status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    # Even the right password is refused during the cool-off.
    locked = client.post("/api/v1/auth/token/", {"username": "nurse-a", "password": DEFAULT_PASSWORD})
    other_user = client.post("/api/v1/auth/token/", {"username": "someone-else", "password": "x"})

    assert statuses[:-1] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    assert locked.status_code == 429
    assert "access" not in locked.json()
    assert other_user.status_code == 401


def test_session_login_page(client, nurse):
    page = client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "nurse-a", "password": DEFAULT_PASSWORD})

    assert page.status_code == 200
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/"


def test_login_page_in_french(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert 'lang="fr"' in page.content.decode()
    assert "Se connecter" in page.content.decode()
