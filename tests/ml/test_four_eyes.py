"""Four-eyes model change: a new version is a candidate; a psychiatrist or admin who did not
train it activates it after a side-by-side comparison with the active version; rollback is one
action; all of it audited. The very first model alone may be activated by the system."""

import pytest

from ml import services
from ml.models import ModelVersion
from patients.models import AuditEvent
from tests.conftest import auth_client
from tests.factories import ClinicianFactory, UserFactory
from tests.ml.helpers import load_patients_and_summaries, register, trained

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions(team):  # type: ignore[no-untyped-def]
    model, report = trained()
    first = register(model, report, activate=True)
    candidate = register(model, report, activate=False)
    load_patients_and_summaries(team, n=3)
    trainer = ClinicianFactory(username="psy-trainer", role="psychiatrist", teams=[team])
    ModelVersion.objects.filter(pk=candidate.pk).update(trained_by=trainer)
    candidate.refresh_from_db()
    return first, candidate, trainer


def test_activation_is_refused_to_the_trainer_alone(versions):
    first, candidate, trainer = versions
    client = auth_client(trainer)
    assert client.get(f"/api/v1/models/{candidate.version}/").json()["status"] == "candidate"
    # The trainer may run the comparison, but not activate.
    assert client.post(f"/api/v1/models/{candidate.version}/compare/").status_code == 200
    response = client.post(f"/api/v1/models/{candidate.version}/activate/")
    assert response.status_code == 403 and "second person" in response.json()["detail"]
    assert ModelVersion.objects.get(is_active=True) == first
    assert AuditEvent.objects.filter(resource="model_version", action="denied", actor_id=trainer.pk).exists()


def test_a_second_person_activates_after_the_comparison_and_rollback_is_one_action(versions, team):
    first, candidate, _trainer = versions
    reviewer = ClinicianFactory(username="psy-reviewer", role="psychiatrist", teams=[team])
    client = auth_client(reviewer)
    # No comparison yet: refused.
    assert client.post(f"/api/v1/models/{candidate.version}/activate/").status_code == 409
    compared = client.post(f"/api/v1/models/{candidate.version}/compare/").json()["comparison"]
    assert compared["candidate"] == candidate.version and compared["active"] == first.version
    (recent,) = compared["teams"]
    assert recent["team"] == team.name
    for role in ("candidate", "active"):
        assert recent[role]["patient_days"] > 0 and recent[role]["alerts"] >= 0
        assert set(recent[role]) >= {"alerts_per_patient_month", "events", "events_caught", "threshold"}
    response = client.post(f"/api/v1/models/{candidate.version}/activate/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "active" and body["activated_by"] == "psy-reviewer"
    assert body["previous_version"] == first.version
    assert AuditEvent.objects.filter(resource="model_version", detail={"activated": candidate.version}).exists()

    admin = UserFactory(username="admin-rb", role="admin", is_staff=True)
    back = auth_client(admin).post("/api/v1/models/rollback/")
    assert back.status_code == 200 and back.json()["version"] == first.version
    assert ModelVersion.objects.get(is_active=True) == first
    candidate.refresh_from_db()
    assert auth_client(admin).get(f"/api/v1/models/{candidate.version}/").json()["status"] == "retired"
    assert AuditEvent.objects.filter(resource="model_version", detail={"rolled_back_to": first.version}).exists()
    # Nothing before the first model: a second rollback is a conflict.
    assert auth_client(admin).post("/api/v1/models/rollback/").status_code == 409


def test_a_stale_comparison_does_not_count(versions, team):
    first, candidate, _trainer = versions
    reviewer = UserFactory(username="admin-st", role="admin", is_staff=True)
    services.model_compare(model_version=candidate, user=reviewer)
    model, report = trained()
    third = register(model, report, activate=True)  # another version became active meanwhile
    assert third.is_active
    with pytest.raises(services.ModelChangeConflict):
        services.model_activate_reviewed(model_version=candidate, user=reviewer)


def test_the_system_path_is_for_the_very_first_model_only(versions):
    _first, candidate, _trainer = versions
    with pytest.raises(services.ModelChangeConflict):
        services.model_activate_first(model_version=candidate)
    with pytest.raises(services.ModelChangeConflict):
        services.model_train(activate=True)  # refused before any training


def test_nurses_cannot_review(versions, nurse):
    _first, candidate, _trainer = versions
    with pytest.raises(services.ModelChangeRefused):
        services.model_compare(model_version=candidate, user=nurse)
