"""The audit trail is append-only in the database itself, not only in the ORM: on PostgreSQL
UPDATE is always refused and DELETE only inside the retention purge
(patients.audit.audit_purge_expired)."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION patients_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('relapse.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'patients_auditevent is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER patients_auditevent_append_only
    BEFORE UPDATE OR DELETE ON patients_auditevent
    FOR EACH ROW EXECUTE FUNCTION patients_audit_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS patients_auditevent_append_only ON patients_auditevent;
DROP FUNCTION IF EXISTS patients_audit_append_only();
"""
# The embedded SQLite demo refuses UPDATE in the database; DELETE is refused by the ORM
# there (Django's test flush deletes rows on SQLite, where PostgreSQL truncates).
SQLITE_FORWARD = [
    """CREATE TRIGGER patients_auditevent_no_update BEFORE UPDATE ON patients_auditevent
       BEGIN SELECT RAISE(ABORT, 'patients_auditevent is append-only (UPDATE refused)'); END""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS patients_auditevent_no_update"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
