"""Alert reads: always scoped to the caller's care teams (nothing else exists for them)."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db.models import Case, IntegerField, Max, QuerySet, Value, When

from patients.models import User

from .models import Alert, AlertEvent, AlertStatus
from .rules import SEVERITY_RANK

# Everything the alert shape (serializers.alert_data) reads, in the same query.
ALERT_RELATED = ("patient", "created_by", "acknowledged_by", "resolved_by")


def clinician_team_ids(*, user: Any) -> list[int]:
    if not (user is not None and user.is_authenticated and user.is_active and user.is_clinician):
        return []
    return sorted(user.care_teams.values_list("id", flat=True))


def alerts_for_team_ids(*, team_ids: Iterable[int]) -> QuerySet[Alert]:
    return Alert.objects.filter(care_team_id__in=list(team_ids)).select_related(*ALERT_RELATED)


def alerts_for_clinician(*, user: User) -> QuerySet[Alert]:
    return alerts_for_team_ids(team_ids=clinician_team_ids(user=user))


def alert_get_for_clinician(*, user: User, alert_id: UUID | str) -> Alert | None:
    try:
        return alerts_for_clinician(user=user).get(pk=alert_id)
    except (Alert.DoesNotExist, ValueError):
        return None


def alerts_filter(
    qs: QuerySet[Alert],
    *,
    status: str | None = None,
    kind: str | None = None,
    severity: str | None = None,
    patient_id: UUID | str | None = None,
) -> QuerySet[Alert]:
    if status == "active":
        qs = qs.exclude(status=AlertStatus.RESOLVED)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if severity:
        qs = qs.filter(severity=severity)
    if patient_id:
        qs = qs.filter(patient_id=patient_id)
    return qs


def alerts_triage_order(qs: QuerySet[Alert]) -> QuerySet[Alert]:
    """Most severe first, then the longest waiting."""
    rank = Case(
        *[When(severity=severity, then=Value(r)) for severity, r in SEVERITY_RANK.items()],
        default=Value(len(SEVERITY_RANK)),
        output_field=IntegerField(),
    )
    return qs.annotate(severity_rank=rank).order_by("severity_rank", "created_at", "pk")


def alert_events_after(*, team_ids: Iterable[int], after: int, limit: int) -> list[AlertEvent]:
    """Events of these teams with seq > after, oldest first, with their alerts (2 queries)."""
    return list(
        AlertEvent.objects.filter(care_team_id__in=list(team_ids), seq__gt=after)
        .select_related(*[f"alert__{name}" for name in ALERT_RELATED])
        .order_by("seq")[:limit]
    )


def alert_last_seq() -> int:
    return AlertEvent.objects.aggregate(m=Max("seq"))["m"] or 0
