"""The audit trail: append-only in the database itself, retention, and what it records."""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from patients.audit import audit_purge_expired, audit_record
from patients.models import AuditEvent


def _raw(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_database_refuses_update_and_delete_of_audit_rows(db):
    event = audit_record(action="read", resource="patient")

    with pytest.raises(DatabaseError):
        _raw("UPDATE patients_auditevent SET action = 'export' WHERE id = %s", [event.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError):
            _raw("DELETE FROM patients_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).action == "read"


def test_retention_purge_deletes_only_expired_rows(db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    old = audit_record(action="read", resource="patient")
    recent = audit_record(action="read", resource="patient")
    # The only way to age a row is below the ORM, with the trigger briefly off (test setup).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE patients_auditevent DISABLE TRIGGER patients_auditevent_append_only")
            cursor.execute(
                "UPDATE patients_auditevent SET at = %s WHERE id = %s",
                [timezone.now() - dt.timedelta(days=400), old.pk],
            )
            cursor.execute("ALTER TABLE patients_auditevent ENABLE TRIGGER patients_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER patients_auditevent_no_update")
            cursor.execute(
                "UPDATE patients_auditevent SET at = %s WHERE id = %s",
                [(timezone.now() - dt.timedelta(days=400)).strftime("%Y-%m-%d %H:%M:%S.%f"), old.pk],
            )
            cursor.execute("""CREATE TRIGGER patients_auditevent_no_update BEFORE UPDATE ON patients_auditevent
                BEGIN SELECT RAISE(ABORT, 'patients_auditevent is append-only (UPDATE refused)'); END""")

    deleted = audit_purge_expired()

    assert deleted == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError):
            _raw("DELETE FROM patients_auditevent WHERE id = %s", [recent.pk])
