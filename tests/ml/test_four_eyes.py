"""Four-eyes model change: a new version is a candidate; a psychiatrist or admin who did not
train it activates it after a side-by-side comparison with the active version; rollback is one
action; all of it audited. The very first model alone may be activated by the system."""

import pytest
from django.test import Client

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


# --- the held-out side by side reads only patients neither version was trained on -------

SEEN = ["ML-S11-0001", "ML-S11-0004", "ML-S11-0002", "ML-S11-0003"]  # 0004 relapses
UNSEEN = ["ML-S11-0009", "ML-S11-0012"]  # both relapse: AUROC and events are defined


@pytest.fixture
def split_versions(team):  # type: ignore[no-untyped-def]
    """An active version trained on SEEN[:3], a candidate on SEEN (all recorded as database
    ids), and two more patients in the team that neither saw."""
    model, report = trained()
    first = register(model, report, activate=True)
    candidate = register(model, report, activate=False)
    seen = load_patients_and_summaries(team, codes=SEEN)
    unseen = load_patients_and_summaries(team, codes=UNSEEN)
    ModelVersion.objects.filter(pk=first.pk).update(trained_patients=[str(p.pk) for p in seen[:3]])
    ModelVersion.objects.filter(pk=candidate.pk).update(trained_patients=[str(p.pk) for p in seen])
    candidate.refresh_from_db()
    return first, candidate, seen, unseen


def _figures_on(patients, model):  # type: ignore[no-untyped-def]
    """The held-out figures computed directly on these patients (what the comparison shows)."""
    from ml import comparison, selectors
    from ml.training import build_dataset

    ids = [str(p.pk) for p in patients]
    events = selectors.label_events_frame(patient_ids=ids)
    summaries = selectors.daily_summaries_frame(patient_ids=ids)
    data = build_dataset(summaries, selectors.patients_frame(patient_ids=ids), events)
    return comparison._summary(data, model.predict(data), model.threshold, events)


def test_the_held_out_comparison_reads_only_patients_neither_version_trained_on(split_versions):
    from ml.registry import model_load

    _first, candidate, seen, unseen = split_versions
    admin = UserFactory(username="admin-ho", role="admin", is_staff=True)
    held = services.model_compare(model_version=candidate, user=admin).comparison["held_out"]
    assert held["available"] and held["basis"] == "neither_trained" and held["patients"] == len(unseen)
    model = model_load(candidate)
    honest, in_sample = _figures_on(unseen, model), _figures_on(seen + unseen, model)
    # The fixture is one where reading the trained-on patients too would change the figures.
    assert honest != in_sample and in_sample["events"] > honest["events"] > 0
    for role in ("candidate", "active"):
        shown = {k: v for k, v in held[role].items() if k != "auroc"}
        assert shown == honest  # the same model artifact in both roles here: the same rows
        assert held[role]["auroc"] is not None


def test_no_held_out_figures_when_every_patient_was_trained_on(split_versions, team):
    first, candidate, seen, unseen = split_versions
    everyone = [str(p.pk) for p in seen + unseen]
    ModelVersion.objects.filter(pk=first.pk).update(trained_patients=everyone)
    admin = UserFactory(username="admin-no", role="admin", is_staff=True)
    compared = auth_client(admin).post(f"/api/v1/models/{candidate.version}/compare/").json()["comparison"]
    held = compared["held_out"]
    assert held == {"available": False, "patients": 0, "reason": "none_unseen"}
    assert "no patient that neither has seen" in compared["held_out_note"]
    # The teams' last 90 days are still compared.
    assert compared["teams"][0]["candidate"]["patient_days"] > 0
    # The model page says so instead of showing figures, in English and in French.
    client = Client()
    client.force_login(admin)
    page = client.get("/dashboard/model/").content.decode()
    assert "No held-out comparison: every patient with data was used to train" in page
    assert "neither model was trained on</th>" not in page
    client = Client(headers={"accept-language": "fr"})
    client.force_login(admin)
    page = client.get("/dashboard/model/").content.decode()
    assert "Pas de comparaison sur des patients mis de côté" in page


def test_a_version_that_did_not_record_its_patients_gets_no_held_out_figures(split_versions):
    first, candidate, _seen, _unseen = split_versions
    ModelVersion.objects.filter(pk=first.pk).update(trained_patients=None)
    admin = UserFactory(username="admin-nr", role="admin", is_staff=True)
    held = services.model_compare(model_version=candidate, user=admin).comparison["held_out"]
    assert held["available"] is False and held["reason"] == "not_recorded" and held["role"] == "active"
    assert "candidate" not in held and "auroc" not in str(held)
