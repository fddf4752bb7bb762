"""Which patients a FHIR client system may read: those of its establishment's care teams, and
those under an emergency access in force opened by one of its establishment's clinicians."""

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from patients.models import EmergencyAccess, Patient

from .models import FhirSystem


def patients_for_system(*, system: FhirSystem, now: datetime) -> QuerySet[Patient]:
    emergency = EmergencyAccess.objects.filter(
        patient=OuterRef("pk"),
        establishment_id=system.establishment_id,
        started_at__lte=now,
        expires_at__gt=now,
        ended_at__isnull=True,
    )
    return Patient.objects.filter(Q(care_team__establishment_id=system.establishment_id) | Exists(emergency))
