"""Risk-score and model-registry endpoints: scoping, roles, explanations."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ml import scoring
from patients.models import AuditEvent
from tests.conftest import auth_client
from tests.factories import UserFactory
from tests.ml.helpers import load_patients_and_summaries, register, trained


def _setup(team):  # type: ignore[no-untyped-def]
    model, report = trained()
    mv = register(model, report, activate=True)
    patient = load_patients_and_summaries(team, n=1)[0]
    days = [dt.date(2026, 6, 1) + dt.timedelta(days=i) for i in range(20)]
    scoring.risk_scores_compute(patient_ids=[patient.pk], days=days, alerts=False)
    return mv, patient


def test_psychiatrist_reads_scores_with_explanations(team, psychiatrist_client):
    mv, patient = _setup(team)
    response = psychiatrist_client.get(f"/api/v1/patients/{patient.pk}/risk-scores/?start=2026-06-01&end=2026-06-20")
    assert response.status_code == 200
    body = response.json()
    assert len(body) == 20 and body[0]["date"] == "2026-06-01"
    assert body[0]["model_version"] == mv.version and body[0]["band"] in ("low", "medium", "high")
    factors = [f for day in body for f in day["explanation"]]
    assert factors and set(factors[0]) == {"feature", "label", "direction", "weight"}
    fr = psychiatrist_client.get(
        f"/api/v1/patients/{patient.pk}/risk-scores/?start=2026-06-01&end=2026-06-20", HTTP_ACCEPT_LANGUAGE="fr"
    ).json()
    assert [f["feature"] for f in fr[0]["explanation"]] == [f["feature"] for f in body[0]["explanation"]]


def test_nurse_reads_scores_without_explanations(team, nurse_client):
    _mv, patient = _setup(team)
    body = nurse_client.get(f"/api/v1/patients/{patient.pk}/risk-scores/?start=2026-06-01&end=2026-06-20").json()
    assert len(body) == 20 and all(day["explanation"] == [] for day in body)


def test_other_team_gets_404_and_nothing_leaks(team, other_nurse):
    _mv, patient = _setup(team)
    response = auth_client(other_nurse).get(f"/api/v1/patients/{patient.pk}/risk-scores/")
    assert response.status_code == 404 and "score" not in response.content.decode()
    assert AuditEvent.objects.filter(action="denied", resource="risk_scores", patient_id=patient.pk).exists()


def test_patients_cannot_read_risk_scores(team, patient_client):
    _mv, patient = _setup(team)
    assert patient_client.get(f"/api/v1/patients/{patient.pk}/risk-scores/").status_code == 403


def test_bad_ranges_are_400(team, nurse_client):
    _mv, patient = _setup(team)
    url = f"/api/v1/patients/{patient.pk}/risk-scores/"
    assert nurse_client.get(url + "?start=2026-06-10&end=2026-06-01").json() == {
        "end": ["The end date is before the start date."]
    }
    assert "start" in nurse_client.get(url + "?start=garbage").json()


def test_query_count_does_not_grow_with_days(team, nurse_client):
    _mv, patient = _setup(team)
    url = f"/api/v1/patients/{patient.pk}/risk-scores/"
    with CaptureQueriesContext(connection) as few:
        nurse_client.get(url + "?start=2026-06-01&end=2026-06-02")
    with CaptureQueriesContext(connection) as many:
        nurse_client.get(url + "?start=2026-06-01&end=2026-06-20")
    assert len(few.captured_queries) == len(many.captured_queries)


def test_model_registry_for_psychiatrists_and_admins_only(team, nurse_client, psychiatrist_client):
    mv, _patient = _setup(team)
    assert nurse_client.get("/api/v1/models/").status_code == 403
    listing = psychiatrist_client.get("/api/v1/models/").json()
    assert listing[0]["version"] == mv.version and listing[0]["is_active"] is True
    detail = psychiatrist_client.get(f"/api/v1/models/{mv.version}/").json()
    assert "## Intended use" in detail["model_card"] and detail["metrics"]["scorers"]["model"]
    assert psychiatrist_client.get("/api/v1/models/nope/").status_code == 404
    assert nurse_client.post(f"/api/v1/models/{mv.version}/activate/").status_code == 403
    # Four eyes (issue 17): psychiatrists and admins review model changes; the active one is active already.
    assert psychiatrist_client.post(f"/api/v1/models/{mv.version}/activate/").status_code == 409
    admin = UserFactory(username="admin-ml", role="admin", is_staff=True)
    response = auth_client(admin).post(f"/api/v1/models/{mv.version}/activate/")
    assert response.status_code == 409 and detail["status"] == "active"


def test_activating_a_version_whose_artifact_fails_its_check_is_refused(team):
    model, report = trained()
    good = register(model, report, activate=True)
    bad = register(model, report, activate=False)
    admin = UserFactory(username="admin-ml2", role="admin", is_staff=True)
    assert auth_client(admin).post(f"/api/v1/models/{bad.version}/compare/").status_code == 200
    with open(bad.artifact_path, "ab") as handle:
        handle.write(b"tampered")
    response = auth_client(admin).post(f"/api/v1/models/{bad.version}/activate/")
    assert response.status_code == 400 and "refusing to load" in response.json()["detail"]
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.is_active and not bad.is_active
