"""Emergency ("break-the-glass") access, the kernel's part: who may open one, on which patient,
for how long, and the audit entries at its start and stop.

- Only an active user with the `emergency` role opens one, by the patient's INS and date of
  birth, both exactly (no browsing, no partial match), with a reason from a list and a text.
- The patient's consent settings can exclude it: the `emergency_access` scope is in force
  unless the patient withdrew it (`emergency_access_excluded`).
- The access is read-only and lasts EMERGENCY_ACCESS_HOURS (4 h by default) unless revoked;
  every request looks it up again (`emergency_access_active`), which also closes an expired
  one on the spot, and a beat task closes the ones nobody looked at (`emergency_accesses_close_expired`).
- Start and stop each write a FHIR-style audit entry (purpose of use BTG, reason ETREAT).

The owning team's live alert, the emergency view's contents and the pages live above, in the
clinicians' read side (records.emergency), which calls these."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone

from .audit import audit_record
from .errors import DomainError
from .identifiers import ins_normalized
from .models import (
    AuditAction,
    ConsentRecord,
    ConsentScope,
    EmergencyAccess,
    EmergencyEnd,
    EmergencyReason,
    EmergencyVerdict,
    Establishment,
    Patient,
    PatientStatus,
    Role,
    User,
    patient_lock,
)

# FHIR R4 AuditEvent codings written into the audit entries' detail.
FHIR_AUDIT_TYPE = {
    "system": "http://dicom.nema.org/resources/ontology/DCM",
    "code": "110110",
    "display": "Patient Record",
}
FHIR_PURPOSE_BTG = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "code": "BTG",
    "display": "break the glass",
}
FHIR_REASON_ETREAT = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
    "code": "ETREAT",
    "display": "Emergency Treatment",
}
RESOURCE = "emergency_access"


class EmergencyNoMatch(DomainError):
    """No active patient has this INS and this date of birth (404)."""


class EmergencyExcluded(DomainError):
    """The patient's consent settings exclude emergency access (403), explained."""


class EmergencyNotAllowed(DomainError):
    """The user may not do this to this access (403)."""


def emergency_access_hours() -> float:
    return float(getattr(settings, "EMERGENCY_ACCESS_HOURS", 4))


def is_emergency_clinician(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and getattr(user, "role", "") == Role.EMERGENCY)


def emergency_access_excluded(*, patient: Patient) -> datetime | None:
    """When the patient excluded emergency access (withdrew the `emergency_access` scope and
    has not granted it again), or None: it is allowed. One query."""
    rows = list(
        ConsentRecord.objects.filter(patient=patient, scope=ConsentScope.EMERGENCY_ACCESS)
        .order_by("-granted_at", "-created_at")
        .values_list("withdrawn_at", flat=True)[:1]
    )
    if not rows:
        return None
    return rows[0]


def _establishment_of(user: User) -> Establishment | None:
    if user.establishment_id is not None:
        return user.establishment
    team = user.care_teams.select_related("establishment").order_by("pk").first()
    return team.establishment if team is not None else None


def _fhir_detail(access: EmergencyAccess, *, phase: str, user: User | None) -> dict[str, Any]:
    """The detail of a start or stop entry, shaped as a FHIR AuditEvent's parts."""
    clinician = access.clinician
    return {
        "resourceType": "AuditEvent",
        "type": FHIR_AUDIT_TYPE,
        "subtype": [{"code": phase}],
        "purposeOfEvent": [{"coding": [FHIR_PURPOSE_BTG]}, {"coding": [FHIR_REASON_ETREAT]}],
        "emergency_access": str(access.pk),
        "agent": {
            "who": {"identifier": clinician.get_username(), "display": clinician.get_full_name() or ""},
            "role": Role.EMERGENCY.value,
            "requestor": True,
            "purposeOfUse": ["BTG", "ETREAT"],
            "location": access.establishment.name if access.establishment else "",
            "finess": access.establishment.finess if access.establishment else "",
        },
        "entity": {"what": {"reference": f"Patient/{access.patient_id}"}},
        "period": {
            "start": access.started_at.isoformat(),
            "end": (access.ended_at or access.expires_at).isoformat(),
        },
        "reason": {"code": access.reason, "text": access.reason_text},
        **({"outcome": access.end_kind, "ended_by": user.get_username() if user else ""} if phase == "stop" else {}),
    }


@dataclass(frozen=True)
class GrantResult:
    access: EmergencyAccess
    created: bool


def emergency_access_grant(
    *,
    clinician: User,
    ins: str,
    birth_date: date,
    reason: str,
    reason_text: str,
    request: HttpRequest | None = None,
    now: datetime | None = None,
    on_created: Callable[[EmergencyAccess], object] | None = None,
) -> GrantResult:
    """Open an emergency access for the patient with exactly this INS and date of birth.
    The same clinician asking again for a patient she already has open gets that access back
    (`created` False: no second alert). Raises EmergencyNotAllowed (not an emergency
    clinician), DomainError (bad input), EmergencyNoMatch, EmergencyExcluded; each refusal is
    on the audit trail (written outside the grant's transaction, so it stays), never with the
    INS. `on_created` runs inside the grant's transaction for a new access (the team's alert)."""
    now = now or timezone.now()
    if not is_emergency_clinician(clinician):
        raise EmergencyNotAllowed("Emergency access is for clinicians with the emergency role.")
    if reason not in EmergencyReason.values:
        raise DomainError("Choose a reason from the list.")
    text = (reason_text or "").strip()
    if not text or len(text) > EmergencyAccess.REASON_TEXT_MAX or "\x00" in text:
        raise DomainError(f"Explain the emergency in 1 to {EmergencyAccess.REASON_TEXT_MAX} characters.")
    try:
        normalized = ins_normalized(ins)
    except DjangoValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    if not normalized:
        raise DomainError("Give the patient's INS.")
    patient = Patient.objects.filter(ins=normalized, birth_date=birth_date, status=PatientStatus.ACTIVE).first()
    if patient is None:
        audit_record(
            request=request,
            actor=clinician,
            action=AuditAction.DENIED,
            resource=RESOURCE,
            detail={"outcome": "no_match", "reason": reason},
        )
        raise EmergencyNoMatch("No patient matches this INS and date of birth.")
    excluded_at = emergency_access_excluded(patient=patient)
    if excluded_at is not None:
        audit_record(
            request=request,
            actor=clinician,
            action=AuditAction.DENIED,
            resource=RESOURCE,
            patient_id=patient.pk,
            detail={"outcome": "excluded_by_consent", "reason": reason},
        )
        raise EmergencyExcluded(
            "This patient has excluded emergency access in their consent settings: no data can be "
            "shown. Their refusal is on record; follow your establishment's usual emergency procedure."
        )
    with transaction.atomic():
        patient_lock(patient.pk)  # one access per clinician and patient, even for a double click
        existing = (
            EmergencyAccess.objects.filter(
                clinician=clinician, patient=patient, ended_at__isnull=True, started_at__lte=now, expires_at__gt=now
            )
            .select_related("establishment", "clinician")
            .first()
        )
        if existing is not None:
            return GrantResult(existing, False)
        access = _grant_create(patient=patient, clinician=clinician, reason=reason, text=text, now=now, request=request)
        if on_created is not None:
            on_created(access)
    return GrantResult(access, True)


def _grant_create(
    *, patient: Patient, clinician: User, reason: str, text: str, now: datetime, request: HttpRequest | None
) -> EmergencyAccess:
    access = EmergencyAccess.objects.create(
        patient=patient,
        clinician=clinician,
        establishment=_establishment_of(clinician),
        reason=reason,
        reason_text=text,
        started_at=now,
        expires_at=now + timedelta(hours=emergency_access_hours()),
    )
    audit_record(
        request=request,
        actor=clinician,
        action=AuditAction.EMERGENCY_START,
        resource=RESOURCE,
        patient_id=patient.pk,
        detail=_fhir_detail(access, phase="start", user=clinician),
    )
    return access


def emergency_access_close(
    *,
    access: EmergencyAccess,
    kind: str,
    by: User | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> bool:
    """End an access (revoked, expired, consent withdrawn) and write its stop entry: once,
    whoever gets there first (a state-guarded update). An expired access ends at its expiry.
    True if this call ended it."""
    now = now or timezone.now()
    ended_at = min(now, access.expires_at) if kind != EmergencyEnd.EXPIRED else access.expires_at
    with transaction.atomic():
        changed = EmergencyAccess.objects.filter(pk=access.pk, ended_at__isnull=True).update(
            ended_at=ended_at, end_kind=kind, ended_by=by
        )
        if not changed:
            return False
        access.ended_at, access.end_kind, access.ended_by = ended_at, kind, by
        audit_record(
            request=request,
            actor=by or access.clinician,
            action=AuditAction.EMERGENCY_STOP,
            resource=RESOURCE,
            patient_id=access.patient_id,
            detail=_fhir_detail(access, phase="stop", user=by),
        )
    return True


def emergency_accesses_close_expired(*, now: datetime | None = None) -> int:
    """Close every access past its expiry (beat task; safe to run twice)."""
    now = now or timezone.now()
    closed = 0
    expired = EmergencyAccess.objects.filter(ended_at__isnull=True, expires_at__lte=now).select_related(
        "clinician", "establishment"
    )
    for access in expired.order_by("pk"):
        closed += emergency_access_close(access=access, kind=EmergencyEnd.EXPIRED, now=now)
    return closed


def emergency_access_active(*, user: Any, access_id: UUID | str, now: datetime | None = None) -> EmergencyAccess | None:
    """The user's own access `access_id` if it is in force now, else None. Checked on every
    request: the role, the account, the expiry (an expired access is closed here and then),
    the patient still active and still not excluding emergency access."""
    if not is_emergency_clinician(user):
        return None
    now = now or timezone.now()
    try:
        access = (
            EmergencyAccess.objects.select_related("patient", "patient__care_team", "establishment", "clinician")
            .filter(pk=access_id, clinician=user)
            .first()
        )
    except (ValueError, DjangoValidationError):
        return None
    if access is None or access.ended_at is not None:
        return None
    if access.expires_at <= now:
        emergency_access_close(access=access, kind=EmergencyEnd.EXPIRED, now=now)
        return None
    if access.patient.status != PatientStatus.ACTIVE or emergency_access_excluded(patient=access.patient) is not None:
        emergency_access_close(access=access, kind=EmergencyEnd.CONSENT, now=now)
        return None
    return access


def emergency_accesses_of(*, user: User) -> QuerySet[EmergencyAccess]:
    """An emergency clinician's own accesses, newest first."""
    return (
        EmergencyAccess.objects.filter(clinician=user)
        .select_related("patient", "establishment")
        .order_by("-started_at")
    )


def _team_member(user: Any, access: EmergencyAccess, roles: tuple[str, ...]) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role in roles
        and user.care_teams.filter(pk=access.patient.care_team_id).exists()
    )


def _is_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.role == Role.ADMIN))


def emergency_access_visible_to(*, user: Any, access_id: UUID | str) -> EmergencyAccess | None:
    """An access as its reviewers and revokers see it: the clinician who opened it, an
    administrator, or a clinician of the patient's current team; None for anyone else."""
    try:
        access = (
            EmergencyAccess.objects.select_related("patient", "clinician", "establishment", "verdict_by")
            .filter(pk=access_id)
            .first()
        )
    except (ValueError, DjangoValidationError):
        return None
    if access is None:
        return None
    if access.clinician_id == getattr(user, "pk", None) and is_emergency_clinician(user):
        return access
    if _is_admin(user) or _team_member(user, access, (Role.NURSE, Role.PSYCHIATRIST)):
        return access
    return None


def emergency_access_revoke(
    *, access: EmergencyAccess, user: User, request: HttpRequest | None = None, now: datetime | None = None
) -> bool:
    """End an access early: its clinician, an administrator or a clinician of the patient's
    team (the caller found it with `emergency_access_visible_to`). False if already ended."""
    return emergency_access_close(access=access, kind=EmergencyEnd.REVOKED, by=user, request=request, now=now)


def emergency_verdict_allowed(*, user: Any, access: EmergencyAccess) -> bool:
    """The patient's psychiatrist (of their current team) or an administrator."""
    return _is_admin(user) or _team_member(user, access, (Role.PSYCHIATRIST,))


def emergency_access_verdict(
    *, access: EmergencyAccess, user: User, verdict: str, note: str = "", request: HttpRequest | None = None
) -> EmergencyAccess:
    """Record the review's verdict (justified / not justified) with an optional note. A later
    verdict replaces an earlier one; both are on the audit trail."""
    if not emergency_verdict_allowed(user=user, access=access):
        raise EmergencyNotAllowed("The verdict is given by the patient's psychiatrist or an administrator.")
    if verdict not in EmergencyVerdict.values:
        raise DomainError("The verdict is 'justified' or 'not_justified'.")
    note = (note or "").strip()
    if len(note) > EmergencyAccess.REASON_TEXT_MAX or "\x00" in note:
        raise DomainError(f"The note is at most {EmergencyAccess.REASON_TEXT_MAX} characters.")
    access.verdict, access.verdict_note, access.verdict_by = verdict, note, user
    access.verdict_at = timezone.now()
    access.save(update_fields=["verdict", "verdict_note", "verdict_by", "verdict_at"])
    audit_record(
        request=request,
        actor=user,
        action=AuditAction.UPDATE,
        resource="emergency_access_verdict",
        patient_id=access.patient_id,
        detail={"emergency_access": str(access.pk), "verdict": verdict},
    )
    return access


# Repeated use: accesses by the same clinician within this many days are counted on each row.
REPEAT_WINDOW_DAYS = 30


def emergency_accesses_for_review(*, user: Any) -> QuerySet[EmergencyAccess]:
    """Every access an administrator may review (all), or a psychiatrist (her teams' patients),
    newest first, each with `clinician_recent` (the clinician's accesses within
    REPEAT_WINDOW_DAYS before it, itself included) and `clinician_unjustified` (her accesses
    judged not justified). Nobody else: none."""
    qs = EmergencyAccess.objects.select_related(
        "patient", "patient__care_team", "clinician", "establishment", "verdict_by", "ended_by"
    )
    if _is_admin(user):
        pass
    elif user.is_authenticated and user.is_active and user.role == Role.PSYCHIATRIST:
        qs = qs.filter(patient__care_team__members=user)
    else:
        return EmergencyAccess.objects.none()
    window = timedelta(days=REPEAT_WINDOW_DAYS)

    def _count(extra: Q) -> Subquery:
        return Subquery(
            EmergencyAccess.objects.filter(extra, clinician_id=OuterRef("clinician_id"))
            .order_by()
            .values("clinician_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        )

    return qs.annotate(
        clinician_recent=_count(
            Q(started_at__lte=OuterRef("started_at"), started_at__gt=OuterRef("started_at") - window)
        ),
        clinician_unjustified=_count(Q(verdict=EmergencyVerdict.NOT_JUSTIFIED)),
    ).order_by("-started_at")
