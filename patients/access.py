"""The API's way to the patient a request is about: scoped by the caller, audited.

Every view that touches one patient's data goes through `clinician_patient_or_404` or
`request_patient` (or, for the check-in, `request_patient_audit_pending`), so care-team
scoping and the audit trail cannot be forgotten."""

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request

from .audit import audit_denied, audit_event, audit_record
from .models import AuditEvent, Patient, User
from .selectors import patient_for_user, patient_get_for_clinician


def request_user(request: Request | HttpRequest) -> User:
    """The signed-in user of a request that its view's permission class (IsAuthenticated,
    IsClinician, IsPatient...) or `login_required` has already admitted. For the type checker
    only: it checks nothing, so the refusal of an anonymous caller (401, 403 or the login
    redirect) stays where it is, in front of the view."""
    return cast(User, request.user)


def clinician_patient_or_404(request: Any, patient_id: UUID | str, *, resource: str, action: str = "read") -> Patient:
    patient = patient_get_for_clinician(user=request.user, patient_id=patient_id)
    if patient is None:
        # Outside one's teams the patient does not exist (404, never 403), but it is logged.
        audit_denied(request=request, resource=resource, patient_id=_as_uuid(patient_id))
        raise NotFound("No such patient.")
    audit_record(request=request, action=action, resource=resource, patient_id=patient.pk)
    return patient


def request_patient(request: Any, *, resource: str, action: str = "read") -> Patient:
    patient = patient_for_user(user=request.user)
    if patient is None:
        audit_denied(request=request, resource=resource)
        raise PermissionDenied("This endpoint is for enrolled patients.")
    audit_record(request=request, action=action, resource=resource, patient_id=patient.pk)
    return patient


def request_patient_audit_pending(request: Any, *, resource: str, action: str = "read") -> tuple[Patient, AuditEvent]:
    """`request_patient` with the audit row built but not yet written: the write path appends it
    (`patients.audit.audit_append`) in the same transaction as the data it stores, which saves
    the request a commit of its own (a flush of the write-ahead log: the check-in, the phone's
    hot path, did two). The caller appends it on every outcome: before answering a 400, inside
    the data's transaction, and again after that transaction failed (it was rolled back with
    it). A refusal (not an enrolled patient) is written at once, as by `request_patient`."""
    patient = patient_for_user(user=request.user)
    if patient is None:
        audit_denied(request=request, resource=resource)
        raise PermissionDenied("This endpoint is for enrolled patients.")
    return patient, audit_event(request=request, action=action, resource=resource, patient_id=patient.pk)


def _as_uuid(value: UUID | str) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        return None
