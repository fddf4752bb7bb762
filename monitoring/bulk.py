"""The bulk-insert engine of every high-volume write: ingestion's records (idempotent by
their client-made UUID), the daily-summary upserts, and the nightly risk scores.

`Inserter` sends `INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id` for many rows at once
(COPY on PostgreSQL for large batches), or an upsert on a unique key; `store_rows` turns what
went in into one status per record (stored, duplicate, conflict). No check-then-act: two
identical uploads racing each other store one row."""

import json
import weakref
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any
from uuid import UUID

import psycopg
from django.db import connection, models, transaction

from patients.models import Patient

STORED, DUPLICATE, CONFLICT = "stored", "duplicate", "conflict"

_PG_TYPE_NAMES = {
    "timestamp with time zone": "timestamptz",
    "double precision": "float8",
    "integer": "int4",
    "smallint": "int2",
    "bigint": "int8",
    "boolean": "bool",
}


def _pg_type(f: Any) -> str:
    """The type name psycopg's binary COPY wants for a model field's column."""
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    declared = str(target.db_type(connection)).split("(")[0].strip()
    return _PG_TYPE_NAMES.get(declared, declared)


class Inserter:
    """`INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id` for many rows at once, with the
    values adapted once per column (a plain multi-row statement is several times faster than
    the ORM's bulk_create for the 1,000-record batches, and says which ids went in)."""

    def __init__(
        self,
        model: type[models.Model],
        names: Sequence[str],
        *,
        upsert_on: Sequence[str] = (),
        update: Sequence[str] = (),
    ) -> None:
        self.model = model
        self.fields = [model._meta.get_field(name) for name in names]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in self.fields)  # type: ignore[union-attr]
        # Only our own table and column names go into the text; every value is a parameter.
        self.head = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES "  # noqa: S608  # nosec B608
        self.returning = not upsert_on
        if upsert_on:
            # An upsert: on the unique key, overwrite the `update` columns only.
            keys = [str(model._meta.get_field(name).column) for name in upsert_on]  # type: ignore[union-attr]
            targets = [str(model._meta.get_field(name).column) for name in update]  # type: ignore[union-attr]
            updates = ", ".join(f"{qn(c)} = excluded.{qn(c)}" for c in targets)
            self.tail = f" ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {updates}"  # nosec B608
        else:
            pk = qn(str(model._meta.pk.column))  # type: ignore[union-attr]
            self.tail = f" ON CONFLICT ({pk}) DO NOTHING RETURNING {pk}"
        self.row_sql = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.sqlite = connection.vendor == "sqlite"
        # SQLite allows 250,000 variables here (32,766 on older builds); PostgreSQL 65,535.
        self.rows_per_statement = max(1, (30_000 if self.sqlite else 60_000) // len(self.fields))
        self.adapters: list[Callable[[Any], Any] | None] = [self._adapter(f) for f in self.fields]
        self.pg_types = [_pg_type(f) for f in self.fields] if not self.sqlite else []
        self.pk_index = self.fields.index(model._meta.pk) if model._meta.pk in self.fields else 0  # type: ignore[arg-type]
        # PostgreSQL upserts (the daily summaries of a batch: ~20 rows of ~30 columns) go as
        # one typed array per column through unnest(): the statement has 30 parameters
        # whatever the rows, where a VALUES list has 600 for the driver to parse and quote.
        self.unnest_sql = ""
        if upsert_on and not self.sqlite and not any(isinstance(f, models.JSONField) for f in self.fields):
            arrays = ", ".join(f"%s::{t}[]" for t in self.pg_types)
            self.unnest_sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})"  # noqa: S608  # nosec B608
            self.unnest_sql += self.tail

    def _adapter(self, f: Any) -> Callable[[Any], Any] | None:
        if isinstance(f, models.JSONField):
            return lambda value: f.get_db_prep_save(value, connection)
        if not self.sqlite:
            return None  # psycopg adapts UUID, aware datetime, date, numbers and bool itself
        if isinstance(f, models.UUIDField) or (
            isinstance(f, models.ForeignKey) and isinstance(f.target_field, models.UUIDField)
        ):
            return lambda value: value.hex
        if isinstance(f, models.DateTimeField):
            return lambda value: value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(f, models.DateField | models.TimeField):
            return lambda value: value.isoformat()
        return None

    def insert(self, rows: Sequence[Sequence[Any]]) -> set[UUID]:
        if not self.sqlite and self.returning and len(rows) >= _COPY_FROM:
            return self._copy_insert(rows)
        if self.unnest_sql and rows:
            with connection.cursor() as cursor:
                cursor.execute(self.unnest_sql, [list(column) for column in zip(*rows, strict=True)])
            return set()
        inserted: set[UUID] = set()
        adapted = [(i, adapt) for i, adapt in enumerate(self.adapters) if adapt is not None]
        with connection.cursor() as cursor:
            for offset in range(0, len(rows), self.rows_per_statement):
                chunk = rows[offset : offset + self.rows_per_statement]
                params: list[Any] = []
                for row in chunk:
                    if adapted:
                        row = list(row)
                        for i, adapt in adapted:
                            if row[i] is not None:
                                row[i] = adapt(row[i])
                    params.extend(row)
                sql = self.head + ", ".join([self.row_sql] * len(chunk)) + self.tail
                cursor.execute(sql, params)
                if self.returning:
                    returned = [value for (value,) in cursor.fetchall()]
                    if self.sqlite:  # hex strings: match them to the rows' ids without parsing each
                        by_hex = {row[self.pk_index].hex: row[self.pk_index] for row in chunk}
                        inserted.update(by_hex[value] for value in returned)
                    else:
                        inserted.update(returned)
        return inserted

    def _copy_insert(self, rows: Sequence[Sequence[Any]]) -> set[UUID]:
        """PostgreSQL, many rows. A long multi-row VALUES statement spends most of its time
        having its placeholders parsed and its values quoted by the driver; COPY streams the
        values instead. New records (the usual case) are COPYed straight into the table in a
        savepoint; if any id is already there, the savepoint is rolled back and the rows go
        through a session temp table and `INSERT ... SELECT ... ON CONFLICT DO NOTHING`, which
        says which ids went in. A racing identical upload waits on the primary key and then
        takes the second path: it stores nothing twice."""
        if not connection.in_atomic_block:
            raise RuntimeError("the COPY path runs inside the caller's transaction")
        qn = connection.ops.quote_name
        table = qn(self.model._meta.db_table)
        columns = ", ".join(qn(str(f.column)) for f in self.fields)  # type: ignore[union-attr]
        json_columns = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]
        if json_columns:
            rows = [[json.dumps(v) if i in json_columns else v for i, v in enumerate(row)] for row in rows]
        # Binary COPY (typed) is several times cheaper to produce than text; JSON goes as text.
        binary = not json_columns
        options = " (FORMAT BINARY)" if binary else ""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN{options}") as copy:
                    if binary:
                        copy.set_types(self.pg_types)
                    for row in rows:
                        copy.write_row(row)
            return {row[self.pk_index] for row in rows}
        except psycopg.errors.UniqueViolation:
            pass
        temp = qn(f"ingest_{self.model._meta.db_table}")
        pk = qn(str(self.model._meta.pk.column))  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            pg = cursor.cursor  # the psycopg cursor under Django's wrapper
            ready = _temp_tables.setdefault(connection.connection, set())
            if temp not in ready:
                pg.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {temp} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
                )
                ready.add(temp)
            with pg.copy(f"COPY {temp} ({columns}) FROM STDIN{options}") as copy:
                if binary:
                    copy.set_types(self.pg_types)
                for row in rows:
                    copy.write_row(row)
            pg.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {temp} "  # noqa: S608  # nosec B608
                f"ON CONFLICT ({pk}) DO NOTHING RETURNING {pk}"
            )
            inserted = {value for (value,) in pg.fetchall()}
            # The next insert of this transaction starts from an empty temp table.
            pg.execute(f"DELETE FROM {temp}")  # noqa: S608  # nosec B608
        return inserted


# Below this many rows a VALUES statement is cheaper than COPY's extra round trips.
_COPY_FROM = 64
# Temp tables already created, per PostgreSQL session (psycopg connection).
_temp_tables: "weakref.WeakKeyDictionary[Any, set[str]]" = weakref.WeakKeyDictionary()
_inserters: dict[tuple, Inserter] = {}


def inserter(
    model: type[models.Model], names: Sequence[str], *, upsert_on: Sequence[str] = (), update: Sequence[str] = ()
) -> Inserter:
    key = (connection.vendor, model._meta.label, tuple(names), tuple(upsert_on), tuple(update))
    if key not in _inserters:
        _inserters[key] = Inserter(model, names, upsert_on=upsert_on, update=update)
    return _inserters[key]


def store_rows(
    *,
    model: type[models.Model],
    patient: Patient,
    records: Sequence[Any],
    columns: Sequence[str],
    content: Sequence[str],
    row: Callable[[Any], Sequence[Any]],
) -> list[str]:
    """Store records that carry `.id` and `.content()`; one status per record, in order."""
    statuses: list[str] = [""] * len(records)
    first: dict[UUID, int] = {}
    fresh: list[int] = []
    repeats: list[int] = []
    for i, record in enumerate(records):
        if record.id in first:
            repeats.append(i)
        else:
            first[record.id] = i
            fresh.append(i)
    inserted = inserter(model, columns).insert([row(records[i]) for i in fresh]) if fresh else set()
    missing = [i for i in fresh if records[i].id not in inserted]
    stored: dict[UUID, tuple] = {}
    if missing:
        ids = [records[i].id for i in missing]
        for start in range(0, len(ids), 900):
            for values in model._default_manager.filter(pk__in=ids[start : start + 900]).values_list(
                "pk", "patient_id", *content
            ):
                stored[values[0]] = values[1:]
    for i in fresh:
        record = records[i]
        if record.id in inserted:
            statuses[i] = STORED
        else:
            existing = stored.get(record.id)
            same = existing is not None and existing[0] == patient.pk and tuple(existing[1:]) == record.content()
            statuses[i] = DUPLICATE if same else CONFLICT
    for i in repeats:
        record = records[i]
        origin = first[record.id]
        same = records[origin].content() == record.content()
        statuses[i] = DUPLICATE if same and statuses[origin] != CONFLICT else CONFLICT
    return statuses
