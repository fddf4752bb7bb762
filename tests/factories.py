"""factory_boy factories shared by the whole suite."""

import datetime as dt

import factory
from django.utils import timezone

from patients.models import CareTeam, ClinicalEvent, ConsentRecord, ConsentScope, Patient, Role, User

DEFAULT_PASSWORD = "correct-horse-battery-9"  # noqa: S105 - test fixture


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.PATIENT
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeam
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"team-{n}")
    timezone = "Europe/Paris"


class ClinicianFactory(UserFactory):
    role = Role.NURSE

    @factory.post_generation
    def teams(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            for team in extracted:
                team.members.add(obj)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    code = factory.Sequence(lambda n: f"P{n:04d}")
    care_team = factory.SubFactory(CareTeamFactory)
    user = factory.SubFactory(UserFactory, role=Role.PATIENT)
    timezone = "Europe/Paris"
    birth_year = 1985
    sex = "F"
    diagnosis = "F33"
    enrolled_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=120))


def grant_consents(patient: Patient, scopes: list[str] | None = None, version: str = "1") -> None:
    for scope in scopes or ConsentScope.values:
        ConsentRecord.objects.get_or_create(
            patient=patient,
            scope=scope,
            withdrawn_at=None,
            defaults={"version": version, "granted_at": timezone.now()},
        )


class ClinicalEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClinicalEvent

    patient = factory.SubFactory(PatientFactory)
    kind = "relapse"
    date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    note = ""
