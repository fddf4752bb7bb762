from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from .models import AuditEvent, ClinicalEvent, ConsentRecord, CrisisPlan, Patient, User


def patients_for_clinician(*, user: User) -> QuerySet[Patient]:
    """The patients of the clinician's care teams; nothing else exists for them."""
    if not (user.is_authenticated and user.is_active and user.is_clinician):
        return Patient.objects.none()
    return (
        Patient.objects.filter(care_team__members=user)
        .exclude(status="erased")
        .select_related("care_team", "key_worker")
    )


def patients_filter(
    qs: QuerySet[Patient],
    *,
    search: str | None = None,
    care_team: str | None = None,
    diagnosis: str | None = None,
    status: str | None = None,
) -> QuerySet[Patient]:
    """The patient list's query-string filters; an unusable team id matches nothing."""
    if search:
        qs = qs.filter(code__icontains=search)
    if care_team:
        qs = qs.filter(care_team_id=int(care_team)) if care_team.isdigit() else qs.none()
    if diagnosis:
        qs = qs.filter(diagnosis__istartswith=diagnosis)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("code")


def patient_get_for_clinician(*, user: User, patient_id: UUID | str) -> Patient | None:
    try:
        return patients_for_clinician(user=user).get(pk=patient_id)
    except (Patient.DoesNotExist, ValueError):
        return None


def patient_for_user(*, user: User) -> Patient | None:
    """The user's active patient record. Uses the record authentication already loaded with
    the user (PatientAwareJWTAuthentication), else one query."""
    if not (user.is_authenticated and user.is_active and user.is_patient):
        return None
    try:
        patient = user.patient
    except Patient.DoesNotExist:
        return None
    return patient if patient.status == "active" else None


def consents_for_patient(*, patient: Patient) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(patient=patient).order_by("scope", "-granted_at")


def clinical_events_for_patient(*, patient: Patient) -> QuerySet[ClinicalEvent]:
    return ClinicalEvent.objects.filter(patient=patient).select_related("recorded_by").order_by("date")


def access_log_for_patient(*, patient: Patient) -> "QuerySet[AuditEvent]":
    """Who accessed this patient's record (GDPR art. 15): everyone but the patient."""
    return (
        AuditEvent.objects.filter(patient_id=patient.pk)
        .exclude(actor_id=patient.user_id)
        .exclude(actor_id__isnull=True)
        .order_by("-at", "-id")
    )


def audit_events_search(
    *,
    patient_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    since: Any = None,
    until: Any = None,
) -> "QuerySet[AuditEvent]":
    qs = AuditEvent.objects.all().order_by("-at", "-id")
    if patient_id:
        qs = qs.filter(patient_id=patient_id)
    if actor:
        qs = qs.filter(actor_username=actor)
    if action:
        qs = qs.filter(action=action)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs


def crisis_plan_for_patient(*, patient: Patient) -> CrisisPlan | None:
    return CrisisPlan.objects.filter(patient=patient).select_related("updated_by").first()
