"""The API's way to the patient a request is about: scoped by the caller, audited.

Every view that touches one patient's data goes through `clinician_patient_or_404` or
`request_patient`, so care-team scoping and the audit trail cannot be forgotten."""

from typing import Any, cast
from uuid import UUID

from django.http import HttpRequest
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request

from .audit import audit_denied, audit_record
from .models import Patient, User
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


def _as_uuid(value: UUID | str) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        return None
