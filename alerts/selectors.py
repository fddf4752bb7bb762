"""Alert reads: always scoped to the caller's care teams (nothing else exists for them).

The one scoping rule (security 21.2): an alert, its events and its notes belong to the
patient's **current** care team, never to the team the patient was in when it was raised, and
an erased patient's alerts exist for nobody. Every read below starts from `alerts_for_team_ids`
or `alert_events_for_team_ids`."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from patients.models import LABEL_EVENT_KINDS, ClinicalEvent, PatientStatus, User

from .models import Alert, AlertEvent, AlertNote, AlertSeverity, AlertStatus
from .rules import SEVERITY_RANK, triage_key

# Everything the alert shape (serializers.alert_data) reads, in the same query.
ALERT_RELATED = (
    "patient",
    "patient__care_team",
    "created_by",
    "acknowledged_by",
    "resolved_by",
    "assigned_to",
    "outcome_by",
)
# How many alerts `group=patient` orders in memory (the desk's active alerts are far fewer).
GROUP_MAX = 5000


def clinician_team_ids(*, user: Any) -> list[int]:
    if not (user is not None and user.is_authenticated and user.is_active and user.is_clinician):
        return []
    return sorted(user.care_teams.values_list("id", flat=True))


def _notes_count() -> Coalesce:
    counted = (
        AlertNote.objects.filter(alert_id=OuterRef("pk"))
        .order_by()
        .values("alert_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _followed_event(field: str) -> Subquery:
    """The first relapse or hospitalisation after a risk alert's scored day, within its
    horizon (Alert.risk_date < date <= Alert.risk_horizon): its `date` or `kind`."""
    first = (
        ClinicalEvent.objects.filter(
            patient_id=OuterRef("patient_id"),
            kind__in=LABEL_EVENT_KINDS,
            date__gt=OuterRef("risk_date"),
            date__lte=OuterRef("risk_horizon"),
        )
        .order_by("date", "kind")
        .values(field)[:1]
    )
    return Subquery(first, output_field=DateField() if field == "date" else CharField())


def alerts_shaped(qs: QuerySet[Alert] | None = None) -> QuerySet[Alert]:
    """Alerts with everything their shape reads (related rows, the note count, the event that
    followed a risk alert): one query."""
    qs = Alert.objects.all() if qs is None else qs
    return qs.select_related(*ALERT_RELATED).annotate(
        notes_total=_notes_count(),
        followed_event_date=_followed_event("date"),
        followed_event_kind=_followed_event("kind"),
    )


def alerts_for_team_ids(*, team_ids: Iterable[int]) -> QuerySet[Alert]:
    """THE scoping rule: the alerts of patients currently in these teams, erased excluded."""
    return alerts_shaped(
        Alert.objects.filter(patient__care_team_id__in=list(team_ids)).exclude(patient__status=PatientStatus.ERASED)
    )


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
    severity: str | Iterable[str] | None = None,
    patient_id: UUID | str | None = None,
    assignee: int | str | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> QuerySet[Alert]:
    """The list's filters. `severity`: one or several; `assignee`: a user id or "none"
    (unassigned); `created_from` inclusive, `created_to` exclusive."""
    if status == "active":
        qs = qs.exclude(status=AlertStatus.RESOLVED)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if isinstance(severity, str) and severity:
        qs = qs.filter(severity=severity)
    elif severity:
        qs = qs.filter(severity__in=list(severity))
    if patient_id:
        qs = qs.filter(patient_id=patient_id)
    if assignee == "none":
        qs = qs.filter(assigned_to__isnull=True)
    elif assignee is not None:
        qs = qs.filter(assigned_to_id=int(assignee))
    if created_from is not None:
        qs = qs.filter(created_at__gte=created_from)
    if created_to is not None:
        qs = qs.filter(created_at__lt=created_to)
    return qs


def alerts_triage_order(qs: QuerySet[Alert]) -> QuerySet[Alert]:
    """The desk's order (rules.triage_key, in SQL): unacknowledged critical alerts first,
    newest first; then the others by severity, longest waiting first."""
    pinned = When(severity=AlertSeverity.CRITICAL, status=AlertStatus.OPEN, then=Value(0))
    rank = Case(
        *[When(severity=severity, then=Value(r)) for severity, r in SEVERITY_RANK.items()],
        default=Value(len(SEVERITY_RANK)),
        output_field=IntegerField(),
    )
    return qs.annotate(
        triage_pinned=Case(pinned, default=Value(1), output_field=IntegerField()),
        triage_pinned_at=Case(
            When(severity=AlertSeverity.CRITICAL, status=AlertStatus.OPEN, then=F("created_at")),
            default=None,
            output_field=DateTimeField(),
        ),
        severity_rank=rank,
    ).order_by("triage_pinned", F("triage_pinned_at").desc(nulls_last=True), "severity_rank", "created_at", "pk")


def alert_ids_grouped(qs: QuerySet[Alert]) -> list[UUID]:
    """Alert ids in triage order, contiguous per patient: the groups ordered by their most
    urgent alert, inside a group the triage order. One light query (ids and sort fields)."""
    rows = list(qs.order_by().values_list("pk", "patient_id", "severity", "status", "created_at")[:GROUP_MAX])
    keyed = sorted(((triage_key(severity=s, status=st, created_at=c), str(pk), pk, p) for pk, p, s, st, c in rows))
    lead: dict[UUID, int] = {}
    for position, (_key, _text, _pk, patient_id) in enumerate(keyed):
        lead.setdefault(patient_id, position)
    ordered = sorted(enumerate(keyed), key=lambda item: (lead[item[1][3]], item[0]))
    return [entry[2] for _position, entry in ordered]


def alerts_by_ids(*, qs: QuerySet[Alert], ids: list[UUID]) -> list[Alert]:
    """These alerts (already scoped by `qs`), in the order of `ids`: one query."""
    found = {alert.pk: alert for alert in qs.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


# --- the event log --------------------------------------------------------------------------


def alert_events_for_team_ids(*, team_ids: Iterable[int]) -> QuerySet[AlertEvent]:
    """Events of alerts of patients currently in these teams (erased excluded), with their
    alert's shape and actor."""
    return (
        AlertEvent.objects.filter(alert__patient__care_team_id__in=list(team_ids))
        .exclude(alert__patient__status=PatientStatus.ERASED)
        .select_related("actor", *[f"alert__{name}" for name in ALERT_RELATED])
        .annotate(alert_notes_total=_notes_count_of_event_alert())
    )


def _notes_count_of_event_alert() -> Coalesce:
    counted = (
        AlertNote.objects.filter(alert_id=OuterRef("alert_id"))
        .order_by()
        .values("alert_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _with_alert_counts(events: list[AlertEvent]) -> list[AlertEvent]:
    for event in events:
        event.alert.notes_total = getattr(event, "alert_notes_total", 0)  # type: ignore[attr-defined]  # why: the shape reads it
    return events


def alert_events_after(*, team_ids: Iterable[int], after: int, limit: int) -> list[AlertEvent]:
    """Events of these teams with seq > after, oldest first, with their alerts (1 query)."""
    return _with_alert_counts(
        list(alert_events_for_team_ids(team_ids=team_ids).filter(seq__gt=after).order_by("seq")[:limit])
    )


def alert_events_between(*, team_ids: Iterable[int], since: datetime, until: datetime, limit: int) -> list[AlertEvent]:
    """Events of these teams in [since, until), oldest first (the handover)."""
    return _with_alert_counts(
        list(alert_events_for_team_ids(team_ids=team_ids).filter(at__gte=since, at__lt=until).order_by("seq")[:limit])
    )


def alert_last_seq() -> int:
    return AlertEvent.objects.aggregate(m=Max("seq"))["m"] or 0


def alert_notes(*, alert: Alert) -> QuerySet[AlertNote]:
    return AlertNote.objects.filter(alert=alert).select_related("author").order_by("created_at", "id")


def patients_alerts_since(*, patient_ids: Iterable[Any], since: datetime) -> QuerySet[Alert]:
    """Alerts of these patients raised since then (the card's previous alerts), newest first.
    The caller has scoped the patients."""
    return Alert.objects.filter(patient_id__in=list(patient_ids), created_at__gte=since).order_by("-created_at", "pk")


def model_alerts_for(*, user: Any) -> QuerySet[Alert]:
    """`model` alerts (no patient): every team's for admins, their teams' for psychiatrists."""
    qs = Alert.objects.filter(kind="model", patient__isnull=True).select_related("care_team").order_by("-created_at")
    role = getattr(user, "role", "")
    if role == "admin":
        return qs
    if role == "psychiatrist":
        return qs.filter(care_team_id__in=clinician_team_ids(user=user))
    return qs.none()
