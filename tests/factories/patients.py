"""Factories: patients."""

import datetime as dt
import secrets
from typing import Any

import factory
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from patients.audit import audit_record
from patients.identifiers import finess_with_key
from patients.models import (
    AuditAction,
    AuditEvent,
    CareTeam,
    ClinicalEvent,
    ConsentRecord,
    ConsentScope,
    EnrollmentCode,
    Establishment,
    Patient,
    Role,
    User,
)
from patients.services import consent_grant, consent_withdraw, enrollment_code_issue

from .base import DEFAULT_PASSWORD, ServiceFactory, _require_derived

# --- patients ------------------------------------------------------------------------------


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


class EstablishmentFactory(factory.django.DjangoModelFactory):
    """An establishment with a valid (fiction) FINESS number."""

    class Meta:
        model = Establishment
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"est-{n}")
    name = factory.Sequence(lambda n: f"Establishment {n}")
    finess = factory.Sequence(lambda n: finess_with_key(f"139{n:05d}"))


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareTeam
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"team-{n}")
    establishment = factory.SubFactory(EstablishmentFactory)
    timezone = "Europe/Paris"


class ClinicianFactory(UserFactory):
    role = Role.NURSE

    @factory.post_generation
    def teams(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            for team in extracted:
                team.members.add(obj)


def _team_clinician() -> factory.SubFactory:
    """A nurse of the care team of the patient of the object being made."""
    # `o` is the context of ClinicianFactory.teams: its parent is the clinician being made, and
    # the clinician's parent the object that needs one.
    return factory.SubFactory(
        ClinicianFactory, teams=factory.LazyAttribute(lambda o: [o.factory_parent.factory_parent.patient.care_team])
    )


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


class ConsentedPatientFactory(PatientFactory):
    """A patient who has granted every consent scope (version "1"), through `consent_grant`.
    `consents=[...]` grants only those scopes."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def consents(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            scopes = ConsentScope.values if extracted is None else extracted
            consent_grant(patient=obj, version="1", scopes=scopes)


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


class ConsentRecordFactory(ServiceFactory):
    """One grant, through `consent_grant`: granting a scope already granted under another
    version closes that grant (history is kept). `withdrawn_at` withdraws it
    (`consent_withdraw`)."""

    class Meta:
        model = ConsentRecord

    patient = factory.SubFactory(PatientFactory)
    scope = ConsentScope.SELF_REPORT
    version = "1"
    granted_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    withdrawn_at = None

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> ConsentRecord:
        patient, scope = kwargs["patient"], kwargs["scope"]
        (record,) = consent_grant(patient=patient, version=kwargs["version"], scopes=[scope], at=kwargs["granted_at"])
        if record.granted_at != kwargs["granted_at"]:
            raise ValueError(
                f"{scope!r} is granted already under version {record.version!r} (consent_grant keeps that grant)."
            )
        if kwargs["withdrawn_at"] is not None:
            consent_withdraw(patient=patient, scopes=[scope], at=kwargs["withdrawn_at"])
            record.refresh_from_db()
        return record


class EnrollmentCodeFactory(ServiceFactory):
    """A code issued by `enrollment_code_issue` (earlier unused codes of the patient stop
    working). The clear code, which only the issuer ever sees, is on `.clear_code`. `used_at`
    and `expires_at`, when given, are applied afterwards."""

    class Meta:
        model = EnrollmentCode

    patient = factory.SubFactory(PatientFactory, user=None)
    created_by = _team_clinician()

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> EnrollmentCode:
        # The keyed hash of a code nobody knows: build() only, create() stores the issued one's.
        kwargs.setdefault("code_hash", secrets.token_hex(32))
        kwargs.setdefault("expires_at", timezone.now() + dt.timedelta(hours=settings.ENROLLMENT_CODE_TTL_HOURS))
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> EnrollmentCode:
        if "code_hash" in kwargs:
            raise ValueError("EnrollmentCode.code_hash is the issued code's keyed hash; it cannot be given.")
        patient = kwargs["patient"]
        clear = enrollment_code_issue(patient=patient, created_by=kwargs["created_by"])
        entry = EnrollmentCode.objects.filter(patient=patient).latest("pk")
        changes = {name: kwargs[name] for name in ("expires_at", "used_at") if name in kwargs}
        if changes:
            EnrollmentCode.objects.filter(pk=entry.pk).update(**changes)
            entry.refresh_from_db()
        entry.clear_code = clear  # type: ignore[attr-defined]
        return entry


class AuditEventFactory(ServiceFactory):
    """A nurse of the patient's team reading the patient's record through the API, written by
    `audit_record` from a request like the one the API receives."""

    class Meta:
        model = AuditEvent

    patient = factory.SubFactory(PatientFactory)
    actor = _team_clinician()
    actor_id = factory.LazyAttribute(lambda o: o.actor.pk if o.actor is not None else None)
    actor_username = factory.LazyAttribute(lambda o: o.actor.username if o.actor is not None else "")
    actor_role = factory.LazyAttribute(lambda o: o.actor.role if o.actor is not None else "")
    patient_id = factory.LazyAttribute(lambda o: o.patient.pk if o.patient is not None else None)
    action = AuditAction.READ
    resource = "patient"
    method = "GET"
    path = factory.LazyAttribute(lambda o: f"/api/v1/patients/{o.patient_id}/")
    ip = "192.0.2.10"  # TEST-NET-1
    status_code = 200
    detail = factory.Dict({})
    _service_args = ("patient", "actor")
    _set_by_service = ("at",)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> AuditEvent:
        actor = kwargs["actor"]
        _require_derived(
            model_class,
            {
                "actor_id": actor.pk if actor is not None else None,
                "actor_username": actor.username if actor is not None else "",
                "actor_role": actor.role if actor is not None else "",
            },
            kwargs,
        )
        if "at" in kwargs:
            raise ValueError("AuditEvent.at is the moment audit_record writes it (the trail is append-only).")
        request = RequestFactory().generic(kwargs["method"], kwargs["path"], REMOTE_ADDR=kwargs["ip"])
        request.user = actor
        return audit_record(
            action=kwargs["action"],
            resource=kwargs["resource"],
            request=request,
            actor=actor,
            patient_id=kwargs["patient_id"],
            status_code=kwargs["status_code"],
            detail=kwargs["detail"],
        )
