"""Factories: alerts."""

from typing import Any

import factory

from alerts import rules
from alerts.models import Alert, AlertEvent, AlertEventKind, AlertKind, AlertSeverity, AlertStatus
from alerts.services import alert_acknowledge, alert_assign, alert_escalate, alert_note_add, alert_raise, alert_resolve
from patients.models import (
    CareTeam,
    User,
)

from .base import ServiceFactory, _require_derived
from .patients import ClinicianFactory, PatientFactory, _team_clinician

# --- alerts --------------------------------------------------------------------------------

ALERT_TITLES = {
    AlertKind.SAFETY: rules.TITLE_SAFETY_PHQ9,
    AlertKind.RISK: rules.TITLE_RISK,
    AlertKind.ADHERENCE: rules.TITLE_ADHERENCE,
    AlertKind.MANUAL: "Call the patient back about their sleep",
}
_ALERT_EVENT_FOR_TIME = {
    "created_at": AlertEventKind.CREATED,
    "acknowledged_at": AlertEventKind.ACKNOWLEDGED,
    "resolved_at": AlertEventKind.RESOLVED,
}


class AlertFactory(ServiceFactory):
    """An alert raised by `alert_raise` (its care team is the patient's; a `created` event),
    by default a clinician's manual one. `status=` acknowledged or resolved takes it there
    through `alert_acknowledge`/`alert_resolve`, by `acknowledged_by`/`resolved_by` or else a
    nurse of the team. `created_at`, `acknowledged_at`, `resolved_at`, when given, backdate the
    alert and the matching event."""

    class Meta:
        model = Alert

    patient = factory.SubFactory(PatientFactory)
    care_team = factory.LazyAttribute(lambda o: o.patient.care_team)
    kind = AlertKind.MANUAL
    severity = AlertSeverity.MEDIUM
    title = factory.LazyAttribute(lambda o: ALERT_TITLES[o.kind])
    detail = factory.LazyAttribute(
        lambda o: {"note": "Slept badly all week; wants a call."} if o.kind == AlertKind.MANUAL else {}
    )
    dedupe_key = None
    created_by = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == AlertKind.MANUAL),
        yes_declaration=_team_clinician(),
        no_declaration=None,
    )
    status = AlertStatus.OPEN
    acknowledged_by = None
    resolved_by = None
    resolution_note = factory.LazyAttribute(
        lambda o: "Called the patient; safety plan reviewed." if o.status == AlertStatus.RESOLVED else ""
    )
    _set_by_service = tuple(_ALERT_EVENT_FOR_TIME)

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> Alert:
        status = kwargs.get("status", AlertStatus.OPEN)
        if status == AlertStatus.OPEN:
            kwargs.setdefault("acknowledged_at", None)
        if status != AlertStatus.RESOLVED:
            kwargs.setdefault("resolved_at", None)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Alert:
        patient = kwargs["patient"]
        _require_derived(model_class, {"care_team": patient.care_team}, kwargs)
        times = cls._given_times(kwargs)
        status = kwargs["status"]
        if status not in AlertStatus.values:
            raise ValueError(f"Unknown alert status {status!r}.")
        if ("acknowledged_at" in times and status == AlertStatus.OPEN) or (
            "resolved_at" in times and status != AlertStatus.RESOLVED
        ):
            raise ValueError(f"An alert {status} has no such time: {sorted(times)}.")
        alert, _created = alert_raise(
            patient=patient,
            kind=kwargs["kind"],
            severity=kwargs["severity"],
            title=kwargs["title"],
            detail=kwargs["detail"],
            dedupe_key=kwargs["dedupe_key"],
            created_by=kwargs["created_by"],
        )
        acknowledger = kwargs["acknowledged_by"]
        if status == AlertStatus.ACKNOWLEDGED or (status == AlertStatus.RESOLVED and acknowledger is not None):
            alert, _changed = alert_acknowledge(alert=alert, user=acknowledger or _team_nurse(alert.care_team))
        if status == AlertStatus.RESOLVED:
            resolver = kwargs["resolved_by"] or acknowledger or _team_nurse(alert.care_team)
            alert, _changed = alert_resolve(alert=alert, user=resolver, note=kwargs["resolution_note"])
        if times:
            Alert.objects.filter(pk=alert.pk).update(**times)
            for name, moment in times.items():
                AlertEvent.objects.filter(alert=alert, event=_ALERT_EVENT_FOR_TIME[name]).update(at=moment)
            alert.refresh_from_db()
        return alert


def _team_nurse(team: CareTeam) -> User:
    return ClinicianFactory(teams=[team])


class AlertEventFactory(ServiceFactory):
    """An event of the alert log, written by the lifecycle service that writes it, in `seq`
    order: `acknowledged` (default; `alert_acknowledge`), `resolved` (`alert_resolve`),
    `escalated` (`alert_escalate`, for an open critical alert; detail {"after_minutes"}), or
    the `created` event `alert_raise` wrote with the alert. `actor` defaults to a nurse of
    the alert's team for acknowledgements and resolutions."""

    class Meta:
        model = AlertEvent

    alert = factory.SubFactory(
        AlertFactory,
        severity=factory.LazyAttribute(
            lambda o: (
                AlertSeverity.CRITICAL if o.factory_parent.event == AlertEventKind.ESCALATED else AlertSeverity.MEDIUM
            )
        ),
    )
    care_team = factory.LazyAttribute(lambda o: o.alert.care_team)
    event = AlertEventKind.ACKNOWLEDGED
    actor = factory.LazyAttribute(lambda o: o.alert.created_by if o.event == AlertEventKind.CREATED else None)
    detail = factory.LazyAttribute(
        lambda o: {"after_minutes": o.alert.care_team.escalation_minutes} if o.event == AlertEventKind.ESCALATED else {}
    )
    note = "Called the patient; safety plan reviewed."  # a resolution's note
    _service_args = ("note",)
    _set_by_service = ("at",)

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> AlertEvent:
        alert, event = kwargs["alert"], kwargs["event"]
        _require_derived(model_class, {"care_team": alert.care_team}, kwargs)
        if "at" in kwargs:
            raise ValueError("AlertEvent.at is the moment the service writes it (use AlertFactory's times).")
        actor = kwargs["actor"]
        if (
            event
            in (AlertEventKind.ACKNOWLEDGED, AlertEventKind.RESOLVED, AlertEventKind.ASSIGNED, AlertEventKind.NOTED)
            and actor is None
        ):
            actor = kwargs["actor"] = _team_nurse(alert.care_team)
        if event == AlertEventKind.CREATED:
            written = True
        elif event == AlertEventKind.ACKNOWLEDGED:
            _alert, written = alert_acknowledge(alert=alert, user=actor)
        elif event == AlertEventKind.RESOLVED:
            _alert, written = alert_resolve(alert=alert, user=actor, note=kwargs["note"])
        elif event == AlertEventKind.ESCALATED:
            written = alert_escalate(alert_id=alert.pk, minutes=kwargs["detail"]["after_minutes"])
        elif event == AlertEventKind.ASSIGNED:  # claimed by the actor
            _alert, written = alert_assign(alert=alert, user=actor, assignee_id=actor.pk)
        elif event == AlertEventKind.NOTED:  # a call attempt; `note` is its text
            alert_note_add(alert=alert, user=actor, kind="call", outcome="no_answer", text=kwargs["note"])
            written = True
        else:
            raise ValueError(f"Unknown alert event {event!r}.")
        if not written:
            raise ValueError(f"The alert's state ({alert.status}) allows no {event!r} event.")
        record = AlertEvent.objects.filter(alert=alert, event=event).latest("seq")
        if event in (AlertEventKind.ASSIGNED, AlertEventKind.NOTED):
            kwargs["detail"] = record.detail  # the assignee or the note, as the service wrote them
        _require_derived(model_class, {"actor": record.actor, "detail": record.detail}, kwargs)
        return record
