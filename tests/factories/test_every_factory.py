"""Every factory of tests/factories/ makes a valid row the application could have written: it
passes full_clean, keeps the invariants its service keeps, and two of a kind coexist."""

import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db

ALL_FACTORIES = [
    f.UserFactory,
    f.EstablishmentFactory,
    f.CareTeamFactory,
    f.ClinicianFactory,
    f.PatientFactory,
    f.ConsentedPatientFactory,
    f.ClinicalEventFactory,
    f.ConsentRecordFactory,
    f.EnrollmentCodeFactory,
    f.AuditEventFactory,
    f.CheckInFactory,
    f.QuestionnaireResponseFactory,
    f.SignalRecordFactory,
    f.SpeechRecordingFactory,
    f.DailySummaryFactory,
    f.ModelVersionFactory,
    f.RiskScoreFactory,
    f.ScoringRunFactory,
    f.AlertFactory,
    f.AlertEventFactory,
    f.PatientScheduleFactory,
    f.ScheduledQuestionnaireFactory,
    f.PushSubscriptionFactory,
    f.ReminderSentFactory,
]


def _ids(factory_class: type) -> str:
    return factory_class.__name__


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=_ids)
def test_build_makes_an_unsaved_instance_and_writes_nothing(factory_class):
    model = factory_class._meta.model
    # The migrations' rows (the default establishment) are there before any factory runs.
    before = model._default_manager.count()

    instance = factory_class.build()

    assert isinstance(instance, model)
    assert instance._state.adding is True
    assert model._default_manager.count() == before


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=_ids)
def test_two_instances_coexist(factory_class):
    model = factory_class._meta.model

    first, second = factory_class(), factory_class()

    assert first.pk != second.pk
    assert model._default_manager.filter(pk__in=[first.pk, second.pk]).count() == 2
