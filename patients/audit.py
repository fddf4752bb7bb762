"""The audit trail's write side: every read or write of a patient's data, every login and
every refusal goes through `audit_record`. The trail is append-only (see AuditEvent)."""

import functools
from collections.abc import Iterable
from datetime import UTC, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditAction, AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    # Only the socket peer: X-Forwarded-For is set by clients too, and a proxy that is
    # trusted must be configured to overwrite REMOTE_ADDR (see README, deployment).
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    resource: str,
    request: HttpRequest | None = None,
    actor: Any = None,
    patient_id: UUID | str | None = None,
    status_code: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    return _append(
        audit_event(
            action=action,
            resource=resource,
            request=request,
            actor=actor,
            patient_id=patient_id,
            status_code=status_code,
            detail=detail,
        )
    )


def audit_append(event: AuditEvent) -> AuditEvent:
    """Write a row built by `audit_event` (in the caller's transaction, if any), stamped now."""
    return _append(event)


def audit_append_clause(event: AuditEvent) -> tuple[str, list[Any]] | None:
    """`WITH` clause inserting a row built by `audit_event`, and its parameters, to put in front
    of the caller's next statement (PostgreSQL: a data-modifying WITH runs whether the statement
    reads it or not): the row is written in that statement's round trip. None on a database
    without them (SQLite): `audit_append` it instead."""
    if connection.vendor != "postgresql":
        return None
    event.at = timezone.now()
    params = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in _audit_fields()]
    return f"WITH audit_row AS ({_audit_insert_sql(connection.vendor, False)}) ", params


def audit_record_patients(
    *,
    action: str,
    resource: str,
    patient_ids: Iterable[UUID | str | None],
    request: HttpRequest | None = None,
    actor: Any = None,
    detail: dict[str, Any] | None = None,
) -> int:
    """A read that returned several patients (a list page, a search): one row per patient,
    so that each patient's access log (`/me/access-log/`) shows it, all written by one
    INSERT. With no patient returned, one row without a patient: the read is on record all
    the same. `detail` (the query, the page, the count) is the same on every row."""
    ids: list[UUID | str | None] = [pid for pid in dict.fromkeys(patient_ids) if pid is not None]
    if len(ids) > 1 and connection.vendor == "postgresql":
        # One row per patient, everything else alike: one short statement over the ids.
        _append_for_patients(
            audit_event(action=action, resource=resource, request=request, actor=actor, patient_id=None, detail=detail),
            ids,
        )
        return len(ids)
    events = [
        audit_event(action=action, resource=resource, request=request, actor=actor, patient_id=pid, detail=detail)
        for pid in ids or [None]
    ]
    for start in range(0, len(events), _MANY_CHUNK):
        _append_many(events[start : start + _MANY_CHUNK])
    return len(events)


def audit_event(
    *,
    action: str,
    resource: str,
    request: HttpRequest | None = None,
    actor: Any = None,
    patient_id: UUID | str | None = None,
    status_code: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """The row `audit_record` writes, not written yet: for a write path that appends it
    (`audit_append`) inside the transaction that stores the data, so that the request costs one
    commit rather than two. That path must append it on every outcome (see
    `patients.access.request_patient_audit_pending`)."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        actor_id=actor.pk if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        actor_role=getattr(actor, "role", "") if authenticated else "",
        patient_id=patient_id,
        action=action,
        resource=resource[:120],
        method=(request.method or "")[:8] if request is not None else "",
        path=request.path[:255] if request is not None else "",
        ip=client_ip(request),
        status_code=status_code,
        detail=detail or {},
    )


def _append(event: AuditEvent) -> AuditEvent:
    """INSERT one audit row (autocommit, or in the caller's transaction) with a statement built
    once per process: this runs on every request that touches a patient's data, and the ORM's
    compilation of the INSERT costs as much as the round trip. Values go through each field's
    own database preparation, as the ORM would do."""
    event.at = timezone.now()
    fields = _audit_fields()
    params = [field.get_db_prep_save(getattr(event, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(_audit_insert_sql(connection.vendor, connection.features.can_return_columns_from_insert), params)
        event.pk = cursor.fetchone()[0] if connection.features.can_return_columns_from_insert else cursor.lastrowid
    event._state.adding = False
    event._state.db = connection.alias
    return event


def _append_for_patients(event: AuditEvent, patient_ids: list[UUID | str | None]) -> None:
    """INSERT `event` once per patient id (PostgreSQL): INSERT ... SELECT over the ids, in
    their order, with the other values prepared once. The statement is the same whatever the
    number of patients (a search returns up to 50: the multi-row VALUES statement was long
    enough that its preparation, and the JSON of its detail for every row, cost more than the
    round trip)."""
    event.at = timezone.now()
    fields = _audit_fields()
    params = [
        field.get_db_prep_save(getattr(event, field.attname), connection)
        for field in fields
        if field.attname != "patient_id"
    ]
    with connection.cursor() as cursor:
        cursor.execute(_audit_insert_for_patients_sql(), [*params, [str(pid) for pid in patient_ids]])


@functools.cache
def _audit_insert_for_patients_sql() -> str:
    values = ", ".join(
        "p.id" if field.attname == "patient_id" else f"%s::{field.db_type(connection)}" for field in _audit_fields()
    )
    select = f"SELECT {values} FROM unnest(%s::uuid[]) WITH ORDINALITY AS p(id, n) ORDER BY p.n"  # noqa: S608  # nosec B608 - column types from the model, no input
    return _audit_insert_head().removesuffix("VALUES ") + select


# Rows per INSERT of audit_record_patients: well under both databases' parameter limits.
_MANY_CHUNK = 500


def _append_many(events: list[AuditEvent]) -> None:
    """INSERT several audit rows in one statement (same preparation as `_append`)."""
    at = timezone.now()
    fields = _audit_fields()
    params: list[Any] = []
    for event in events:
        event.at = at
        params.extend(field.get_db_prep_save(getattr(event, field.attname), connection) for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(_audit_insert_many_sql(connection.vendor, len(events)), params)


@functools.cache
def _audit_fields() -> list[Any]:
    return [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]


def _audit_insert_head() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in _audit_fields())
    return f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) VALUES "  # noqa: S608  # nosec B608


def _placeholders() -> str:
    return "(" + ", ".join(["%s"] * len(_audit_fields())) + ")"


@functools.cache
def _audit_insert_sql(vendor: str, returning: bool) -> str:
    statement = _audit_insert_head() + _placeholders()
    return statement + (f" RETURNING {connection.ops.quote_name(AuditEvent._meta.pk.column)}" if returning else "")


@functools.lru_cache(maxsize=64)
def _audit_insert_many_sql(vendor: str, rows: int) -> str:
    return _audit_insert_head() + ", ".join([_placeholders()] * rows)


def audit_denied(*, request: HttpRequest, resource: str, patient_id: UUID | str | None = None) -> None:
    audit_record(request=request, action=AuditAction.DENIED, resource=resource, patient_id=patient_id)


@transaction.atomic
def audit_purge_expired(*, now: Any = None) -> int:
    """Delete audit rows older than AUDIT_RETENTION_DAYS: the only deletion the trail allows."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    table = AuditEvent._meta.db_table
    param: Any = cutoff
    if connection.vendor == "sqlite":
        # Django stores SQLite datetimes as naive UTC text; compare like with like.
        param = cutoff.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL relapse.audit_purge = 'on'")
        cursor.execute(f"DELETE FROM {table} WHERE at < %s", [param])  # noqa: S608  # nosec B608 - table name is ours
        deleted = cursor.rowcount
        # Close the window at once, even when the caller's transaction goes on.
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL relapse.audit_purge = 'off'")
        return deleted
